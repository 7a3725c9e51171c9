/**
 * Test harness for the asterisk lane: starts a real Asterisk from its binary with the project's
 * asterisk-conf/ and dialplan/ rendered into a private temp dir, on free loopback ports, waits
 * for ARI, and stops it; plus SIPp process helpers. Every process it starts is registered and
 * killed by `stop()` / `killAllChildren()` (and on process exit), so a failed test never leaks.
 *
 * Finding Asterisk: $ASTERISK_BIN, then `asterisk` on PATH, then /opt/asterisk/sbin and
 * /usr/sbin. Modules: $ASTERISK_MODULES_DIR, else <prefix>/lib/asterisk/modules or Debian's
 * /usr/lib/<arch>/asterisk/modules. Data (sounds, moh): $ASTERISK_DATA_DIR, else
 * <prefix>/var/lib/asterisk or /usr/share/asterisk.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, realpathSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, renderAsteriskConfig, type AsteriskConfigVars } from '../../src/pbx/asterisk/render-config.js';
import { dtmf8Scenario } from './dtmf-pcaps.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const scenariosDir = join(repoRoot, 'sipp-scenarios');

export const HOW_TO_GET_ASTERISK =
  'no Asterisk binary found: set ASTERISK_BIN=/path/to/sbin/asterisk (22 LTS), put `asterisk` on PATH, ' +
  'or run the lane inside the docker compose Asterisk image (docker compose run --rm engine npm run test:asterisk)';

// ------------------------------------------------------------ child processes

const children = new Set<ChildProcess>();
/** Children started in their own process group (a `timeout` wrapper and what it runs). */
const groups = new WeakSet<ChildProcess>();

function track(child: ChildProcess, group = false): ChildProcess {
  children.add(child);
  if (group) groups.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (groups.has(child) && child.pid) {
    try {
      process.kill(-child.pid, sig);
      return;
    } catch {
      // the group is already gone; fall through to the direct child
    }
  }
  child.kill(sig);
}

/** Kill every process the harness started (SIGKILL). Safe to call many times. */
export function killAllChildren(): void {
  for (const c of children) signal(c, 'SIGKILL');
  children.clear();
}
process.once('exit', killAllChildren);

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((res) => child.once('exit', (code) => res(code)));
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  signal(child, 'SIGTERM');
  const timer = setTimeout(() => signal(child, 'SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

// ------------------------------------------------------------ discovery

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export interface AsteriskInstall {
  bin: string;
  modulesDir: string;
  dataDir: string;
  version: string;
}

export function findAsterisk(): AsteriskInstall | undefined {
  const candidates = [process.env.ASTERISK_BIN, onPath('asterisk'), '/opt/asterisk/sbin/asterisk', '/usr/sbin/asterisk'];
  const bin = candidates.find((c): c is string => !!c && existsSync(c));
  if (!bin) return undefined;
  const v = spawnSync(bin, ['-V'], { encoding: 'utf8', timeout: 5000 });
  if (v.status !== 0) return undefined;
  const prefix = dirname(dirname(realpathSync(bin)));
  const arch = `${process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch}-linux-gnu`;
  const modulesDir = [process.env.ASTERISK_MODULES_DIR, join(prefix, 'lib/asterisk/modules'), join(prefix, 'lib64/asterisk/modules'), `/usr/lib/${arch}/asterisk/modules`, '/usr/lib/asterisk/modules'].find(
    (d): d is string => !!d && existsSync(join(d, 'chan_pjsip.so')),
  );
  const dataDir = [process.env.ASTERISK_DATA_DIR, join(prefix, 'var/lib/asterisk'), '/var/lib/asterisk', '/usr/share/asterisk'].find(
    (d): d is string => !!d && existsSync(join(d, 'sounds')),
  );
  if (!modulesDir || !dataDir) return undefined;
  return { bin, modulesDir, dataDir, version: v.stdout.trim() };
}

export function findSipp(): string | undefined {
  const c = [process.env.SIPP_BIN, onPath('sipp')].find((p): p is string => !!p && existsSync(p));
  return c;
}

// ------------------------------------------------------------ ports

async function tcpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

async function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(false));
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

const handedOut = new Set<number>();

/** A loopback port free for both TCP and UDP (and, with `span`, the next span-1 ports too). */
export async function freePort(span = 1): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let p = base; p < base + span && ok; p++) ok = !handedOut.has(p) && (await tcpFree(p)) && (await udpFree(p));
    if (ok) {
      for (let p = base; p < base + span; p++) handedOut.add(p);
      return base;
    }
  }
  throw new Error('no free loopback port found');
}

// ------------------------------------------------------------ Asterisk

export interface AsteriskOptions {
  /** Where outbound trunk calls go (a SIPp UAS), default sip:127.0.0.1:<a free port>. */
  trunkPort?: number;
  /** Extra verbosity in full.log (also set by ASTERISK_VERBOSE=1). */
  verbose?: boolean;
  /** Our synthesized prompts, <dir>/switchboard/<lang>/*.wav (default <repo>/sounds). */
  soundsDir?: string;
  /** Asterisk is killed after this long whatever happens (default 900 s, ASTERISK_MAX_LIFETIME_S). */
  maxLifetimeS?: number;
  startTimeoutMs?: number;
}

export interface RunningAsterisk {
  install: AsteriskInstall;
  dir: string;
  httpPort: number;
  sipPort: number;
  trunkPort: number;
  ariUrl: string;
  ariUser: string;
  ariPassword: string;
  app: string;
  phonePassword: string;
  spoolDir: string;
  logDir: string;
  /** Run a CLI command (asterisk -rx) and return its output. */
  cli(command: string): Promise<string>;
  /** The tail of full.log/messages.log, for failure messages. */
  logTail(lines?: number): Promise<string>;
  /** Kill Asterisk with SIGKILL (a crash: no goodbye on any socket) and wait until it is gone. */
  crash(): Promise<void>;
  /** Start the same Asterisk again (same directories, ports and secrets) after crash(); resolves once ARI answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Build a private astdatadir: moh etc. link to the install; sounds/<lang>/ link every installed
 * entry plus switchboard/ → <repo>/sounds/switchboard/<lang> (our synthesized prompts). */
function buildDataDir(install: AsteriskInstall, dataDir: string, soundsDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  for (const entry of readdirSync(install.dataDir)) {
    if (entry !== 'sounds') symlinkSync(realpathSync(join(install.dataDir, entry)), join(dataDir, entry));
  }
  const soundsSrc = realpathSync(join(install.dataDir, 'sounds'));
  const soundsDst = join(dataDir, 'sounds');
  mkdirSync(soundsDst);
  const ours = join(soundsDir, 'switchboard');
  const langs = new Set<string>();
  for (const lang of readdirSync(soundsSrc)) {
    const src = realpathSync(join(soundsSrc, lang));
    if (!statSync(src).isDirectory()) continue;
    langs.add(lang);
    mkdirSync(join(soundsDst, lang));
    for (const e of readdirSync(src)) if (e !== 'switchboard') symlinkSync(join(src, e), join(soundsDst, lang, e));
  }
  if (existsSync(ours)) {
    for (const lang of readdirSync(ours)) {
      if (!langs.has(lang)) mkdirSync(join(soundsDst, lang));
      symlinkSync(join(ours, lang), join(soundsDst, lang, 'switchboard'));
    }
  }
}

export async function startAsterisk(opts: AsteriskOptions = {}): Promise<RunningAsterisk> {
  const install = findAsterisk();
  if (!install) throw new Error(HOW_TO_GET_ASTERISK);
  const dir = await mkdtemp(join(tmpdir(), 'sb-ast-'));
  const d = (name: string) => {
    const p = join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const etc = d('etc');
  const dataDir = join(dir, 'data');
  buildDataDir(install, dataDir, opts.soundsDir ?? join(repoRoot, 'sounds'));
  const httpPort = await freePort();
  const sipPort = await freePort();
  const trunkPort = opts.trunkPort ?? (await freePort());
  const rtpBase = await freePort(41);
  const rtpStart = rtpBase + (rtpBase % 2); // 40 ports from an even start (rtp.conf rounds odd ones up)
  const ariUser = 'switchboard';
  const ariPassword = randomBytes(12).toString('hex');
  const phonePassword = randomBytes(8).toString('hex');
  const app = 'switchboard';
  const vars: AsteriskConfigVars = {
    ...configDefaults,
    DIR_ETC: etc,
    DIR_MOD: install.modulesDir,
    DIR_VARLIB: d('lib'),
    DIR_DB: d('lib'),
    DIR_DATA: dataDir,
    DIR_SPOOL: d('spool'),
    DIR_RUN: d('run'),
    DIR_LOG: d('log'),
    DIR_CACHE: d('cache'),
    DIR_SBIN: dirname(install.bin),
    HTTP_PORT: String(httpPort),
    SIP_PORT: String(sipPort),
    ARI_USER: ariUser,
    ARI_PASSWORD: ariPassword,
    ARI_APP: app,
    PHONE_PASSWORD: phonePassword,
    TRUNK_CONTACT: `sip:127.0.0.1:${trunkPort}`,
    RTP_START: String(rtpStart),
    RTP_END: String(rtpStart + 39),
  };
  d('spool/recording'); // ARI records into astspooldir/recording and does not create it
  await renderAsteriskConfig({ confDir: join(repoRoot, 'asterisk-conf'), dialplanDir: join(repoRoot, 'dialplan'), outDir: etc, vars });
  const conf = join(etc, 'asterisk.conf');
  const verbose = opts.verbose ?? process.env.ASTERISK_VERBOSE === '1';
  const astArgs = ['-C', conf, '-f', '-n', '-g', ...(verbose ? ['-vvvv', '-dd'] : [])];
  // Bounded even if this process dies without cleaning up: coreutils `timeout` ends Asterisk
  // after its lifetime; both run in their own process group so stop() can kill them together.
  const lifetimeS = opts.maxLifetimeS ?? Number(process.env.ASTERISK_MAX_LIFETIME_S ?? 900);
  const wrapper = onPath('timeout');
  const launch = (): ChildProcess => {
    const out = openSync(join(vars.DIR_LOG, 'stdout.log'), 'a');
    const c = wrapper
      ? track(spawn(wrapper, ['-k', '5', String(lifetimeS), install.bin, ...astArgs], { stdio: ['ignore', out, out], detached: true }), true)
      : track(spawn(install.bin, astArgs, { stdio: ['ignore', out, out] }));
    closeSync(out);
    return c;
  };
  let child = launch();
  const ariUrl = `http://127.0.0.1:${httpPort}`;
  const auth = 'Basic ' + Buffer.from(`${ariUser}:${ariPassword}`).toString('base64');

  const cli = (command: string): Promise<string> =>
    new Promise((res, rej) => {
      const c = track(spawn(install.bin, ['-C', conf, '-rx', command], { stdio: ['ignore', 'pipe', 'pipe'] }));
      let text = '';
      c.stdout!.on('data', (b: Buffer) => (text += b.toString()));
      c.stderr!.on('data', (b: Buffer) => (text += b.toString()));
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => {
        clearTimeout(t);
        res(text);
      });
      c.once('error', rej);
    });

  const logTail = async (lines = 60): Promise<string> => {
    const parts: string[] = [];
    for (const f of ['stdout.log', 'messages.log', 'full.log']) {
      const text = await readFile(join(vars.DIR_LOG, f), 'utf8').catch(() => '');
      if (text) parts.push(`--- ${f}\n` + text.split('\n').slice(-lines).join('\n'));
    }
    return parts.join('\n');
  };

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopChild(child, 3000);
    if (process.env.KEEP_ASTERISK_DIR !== '1') await rm(dir, { recursive: true, force: true });
  };

  const waitReady = async (): Promise<void> => {
    const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`asterisk exited with ${child.exitCode}\n${await logTail()}`);
      if (Date.now() > deadline) throw new Error(`asterisk ARI not ready in time\n${await logTail()}`);
      const ok = await fetch(`${ariUrl}/ari/endpoints/PJSIP`, { headers: { authorization: auth }, signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  const crash = async (): Promise<void> => {
    const pid = Number((await readFile(join(vars.DIR_RUN, 'asterisk.pid'), 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no Asterisk pid in ${vars.DIR_RUN}/asterisk.pid`);
    process.kill(pid, 'SIGKILL');
    await exited(child); // the `timeout` wrapper (or Asterisk itself) ends with it
  };

  const restart = async (): Promise<void> => {
    if (stopped) throw new Error('asterisk was stopped');
    if (child.exitCode === null && child.signalCode === null) throw new Error('asterisk is still running: crash() it first');
    child = launch();
    await waitReady();
  };

  try {
    await waitReady();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    install, dir, httpPort, sipPort, trunkPort, ariUrl, ariUser, ariPassword, app, phonePassword,
    spoolDir: vars.DIR_SPOOL, logDir: vars.DIR_LOG, cli, logTail, crash, restart, stop,
  };
}

// ------------------------------------------------------------ SIPp

export interface SippOptions {
  /** Scenario file name in sipp-scenarios/ (or an absolute path). */
  scenario: string;
  /** The Asterisk to talk to. */
  asterisk: Pick<RunningAsterisk, 'sipPort'>;
  /** -key values available in the scenario as [name]. */
  keys?: Record<string, string | number>;
  /** Digest credentials (-au / -ap). */
  auth?: { user: string; password: string };
  /** Local SIP port; default a free one. */
  port?: number;
  /** Caller's user part in From / the dialled service (-s). */
  service?: string;
  /** Hard bound on the process (SIPp -timeout and a kill timer). */
  timeoutMs?: number;
  /** Calls before SIPp exits (-m, default 1). */
  calls?: number;
  /** Local address (default 127.0.0.1; any 127.x address works on Linux loopback). */
  localIp?: string;
  extraArgs?: string[];
}

export interface SippProcess {
  /** SIPp's process id. */
  pid: number;
  port: number;
  mediaPort: number;
  /** Exit code (0 = every call succeeded) and the tail of SIPp's error/message logs. */
  done: Promise<{ code: number | null; errors: string; messages: string }>;
  kill(): void;
}

export async function startSipp(opts: SippOptions): Promise<SippProcess> {
  const bin = findSipp();
  if (!bin) throw new Error('sipp not found: install sip-tester or set SIPP_BIN');
  const port = opts.port ?? (await freePort());
  const mediaPort = await freePort(4);
  const work = await mkdtemp(join(tmpdir(), 'sb-sipp-'));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const scenario = opts.scenario.startsWith('/') ? opts.scenario : join(scenariosDir, opts.scenario);
  const args = [
    '-sf', scenario,
    '-i', opts.localIp ?? '127.0.0.1',
    '-p', String(port),
    '-mi', opts.localIp ?? '127.0.0.1',
    '-mp', String(mediaPort),
    '-t', 'u1',
    '-m', String(opts.calls ?? 1),
    '-nostdin',
    '-timeout', `${Math.ceil(timeoutMs / 1000)}s`,
    '-timeout_error',
    '-trace_err', '-error_file', join(work, 'errors.log'),
    '-trace_msg', '-message_file', join(work, 'messages.log'),
    ...(opts.service ? ['-s', opts.service] : []),
    ...(opts.auth ? ['-au', opts.auth.user, '-ap', opts.auth.password] : []),
    ...Object.entries(opts.keys ?? {}).flatMap(([k, v]) => ['-key', k, String(v)]),
    ...(opts.extraArgs ?? []),
    `127.0.0.1:${opts.asterisk.sipPort}`,
  ];
  const child = track(spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: work }));
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
  const done = exited(child).then(async (code) => {
    clearTimeout(killer);
    const errors = (await readFile(join(work, 'errors.log'), 'utf8').catch(() => '')) + stderr;
    const messages = await readFile(join(work, 'messages.log'), 'utf8').catch(() => '');
    await rm(work, { recursive: true, force: true });
    return { code, errors: errors.slice(-4000), messages: messages.slice(-8000) };
  });
  return {
    pid: child.pid!,
    port,
    mediaPort,
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

// ------------------------------------------------------------ far ends (SIPp roles)

export type PhoneBehavior = 'answer' | 'never' | 'busy' | 'reject';

export const UAS_SCENARIO: Record<PhoneBehavior, string> = {
  answer: 'uas-agent-answer-after-pause-expect-bye.xml',
  never: 'uas-agent-ring-expect-cancel.xml',
  busy: 'uas-agent-busy-486.xml',
  reject: 'uas-agent-decline-603.xml',
};

export interface CallerOptions {
  /** Dialled number. */
  to: string;
  /** Caller id number (From user). */
  from: string;
  /** Up to eight DTMF digits, each `afterMs` after the answer (leave ~700 ms between two). */
  keys?: { afterMs: number; digit: string }[];
  /** Hang up this long after the answer (abandon); without it, wait for the server's BYE. */
  patienceMs?: number;
  timeoutMs?: number;
  /** Source address; the trunk is identified by 127.0.0.1, anything else is a stranger. */
  localIp?: string;
}

/** A caller over the trunk: uac-caller-dtmf-expect-bye, or uac-caller-abandon-after-pause with patienceMs. */
export function startCaller(asterisk: Pick<RunningAsterisk, 'sipPort'>, c: CallerOptions): Promise<SippProcess> {
  const common = { asterisk, service: c.to, timeoutMs: c.timeoutMs, localIp: c.localIp };
  if (c.patienceMs !== undefined) {
    return startSipp({ ...common, scenario: 'uac-caller-abandon-after-pause.xml', keys: { caller: c.from, patience: c.patienceMs } });
  }
  const keys: Record<string, string | number> = { caller: c.from };
  const sorted = [...(c.keys ?? [])].sort((a, b) => a.afterMs - b.afterMs);
  if (sorted.length > 8) throw new Error('the caller scenarios send at most eight digits');
  const slots = sorted.length > 4 ? 8 : 4;
  let last = 0;
  for (let i = 1; i <= slots; i++) {
    const k = sorted[i - 1];
    keys[`d${i}`] = k ? k.digit : '-';
    keys[`w${i}`] = k ? Math.max(0, k.afterMs - last) : 0;
    if (k) last = k.afterMs;
  }
  return startSipp({ ...common, scenario: slots === 8 ? dtmf8Scenario() : 'uac-caller-dtmf-expect-bye.xml', keys });
}

export interface PhoneOptions {
  endpoint: string;
  behavior: PhoneBehavior;
  /** Ring time before answering / refusing. */
  answerAfterMs?: number;
  /** Stay registered this long, then unregister (default: until killed). */
  stayMs?: number;
  /** Resolve only once Asterisk holds this phone's contact (default true). */
  waitRegistered?: boolean;
  timeoutMs?: number;
}

/** An agent phone: registers with digest auth and handles calls per `behavior` (-oocsf). */
export async function startPhone(asterisk: RunningAsterisk, p: PhoneOptions): Promise<SippProcess> {
  const timeoutMs = p.timeoutMs ?? 120_000;
  const sipp = await startSipp({
    scenario: 'uac-phone-register-stay-unregister.xml',
    asterisk,
    auth: { user: p.endpoint, password: asterisk.phonePassword },
    keys: { user: p.endpoint, stay: p.stayMs ?? timeoutMs, expires: 300, ring: p.answerAfterMs ?? 0 },
    extraArgs: ['-oocsf', join(scenariosDir, UAS_SCENARIO[p.behavior]), '-aa'],
    timeoutMs,
  });
  if (p.waitRegistered ?? true) await waitRegistered(asterisk, p.endpoint, sipp.port);
  return sipp;
}

/**
 * The far end of the trunk (external numbers): a server-mode SIPp on the trunk's contact port.
 * Resolves once that SIPp listens there: an INVITE sent before would meet a closed port.
 */
export async function startTrunkPeer(asterisk: Pick<RunningAsterisk, 'sipPort' | 'trunkPort'>, behavior: PhoneBehavior, opts: { answerAfterMs?: number; calls?: number; timeoutMs?: number } = {}): Promise<SippProcess> {
  const sipp = await startSipp({
    scenario: UAS_SCENARIO[behavior],
    asterisk,
    port: asterisk.trunkPort,
    keys: { ring: opts.answerAfterMs ?? 0 },
    calls: opts.calls ?? 1,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  try {
    await waitUdpBound(asterisk.trunkPort, sipp);
  } catch (err) {
    sipp.kill();
    throw err;
  }
  return sipp;
}

/**
 * Wait until `sipp` itself has a UDP socket bound to `port` (its socket inodes in /proc/<pid>/fd
 * against /proc/net/udp{,6}): a SIPp of an earlier step still exiting holds the same port. Read
 * from /proc: a probe bind of our own could take the port from the SIPp about to bind it. Fails at
 * once if SIPp exits first.
 */
export async function waitUdpBound(port: number, sipp: Pick<SippProcess, 'pid' | 'done'>, timeoutMs = 5000): Promise<void> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let exited: { code: number | null; errors: string } | undefined;
  void sipp.done.then((r) => (exited = r));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`SIPp exited (${exited.code}) before it listened on UDP port ${port}: ${exited.errors}`);
    if (await ownsUdpPort(sipp.pid, hexPort)) return;
    if (Date.now() > deadline) throw new Error(`SIPp (pid ${sipp.pid}) does not listen on UDP port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function ownsUdpPort(pid: number, hexPort: string): Promise<boolean> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false; // the process is gone or not started yet: its exit is reported by the caller
  }
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(m[1]!);
  }
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(table, 'utf8');
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      if (f[1]?.endsWith(hexPort) && inodes.has(f[9] ?? '')) return true;
    }
  }
  return false;
}

/** Wait until Asterisk lists sip:<endpoint>@127.0.0.1:<port> as the endpoint's contact. */
export async function waitRegistered(asterisk: RunningAsterisk, endpoint: string, port: number, timeoutMs = 8000): Promise<void> {
  const want = `${endpoint}/sip:${endpoint}@127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await asterisk.cli('pjsip show contacts')).includes(want)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`phone ${endpoint} did not register within ${timeoutMs} ms`);
}
