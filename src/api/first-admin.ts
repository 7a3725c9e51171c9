/**
 * First run: on a database with no users, create `admin` with a generated password (stored as a
 * scrypt hash like any other) and print it once in the start log, with the URL to open. Never a
 * fixed default; on later starts nothing is printed.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../infra/logger.js';
import type { AuthService } from './auth.js';

export async function ensureFirstAdmin(auth: AuthService, log: Logger, url: string): Promise<{ username: string; password: string } | undefined> {
  if (auth.listUsers().length > 0) return undefined;
  const password = randomBytes(12).toString('base64url');
  await auth.createUser('admin', { password, profile: 'admin' });
  // Shown this once on purpose (under a key the log redaction leaves alone); only its hash is stored.
  log.warn({ url, username: 'admin', generatedPassword: password }, 'first run: log in as admin with this generated password (shown once) and change it');
  return { username: 'admin', password };
}
