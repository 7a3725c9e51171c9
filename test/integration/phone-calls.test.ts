import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startPhoneCall } from '../../src/outbound/phone-call.js';
import type { OriginateRequest } from '../../src/pbx/port.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;
const CUSTOMER = '0612345678';

const config = (): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }] }],
  groups: [{ id: 'sales' }, { id: 'desk' }],
  agents: [
    { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] },
    { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['sales'] },
    { id: 'a3', phone: { type: 'sip', endpoint: '1003' }, groups: ['desk'] },
  ],
  phone_policies: [
    { id: 'vip', agents: ['a2'], allow: ['^\\+?[0-9]{3,15}$'], caller_id: '0999999999' },
    { id: 'sales', groups: ['sales'], allow: ['^0[1-9][0-9]{8}$'], deny: ['^08'], caller_id: '0123456789', caller_name: 'ACME', record: true },
  ],
});

describe('calls dialled from agent phones', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());
  const originates = () => w.pbx.calls('originate').map((c) => c.args[0] as OriginateRequest);
  const states = (agentId: string) => {
    const out: string[] = [];
    w.engine.on('agent.state', (e) => e.agentId === agentId && out.push(e.presence));
    return out;
  };
  const lastCdr = () => w.store.cdrs.all().at(-1);

  it('bridges an allowed number through the trunk with the policy caller id, records, shows AgentDialing then AgentOnCall, and writes an outbound CDR', async () => {
    w = await simWorld(configFrom(config()));
    w.engine.loginAgent('a1');
    const seen = states('a1');
    w.pbx.setPhone(CUSTOMER, { behavior: 'answer', answerAfterMs: 4000, talkMs: 20_000 });

    const leg = w.pbx.placeCall({ to: CUSTOMER, from: '1001', fromPhone: '1001' });
    await w.clock.runFor(2 * S);
    expect(w.pbx.legs.get(leg)?.state).toBe('up');
    expect(originates()).toEqual([expect.objectContaining({ destination: { kind: 'external', number: CUSTOMER }, callerId: { number: '0123456789', name: 'ACME' } })]);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('dialing');
    await w.clock.runFor(60 * S);

    expect(seen).toEqual(['dialing', 'oncall', 'ready']);
    expect(w.pbx.calls('recordBridge')).toHaveLength(1);
    const cdr = lastCdr();
    expect(cdr).toMatchObject({ direction: 'outbound', agentId: 'a1', agentLegId: leg, dialled: CUSTOMER, caller: '1001', disposition: 'answered', talkMs: 20_000, hangupSide: 'caller' });
    expect(cdr?.recording).toBe(`switchboard-${cdr?.callId}`);
  });

  it('refuses a number the policy forbids: hangs up the phone, dials nothing, leaves the agent ready, and the CDR says forbidden-number', async () => {
    w = await simWorld(configFrom(config()));
    w.engine.loginAgent('a1');
    const seen = states('a1');

    const denied = w.pbx.placeCall({ to: '0812345678', from: '1001', fromPhone: '1001' });
    const abroad = w.pbx.placeCall({ to: '+4420123456', from: '1001', fromPhone: '1001' });
    await w.clock.runFor(1 * S);

    expect(originates()).toEqual([]);
    expect(seen).toEqual([]);
    expect([w.pbx.legs.get(denied)?.hangupCause, w.pbx.legs.get(abroad)?.hangupCause]).toEqual(['rejected', 'rejected']);
    expect(w.store.cdrs.all().map((c) => [c.dialled, c.direction, c.disposition, c.hangupCause, c.agentId])).toEqual([
      ['0812345678', 'outbound', 'refused', 'forbidden-number', 'a1'],
      ['+4420123456', 'outbound', 'refused', 'forbidden-number', 'a1'],
    ]);
  });

  it("applies an agent's own policy before its group's", async () => {
    w = await simWorld(configFrom(config()));
    w.pbx.setPhone('+4420123456', { behavior: 'answer', answerAfterMs: 1000, talkMs: 5000 });

    w.pbx.placeCall({ to: '+4420123456', from: '1002', fromPhone: '1002' });
    await w.clock.runFor(30 * S);

    expect(originates()[0]?.callerId).toEqual({ number: '0999999999' });
    expect(w.pbx.calls('recordBridge')).toEqual([]);
    expect(lastCdr()).toMatchObject({ agentId: 'a2', disposition: 'answered', recording: null });
  });

  it('refuses a phone with no policy, an unknown phone, and an agent busy on a queue call, each with its cause', async () => {
    w = await simWorld(configFrom(config()));
    w.engine.loginAgent('a1');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000 });
    w.pbx.placeCall({ to: '100', from: '+33100', talkMs: 60_000 });
    await w.clock.runFor(5 * S);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('oncall');

    w.pbx.placeCall({ to: CUSTOMER, from: '1003', fromPhone: '1003' });
    w.pbx.placeCall({ to: CUSTOMER, from: '7777', fromPhone: 'stranger' });
    w.pbx.placeCall({ to: CUSTOMER, from: '1001', fromPhone: '1001' });
    await w.clock.runFor(1 * S);

    const refused = w.store.cdrs.all().filter((c) => c.disposition === 'refused');
    expect(refused.map((c) => [c.hangupCause, c.agentId])).toEqual([
      ['no-policy', 'a3'],
      ['unknown-phone', null],
      ['agent-busy', 'a1'],
    ]);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('oncall');
    expect(originates().filter((o) => o.destination.kind === 'external')).toEqual([]);
  });

  it("lets a logged-out agent's phone dial out without changing its state, and ends the call when the customer does not answer", async () => {
    w = await simWorld(configFrom(config()));
    const seen = states('a1');
    w.pbx.setPhone(CUSTOMER, { behavior: 'busy', answerAfterMs: 2000 });

    const leg = w.pbx.placeCall({ to: CUSTOMER, from: '1001', fromPhone: '1001' });
    await w.clock.runFor(10 * S);

    expect(seen).toEqual([]);
    expect(w.pbx.legs.get(leg)?.state).toBe('down');
    expect(lastCdr()).toMatchObject({ direction: 'outbound', agentId: 'a1', disposition: 'failed', hangupCause: 'busy', hangupSide: 'caller' });
  });

  it('refuses calls from phones with a CDR when the engine has no phone-call handler', async () => {
    w = await simWorld(configFrom(config()));
    const store = w.store;
    await w.engine.stop();
    const bare = new Engine({ pbx: w.pbx, clock: w.clock, log: silentLogger(), store, config: w.config });
    await bare.start();
    w.engine = bare;

    w.pbx.placeCall({ to: CUSTOMER, from: '1001', fromPhone: '1001' });
    await w.clock.runFor(1 * S);

    expect(lastCdr()).toMatchObject({ direction: 'outbound', disposition: 'refused', hangupCause: 'no-phone-policy' });
  });
});

describe('do-not-disturb across an engine restart', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());

  it('restores an agent in do-not-disturb as it was and offers it nothing', async () => {
    w = await simWorld(configFrom(config()));
    w.engine.loginAgent('a1');
    w.engine.setDnd('a1', true);
    w.engine.halt();
    const next = new Engine({ pbx: w.pbx, clock: w.clock, log: silentLogger(), store: w.store, config: w.config, phoneCall: (e, c) => startPhoneCall(e, c, silentLogger()) });
    await next.start();
    w.engine = next;
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000 });

    w.pbx.placeCall({ to: '100', from: '+33100', patienceMs: 10_000 });
    await w.clock.runFor(20 * S);

    expect(next.agentSnapshot('a1')).toMatchObject({ presence: 'ready', dnd: true });
    expect(w.pbx.calls('originate')).toEqual([]);
  });
});
