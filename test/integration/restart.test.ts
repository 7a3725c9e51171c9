/**
 * Crash safety on the simulated PBX: the engine dies (halt(): nothing more is said to the PBX or
 * written) with calls in every state, a new engine starts on the same store and PBX, and takes
 * them up from the live-call journal and the PBX's list of live legs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import type { Cdr } from '../../src/domain/cdr.js';
import type { Config } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { LegId } from '../../src/pbx/port.js';
import { exampleConfig, simWorld, type SimWorld } from '../support/sim-world.js';

let w: SimWorld;
let engine2: Engine | undefined;
afterEach(async () => {
  await engine2?.stop();
  engine2 = undefined;
  w?.store.close();
});

/** Kill the world's engine and start a new one on the same PBX, store and clock. */
async function restart(world: SimWorld, config: Config = world.config): Promise<Engine> {
  world.engine.halt();
  let n = 100;
  const e = new Engine({ pbx: world.pbx, clock: world.clock, log: silentLogger(), store: world.store, config, newCallId: () => `call-r${++n}`, seed: 2 });
  await e.start();
  engine2 = e;
  return e;
}

const cdrOf = (world: SimWorld, caller: string): Cdr | undefined => world.store.cdrs.all().find((c) => c.caller === caller);
const callerLeg = (world: SimWorld, from: string) => [...world.pbx.legs.values()].find((l) => l.kind === 'caller' && l.from === from)!;
const opsAfter = (world: SimWorld, at: number, op: string) => world.pbx.calls(op).filter((c) => c.at >= at);

describe('engine restart from the live-call journal (simulated PBX)', () => {
  it('takes waiting callers up at their place: original order, enqueue time and wait, music on, no second greeting', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock } = w;
    for (const ep of ['1001', '1002']) {
      pbx.setPhone(ep, { behavior: 'answer', answerAfterMs: 500, talkMs: 5_000 });
      pbx.setOnline(ep, false); // nobody reachable: callers wait
    }
    for (const [i, from] of ['5551', '5552', '5553'].entries()) pbx.placeCall({ to: '2000', from, at: clock.now() + i * 1000 });
    await clock.runFor(10_000);
    const enqueued = ['5551', '5552', '5553'].map((f) => w.store.journal.all().find((j) => j.cdr.caller === f)!.cdr.enqueuedAt);
    expect(w.store.journal.all().map((j) => j.step)).toEqual(['queued', 'queued', 'queued']);

    const t = clock.now();
    const e2 = await restart(w);
    pbx.placeCall({ to: '2000', from: '5554' }); // arrives after the restart: served last
    await clock.runFor(3_000);
    expect(e2.queueSnapshot('q1')?.waiting).toBe(4);
    expect(opsAfter(w, t, 'play').filter((c) => c.args[0] !== callerLeg(w, '5554').id)).toHaveLength(0);
    expect(opsAfter(w, t, 'startMoh').map((c) => c.args[0])).toEqual(expect.arrayContaining(['5551', '5552', '5553'].map((f) => callerLeg(w, f).id)));

    // One agent comes back, talking 5 s a call: the four callers in their original order.
    pbx.setOnline('1001', true);
    await clock.runFor(120_000);
    const cdrs = ['5551', '5552', '5553', '5554'].map((f) => cdrOf(w, f)!);
    expect(cdrs.map((c) => c.disposition)).toEqual(['answered', 'answered', 'answered', 'answered']);
    const connected = cdrs.map((c) => c.connectedAt!);
    expect([...connected].sort((x, y) => x - y)).toEqual(connected);
    expect(cdrs.slice(0, 3).map((c) => c.enqueuedAt)).toEqual(enqueued);
    expect(cdrs[0]!.waitMs).toBe(cdrs[0]!.connectedAt! - enqueued[0]!);
    expect(w.store.journal.all()).toEqual([]);
    // No second ENTERQUEUE for the callers taken up again.
    const enter = w.store.queueLog.list({ queueId: 'q1' }).filter((e) => e.event === 'ENTERQUEUE');
    expect(enter).toHaveLength(4);
  });

  it('restarts the IVR node the caller was in', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock } = w;
    pbx.setPhone('1003', { behavior: 'answer', answerAfterMs: 500, talkMs: 10_000 });
    // Key 1 (English) at 1 s; then 2 (support) at 9 s, after the restart.
    pbx.placeCall({ to: '1000', from: '5560', keys: [{ afterMs: 1000, digit: '1' }, { afterMs: 9000, digit: '2' }] });
    await clock.runFor(2_500);
    expect(w.store.journal.all()[0]).toMatchObject({ step: 'ivr', ivrId: 'main', ivrNode: 'english' });

    const t = clock.now();
    await restart(w);
    await clock.runFor(60_000);

    const replayed = opsAfter(w, t, 'play')[0];
    expect(replayed?.args[1]).toEqual(['sound:switchboard/english-menu']);
    expect(cdrOf(w, '5560')).toMatchObject({ disposition: 'answered', ivrPath: 'lang:1>english:2', queueId: 'q2', agentId: '1003' });
  });

  it('hangs up an agent leg that was ringing and offers the caller again at its place', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock } = w;
    pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 8_000, talkMs: 4_000 });
    pbx.setOnline('1002', false);
    pbx.placeCall({ to: '2000', from: '5570' });
    await clock.runFor(4_000); // greeting 2 s, then 1001 rings
    const ringing = [...pbx.legs.values()].find((l) => l.kind === 'agent' && l.state === 'ringing')!;
    expect(w.store.journal.all()[0]).toMatchObject({ step: 'queued', agentId: '1001', agentLeg: ringing.id });

    const t = clock.now();
    const e2 = await restart(w);
    expect(opsAfter(w, t, 'hangup').map((c) => c.args[0])).toContain(ringing.id);
    expect(pbx.legs.get(ringing.id)?.state).toBe('down');
    await clock.runFor(60_000);

    const cdr = cdrOf(w, '5570')!;
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001' });
    expect(cdr.agentLegId).not.toBe(ringing.id);
    expect(e2.agentSnapshot('1001')?.presence).toMatch(/wrapup|ready/);
  });

  it('keeps a bridged call bridged and ends it with a complete CDR, talk counted from the original answer', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock } = w;
    pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1_000 });
    pbx.setOnline('1002', false);
    pbx.placeCall({ to: '2000', from: '5580', talkMs: 30_000 });
    await clock.runFor(10_000);
    const before = w.store.journal.all()[0]!;
    expect(before).toMatchObject({ step: 'bridged', agentId: '1001' });
    const connectedAt = before.cdr.connectedAt!;

    const t = clock.now();
    const e2 = await restart(w);
    expect(e2.agentSnapshot('1001')?.presence).toBe('oncall');
    const presences: string[] = [];
    e2.on('agent.state', (e) => e.agentId === '1001' && presences.push(e.presence));
    expect(opsAfter(w, t, 'bridge')).toHaveLength(0);
    await clock.runFor(60_000);

    const cdr = cdrOf(w, '5580')!;
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'caller', connectedAt });
    expect(cdr.talkMs).toBe(30_000);
    expect(opsAfter(w, t, 'destroyBridge').map((c) => c.args[0])).toEqual([before.bridge]);
    expect(w.store.queueLog.list({ callId: cdr.callId }).map((e) => e.event)).toEqual(['ENTERQUEUE', 'CONNECT', 'COMPLETECALLER']);
    // Wrap-up follows the call as it would have without the restart.
    expect(presences).toEqual(['wrapup', 'ready']);
  });

  it('completes the CDR of a call whose caller hung up while the engine was down, and frees its agent', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock } = w;
    pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1_000 });
    pbx.setOnline('1002', false);
    const leg = pbx.placeCall({ to: '2000', from: '5590' });
    await clock.runFor(10_000);
    const agentLeg = w.store.journal.all()[0]!.agentLeg as LegId;

    w.engine.halt();
    pbx.remoteHangup(leg);
    await clock.runFor(2_000);
    const e2 = await restartAfterHalt(w);
    await clock.runFor(1_000);

    const cdr = cdrOf(w, '5590')!;
    expect(cdr).toMatchObject({ disposition: 'answered', hangupSide: 'system', hangupCause: 'interrupted', agentId: '1001' });
    expect(cdr.talkMs).toBe(cdr.endedAt - cdr.connectedAt!);
    expect(pbx.legs.get(agentLeg)?.state).toBe('down');
    expect(e2.agentSnapshot('1001')?.presence).toBe('ready');
    expect(w.store.journal.all()).toEqual([]);
  });

  it('leaves calls still live after a graceful stop to the next start, with no CDR written for them', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock, engine } = w;
    pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 500, talkMs: 3_000 });
    pbx.setOnline('1001', false);
    pbx.setOnline('1002', false);
    pbx.placeCall({ to: '2000', from: '5640' });
    await clock.runFor(5_000);
    const stopping = engine.stop(2_000);
    pbx.placeCall({ to: '2000', from: '5641' }); // reaches the draining engine: refused, with a CDR
    await clock.runFor(2_000);
    await stopping;
    expect(w.store.cdrs.all().map((c) => [c.caller, c.disposition, c.hangupCause])).toEqual([['5641', 'refused', 'engine-stopping']]);
    expect(callerLeg(w, '5641').state).toBe('down');
    expect(w.store.journal.all().map((j) => j.step)).toEqual(['queued']);
    expect(callerLeg(w, '5640').state).toBe('up');

    await restartAfterHalt(w);
    pbx.setOnline('1001', true);
    await clock.runFor(30_000);
    expect(cdrOf(w, '5640')).toMatchObject({ disposition: 'answered', agentId: '1001' });
  });

  it('hangs up legs no journal knows', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock } = w;
    pbx.setOnline('1001', false);
    pbx.setOnline('1002', false);
    pbx.placeCall({ to: '2000', from: '5600' });
    await clock.runFor(5_000);
    w.store.journal.remove(w.store.journal.all()[0]!.callId); // as if the journal never heard of it
    const e2 = await restart(w);
    await clock.runFor(1_000);
    expect(callerLeg(w, '5600').state).toBe('down');
    expect(e2.liveCalls).toBe(0);
  });

  it("restores agents' login state: pause and its reason, logout, hot-desk line, wrap-up end", async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock, engine } = w;
    engine.pauseAgent('1001', 'lunch');
    engine.logoutAgent('1003');
    engine.setAgentLine('1004', '1005');
    pbx.setPhone('1002', { behavior: 'answer', answerAfterMs: 500, talkMs: 2_000 });
    pbx.placeCall({ to: '2000', from: '5610' });
    await clock.runFor(6_000); // 1002 took the call and is in its 10 s wrap-up
    expect(engine.agentSnapshot('1002')?.presence).toBe('wrapup');
    const wrapStart = clock.now();
    const wrapEnd = w.store.agentSessions.all().find((r) => r.agentId === '1002')?.wrapupUntil;
    expect(wrapEnd).toBeGreaterThan(wrapStart);

    const e2 = await restart(w);
    // The restore keeps the saved wrap-up end (a second restart would not extend it).
    expect(w.store.agentSessions.all().find((r) => r.agentId === '1002')?.wrapupUntil).toBe(wrapEnd);
    expect(e2.agentSnapshot('1001')).toMatchObject({ presence: 'paused', pauseReason: 'lunch' });
    expect(e2.agentSnapshot('1003')?.presence).toBe('loggedout');
    expect(e2.agentLineOf('1004')).toBe('1005');
    expect(e2.agentSnapshot('1002')?.presence).toBe('wrapup');
    await clock.runFor(10_000);
    expect(e2.agentSnapshot('1002')?.presence).toBe('ready');
    expect(clock.now() - wrapStart).toBeGreaterThanOrEqual(10_000);
  });

  it('ends every live call with cause pbx-lost when the PBX dies, and returns agents to rest', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock, engine } = w;
    pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 500 });
    pbx.setOnline('1002', false);
    const states: string[] = [];
    engine.on('pbx.state', (s) => states.push(s.state));
    pbx.placeCall({ to: '2000', from: '5620' }); // bridged with 1001
    pbx.placeCall({ to: '2000', from: '5621', at: clock.now() + 1_000 }); // waiting
    await clock.runFor(10_000);

    pbx.crash();
    await clock.runFor(100);
    expect(cdrOf(w, '5620')).toMatchObject({ disposition: 'answered', hangupSide: 'system', hangupCause: 'pbx-lost' });
    expect(cdrOf(w, '5621')).toMatchObject({ disposition: 'interrupted', hangupCause: 'pbx-lost' });
    expect(engine.liveCalls).toBe(0);
    expect(engine.agentSnapshot('1001')?.presence).toMatch(/wrapup|ready/);
    expect(engine.pbxLink.state).toBe('lost');
    expect(w.store.journal.all()).toEqual([]);

    pbx.restartDone();
    expect(states).toEqual(['down', 'lost', 'up']);
    await engine.stop();
  });

  it('hangs up what is still alive in the PBX when it comes back after being taken as lost (a partition)', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock, engine } = w;
    pbx.setOnline('1001', false);
    pbx.setOnline('1002', false);
    pbx.placeCall({ to: '2000', from: '5650' });
    await clock.runFor(5_000);
    const cut = pbx.cutEvents();
    cut.lose();
    await clock.runFor(100);
    expect(cdrOf(w, '5650')).toMatchObject({ disposition: 'interrupted', hangupCause: 'pbx-lost' });
    expect(callerLeg(w, '5650').state).toBe('up'); // the PBX never went down: the caller is still there
    cut.resume();
    await clock.runFor(1_000);
    expect(callerLeg(w, '5650').state).toBe('down');
    expect(engine.pbxLink.state).toBe('up');
    await engine.stop();
  });

  it('ends calls whose legs vanished while the event stream was cut, with cause lost', async () => {
    w = await simWorld(exampleConfig());
    const { pbx, clock, engine } = w;
    pbx.setOnline('1001', false);
    pbx.setOnline('1002', false);
    const gone = pbx.placeCall({ to: '2000', from: '5630' });
    pbx.placeCall({ to: '2000', from: '5631' });
    await clock.runFor(5_000);

    const cut = pbx.cutEvents();
    pbx.remoteHangup(gone);
    await clock.runFor(1_000);
    cut.resume();
    await clock.runFor(1_000);

    expect(cdrOf(w, '5630')).toMatchObject({ disposition: 'interrupted', hangupSide: 'system', hangupCause: 'lost' });
    expect(cdrOf(w, '5631')).toBeUndefined();
    expect(engine.queueSnapshot('q1')?.waiting).toBe(1);
    await engine.stop();
  });
});

/** The engine was already halted by the test. */
async function restartAfterHalt(world: SimWorld): Promise<Engine> {
  let n = 200;
  const e = new Engine({ pbx: world.pbx, clock: world.clock, log: silentLogger(), store: world.store, config: world.config, newCallId: () => `call-s${++n}`, seed: 3 });
  await e.start();
  engine2 = e;
  return e;
}
