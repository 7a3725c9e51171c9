/**
 * `npm run bench:amd [-- --rounds N] [-- --json]`: answering-machine detection on a real Asterisk,
 * two ways, on the same customers. Each customer is a SIPp UAS on the trunk that answers and
 * speaks a synthesized greeting (test/asterisk/speaking-customer.ts): five people ("Hello?" and
 * the like, then silence) and five answering machines (4–8 s greetings), `rounds` times each.
 *   amd:  the answered leg is sent from our application to the dialplan ([switchboard-amd]:
 *         AMD() with asterisk-conf/amd.conf) and comes back with AMDSTATUS/AMDCAUSE;
 *   talk: TALK_DETECT(set) on the leg in our application; the first talk burst decides
 *         (src/dialer/talk-burst.ts): a person stops within `greeting` ms, a machine talks on.
 * Prints, per method, how many people / machines were classified right and the delay from the
 * answer to the decision for the people (what a person waits before an agent is connected).
 * Needs Asterisk (test/asterisk/harness.ts), sipp, espeak-ng and sox.
 */
import { parseArgs } from 'node:util';
import { AriClient } from '../src/pbx/asterisk/ari-client.js';
import type { AriEvent } from '../src/pbx/asterisk/ari-types.js';
import { silentLogger } from '../src/infra/logger.js';
import { classifyTalk, TALK_DETECT_DEFAULTS, type TalkEvent } from '../src/dialer/talk-burst.js';
import { findAsterisk, findSipp, HOW_TO_GET_ASTERISK, killAllChildren, startAsterisk } from '../test/asterisk/harness.js';
import { HUMAN_GREETINGS, MACHINE_GREETINGS, speechMs, startSpeakingCustomer, type Utterance } from '../test/asterisk/speaking-customer.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, json: { type: 'boolean', default: false } } });
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds must be a positive integer');
if (!findAsterisk() || !findSipp()) throw new Error(`needs Asterisk and sipp: ${HOW_TO_GET_ASTERISK}`);

type Method = 'amd' | 'talk';
interface Outcome { method: Method; truth: 'HUMAN' | 'MACHINE'; status: string; cause: string; decisionMs: number; speechMs: number }

const asterisk = await startAsterisk();
const ari = new AriClient({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword, app: asterisk.app, logger: silentLogger() });
const listeners = new Set<(e: AriEvent) => void>();
ari.onEvent((e) => {
  for (const l of listeners) l(e);
});
ari.connect();
await ari.waitConnected(10_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait for the first event `pick` accepts (returns non-undefined), or throw after `ms`. */
function next<T>(pick: (e: AriEvent) => T | undefined, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listeners.delete(l);
      reject(new Error(`no event within ${ms} ms`));
    }, ms);
    const l = (e: AriEvent) => {
      const v = pick(e);
      if (v === undefined) return;
      clearTimeout(timer);
      listeners.delete(l);
      resolve(v);
    };
    listeners.add(l);
  });
}

let seq = 0;
async function measure(method: Method, u: Utterance, truth: Outcome['truth']): Promise<Outcome> {
  const customer = await startSpeakingCustomer(asterisk, u, { ringMs: 200, timeoutMs: 40_000 });
  const id = `amd-bench-${++seq}`;
  const talk: TalkEvent[] = [];
  const onTalk = (e: AriEvent) => {
    const ch = (e as unknown as { channel?: { id: string } }).channel;
    if (ch?.id !== id) return;
    if (e.type === 'ChannelTalkingStarted') talk.push({ kind: 'start', at: Date.now() });
    else if (e.type === 'ChannelTalkingFinished') talk.push({ kind: 'finish', at: Date.now(), durationMs: (e as unknown as { duration: number }).duration });
  };
  listeners.add(onTalk);
  const answered = next((e) => (e.type === 'StasisStart' && (e as unknown as { channel: { id: string } }).channel.id === id ? Date.now() : undefined), 15_000);
  await ari.request('POST', '/channels', { query: { endpoint: `PJSIP/0700${String(seq).padStart(6, '0')}@trunk`, app: asterisk.app, appArgs: `agent,${id}`, channelId: id, timeout: 15, callerId: '0100000000' } });
  const t0 = await answered;
  let status: string;
  let cause: string;
  if (method === 'amd') {
    const back = next((e) => {
      const s = e as unknown as { type: string; channel: { id: string }; args?: string[] };
      return s.type === 'StasisStart' && s.channel.id === id && s.args?.[0] === 'amd' ? s.args : undefined;
    }, 15_000);
    await ari.request('POST', `/channels/${id}/continue`, { query: { context: 'switchboard-amd', extension: 's', priority: 1 } });
    const args = await back;
    status = args[1] ?? '';
    cause = args[2] ?? '';
  } else {
    await ari.request('POST', `/channels/${id}/variable`, { query: { variable: 'TALK_DETECT(set)', value: `${TALK_DETECT_DEFAULTS.silenceMs},${TALK_DETECT_DEFAULTS.talkThreshold}` } });
    for (;;) {
      const r = classifyTalk(t0, talk, Date.now());
      if (r) {
        status = r.status;
        cause = r.cause;
        break;
      }
      await sleep(20);
    }
  }
  const decisionMs = Date.now() - t0;
  listeners.delete(onTalk);
  await ari.request('DELETE', `/channels/${id}`).catch(() => undefined);
  await customer.done;
  return { method, truth, status, cause, decisionMs, speechMs: speechMs(u) };
}

const outcomes: Outcome[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const method of ['amd', 'talk'] as const) {
      for (const u of HUMAN_GREETINGS) outcomes.push(await measure(method, u, 'HUMAN'));
      for (const u of MACHINE_GREETINGS) outcomes.push(await measure(method, u, 'MACHINE'));
    }
  }
} finally {
  await ari.close();
  await asterisk.stop();
  killAllChildren();
}

const rows = (['amd', 'talk'] as const).map((method) => {
  const mine = outcomes.filter((o) => o.method === method);
  const people = mine.filter((o) => o.truth === 'HUMAN');
  const machines = mine.filter((o) => o.truth === 'MACHINE');
  // NOTSURE goes to an agent like a person: right for a person, wrong for a machine.
  const humanRight = people.filter((o) => o.status !== 'MACHINE').length;
  const machineRight = machines.filter((o) => o.status === 'MACHINE').length;
  const delays = people.map((o) => o.decisionMs).sort((a, b) => a - b);
  const mDelays = machines.map((o) => o.decisionMs).sort((a, b) => a - b);
  const med = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? 0;
  return {
    method,
    humans: people.length, humansRight: humanRight,
    machines: machines.length, machinesRight: machineRight,
    humanDelayMedianMs: med(delays), humanDelayMaxMs: delays.at(-1) ?? 0,
    machineDelayMedianMs: med(mDelays),
    wrong: mine.filter((o) => (o.truth === 'HUMAN') === (o.status === 'MACHINE')).map((o) => `${o.truth}→${o.status} ${o.cause} (speech ${o.speechMs} ms)`),
  };
});
if (values.json) console.log(JSON.stringify(rows));
else {
  for (const o of outcomes) console.log(`${o.method.padEnd(4)} ${o.truth.padEnd(7)} → ${o.status.padEnd(7)} ${o.cause.padEnd(24)} decided after ${o.decisionMs} ms (speech ${o.speechMs} ms)`);
  console.log('');
  console.log('method  people right   machines right   person waits (median / max)   machine decided (median)');
  for (const r of rows) console.log(`${r.method.padEnd(7)} ${`${r.humansRight}/${r.humans}`.padEnd(14)} ${`${r.machinesRight}/${r.machines}`.padEnd(16)} ${`${r.humanDelayMedianMs} / ${r.humanDelayMaxMs} ms`.padEnd(29)} ${r.machineDelayMedianMs} ms`);
}
