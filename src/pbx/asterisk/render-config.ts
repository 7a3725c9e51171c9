/**
 * Renders the project's Asterisk configuration (asterisk-conf/*.conf and dialplan/*.conf) into
 * one directory Asterisk can use as astetcdir. Placeholders are `{{NAME}}`; every placeholder
 * must have a value, so a missing secret fails loudly instead of starting an open PBX.
 * Used by the test harness and by a deployment's start-up (docker entrypoint).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AsteriskConfigVars {
  DIR_ETC: string;
  DIR_MOD: string;
  DIR_VARLIB: string;
  DIR_DB: string;
  DIR_DATA: string;
  DIR_SPOOL: string;
  DIR_RUN: string;
  DIR_LOG: string;
  DIR_CACHE: string;
  DIR_SBIN: string;
  HTTP_BIND: string;
  HTTP_PORT: string;
  ARI_USER: string;
  ARI_PASSWORD: string;
  ARI_APP: string;
  SIP_BIND: string;
  SIP_PORT: string;
  PHONE_PASSWORD: string;
  TRUNK_MATCH: string;
  TRUNK_CONTACT: string;
  /** `yes` sends connected-line updates (re-INVITEs) to the trunk; default `no`. */
  TRUNK_CONNECTED_LINE: string;
  RTP_START: string;
  RTP_END: string;
}

/** Safe defaults: everything on loopback. Secrets and directories have no default. */
export const configDefaults = {
  HTTP_BIND: '127.0.0.1',
  HTTP_PORT: '8088',
  ARI_USER: 'switchboard',
  ARI_APP: 'switchboard',
  SIP_BIND: '127.0.0.1',
  SIP_PORT: '5060',
  TRUNK_MATCH: '127.0.0.1',
  TRUNK_CONTACT: 'sip:127.0.0.1:5080',
  TRUNK_CONNECTED_LINE: 'no',
  RTP_START: '10000',
  RTP_END: '10999',
} satisfies Partial<AsteriskConfigVars>;

export class ConfigRenderError extends Error {
  override readonly name = 'ConfigRenderError';
}

const PLACEHOLDER = /\{\{([A-Z_]+)\}\}/g;

/** Replace `{{NAME}}` placeholders; throws naming the file and placeholder when one has no value. */
export function renderTemplate(text: string, vars: Readonly<Record<string, string>>, file: string): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars[name];
    if (value === undefined || value === '') throw new ConfigRenderError(`${file}: no value for {{${name}}}`);
    if (/[\r\n;]/.test(value)) throw new ConfigRenderError(`${file}: value of {{${name}}} contains a newline or ';'`);
    return value;
  });
}

export interface RenderOptions {
  /** The repository's asterisk-conf/ directory. */
  confDir: string;
  /** The repository's dialplan/ directory. */
  dialplanDir: string;
  /** Where to write the rendered files (becomes astetcdir). */
  outDir: string;
  vars: AsteriskConfigVars;
}

/** Render every .conf file of confDir and dialplanDir into outDir; returns the written paths. */
export async function renderAsteriskConfig(opts: RenderOptions): Promise<string[]> {
  await mkdir(opts.outDir, { recursive: true });
  const vars = opts.vars as unknown as Record<string, string>;
  const written: string[] = [];
  for (const dir of [opts.confDir, opts.dialplanDir]) {
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.conf')).sort()) {
      const text = await readFile(join(dir, name), 'utf8');
      const out = join(opts.outDir, name);
      await writeFile(out, renderTemplate(text, vars, name), { mode: 0o600 });
      written.push(out);
    }
  }
  return written;
}

/** Values from the environment (AST_ARI_USER, AST_ARI_PASSWORD, AST_PHONE_PASSWORD, …): Asterisk's side, apart from the engine's SWITCHBOARD_* settings. */
export function configVarsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<AsteriskConfigVars> {
  const pick = (name: string): string | undefined => env[`AST_${name}`] || undefined;
  const out: Partial<Record<keyof AsteriskConfigVars, string>> = {};
  for (const key of [
    'HTTP_BIND', 'HTTP_PORT', 'ARI_USER', 'ARI_PASSWORD', 'ARI_APP', 'SIP_BIND', 'SIP_PORT',
    'PHONE_PASSWORD', 'TRUNK_MATCH', 'TRUNK_CONTACT', 'TRUNK_CONNECTED_LINE', 'RTP_START', 'RTP_END',
  ] as const) {
    const v = pick(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
