/**
 * A world for the engine on a real PBX (Asterisk or FreeSWITCH, the `pbx` parameter): one private
 * PBX per test file (its harness, through a PbxLab: pbx-lab.ts), and per test a fresh Engine with
 * that PBX's driver (real clock, in-memory store) and that test's config, SIPp agent phones that
 * REGISTER and answer / talk / never answer, and SIPp callers over the trunk that dial a number,
 * send RFC 2833 DTMF and stay until BYE or give up after a pause.
 *
 * Every SIPp process has a hard time-out; `endTest()` kills the test's processes, hangs up what is
 * left in the PBX and stops the engine; `close()` stops the PBX and kills every child process.
 * LOG_FILE=/path writes the engine's log (trace, raw ARI included) to a file; default silent.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { pino, type Logger } from 'pino';
import { startPhoneCall } from '../../src/outbound/phone-call.js';
import { Engine } from '../../src/calls/engine.js';
import type { Cdr } from '../../src/domain/cdr.js';
import { parseConfig, type Config, type ConfigInput } from '../../src/domain/config.js';
import type { QueueLogEntry } from '../../src/domain/queue-log.js';
import { createSystemClock } from '../../src/infra/clock.js';
import { openStore, type Store } from '../../src/store/store.js';
import { findFreeswitch, HOW_TO_GET_FREESWITCH } from '../freeswitch/harness.js';
import { startFreeswitchLab } from '../freeswitch/freeswitch-lab.js';
import { startAsteriskLab, type AsteriskLab } from './asterisk-lab.js';
import { findAsterisk, findSipp, HOW_TO_GET_ASTERISK, killAllChildren, type CallerOptions, type RunningAsterisk, type SippProcess } from './harness.js';
import type { AgentBehavior, PbxLab, PbxName } from './pbx-lab.js';

export { startAgentPhone, unregisterAll } from './asterisk-lab.js';
export type { AgentBehavior, PbxName } from './pbx-lab.js';

/** Why the lane cannot run here on `pbx` (undefined = it can). */
export function skipReasonFor(pbx: PbxName): string | undefined {
  if (pbx === 'asterisk' ? !findAsterisk() : !findFreeswitch()) return pbx === 'asterisk' ? HOW_TO_GET_ASTERISK : HOW_TO_GET_FREESWITCH;
  return !findSipp() ? 'sipp not found: install sip-tester or set SIPP_BIN' : undefined;
}

/** Why the Asterisk lane cannot run here (undefined = it can). */
export const skipReason: string | undefined = skipReasonFor('asterisk');

/** "a real Asterisk" / "a real FreeSWITCH", for describe titles. */
export const realPbx = (pbx: PbxName) => (pbx === 'asterisk' ? 'a real Asterisk' : 'a real FreeSWITCH');

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

// ------------------------------------------------------------ the world

export interface EngineWorld {
  /** The PBX under test and a look inside it. */
  lab: PbxLab;
  /** The Asterisk lane only (throws on another PBX). */
  asterisk: RunningAsterisk;
  /** Per test (after `beginTest`). */
  engine: Engine;
  store: Store;
  cdrs: Cdr[];
  queueLog: QueueLogEntry[];
  /** Start the engine for one test with this config. */
  beginTest(config: Config): Promise<void>;
  /** Kill the test's SIPp processes, hang up what is left in the PBX, stop the engine. */
  endTest(): Promise<void>;
  /** A unique caller number (per world and test file). */
  nextCaller(): string;
  phone(endpoint: string, behavior: AgentBehavior): Promise<SippProcess>;
  caller(c: CallerOptions): Promise<SippProcess>;
  /** Poll until `probe` returns a value (not undefined / false), or fail naming `what`. */
  until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs?: number): Promise<T>;
  cdrOf(caller: string): Cdr | undefined;
  /** GET /ari/<path> as the engine's ARI user (the Asterisk lane only). */
  ari<T>(path: string, method?: 'GET' | 'DELETE'): Promise<T>;
  close(): Promise<void>;
}

export async function startEngineWorld(pbx: PbxName = 'asterisk'): Promise<EngineWorld> {
  const lab: PbxLab = pbx === 'asterisk' ? await startAsteriskLab() : await startFreeswitchLab();
  const asteriskLab = (): AsteriskLab => {
    if (lab.name !== 'asterisk') throw new Error('this test needs the Asterisk lane');
    return lab as AsteriskLab;
  };
  const logger: Logger = process.env.LOG_FILE
    ? pino({ level: process.env.LOG_LEVEL ?? 'trace' }, pino.destination({ dest: process.env.LOG_FILE, sync: true, append: true }))
    : pino({ level: 'silent' });
  const far: SippProcess[] = [];
  const registered = new Set<string>();
  const base = 5_550_000_000 + Math.floor(Math.random() * 9_000) * 100_000;
  let seq = 0;
  let engine: Engine | undefined;
  let store: Store | undefined;
  let cdrs: Cdr[] = [];
  let queueLog: QueueLogEntry[] = [];

  const ari = <T>(path: string, method: 'GET' | 'DELETE' = 'GET'): Promise<T> => asteriskLab().ari<T>(path, method);

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
    lab,
    get asterisk() {
      return asteriskLab().asterisk;
    },
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
      engine = new Engine({ pbx: lab.driver(logger), clock: createSystemClock(), log: logger, store, config, phoneCall: (e, call) => startPhoneCall(e, call, logger) });
      const own = { cdrs, queueLog };
      engine.on('call.ended', (c) => own.cdrs.push(c));
      engine.on('queue.log', (e) => own.queueLog.push(e));
      await engine.start();
    },
    async endTest() {
      for (const s of far.splice(0)) s.kill();
      try {
        await Promise.all([...registered].map((e) => lab.unregisterAll(e)));
        registered.clear();
        await lab.hangupAll();
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
      const p = await lab.phone(endpoint, behavior);
      far.push(p);
      return p;
    },
    async caller(c) {
      const p = await lab.caller({ timeoutMs: 60_000, ...c });
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
      await lab.close();
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
 * One PBX for a whole test file: started before the first test, each test's SIPp peers,
 * channels and engine cleaned up after it, everything stopped at the end. Returns the world's getter.
 */
export function useEngineWorld(pbx: PbxName = 'asterisk'): () => EngineWorld {
  let w: EngineWorld | undefined;
  beforeAll(async () => {
    w = await startEngineWorld(pbx);
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
