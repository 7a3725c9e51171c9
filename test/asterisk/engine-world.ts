/**
 * A world for the engine on a real Asterisk: one private Asterisk per test file (harness), and per
 * test a fresh Engine + AsteriskDriver (real clock, in-memory store) with that test's config, SIPp
 * agent phones that REGISTER and answer / talk / never answer, and SIPp callers over the trunk that
 * dial a number, send RFC 2833 DTMF and stay until BYE or give up after a pause.
 *
 * Every SIPp process has a hard time-out; `endTest()` kills the test's processes, hangs up what is
 * left in Asterisk and stops the engine; `close()` stops Asterisk and kills every child process.
 * LOG_FILE=/path writes the engine's log (trace, raw ARI included) to a file; default silent.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { startPhoneCall } from '../../src/outbound/phone-call.js';
import { Engine } from '../../src/calls/engine.js';
import type { Cdr } from '../../src/domain/cdr.js';
import { parseConfig, type Config, type ConfigInput } from '../../src/domain/config.js';
import type { QueueLogEntry } from '../../src/domain/queue-log.js';
import { createSystemClock } from '../../src/infra/clock.js';
import { AsteriskDriver } from '../../src/pbx/asterisk/driver.js';
import { openStore, type Store } from '../../src/store/store.js';
import {
  findAsterisk,
  findSipp,
  HOW_TO_GET_ASTERISK,
  killAllChildren,
  scenariosDir,
  startAsterisk,
  startCaller,
  startSipp,
  waitRegistered,
  type CallerOptions,
  type RunningAsterisk,
  type SippProcess,
} from './harness.js';

/** Why the lane cannot run here (undefined = it can). */
export const skipReason: string | undefined = !findAsterisk()
  ? HOW_TO_GET_ASTERISK
  : !findSipp()
    ? 'sipp not found: install sip-tester or set SIPP_BIN'
    : undefined;

// ------------------------------------------------------------ configuration

/**
 * The seed 000 reference flow of config/example.yaml adapted to the harness and to tests: every
 * agent is a SIP phone on the harness's endpoints 1001..1006 (1006 too, instead of an external
 * number), prompts are named as `npm run prompts` writes them (sound:switchboard/<name>, the
 * language picks the folder), and time-outs and wrap-up are short.
 */
export function referenceConfigInput(): ConfigInput {
  const queue = (id: string, name: string, groups: { group: string; priority: number }[], greeting: Record<string, string[]>) => ({
    id,
    name,
    groups,
    strategy: 'longest-idle' as const,
    answer_timeout_s: 4,
    retry_s: 1,
    wrapup_s: 0,
    max_wait_s: 120,
    moh_class: id,
    greeting,
  });
  return {
    numbers: [
      { id: 'A', number: '1000', name: 'Company number with IVR', enable_ivr: true, ivr: 'main', language: 'en' },
      { id: 'B', number: '2000', name: 'Sales line without IVR', enable_ivr: false, queue: 'q1', language: 'en' },
    ],
    ivrs: [
      {
        id: 'main',
        root: 'lang',
        nodes: [
          {
            id: 'lang',
            prompts: { default: ['sound:switchboard/choose-language'] },
            timeout_s: 5,
            retries: 1,
            invalid_prompts: { default: ['sound:switchboard/invalid'] },
            keys: { '1': { action: 'node', node: 'english', language: 'en' }, '2': { action: 'node', node: 'spanish', language: 'es' } },
            on_failure: { action: 'queue', queue: 'q1' },
          },
          {
            id: 'english',
            prompts: { en: ['sound:switchboard/english-menu'] },
            timeout_s: 5,
            retries: 1,
            invalid_prompts: { en: ['sound:switchboard/invalid'] },
            keys: { '1': { action: 'queue', queue: 'q1' }, '2': { action: 'queue', queue: 'q2' } },
            on_failure: { action: 'queue', queue: 'q1' },
          },
          {
            id: 'spanish',
            prompts: { es: ['sound:switchboard/spanish-menu'] },
            timeout_s: 3,
            retries: 0,
            keys: { '1': { action: 'queue', queue: 'q3' } },
            on_failure: { action: 'queue', queue: 'q3' },
          },
        ],
      },
    ],
    queues: [
      queue('q1', 'Queue 1 - English sales', [{ group: 'g1', priority: 1 }], { en: ['sound:switchboard/queue-sales-greeting'] }),
      queue('q2', 'Queue 2 - Technical support', [{ group: 'g2', priority: 1 }, { group: 'g3', priority: 2 }], { en: ['sound:switchboard/queue-support-greeting'] }),
      queue('q3', 'Queue 3 - Spanish sales', [{ group: 'g3', priority: 1 }], { es: ['sound:switchboard/queue-spanish-greeting'] }),
    ],
    groups: [
      { id: 'g1', name: 'Group 1 - English sales' },
      { id: 'g2', name: 'Group 2 - Technical support' },
      { id: 'g3', name: 'Group 3 - Spanish sales' },
    ],
    agents: [
      { id: '1001', name: 'Alice', phone: { type: 'sip', endpoint: '1001' }, groups: ['g1'], auto_login: true },
      { id: '1002', name: 'Bob', phone: { type: 'sip', endpoint: '1002' }, groups: ['g1'], auto_login: true },
      { id: '1003', name: 'Carol', phone: { type: 'sip', endpoint: '1003' }, groups: ['g2'], auto_login: true },
      { id: '1004', name: 'Dan', phone: { type: 'sip', endpoint: '1004' }, groups: ['g2'], auto_login: true },
      { id: '1005', name: 'Elena', phone: { type: 'sip', endpoint: '1005' }, groups: ['g3'], auto_login: true },
      { id: '1006', name: 'Fernando', phone: { type: 'sip', endpoint: '1006' }, groups: ['g3'], auto_login: true },
    ],
    memberships: [{ agent: '1002', queue: 'q1', penalty: 1 }],
  };
}

/** Validate a config input (the same schema as the file and the API), failing with field paths. */
export function configOf(input: ConfigInput): Config {
  const parsed = parseConfig(input);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return parsed.config;
}

/** The reference config with a change applied to its input (e.g. a queue's record flag). */
export function referenceConfig(change?: (input: ConfigInput & { queues: Record<string, unknown>[] }) => void): Config {
  const input = referenceConfigInput() as ConfigInput & { queues: Record<string, unknown>[] };
  change?.(input);
  return configOf(input);
}

// ------------------------------------------------------------ far ends

export type AgentBehavior =
  /** rings `ringMs`, answers, waits for the engine's BYE */
  | { kind: 'answer'; ringMs?: number }
  /** rings `ringMs`, answers, talks `talkMs`, hangs up itself */
  | { kind: 'talk'; ringMs?: number; talkMs: number }
  /** rings until cancelled */
  | { kind: 'never' };

const OOC: Record<AgentBehavior['kind'], string> = {
  answer: 'uas-agent-answer-after-pause-expect-bye.xml',
  talk: 'uas-agent-answer-talk-then-bye.xml',
  never: 'uas-agent-ring-expect-cancel.xml',
};

/** Remove every contact registered for `endpoint` (REGISTER Contact: *, Expires: 0). */
export async function unregisterAll(asterisk: RunningAsterisk, endpoint: string): Promise<void> {
  const sipp = await startSipp({
    scenario: 'uac-phone-unregister-all.xml',
    asterisk,
    auth: { user: endpoint, password: asterisk.phonePassword },
    keys: { user: endpoint },
    timeoutMs: 5000,
  });
  const r = await sipp.done;
  if (r.code !== 0) throw new Error(`unregistering ${endpoint} failed (${r.code}): ${r.errors}`);
}

/** An agent phone on a harness endpoint: REGISTER (digest) and handle every INVITE per `behavior`. */
export async function startAgentPhone(asterisk: RunningAsterisk, endpoint: string, behavior: AgentBehavior, timeoutMs = 120_000): Promise<SippProcess> {
  const ring = behavior.kind === 'never' ? 0 : (behavior.ringMs ?? 200);
  const talk = behavior.kind === 'talk' ? behavior.talkMs : 0;
  const sipp = await startSipp({
    scenario: 'uac-phone-register-stay-unregister.xml',
    asterisk,
    auth: { user: endpoint, password: asterisk.phonePassword },
    keys: { user: endpoint, stay: timeoutMs, expires: 300, ring, talk },
    extraArgs: ['-oocsf', join(scenariosDir, OOC[behavior.kind]), '-aa'],
    timeoutMs,
  });
  await waitRegistered(asterisk, endpoint, sipp.port);
  return sipp;
}

// ------------------------------------------------------------ the world

export interface EngineWorld {
  asterisk: RunningAsterisk;
  /** Per test (after `beginTest`). */
  engine: Engine;
  store: Store;
  cdrs: Cdr[];
  queueLog: QueueLogEntry[];
  /** Start the engine for one test with this config. */
  beginTest(config: Config): Promise<void>;
  /** Kill the test's SIPp processes, hang up what is left in Asterisk, stop the engine. */
  endTest(): Promise<void>;
  /** A unique caller number (per world and test file). */
  nextCaller(): string;
  phone(endpoint: string, behavior: AgentBehavior): Promise<SippProcess>;
  caller(c: CallerOptions): Promise<SippProcess>;
  /** Poll until `probe` returns a value (not undefined / false), or fail naming `what`. */
  until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs?: number): Promise<T>;
  cdrOf(caller: string): Cdr | undefined;
  /** GET /ari/<path> as the engine's ARI user. */
  ari<T>(path: string, method?: 'GET' | 'DELETE'): Promise<T>;
  close(): Promise<void>;
}

export async function startEngineWorld(): Promise<EngineWorld> {
  const asterisk = await startAsterisk();
  const logger: Logger = process.env.LOG_FILE
    ? pino({ level: process.env.LOG_LEVEL ?? 'trace' }, pino.destination({ dest: process.env.LOG_FILE, sync: true, append: true }))
    : pino({ level: 'silent' });
  const auth = 'Basic ' + Buffer.from(`${asterisk.ariUser}:${asterisk.ariPassword}`).toString('base64');
  const far: SippProcess[] = [];
  const registered = new Set<string>();
  const base = 5_550_000_000 + Math.floor(Math.random() * 9_000) * 100_000;
  let seq = 0;
  let engine: Engine | undefined;
  let store: Store | undefined;
  let cdrs: Cdr[] = [];
  let queueLog: QueueLogEntry[] = [];

  const ari = async <T>(path: string, method: 'GET' | 'DELETE' = 'GET'): Promise<T> => {
    const res = await fetch(`${asterisk.ariUrl}/ari/${path}`, { method, headers: { authorization: auth }, signal: AbortSignal.timeout(3000) });
    const text = await res.text();
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) throw new Error(`ARI ${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  const until = async <T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const world: EngineWorld = {
    asterisk,
    get engine() {
      if (!engine) throw new Error('beginTest() first');
      return engine;
    },
    get store() {
      if (!store) throw new Error('beginTest() first');
      return store;
    },
    get cdrs() {
      return cdrs;
    },
    get queueLog() {
      return queueLog;
    },
    async beginTest(config) {
      store = openStore(':memory:');
      cdrs = [];
      queueLog = [];
      const pbx = new AsteriskDriver({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger });
      engine = new Engine({ pbx, clock: createSystemClock(), log: logger, store, config, phoneCall: (e, call) => startPhoneCall(e, call, logger) });
      const own = { cdrs, queueLog };
      engine.on('call.ended', (c) => own.cdrs.push(c));
      engine.on('queue.log', (e) => own.queueLog.push(e));
      await engine.start();
    },
    async endTest() {
      for (const s of far.splice(0)) s.kill();
      try {
        await Promise.all([...registered].map((e) => unregisterAll(asterisk, e)));
        registered.clear();
        const left = await ari<{ id: string }[]>('channels');
        await Promise.all(left.map((c) => ari(`channels/${encodeURIComponent(c.id)}`, 'DELETE').catch(() => undefined)));
        const bridges = await ari<{ id: string }[]>('bridges');
        await Promise.all(bridges.map((b) => ari(`bridges/${encodeURIComponent(b.id)}`, 'DELETE').catch(() => undefined)));
        await until(async () => (await ari<unknown[]>('channels')).length === 0, 'channels gone after the test', 5000);
      } finally {
        await engine?.stop().catch(() => undefined);
        store?.close();
        engine = undefined;
        store = undefined;
      }
    },
    nextCaller: () => String(base + ++seq),
    async phone(endpoint, behavior) {
      registered.add(endpoint);
      const p = await startAgentPhone(asterisk, endpoint, behavior);
      far.push(p);
      return p;
    },
    async caller(c) {
      const p = await startCaller(asterisk, { timeoutMs: 60_000, ...c });
      far.push(p);
      return p;
    },
    until,
    cdrOf: (caller) => cdrs.find((c) => c.caller === caller),
    ari,
    async close() {
      for (const s of far.splice(0)) s.kill();
      await engine?.stop().catch(() => undefined);
      store?.close();
      await asterisk.stop();
      killAllChildren();
    },
  };
  return world;
}

/** Duration of a PCM wav file in ms, from its header (the `data` chunk size and byte rate). */
export function wavDurationMs(buf: Buffer): number {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a wav file');
  let off = 12;
  let byteRate = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') byteRate = buf.readUInt32LE(off + 16);
    if (id === 'data') {
      const bytes = Math.min(size, buf.length - off - 8);
      if (!byteRate) throw new Error('wav without fmt chunk');
      return (bytes / byteRate) * 1000;
    }
    off += 8 + size + (size % 2);
  }
  throw new Error('wav without data chunk');
}

/**
 * One Asterisk for a whole test file: started before the first test, each test's SIPp peers,
 * channels and engine cleaned up after it, everything stopped at the end. Returns the world's getter.
 */
export function useEngineWorld(): () => EngineWorld {
  let w: EngineWorld | undefined;
  beforeAll(async () => {
    w = await startEngineWorld();
  }, 60_000);
  afterEach(async () => {
    await w?.endTest();
  }, 20_000);
  afterAll(async () => {
    await w?.close();
  }, 20_000);
  return () => {
    if (!w) throw new Error('the engine world is not started');
    return w;
  };
}
