/**
 * The engine's own CPU per answered call, without a PBX's sockets: the load bench's flow and config
 * (IVR 1 then 2 → Queue 2, 200 agents that ring 100 ms and talk 2 s; bench/support/sipp-fleet.ts)
 * for a simulated hour on the simulated PBX and a virtual clock, so no event loop ever sleeps. What `npm run load` measures on top of this is the
 * ARI transport and the wake-ups of a process that sleeps between messages (bench/wakeup-cost.ts).
 *
 * Run: npm run bench:engine-cpu [-- --calls-per-hour 36000 --rounds 3 --json]
 */
import { parseArgs } from 'node:util';
import { Engine } from '../src/calls/engine.js';
import { seededRandom } from '../src/domain/random.js';
import { VirtualClock } from '../src/infra/clock.js';
import { silentLogger } from '../src/infra/logger.js';
import { SimPbx } from '../src/pbx/sim/sim-pbx.js';
import { openStore } from '../src/store/store.js';
import { configOf } from '../test/asterisk/engine-world.js';
import { agentEndpoints, fleetConfigInput } from './support/sipp-fleet.js';

const { values } = parseArgs({ options: { 'calls-per-hour': { type: 'string', default: '36000' }, rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const perHour = Number(values['calls-per-hour']);
const rounds = Number(values.rounds);
if (!(perHour > 0)) throw new Error('--calls-per-hour: a positive number expected');
if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error('--rounds: a whole number ≥ 1 expected');

const ENDPOINTS = agentEndpoints(200);
const config = configOf(fleetConfigInput(ENDPOINTS, { maxWaitS: 30 }));
const START = Date.UTC(2026, 10, 2, 8);
const HOUR = 3_600_000;

async function round(seed: number): Promise<{ calls: number; answered: number; cpuMsPerCall: number }> {
  const clock = new VirtualClock(START);
  const pbx = new SimPbx(clock, { defaultPromptMs: 3000 });
  const store = openStore(':memory:');
  store.config.replaceAll(config);
  const engine = new Engine({ pbx, clock, log: silentLogger(), store, config: store.config.load(), seed });
  await engine.start();
  for (const e of ENDPOINTS) pbx.setPhone(e, { behavior: 'answer', answerAfterMs: 100, talkMs: 2_000 });
  const random = seededRandom(seed);
  let t = START;
  let calls = 0;
  for (;;) {
    t += -Math.log(1 - random()) * (HOUR / perHour);
    if (t >= START + HOUR) break;
    calls += 1;
    pbx.placeCall({ to: '1000', from: `+1555${1_000_000 + calls}`, at: t, patienceMs: 600_000, keys: [{ afterMs: 1200, digit: '1' }, { afterMs: 2600, digit: '2' }] });
  }
  let answered = 0;
  engine.on('call.ended', (c) => {
    if (c.disposition === 'answered') answered += 1;
  });
  const cpu0 = process.cpuUsage();
  await clock.advanceTo(START + 2 * HOUR);
  const cpu = process.cpuUsage(cpu0);
  await engine.stop();
  store.close();
  return { calls, answered, cpuMsPerCall: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, answered)) * 100) / 100 };
}

const results = [];
for (let i = 0; i < rounds; i++) results.push(await round(7 + i));
const best = Math.min(...results.map((r) => r.cpuMsPerCall));
if (values.json) console.log(JSON.stringify({ perHour, rounds: results, bestCpuMsPerCall: best }));
else {
  for (const [i, r] of results.entries()) console.log(`engine-cpu round ${i + 1}: ${r.calls} calls, ${r.answered} answered, ${r.cpuMsPerCall} ms of CPU per answered call (engine, store, simulated PBX)`);
  console.log(`engine-cpu: best ${best} ms per answered call (the first round includes compiling the hot code)`);
}
