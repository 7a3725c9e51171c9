import { createHash, randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Clock } from '../infra/clock.js';
import type { AuthRepo, Profile, UserRecord } from '../store/repos/auth-repo.js';
import { ApiError } from './errors.js';

export type { Profile };

/** Who is calling: what the API, the CTI gateway and event filters decide on. */
export interface Principal {
  profile: Profile;
  username?: string;
  /** The agent an `agent` user is. */
  agentId?: string;
  /** Supervisor: the queues and groups it may see (seed 002). */
  queues?: string[];
  groups?: string[];
}

export type Authentication =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'session expired' | 'unknown token' };

export interface SessionGrant {
  session: string;
  /** Epoch ms. */
  expiresAt: number;
  profile: Profile;
}

export interface UserInput {
  password: string;
  profile: Profile;
  agentId?: string | undefined;
  queues?: string[] | undefined;
  groups?: string[] | undefined;
}

export interface UserView {
  username: string;
  profile: Profile;
  agentId: string | null;
  queues: string[];
  groups: string[];
  createdAt: number;
  updatedAt: number;
}

export interface ApiKeyView {
  id: string;
  name: string;
  createdAt: number;
}

export interface AuthService {
  /** A session token or an API key → who it is; undefined when unknown or expired. */
  authenticate(token: string): Principal | undefined;
  /** Like `authenticate`, with the reason of a refusal. */
  check(token: string): Authentication;
  login(username: string, password: string, ttlMs: number): Promise<SessionGrant | undefined>;
  /** A new session for the same user; the old token stops working at once. */
  renew(token: string, ttlMs: number): SessionGrant | Extract<Authentication, { ok: false }>;
  logout(token: string): boolean;

  /** A new admin API key; `key` is shown once and only its hash is stored. */
  createApiKey(name: string): ApiKeyView & { key: string };
  /** Register a key chosen by the operator (SWITCHBOARD_ADMIN_KEY); idempotent. */
  registerApiKey(key: string, name: string): void;
  listApiKeys(): ApiKeyView[];
  deleteApiKey(id: string): boolean;

  /** Throws ApiError CONFLICT when the username is taken. */
  createUser(username: string, input: UserInput): Promise<UserView>;
  /** Undefined when no such user. */
  updateUser(username: string, input: UserInput): Promise<UserView | undefined>;
  deleteUser(username: string): boolean;
  user(username: string): UserView | undefined;
  listUsers(): UserView[];
}

export interface AuthServiceDeps {
  repo: AuthRepo;
  clock: Clock;
  /** scrypt cost (N); default 16384. */
  scryptCost?: number;
}

/** Expired sessions are kept this long, so their holders are told "session expired". */
const KEEP_EXPIRED_MS = 7 * 24 * 3600_000;

export function createAuthService({ repo, clock, scryptCost = 16_384 }: AuthServiceDeps): AuthService {
  const passwords = passwordHasher(scryptCost);
  const dummyHash = passwords.unmatchable();

  function check(token: string): Authentication {
    const hash = sha256(token);
    const session = repo.session(hash);
    if (session) {
      if (session.expiresAt <= clock.now()) return { ok: false, reason: 'session expired' };
      const user = repo.user(session.username);
      return user ? { ok: true, principal: principalOf(user) } : { ok: false, reason: 'unknown token' };
    }
    // API keys have no profile: they fall back on the admin behaviour (seed 002).
    if (repo.apiKeyByHash(hash)) return { ok: true, principal: { profile: 'admin' } };
    return { ok: false, reason: 'unknown token' };
  }

  function grant(username: string, profile: Profile, ttlMs: number): { grant: SessionGrant; hash: string; createdAt: number } {
    const session = `sbs_${randomBytes(32).toString('base64url')}`;
    const createdAt = clock.now();
    return { grant: { session, expiresAt: createdAt + ttlMs, profile }, hash: sha256(session), createdAt };
  }

  async function toRecord(username: string, input: UserInput, createdAt: number): Promise<UserRecord> {
    return {
      username,
      passwordHash: await passwords.hash(input.password),
      profile: input.profile,
      agentId: input.profile === 'agent' ? (input.agentId ?? null) : null,
      queues: input.profile === 'supervisor' ? (input.queues ?? []) : [],
      groups: input.profile === 'supervisor' ? (input.groups ?? []) : [],
      createdAt,
      updatedAt: clock.now(),
    };
  }

  return {
    authenticate: (token) => {
      const result = check(token);
      return result.ok ? result.principal : undefined;
    },
    check,

    async login(username, password, ttlMs) {
      const user = repo.user(username);
      // Hash even for an unknown user, so timing does not tell which usernames exist.
      const ok = await passwords.verify(password, user?.passwordHash ?? dummyHash);
      if (!user || !ok) return undefined;
      repo.purgeSessions(clock.now() - KEEP_EXPIRED_MS);
      const g = grant(user.username, user.profile, ttlMs);
      repo.insertSession({ tokenHash: g.hash, username: user.username, createdAt: g.createdAt, expiresAt: g.grant.expiresAt });
      return g.grant;
    },

    renew(token, ttlMs) {
      const hash = sha256(token);
      const result = check(token);
      const session = repo.session(hash);
      if (!result.ok) return result;
      if (!session) return { ok: false, reason: 'unknown token' }; // an API key is not a session
      const g = grant(session.username, result.principal.profile, ttlMs);
      repo.replaceSession(hash, { tokenHash: g.hash, username: session.username, createdAt: g.createdAt, expiresAt: g.grant.expiresAt });
      return g.grant;
    },

    logout: (token) => repo.deleteSession(sha256(token)),

    createApiKey(name) {
      const key = `sbk_${randomBytes(32).toString('base64url')}`;
      const record = { id: randomUUID(), name, keyHash: sha256(key), createdAt: clock.now() };
      repo.insertApiKey(record);
      return { id: record.id, name, createdAt: record.createdAt, key };
    },
    registerApiKey(key, name) {
      const keyHash = sha256(key);
      if (!repo.apiKeyByHash(keyHash)) repo.insertApiKey({ id: randomUUID(), name, keyHash, createdAt: clock.now() });
    },
    listApiKeys: () => repo.listApiKeys().map(({ id, name, createdAt }) => ({ id, name, createdAt })),
    deleteApiKey: (id) => repo.deleteApiKey(id),

    async createUser(username, input) {
      if (repo.user(username)) throw new ApiError('CONFLICT', `user "${username}" already exists`, { field: 'username' });
      const record = await toRecord(username, input, clock.now());
      repo.insertUser(record);
      return view(record);
    },
    async updateUser(username, input) {
      const existing = repo.user(username);
      if (!existing) return undefined;
      const record = await toRecord(username, input, existing.createdAt);
      repo.updateUser(record);
      return view(record);
    },
    deleteUser: (username) => repo.deleteUser(username),
    user: (username) => {
      const u = repo.user(username);
      return u && view(u);
    },
    listUsers: () => repo.listUsers().map(view),
  };
}

function principalOf(user: UserRecord): Principal {
  switch (user.profile) {
    case 'admin':
      return { profile: 'admin', username: user.username };
    case 'supervisor':
      return { profile: 'supervisor', username: user.username, queues: user.queues, groups: user.groups };
    case 'agent':
      return { profile: 'agent', username: user.username, agentId: user.agentId ?? '' };
  }
}

function view(u: UserRecord): UserView {
  return { username: u.username, profile: u.profile, agentId: u.agentId, queues: u.queues, groups: u.groups, createdAt: u.createdAt, updatedAt: u.updatedAt };
}

/** sha256 hex: enough for high-entropy random tokens and keys (not for passwords). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** scrypt password hashes as `scrypt$N$r$p$salt$hash` (base64url). */
function passwordHasher(cost: number) {
  const r = 8;
  const p = 1;
  const keylen = 32;
  const scrypt = (password: string, salt: Buffer, opts: ScryptOptions) =>
    new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, { ...opts, maxmem: 256 * opts.N! * r }, (err, key) => (err ? reject(err) : resolve(key))));
  const encode = (salt: Buffer, key: Buffer) => `scrypt$${cost}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  return {
    async hash(password: string): Promise<string> {
      const salt = randomBytes(16);
      return encode(salt, await scrypt(password, salt, { N: cost, r, p }));
    },
    /** A well-formed hash no password matches: verified against for unknown users. */
    unmatchable(): string {
      return encode(randomBytes(16), randomBytes(keylen));
    },
    async verify(password: string, stored: string): Promise<boolean> {
      const [scheme, n, rr, pp, salt, hash] = stored.split('$');
      if (scheme !== 'scrypt' || !salt || !hash) return false;
      const expected = Buffer.from(hash, 'base64url');
      const actual = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(rr), p: Number(pp) });
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}
