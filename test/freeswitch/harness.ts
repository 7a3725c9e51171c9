/**
 * Test harness for the freeswitch lane: starts a real FreeSWITCH from its binary with the
 * project's freeswitch-conf/ rendered into a private temp dir, on free loopback ports (event
 * socket, the phones' profile, the trunk's profile, RTP), waits for the event socket, and stops
 * it; plus SIPp far ends on the right profile. SIPp process helpers are the asterisk lane's.
 *
 * Finding FreeSWITCH: $FREESWITCH_BIN, then `freeswitch` on PATH, then
 * /opt/freeswitch/bin/freeswitch. Modules: <prefix>/lib/freeswitch/mod (or $FREESWITCH_MOD_DIR).
 * Music on hold: $FREESWITCH_MOH_DIR, <prefix>/share/freeswitch/sounds/music/8000, or Debian's
 * /usr/share/asterisk/moh. Prompts: our synthesized ones (<repo>/sounds, `npm run prompts`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { pino } from 'pino';
import { EslClient } from '../../src/pbx/freeswitch/esl-client.js';
import { freeswitchConfigDefaults, renderFreeswitchConfig, type FreeswitchConfigVars } from '../../src/pbx/freeswitch/render-config.js';
import { freePort, repoRoot, scenariosDir, startSipp, startTrunkPeer, UAS_SCENARIO, type PhoneBehavior, type SippProcess } from '../asterisk/harness.js';

export const HOW_TO_GET_FREESWITCH =
  'no FreeSWITCH binary found: set FREESWITCH_BIN=/path/to/bin/freeswitch (1.10), put `freeswitch` on PATH, ' +
  'or build one outside the project into /opt/freeswitch (the CI script runs ../shared/tools/build-freeswitch.sh when it is there)';

export interface FreeswitchInstall {
  bin: string;
  modDir: string;
  mohDir: string;
  version: string;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

const nonEmpty = (d: string | undefined): d is string => !!d && existsSync(d) && readdirSync(d).some((f) => f.endsWith('.wav'));

export function findFreeswitch(): FreeswitchInstall | undefined {
  const bin = [process.env.FREESWITCH_BIN, onPath('freeswitch'), '/opt/freeswitch/bin/freeswitch'].find((c): c is string => !!c && existsSync(c));
  if (!bin) return undefined;
  const v = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: 5000 });
  if (v.status !== 0) return undefined;
  const prefix = dirname(dirname(realpathSync(bin)));
  const modDir = [process.env.FREESWITCH_MOD_DIR, join(prefix, 'lib/freeswitch/mod'), '/usr/lib/freeswitch/mod'].find((d): d is string => !!d && existsSync(join(d, 'mod_sofia.so')));
  const mohDir = [process.env.FREESWITCH_MOH_DIR, join(prefix, 'share/freeswitch/sounds/music/8000'), '/usr/share/freeswitch/sounds/music/8000', '/usr/share/asterisk/moh'].find(nonEmpty);
  if (!modDir || !mohDir) return undefined;
  return { bin, modDir, mohDir, version: v.stdout.trim() };
}

export interface RunningFreeswitch {
  install: FreeswitchInstall;
  dir: string;
  eslPort: number;
  eslPassword: string;
  /** The phones' profile (internal). */
  sipPort: number;
  /** The trunk profile (callers come in here). */
  trunkSipPort: number;
  /** Where the trunk's far end (a SIPp UAS) listens for external numbers. */
  trunkPort: number;
  trunkHost: string;
  app: string;
  domain: string;
  phonePassword: string;
  recordingsDir: string;
  mohClasses: string[];
  /** An api command over the event socket (a connection of the harness's own). */
  api(command: string): Promise<string>;
  logTail(lines?: number): Promise<string>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.pid) try { process.kill(-c.pid, 'SIGKILL'); } catch { c.kill('SIGKILL'); }
});

/** <dir>/<lang>/switchboard → <repo>/sounds/switchboard/<lang> (our synthesized prompts). */
function buildSounds(soundsDir: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  const ours = join(soundsDir, 'switchboard');
  if (!existsSync(ours)) return;
  for (const lang of readdirSync(ours)) {
    mkdirSync(join(dst, lang), { recursive: true });
    symlinkSync(realpathSync(join(ours, lang)), join(dst, lang, 'switchboard'));
  }
}

export interface FreeswitchOptions {
  soundsDir?: string;
  mohClasses?: string[];
  startTimeoutMs?: number;
  /** Event socket port and password (default a free port and a random password). */
  eslPort?: number;
  eslPassword?: string;
  /** Directory users (default 1001-1006). */
  phoneUsers?: string;
  /** How many RTP ports (default 200: about 100 legs at once). */
  rtpPorts?: number;
  maxLifetimeS?: number;
}

export async function startFreeswitch(opts: FreeswitchOptions = {}): Promise<RunningFreeswitch> {
  const install = findFreeswitch();
  if (!install) throw new Error(HOW_TO_GET_FREESWITCH);
  const dir = await mkdtemp(join(tmpdir(), 'sb-fs-'));
  const d = (name: string) => {
    const p = join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const etc = d('etc');
  const sounds = join(dir, 'sounds');
  buildSounds(opts.soundsDir ?? join(repoRoot, 'sounds'), sounds);
  const eslPort = opts.eslPort ?? (await freePort());
  const sipPort = await freePort();
  const trunkSipPort = await freePort();
  const trunkPort = await freePort();
  const rtpPorts = opts.rtpPorts ?? 200;
  const rtpBase = await freePort(rtpPorts);
  const rtpStart = rtpBase + (rtpBase % 2);
  const eslPassword = opts.eslPassword ?? randomBytes(12).toString('hex');
  const phonePassword = randomBytes(8).toString('hex');
  const mohClasses = opts.mohClasses ?? ['default', 'q1', 'q2', 'q3'];
  const vars: FreeswitchConfigVars = {
    ...freeswitchConfigDefaults,
    ESL_PORT: String(eslPort),
    ESL_PASSWORD: eslPassword,
    SIP_PORT: String(sipPort),
    TRUNK_SIP_PORT: String(trunkSipPort),
    PHONE_PASSWORD: phonePassword,
    RTP_START: String(rtpStart),
    RTP_END: String(rtpStart + rtpPorts - 2),
    ...(opts.phoneUsers ? { PHONE_USERS: opts.phoneUsers } : {}),
    MOH_DIR: install.mohDir,
    MOH_CLASSES: mohClasses.join(','),
    LOG_LEVEL: process.env.FREESWITCH_LOG_LEVEL ?? 'info',
  };
  await renderFreeswitchConfig({ confDir: join(repoRoot, 'freeswitch-conf'), outDir: etc, vars });
  const recordingsDir = d('recordings');
  const logDir = d('log');
  const args = [
    '-nf', '-nc', '-nonat', '-nonatmap', '-nocal',
    '-base', dir, '-conf', etc, '-log', logDir, '-run', d('run'), '-db', d('db'), '-mod', install.modDir,
    '-sounds', sounds, '-recordings', recordingsDir, '-storage', d('storage'), '-cache', d('cache'),
    '-temp', d('tmp'), '-scripts', d('scripts'), '-grammar', d('grammar'), '-certs', d('certs'),
  ];
  const lifetimeS = opts.maxLifetimeS ?? Number(process.env.FREESWITCH_MAX_LIFETIME_S ?? 900);
  const wrapper = onPath('timeout');
  const out = openSync(join(logDir, 'stdout.log'), 'a');
  const child = wrapper
    ? spawn(wrapper, ['-k', '5', String(lifetimeS), install.bin, ...args], { stdio: ['ignore', out, out], detached: true })
    : spawn(install.bin, args, { stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  children.add(child);
  child.once('exit', () => children.delete(child));

  const logTail = async (lines = 60): Promise<string> => {
    const parts: string[] = [];
    for (const f of ['stdout.log', 'freeswitch.log']) {
      const text = await readFile(join(logDir, f), 'utf8').catch(() => '');
      if (text) parts.push(`--- ${f}\n` + text.split('\n').slice(-lines).join('\n'));
    }
    return parts.join('\n');
  };
  const esl = new EslClient({ host: '127.0.0.1', port: eslPort, password: eslPassword, logger: pino({ level: 'silent' }), events: [], reconnect: { initialDelayMs: 100, maxDelayMs: 200 } });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await esl.close();
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const gone = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { child.kill('SIGTERM'); }
      const t = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); } }, 5000);
      await gone;
      clearTimeout(t);
    }
    if (process.env.KEEP_FREESWITCH_DIR !== '1') await rm(dir, { recursive: true, force: true });
  };
  try {
    esl.connect();
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`freeswitch exited with ${child.exitCode}\n${await logTail()}`);
      if (esl.connected) {
        const status = await esl.api('status').catch(() => '');
        const profiles = await esl.api('sofia status').catch(() => '');
        if (status.includes('UP') && profiles.includes('internal') && profiles.includes('trunk')) break;
      }
      if (Date.now() > deadline) throw new Error(`freeswitch not ready in time\n${await logTail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    install, dir, eslPort, eslPassword, sipPort, trunkSipPort, trunkPort, trunkHost: `127.0.0.1:${trunkPort}`,
    app: vars.APP, domain: vars.SIP_DOMAIN, phonePassword, recordingsDir, mohClasses,
    api: (c) => esl.api(c), logTail, stop,
  };
}

// ------------------------------------------------------------ far ends

/** Where callers dial in (the trunk profile) and where the trunk's far end listens. */
export const trunkSide = (fs: RunningFreeswitch) => ({ sipPort: fs.trunkSipPort, trunkPort: fs.trunkPort });

/** The trunk's far end (external numbers), resolved once it listens. */
export async function startFsTrunkPeer(fs: RunningFreeswitch, behavior: PhoneBehavior, opts: { answerAfterMs?: number; calls?: number; timeoutMs?: number } = {}): Promise<SippProcess> {
  return startTrunkPeer(trunkSide(fs), behavior, opts);
}

/** Wait until FreeSWITCH holds a registration of `endpoint` from SIPp's port. */
export async function waitRegistered(fs: RunningFreeswitch, endpoint: string, port: number, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const contact = await fs.api(`sofia_contact internal/${endpoint}@${fs.domain}`).catch(() => '');
    if (contact.includes(`:${port}`)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`phone ${endpoint} did not register within ${timeoutMs} ms`);
}

export interface FsPhoneOptions {
  endpoint: string;
  behavior: PhoneBehavior;
  answerAfterMs?: number;
  /** Out-of-call scenario (a name in sipp-scenarios/ or an absolute path) instead of the one for `behavior`. */
  scenario?: string;
  stayMs?: number;
  waitRegistered?: boolean;
  timeoutMs?: number;
}

/** An agent phone on the internal profile: REGISTER with digest auth and handle calls (-oocsf). */
export async function startFsPhone(fs: RunningFreeswitch, p: FsPhoneOptions): Promise<SippProcess> {
  const timeoutMs = p.timeoutMs ?? 120_000;
  const sipp = await startSipp({
    scenario: 'uac-phone-register-stay-unregister.xml',
    asterisk: { sipPort: fs.sipPort },
    auth: { user: p.endpoint, password: fs.phonePassword },
    keys: { user: p.endpoint, stay: p.stayMs ?? timeoutMs, expires: 300, ring: p.answerAfterMs ?? 0 },
    extraArgs: ['-oocsf', resolve(scenariosDir, p.scenario ?? UAS_SCENARIO[p.behavior]), '-aa'],
    timeoutMs,
  });
  if (p.waitRegistered ?? true) await waitRegistered(fs, p.endpoint, sipp.port);
  return sipp;
}

/** Remove every registration of `endpoint` (REGISTER Contact: *, Expires: 0). */
export async function unregisterAllFs(fs: RunningFreeswitch, endpoint: string): Promise<void> {
  const sipp = await startSipp({
    scenario: 'uac-phone-unregister-all.xml',
    asterisk: { sipPort: fs.sipPort },
    auth: { user: endpoint, password: fs.phonePassword },
    keys: { user: endpoint },
    timeoutMs: 5000,
  });
  const r = await sipp.done;
  if (r.code !== 0) throw new Error(`unregistering ${endpoint} failed (${r.code}): ${r.errors}`);
}
