/**
 * Renders the project's FreeSWITCH configuration (freeswitch-conf/*.xml) into one directory
 * FreeSWITCH can use as its conf dir (`freeswitch -conf <dir>`). Placeholders are `{{NAME}}`
 * as for Asterisk (renderTemplate): every one must have a value, so a missing secret fails at
 * start-up instead of starting an open PBX. Two values are lists expanded here: PHONE_USERS
 * (directory users) and MOH_CLASSES (local_stream directories).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigRenderError, renderTemplate } from '../asterisk/render-config.js';

export interface FreeswitchConfigVars {
  ESL_BIND: string;
  ESL_PORT: string;
  ESL_PASSWORD: string;
  /** The event socket's inbound ACL (loopback.auto: loopback only). */
  ESL_ACL: string;
  SIP_BIND: string;
  /** Agent phones' profile (internal). */
  SIP_PORT: string;
  /** The trunk's profile. */
  TRUNK_SIP_PORT: string;
  TRUNK_CIDR: string;
  SIP_DOMAIN: string;
  PHONE_PASSWORD: string;
  /** Agent phone users, comma-separated, ranges allowed: `1001-1006,2001`. */
  PHONE_USERS: string;
  /** Our channels' tag (sb_app); the driver's `app`. */
  APP: string;
  RTP_START: string;
  RTP_END: string;
  /** Directory of music files for local_stream (8 kHz wav). */
  MOH_DIR: string;
  /** local_stream classes, comma-separated (`default` is always there). */
  MOH_CLASSES: string;
  LOG_LEVEL: string;
  MAX_SESSIONS: string;
  SESSIONS_PER_SECOND: string;
  /** Seconds a parked call waits for the engine to take it before it is refused with 503. */
  ENGINE_TAKE_S: string;
}

/** Safe defaults: everything on loopback. Secrets, MOH_DIR and ports of a private run have no default. */
export const freeswitchConfigDefaults = {
  ESL_BIND: '127.0.0.1',
  ESL_PORT: '8021',
  ESL_ACL: 'loopback.auto',
  SIP_BIND: '127.0.0.1',
  SIP_PORT: '5060',
  TRUNK_SIP_PORT: '5070',
  TRUNK_CIDR: '127.0.0.1/32',
  SIP_DOMAIN: 'switchboard',
  PHONE_USERS: '1001-1006',
  APP: 'switchboard',
  RTP_START: '16384',
  RTP_END: '16999',
  MOH_CLASSES: 'default',
  LOG_LEVEL: 'info',
  MAX_SESSIONS: '1000',
  SESSIONS_PER_SECOND: '100',
  ENGINE_TAKE_S: '3',
} satisfies Partial<FreeswitchConfigVars>;

/** `1001-1003,2001` → ['1001','1002','1003','2001']; throws naming PHONE_USERS on bad input. */
export function expandUsers(spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a || b - a > 10_000) throw new ConfigRenderError(`PHONE_USERS: bad range "${part}"`);
      for (let n = a; n <= b; n++) out.push(String(n));
    } else if (/^[A-Za-z0-9_.-]+$/.test(part)) out.push(part);
    else throw new ConfigRenderError(`PHONE_USERS: bad user "${part}"`);
  }
  if (out.length === 0) throw new ConfigRenderError('PHONE_USERS: no user');
  return out;
}

export function mohClassesOf(spec: string): string[] {
  const classes = new Set(['default']);
  for (const c of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!/^[A-Za-z0-9_-]+$/.test(c)) throw new ConfigRenderError(`MOH_CLASSES: bad class "${c}"`);
    classes.add(c);
  }
  return [...classes];
}

export interface FreeswitchRenderOptions {
  /** The repository's freeswitch-conf/ directory. */
  confDir: string;
  /** Where to write the rendered files (FreeSWITCH's -conf directory). */
  outDir: string;
  vars: FreeswitchConfigVars;
}

/** Render every .xml of confDir into outDir; returns the written paths. */
export async function renderFreeswitchConfig(opts: FreeswitchRenderOptions): Promise<string[]> {
  await mkdir(opts.outDir, { recursive: true });
  const v = opts.vars;
  if (!v.MOH_DIR) throw new ConfigRenderError('local_stream.conf.xml: no value for MOH_DIR');
  if (/["<>&]/.test(v.MOH_DIR)) throw new ConfigRenderError('MOH_DIR: unsupported characters');
  if (!/^[1-9][0-9]{0,2}$/.test(v.ENGINE_TAKE_S ?? '')) throw new ConfigRenderError(`ENGINE_TAKE_S: whole seconds from 1 to 999 expected, got "${v.ENGINE_TAKE_S}"`);
  const vars: Record<string, string> = {
    ...(v as unknown as Record<string, string>),
    DIRECTORY_USERS: expandUsers(v.PHONE_USERS ?? '').map((u) => `<user id="${u}"/>`).join(''),
    MOH_DIRECTORIES: mohClassesOf(v.MOH_CLASSES ?? '')
      .map((c) => `<directory name="${c}" path="${v.MOH_DIR}"><param name="rate" value="8000"/><param name="shuffle" value="${c === 'default' ? 'true' : 'false'}"/><param name="channels" value="1"/><param name="interval" value="20"/><param name="timer-name" value="soft"/></directory>`)
      .join(''),
  };
  const written: string[] = [];
  for (const name of (await readdir(opts.confDir)).filter((n) => n.endsWith('.xml')).sort()) {
    const text = await readFile(join(opts.confDir, name), 'utf8');
    const out = join(opts.outDir, name);
    await writeFile(out, renderTemplate(text, vars, name), { mode: 0o600 });
    written.push(out);
  }
  return written;
}

/** Values from the environment (FS_ESL_PASSWORD, FS_PHONE_PASSWORD, FS_SIP_PORT, …): FreeSWITCH's side. */
export function freeswitchVarsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<FreeswitchConfigVars> {
  const out: Partial<Record<keyof FreeswitchConfigVars, string>> = {};
  for (const key of [
    'ESL_BIND', 'ESL_PORT', 'ESL_PASSWORD', 'ESL_ACL', 'SIP_BIND', 'SIP_PORT', 'TRUNK_SIP_PORT', 'TRUNK_CIDR', 'SIP_DOMAIN',
    'PHONE_PASSWORD', 'PHONE_USERS', 'APP', 'RTP_START', 'RTP_END', 'MOH_DIR', 'MOH_CLASSES', 'LOG_LEVEL', 'MAX_SESSIONS', 'SESSIONS_PER_SECOND', 'ENGINE_TAKE_S',
  ] as const) {
    const value = env[`FS_${key}`];
    if (value) out[key] = value;
  }
  return out;
}
