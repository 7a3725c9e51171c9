/**
 * The login session (seed 001): POST /auth/login gives a token valid for hours; it is renewed
 * before it expires (POST /auth/renew), kept in sessionStorage (this tab only), and when the
 * server says it expired the page clears everything and says so.
 */
import { failureOf } from './api.js';
import type { Profile, SessionGrant } from './types.js';

export interface Session {
  token: string;
  profile: Profile;
  username: string;
  /** Server epoch ms. */
  expiresAt: number;
  /** Browser ms when the grant arrived, and the grant's lifetime then: renewal is timed from these. */
  receivedAt: number;
  ttlMs: number;
}

const KEY = 'switchboard.session';

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    const s = raw ? (JSON.parse(raw) as Session) : undefined;
    return s && typeof s.token === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

function fromGrant(grant: SessionGrant, username: string, serverNow: number | undefined): Session {
  const receivedAt = Date.now();
  // Lifetime as the server counts it (its Date header), so a skewed browser clock renews on time.
  const ttlMs = Math.max(0, grant.expiresAt - (serverNow ?? receivedAt));
  return { token: grant.session, profile: grant.profile, username, expiresAt: grant.expiresAt, receivedAt, ttlMs };
}

const serverTime = (res: Response): number | undefined => {
  const d = res.headers.get('date');
  const t = d ? Date.parse(d) : NaN;
  return Number.isNaN(t) ? undefined : t;
};

export async function login(username: string, password: string): Promise<Session> {
  const res = await fetch('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw await failureOf(res);
  return fromGrant((await res.json()) as SessionGrant, username, serverTime(res));
}

export async function renew(s: Session): Promise<Session> {
  const res = await fetch('/auth/renew', { method: 'POST', headers: { authorization: `Bearer ${s.token}` } });
  if (!res.ok) throw await failureOf(res);
  return fromGrant((await res.json()) as SessionGrant, s.username, serverTime(res));
}

export async function logout(s: Session): Promise<void> {
  await fetch('/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${s.token}` } }).catch(() => undefined);
}

/** When to renew: at 80 % of the lifetime, at least 5 s from now. */
export function renewDelayMs(s: Session, now = Date.now()): number {
  return Math.max(5_000, s.receivedAt + s.ttlMs * 0.8 - now);
}
