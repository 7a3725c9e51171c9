/**
 * Calls that reach FreeSWITCH while no engine takes them: the dialplan schedules a hang-up with
 * Q.850 34 ENGINE_TAKE_S (3) seconds after parking, which the caller gets as 503 and which leaves
 * no channel behind; a call the engine takes (the driver deletes the scheduled hang-up) outlives
 * that delay: waiting in the queue with music, then talking to an agent.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { startSipp } from '../asterisk/harness.js';
import { referenceConfig, skipReasonFor, useEngineWorld, type EngineWorld } from '../asterisk/engine-world.js';
import type { FreeswitchLab } from './freeswitch-lab.js';

const skipReason = skipReasonFor('freeswitch');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skipReason !== undefined)(`engine on a real FreeSWITCH: calls nobody takes${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const world = useEngineWorld('freeswitch');
  let w: EngineWorld;
  beforeEach(() => {
    w = world();
  });

  async function callWithoutEngine(from: string) {
    const fs = (w.lab as FreeswitchLab).fs;
    const started = Date.now();
    const sipp = await startSipp({ scenario: 'uac-caller-expect-503.xml', asterisk: { sipPort: fs.trunkSipPort }, service: '2000', keys: { caller: from }, timeoutMs: 20_000 });
    const result = await sipp.done;
    return { ...result, ms: Date.now() - started };
  }

  it('refuses a call with 503 (Q.850 34), never answered, when no engine is connected', async () => {
    const result = await callWithoutEngine(w.nextCaller());
    const left = await w.until(async () => (await w.lab.channels()).length === 0 && [], 'no channel left', 3000);

    expect(result.code, result.errors).toBe(0);
    expect(result.messages).toMatch(/SIP\/2\.0 503 /);
    expect(result.messages).toMatch(/Reason: Q\.850;cause=34/);
    expect(result.messages).not.toMatch(/SIP\/2\.0 200 /);
    expect(left).toEqual([]);
    console.log(`call without engine refused after ${result.ms} ms (ENGINE_TAKE_S=3)`);
  }, 30_000);

  it('refuses the same way once an engine has connected and gone away', async () => {
    await w.beginTest(referenceConfig());
    await w.engine.stop();

    const result = await callWithoutEngine(w.nextCaller());

    expect(result.code, result.errors).toBe(0);
    expect(result.messages).toMatch(/SIP\/2\.0 503 /);
    console.log(`call after the engine left refused after ${result.ms} ms`);
  }, 30_000);

  it('keeps a call the engine took past ENGINE_TAKE_S: 4 s in the queue, then 4 s with an agent', async () => {
    await w.beginTest(referenceConfig());
    await w.phone('1001', { kind: 'talk', ringMs: 100, talkMs: 4000 });
    await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'agent reachable', 5000);
    w.engine.pauseAgent('1001', 'away');
    const from = w.nextCaller();

    await w.caller({ to: '2000', from });
    await sleep(4000);
    w.engine.unpauseAgent('1001');
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 20_000);

    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    expect(cdr.waitMs).toBeGreaterThanOrEqual(4000);
    expect(cdr.endedAt - cdr.connectedAt!).toBeGreaterThanOrEqual(3500);
  }, 30_000);
});
