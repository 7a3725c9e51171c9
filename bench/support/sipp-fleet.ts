/**
 * SIPp fleets for the benchmarks that run through a real PBX (load on Asterisk or FreeSWITCH, chaos): N agent phones
 * registered from a CSV by one SIPp process (each INVITE rings, answers, talks, hangs up), callers
 * placed by another, and the extra endpoints and RTP range Asterisk needs for them. Every SIPp
 * process started here is killed by `killFleet()` (and on process exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/domain/config.js';
import { referenceConfigInput } from '../../test/asterisk/engine-world.js';
import { findSipp, freePort, scenariosDir, type RunningAsterisk } from '../../test/asterisk/harness.js';
import { talkScenario } from '../../test/asterisk/talk-scenario.js';

/** The digest user every added agent endpoint shares (see uac-phones-register-from-csv-stay.xml). */
export const LOAD_AUTH_USER = 'sbload';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SippRun {
  child: ChildProcess;
  done: Promise<number | null>;
  stderr: () => string;
}

const procs = new Set<ChildProcess>();

/** Start SIPp with these arguments in `cwd` (its logs land there). */
export function sipp(args: string[], cwd: string): SippRun {
  const child = spawn(findSipp()!, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  procs.add(child);
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  const done = new Promise<number | null>((res) =>
    child.once('exit', (code) => {
      procs.delete(child);
      res(code);
    }),
  );
  return { child, done, stderr: () => err };
}

/** SIGKILL every SIPp process started by `sipp()` that is still running. */
export function killFleet(): void {
  for (const c of procs) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.once('exit', killFleet);

/** More agent endpoints (from the config's own templates; their digest user is shared) and a wider RTP range, then reload. */
export async function widenAsterisk(asterisk: RunningAsterisk, endpoints: string[]): Promise<void> {
  const etc = join(asterisk.dir, 'etc');
  appendFileSync(join(etc, 'pjsip.conf'), endpoints.map((e) => `\n[${e}](agent-endpoint)\nauth = ${e}\naors = ${e}\n[${e}](agent-auth)\nusername = ${LOAD_AUTH_USER}\n[${e}](agent-aor)\n`).join(''));
  const rtpStart = 52_000 + 2 * Math.floor(Math.random() * 2_000);
  const rtp = readFileSync(join(etc, 'rtp.conf'), 'utf8').replace(/^rtpstart\s*=.*$/m, `rtpstart = ${rtpStart}`).replace(/^rtpend\s*=.*$/m, `rtpend = ${rtpStart + 3_000}`);
  writeFileSync(join(etc, 'rtp.conf'), rtp);
  await asterisk.cli('module reload res_rtp_asterisk.so');
  await asterisk.cli('module reload res_pjsip.so');
  const last = endpoints[endpoints.length - 1]!;
  for (let i = 0; i < 50 && !(await asterisk.cli(`pjsip show endpoint ${last}`)).includes(`Endpoint:  ${last}`); i++) await sleep(100);
}

/** Agent endpoints 2001.. (n of them). */
export function agentEndpoints(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(2001 + i));
}

export interface AgentFleetOptions {
  ringMs: number;
  talkMs: number;
  /** How long the phones stay registered (and SIPp runs), s. */
  lifetimeS: number;
}

/** Another PBX the fleet registers to: its phones' SIP port, their password, and how many contacts it holds at a SIPp port. */
export interface FleetTarget {
  sipPort: number;
  phonePassword: string;
  contactsAt(port: number): Promise<number>;
}

/** One SIPp registers every endpoint (CSV) and answers each INVITE after `ringMs`, talks `talkMs`, hangs up. Resolves once the PBX lists all contacts. */
export async function startAgentFleet(target: RunningAsterisk | FleetTarget, endpoints: string[], work: string, o: AgentFleetOptions): Promise<SippRun & { port: number }> {
  const contactsAt =
    'contactsAt' in target
      ? (port: number) => target.contactsAt(port)
      : async (port: number) => (await target.cli('pjsip show contacts')).split('\n').filter((l) => l.includes(`@127.0.0.1:${port}`)).length;
  writeFileSync(join(work, 'agents.csv'), 'SEQUENTIAL\n' + endpoints.map((e) => `${e};`).join('\n') + '\n');
  const port = await freePort();
  const n = String(endpoints.length);
  const run = sipp(
    ['-sf', join(scenariosDir, 'uac-phones-register-from-csv-stay.xml'), '-oocsf', talkScenario(o.talkMs), '-inf', join(work, 'agents.csv'), '-au', LOAD_AUTH_USER, '-ap', target.phonePassword,
      '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(await freePort(4)), '-t', 'u1', '-aa', '-nostdin',
      '-m', n, '-l', n, '-r', n, '-key', 'stay', String(o.lifetimeS * 1000), '-key', 'expires', '600',
      '-key', 'ring', String(o.ringMs), '-timeout', `${o.lifetimeS}s`, `127.0.0.1:${target.sipPort}`],
    work,
  );
  for (let i = 0; ; i++) {
    const contacts = await contactsAt(port);
    if (contacts >= endpoints.length) break;
    if (i > 100 || run.child.exitCode !== null) throw new Error(`only ${contacts}/${endpoints.length} agents registered: ${run.stderr()}`);
    await sleep(100);
  }
  return { ...run, port };
}

/** The caller's IVR path through the reference flow: dial 1000, press 1 (English) then 2 (Queue 2). */
export const IVR_TO_QUEUE_2_KEYS = ['-key', 'd1', '1', '-key', 'w1', '1200', '-key', 'd2', '2', '-key', 'w2', '1400', '-key', 'd3', '-', '-key', 'w3', '0', '-key', 'd4', '-', '-key', 'w4', '0'];

/**
 * The reference flow with Queue 2 (and Queue 1, where a caller who loses its keys ends) staffed by
 * the given endpoints, no memberships, short answer time-out, no wrap-up.
 */
export function fleetConfigInput(endpoints: string[], queue: { maxWaitS: number; groups?: string[] }): ConfigInput {
  const input = referenceConfigInput();
  input.agents = endpoints.map((e) => ({ id: e, phone: { type: 'sip' as const, endpoint: e }, groups: queue.groups ?? ['g2'], auto_login: true }));
  input.memberships = [];
  input.queues = (input.queues ?? []).map((q) => ({ ...q, answer_timeout_s: 5, wrapup_s: 0, max_wait_s: queue.maxWaitS }));
  return input;
}

/** SIPp's own counts from its statistics file (-trace_stat -stf <file>): the last line's cumulated columns. */
export function sippStats(file: string): { successful: number; failed: number } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const rows = text.split('\n').filter((l) => l.trim());
  if (rows.length < 2) return undefined;
  const head = rows[0]!.split(';');
  const last = rows[rows.length - 1]!.split(';');
  const col = (name: string) => Number(last[head.indexOf(name)]);
  return { successful: col('SuccessfulCall(C)'), failed: col('FailedCall(C)') };
}
