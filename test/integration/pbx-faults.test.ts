import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import { VirtualClock } from '../../src/infra/clock.js';
import { silentLogger } from '../../src/infra/logger.js';
import { PbxError, type LegId, type PbxPort } from '../../src/pbx/port.js';
import { SimPbx } from '../../src/pbx/sim/sim-pbx.js';
import { openStore } from '../../src/store/store.js';
import { configFrom } from '../support/sim-world.js';

describe('a PBX that fails for a moment', () => {
  it('retries hanging up the caller so nobody is left on the line', async () => {
    const clock = new VirtualClock(0);
    const sim = new SimPbx(clock);
    let failures = 1;
    const flaky = Object.assign(Object.create(sim) as PbxPort, {
      name: 'flaky',
      start: () => sim.start(),
      stop: () => sim.stop(),
      onEvent: (l: Parameters<PbxPort['onEvent']>[0]) => sim.onEvent(l),
      async hangup(leg: LegId, cause?: Parameters<PbxPort['hangup']>[1]) {
        if (failures-- > 0) throw new PbxError('DISCONNECTED', 'cannot reach ARI');
        return sim.hangup(leg, cause);
      },
    });
    const store = openStore(':memory:');
    // The IVR hangs up when nothing is pressed.
    const config = configFrom({
      numbers: [{ id: 'n', number: '100', enable_ivr: true, ivr: 'm' }],
      ivrs: [{ id: 'm', root: 'top', nodes: [{ id: 'top', prompts: { default: ['menu'] }, timeout_s: 2, retries: 0, keys: { '1': { action: 'hangup' } } }] }],
    });
    const engine = new Engine({ pbx: flaky, clock, log: silentLogger(), store, config });
    await engine.start();
    const leg = sim.placeCall({ to: '100', from: '+1' });
    await clock.runFor(30_000);
    expect(sim.legs.get(leg)?.state).toBe('down');
    expect(sim.calls('hangup')).toHaveLength(1);
    expect(store.cdrs.all()[0]).toMatchObject({ disposition: 'ivr-exit', hangupSide: 'system' });
    await engine.stop();
    store.close();
  });
});

describe('races with bridges and lost events', () => {
  const world = (wrap: (sim: SimPbx, clock: VirtualClock) => Partial<PbxPort>, input: Parameters<typeof configFrom>[0]) => {
    const clock = new VirtualClock(0);
    const sim = new SimPbx(clock);
    const port = Object.assign(Object.create(sim) as PbxPort, {
      name: 'wrapped',
      start: () => sim.start(),
      stop: () => sim.stop(),
      onEvent: (l: Parameters<PbxPort['onEvent']>[0]) => sim.onEvent(l),
      ...wrap(sim, clock),
    });
    const store = openStore(':memory:');
    const engine = new Engine({ pbx: port, clock, log: silentLogger(), store, config: configFrom(input) });
    return { clock, sim, store, engine };
  };

  it('takes down a bridge and its recording made while the caller hung up', async () => {
    const { clock, sim, store, engine } = world(
      (s, c) => ({
        async bridge(legs: readonly LegId[]) {
          const id = await s.bridge(legs);
          await c.sleep(500); // the PBX answers the bridge request late
          return id;
        },
      }),
      {
        numbers: [{ id: 'n', number: '100', queue: 'q' }],
        queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }], record: true }],
        groups: [{ id: 'g' }],
        agents: [{ id: 'a', phone: { type: 'sip', endpoint: 'a' }, groups: ['g'], auto_login: true }],
      },
    );
    await engine.start();
    sim.setPhone('a', { behavior: 'answer', answerAfterMs: 1000 });
    const leg = sim.placeCall({ to: '100', from: '+1' });
    await clock.runFor(1100);
    sim.remoteHangup(leg); // while the bridge request is still out
    await clock.runFor(10_000);
    expect(sim.bridges.size).toBe(0);
    expect([...sim.recordings.values()].every((r) => r.stoppedAt !== undefined)).toBe(true);
    expect([...sim.legs.values()].every((l) => l.state === 'down')).toBe(true);
    expect(engine.agentSnapshot('a')?.presence).toBe('ready');
    expect(store.cdrs.all()).toHaveLength(1);
    await engine.stop();
    store.close();
  });

  it('frees an agent whose click-to-call answer events are lost', async () => {
    const { startClickToCall } = await import('../../src/outbound/click-to-call.js');
    const { clock, sim, store, engine } = world(() => ({}), {
      agents: [{ id: 'a', phone: { type: 'sip', endpoint: 'a' }, auto_login: true }],
      click_to_call: { allow: '^0[0-9]{9}$', answer_timeout_s: 10 },
    });
    // The PBX loses every event of the agent's leg.
    const realOn = sim.onEvent.bind(sim);
    sim.onEvent = (l) => realOn((e) => (e.type === 'leg.answered' || e.type === 'leg.hangup' || e.type === 'leg.ringing' ? undefined : l(e)));
    await engine.start();
    sim.setPhone('a', { behavior: 'never' });
    const r = startClickToCall(engine, { agentId: 'a', destination: '0612345678' }, silentLogger());
    expect(r.ok).toBe(true);
    await clock.runFor(20_000);
    expect(engine.agentSnapshot('a')?.presence).toBe('dialing');
    await clock.runFor(20_000); // past 2 × answer time-out + 10 s
    expect(engine.agentSnapshot('a')?.presence).toBe('ready');
    expect(store.cdrs.all()[0]).toMatchObject({ direction: 'outbound', disposition: 'failed', hangupCause: 'no-answer' });
    await engine.stop();
    store.close();
  });
});
