import type { Database } from '../db.js';

export type Profile = 'admin' | 'supervisor' | 'agent';

export interface ApiKeyRecord {
  id: string;
  name: string;
  keyHash: string;
  createdAt: number;
}

export interface UserRecord {
  username: string;
  passwordHash: string;
  profile: Profile;
  agentId: string | null;
  queues: string[];
  groups: string[];
  createdAt: number;
  updatedAt: number;
}

export interface SessionRecord {
  tokenHash: string;
  username: string;
  createdAt: number;
  expiresAt: number;
}

export interface AuthRepo {
  insertApiKey(key: ApiKeyRecord): void;
  apiKeyByHash(keyHash: string): ApiKeyRecord | undefined;
  listApiKeys(): ApiKeyRecord[];
  /** True when a key was deleted. */
  deleteApiKey(id: string): boolean;

  insertUser(user: UserRecord): void;
  /** Replace a user's row; true when the user exists. */
  updateUser(user: UserRecord): boolean;
  user(username: string): UserRecord | undefined;
  listUsers(): UserRecord[];
  /** Deletes the user and its sessions; true when the user existed. */
  deleteUser(username: string): boolean;

  insertSession(session: SessionRecord): void;
  session(tokenHash: string): SessionRecord | undefined;
  deleteSession(tokenHash: string): boolean;
  /** Replace one session by another in one transaction (renewal). */
  replaceSession(oldHash: string, next: SessionRecord): void;
  /** Drop sessions that expired before `before` (epoch ms); returns how many. */
  purgeSessions(before: number): number;
}

interface ApiKeyRow { id: string; name: string; key_hash: string; created_at: number }
interface UserRow {
  username: string; password_hash: string; profile: Profile; agent_id: string | null; queues: string; groups: string;
  created_at: number; updated_at: number;
}
interface SessionRow { token_hash: string; username: string; created_at: number; expires_at: number }

/** API keys, users and sessions (see migrations/003_auth.sql). */
export function createAuthRepo(db: Database): AuthRepo {
  const insertKey = db.prepare<ApiKeyRow>('INSERT INTO api_keys (id, name, key_hash, created_at) VALUES (@id, @name, @key_hash, @created_at)');
  const keyByHash = db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = ?');
  const allKeys = db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, rowid');
  const deleteKey = db.prepare<[string]>('DELETE FROM api_keys WHERE id = ?');

  const insertUserStmt = db.prepare<UserRow>(`INSERT INTO users (username, password_hash, profile, agent_id, queues, groups, created_at, updated_at)
    VALUES (@username, @password_hash, @profile, @agent_id, @queues, @groups, @created_at, @updated_at)`);
  const updateUserStmt = db.prepare<UserRow>(`UPDATE users SET password_hash = @password_hash, profile = @profile, agent_id = @agent_id,
    queues = @queues, groups = @groups, created_at = @created_at, updated_at = @updated_at WHERE username = @username`);
  const userStmt = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const allUsers = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username');
  const deleteUserStmt = db.prepare<[string]>('DELETE FROM users WHERE username = ?');

  const insertSessionStmt = db.prepare<SessionRow>(
    'INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (@token_hash, @username, @created_at, @expires_at)',
  );
  const sessionStmt = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?');
  const deleteSessionStmt = db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?');
  const purge = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at < ?');
  const replace = db.transaction((oldHash: string, next: SessionRecord) => {
    deleteSessionStmt.run(oldHash);
    insertSessionStmt.run(sessionToRow(next));
  });

  return {
    insertApiKey: (k) => void insertKey.run({ id: k.id, name: k.name, key_hash: k.keyHash, created_at: k.createdAt }),
    apiKeyByHash: (hash) => {
      const row = keyByHash.get(hash);
      return row && rowToKey(row);
    },
    listApiKeys: () => allKeys.all().map(rowToKey),
    deleteApiKey: (id) => deleteKey.run(id).changes > 0,

    insertUser: (u) => void insertUserStmt.run(userToRow(u)),
    updateUser: (u) => updateUserStmt.run(userToRow(u)).changes > 0,
    user: (username) => {
      const row = userStmt.get(username);
      return row && rowToUser(row);
    },
    listUsers: () => allUsers.all().map(rowToUser),
    deleteUser: (username) => deleteUserStmt.run(username).changes > 0,

    insertSession: (s) => void insertSessionStmt.run(sessionToRow(s)),
    session: (hash) => {
      const row = sessionStmt.get(hash);
      return row && { tokenHash: row.token_hash, username: row.username, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    deleteSession: (hash) => deleteSessionStmt.run(hash).changes > 0,
    replaceSession: (oldHash, next) => replace(oldHash, next),
    purgeSessions: (before) => purge.run(before).changes,
  };
}

const rowToKey = (r: ApiKeyRow): ApiKeyRecord => ({ id: r.id, name: r.name, keyHash: r.key_hash, createdAt: r.created_at });

const userToRow = (u: UserRecord): UserRow => ({
  username: u.username, password_hash: u.passwordHash, profile: u.profile, agent_id: u.agentId,
  queues: JSON.stringify(u.queues), groups: JSON.stringify(u.groups), created_at: u.createdAt, updated_at: u.updatedAt,
});

const rowToUser = (r: UserRow): UserRecord => ({
  username: r.username, passwordHash: r.password_hash, profile: r.profile, agentId: r.agent_id,
  queues: JSON.parse(r.queues) as string[], groups: JSON.parse(r.groups) as string[], createdAt: r.created_at, updatedAt: r.updated_at,
});

const sessionToRow = (s: SessionRecord): SessionRow => ({
  token_hash: s.tokenHash, username: s.username, created_at: s.createdAt, expires_at: s.expiresAt,
});
