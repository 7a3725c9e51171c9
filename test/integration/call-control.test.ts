import { afterEach, describe, expect, it } from 'vitest';
import type { ControlNotice } from '../../src/calls/control/types.js';
import type { ConfigInput } from '../../src/domain/config.js';
import type { LegId } from '../../src/pbx/port.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;

/** Two queues: q (agents a1, a2, a3) and q2 (agent b1); customers call 100. */
function twoQueues(queue: Record<string, unknown> = {}): ConfigInput {
  return {
    numbers: [{ id: 'n', number: '100', queue: 'q' }],
    queues: [
      { id: 'q', groups: [{ group: 'g', priority: 1 }], wrapup_s: 10, moh_class: 'sales', ...queue },
      { id: 'q2', groups: [{ group: 'g2', priority: 1 }] },
    ],
    groups: [{ id: 'g' }, { id: 'g2' }],
    agents: [
      ...['a1', 'a2', 'a3'].map((id) => ({ id, phone: { type: 'sip' as const, endpoint: id }, groups: ['g'], auto_login: true })),
      { id: 'b1', phone: { type: 'sip', endpoint: 'b1' }, groups: ['g2'], auto_login: true },
    ],
    click_to_call: { allow: '^0[0-9]{9}$', answer_timeout_s: 30 },
  };
}

describe('agent call control on the simulated PBX', () => {
  let w: SimWorld;
  let notices: ControlNotice[];
  let states: string[];
  afterEach(async () => w?.close());

  /** A customer bridged with a1 (a2 and a3 paused so a1 takes it). */
  async function bridgedWithA1(queue: Record<string, unknown> = {}) {
    w = await simWorld(configFrom(twoQueues(queue)));
    notices = [];
    states = [];
    w.engine.on('call.control', (n) => notices.push(n));
    w.engine.on('agent.state', (e) => states.push(`${e.agentId}:${e.presence}`));
    for (const a of ['a1', 'a2', 'a3', 'b1']) w.pbx.setPhone(a, { behavior: 'answer', answerAfterMs: 1000 });
    w.engine.pauseAgent('a2', 'break');
    w.engine.pauseAgent('a3', 'break');
    const caller = w.pbx.placeCall({ to: '100', from: '5551234' });
    await w.clock.runFor(5 * S);
    const session = w.engine.sessionOfAgent('a1');
    expect(session?.state).toBe('bridged');
    return { caller, session: session! };
  }

  const legOf = (endpoint: string) => [...w.pbx.legs.values()].filter((l) => l.to === endpoint).at(-1)!;
  const presence = (id: string) => w.engine.agentSnapshot(id)?.presence;

  it('holds the customer with the queue music and sums hold time into the CDR', async () => {
    const { caller } = await bridgedWithA1();
    const bridge = w.pbx.legs.get(caller)!.bridge!;
    const ctl = w.engine.callControl('a1');

    await ctl.hold();
    expect(w.pbx.bridges.get(bridge)!.has(legOf('a1').id)).toBe(false);
    expect(w.pbx.bridgeMoh.get(bridge)).toBe('sales');
    await w.clock.runFor(20 * S);
    await ctl.unhold();
    expect(w.pbx.bridges.get(bridge)!.has(legOf('a1').id)).toBe(true);
    expect(w.pbx.bridgeMoh.has(bridge)).toBe(false);
    await w.clock.runFor(10 * S);
    w.pbx.remoteHangup(caller);
    await w.clock.runFor(S);

    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: 'a1', holdMs: 20 * S });
    expect(cdr!.segments).toEqual([expect.objectContaining({ agentId: 'a1', via: 'queue', holdMs: 20 * S })]);
    expect(notices.map((n) => n.action)).toEqual(['held', 'retrieved']);
    expect(presence('a1')).toBe('wrapup');
  });

  it('refuses to hold twice or to retrieve a call not on hold, and the call goes on', async () => {
    await bridgedWithA1();
    const ctl = w.engine.callControl('a1');
    await expect(ctl.unhold()).rejects.toMatchObject({ code: 'INVALID_CALL_STATE' });
    await ctl.hold();
    await expect(ctl.hold()).rejects.toMatchObject({ code: 'INVALID_CALL_STATE' });
    expect(() => w.engine.callControl('a2')).toThrow(expect.objectContaining({ code: 'NO_ACTIVE_CALL' }));
  });

  it('transfers blind to another agent: offered like any offer, the first agent to wrap-up, one bridge throughout', async () => {
    const { caller } = await bridgedWithA1();
    const bridge = w.pbx.legs.get(caller)!.bridge!;
    w.engine.unpauseAgent('a2');
    const a1Leg = legOf('a1').id;

    await w.engine.callControl('a1').transfer({ agentId: 'a2' });
    expect(presence('a1')).toBe('wrapup');
    expect(presence('a2')).toBe('ringing');
    expect(w.pbx.bridgeMoh.get(bridge)).toBe('sales');
    await w.clock.runFor(3 * S);
    expect(presence('a2')).toBe('oncall');
    expect(w.pbx.legs.get(a1Leg)!.state).toBe('down');
    expect(w.pbx.legs.get(caller)!.bridge).toBe(bridge);
    expect(w.pbx.bridges.get(bridge)!.has(legOf('a2').id)).toBe(true);
    expect(w.engine.sessionOfAgent('a2')?.callId).toBe(w.engine.sessionOfAgent('a2')?.callId);
    await w.clock.runFor(30 * S);
    w.pbx.remoteHangup(caller);
    await w.clock.runFor(S);

    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: 'a1' });
    expect(cdr!.segments.map((s) => [s.agentId, s.via])).toEqual([['a1', 'queue'], ['a2', 'blind']]);
    expect(cdr!.segments[0]!.endedAt).toBe(cdr!.segments[1]!.startedAt - 1000);
    const log = w.store.queueLog.list({ callId: cdr!.callId }).map((e) => `${e.event}:${e.agentId ?? ''}`);
    expect(log).toContain('BLINDTRANSFER:a1');
    expect(log.filter((e) => e.startsWith('CONNECT'))).toEqual(['CONNECT:a1', 'CONNECT:a2']);
    expect(states).toContain('a2:ringing');
  });

  it('refuses a transfer to an unknown or busy agent, or a forbidden number, and the call goes on untouched', async () => {
    const { caller } = await bridgedWithA1();
    const bridge = w.pbx.legs.get(caller)!.bridge!;
    const ctl = w.engine.callControl('a1');
    await expect(ctl.transfer({ agentId: 'nobody' })).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    await expect(ctl.transfer({ agentId: 'a2' })).rejects.toMatchObject({ code: 'AGENT_NOT_AVAILABLE' });
    await expect(ctl.transfer({ queueId: 'nowhere' })).rejects.toMatchObject({ code: 'QUEUE_NOT_FOUND' });
    await expect(ctl.transfer({ number: '+4420' })).rejects.toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
    expect(w.pbx.bridges.get(bridge)!.has(legOf('a1').id)).toBe(true);
    expect(presence('a1')).toBe('oncall');
    expect(w.pbx.calls('removeFromBridge')).toHaveLength(0);
  });

  it('puts the caller back in its queue when the blind-transfer agent does not answer', async () => {
    const { caller } = await bridgedWithA1({ answer_timeout_s: 5 });
    w.pbx.setPhone('a2', { behavior: 'never' });
    w.engine.unpauseAgent('a2');
    await w.engine.callControl('a1').transfer({ agentId: 'a2' });
    w.engine.unpauseAgent('a3');
    await w.clock.runFor(10 * S);
    expect(presence('a3')).toBe('oncall');
    w.pbx.remoteHangup(caller);
    await w.clock.runFor(S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr!.segments.map((s) => [s.agentId, s.via])).toEqual([['a1', 'queue'], ['a3', 'blind']]);
  });

  it('transfers blind to another queue: priority kept, a new wait there, the next agent in a new bridge', async () => {
    const { caller } = await bridgedWithA1();
    await w.engine.callControl('a1').transfer({ queueId: 'q2' });
    await w.clock.runFor(5 * S);
    expect(presence('b1')).toBe('oncall');
    expect(presence('a1')).toBe('wrapup');
    w.pbx.remoteHangup(caller);
    await w.clock.runFor(S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: 'a1', queueId: 'q2' });
    expect(cdr!.segments.map((s) => [s.agentId, s.queueId, s.via])).toEqual([['a1', 'q', 'queue'], ['b1', 'q2', 'blind']]);
    const log = w.store.queueLog.list({ callId: cdr!.callId }).map((e) => `${e.queueId}:${e.event}`);
    expect(log).toEqual(expect.arrayContaining(['q:BLINDTRANSFER', 'q2:ENTERQUEUE', 'q2:CONNECT']));
  });

  it('transfers blind to an outside number through the trunk and ends when that party hangs up', async () => {
    await bridgedWithA1();
    w.pbx.setPhone('0612345678', { behavior: 'answer', answerAfterMs: 2000 });
    await w.engine.callControl('a1').transfer({ number: '0612345678' });
    await w.clock.runFor(5 * S);
    const out = legOf('0612345678');
    expect(out.state).toBe('up');
    expect(out.from).toBe('100');
    expect(presence('a1')).toBe('wrapup');
    w.pbx.remoteHangup(out.id);
    await w.clock.runFor(S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ disposition: 'answered', hangupSide: 'agent' });
    expect(cdr!.segments.map((s) => [s.agentId, s.number, s.via])).toEqual([['a1', null, 'queue'], [null, '0612345678', 'blind']]);
  });

  it('consults an agent with the customer on hold, then completes: the consulted agent owns the call', async () => {
    const { caller } = await bridgedWithA1();
    const bridge = w.pbx.legs.get(caller)!.bridge!;
    w.engine.unpauseAgent('a2');
    const ctl = w.engine.callControl('a1');
    await ctl.consult({ agentId: 'a2' });
    expect(presence('a2')).toBe('ringing');
    expect(w.pbx.bridgeMoh.get(bridge)).toBe('sales');
    await w.clock.runFor(3 * S);
    expect(presence('a2')).toBe('oncall');
    const a1 = legOf('a1');
    const a2 = legOf('a2');
    expect(a1.bridge).toBe(a2.bridge);
    expect(a1.bridge).not.toBe(bridge);
    await w.clock.runFor(10 * S);
    await ctl.complete();
    await w.clock.runFor(S);
    expect(presence('a1')).toBe('wrapup');
    expect(presence('a2')).toBe('oncall');
    expect(w.engine.sessionOfAgent('a2')).toBeDefined();
    expect(w.pbx.bridges.get(bridge)!.has(a2.id)).toBe(true);
    expect(a1.state).toBe('down');
    await w.clock.runFor(20 * S);
    w.pbx.remoteHangup(a2.id);
    await w.clock.runFor(S);

    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ disposition: 'answered', hangupSide: 'agent' });
    expect(cdr!.holdMs).toBeGreaterThanOrEqual(13 * S);
    expect(cdr!.segments.map((s) => [s.agentId, s.via])).toEqual([['a1', 'queue'], ['a2', 'attended']]);
    expect(w.store.queueLog.list({ callId: cdr!.callId }).map((e) => e.event)).toContain('ATTENDEDTRANSFER');
    expect(notices.map((n) => n.action)).toEqual(['held', 'consult-started', 'consult-answered', 'transferred']);
    await w.clock.runFor(15 * S);
    expect(presence('a2')).toBe('ready');
  });

  it('swaps between the customer and the consulted party, then cancels: the agent is back with the customer', async () => {
    const { caller } = await bridgedWithA1();
    const bridge = w.pbx.legs.get(caller)!.bridge!;
    w.engine.unpauseAgent('a2');
    const ctl = w.engine.callControl('a1');
    await ctl.consult({ agentId: 'a2' });
    await w.clock.runFor(3 * S);
    await ctl.swap();
    expect(legOf('a1').bridge).toBe(bridge);
    expect(w.pbx.bridgeMoh.has(bridge)).toBe(false);
    await ctl.swap();
    expect(legOf('a1').bridge).not.toBe(bridge);
    await ctl.cancelConsult();
    await w.clock.runFor(S);
    expect(legOf('a1').bridge).toBe(bridge);
    expect(legOf('a2').state).toBe('down');
    expect(presence('a2')).toBe('ready');
    expect(presence('a1')).toBe('oncall');
    expect(w.engine.callControl('a1').onHold).toBe(false);
  });

  it('tells the agent when the consulted agent does not answer and takes it back to the customer', async () => {
    const { caller } = await bridgedWithA1();
    const bridge = w.pbx.legs.get(caller)!.bridge!;
    w.pbx.setPhone('a2', { behavior: 'busy', answerAfterMs: 500 });
    w.engine.unpauseAgent('a2');
    await w.engine.callControl('a1').consult({ agentId: 'a2' });
    await w.clock.runFor(2 * S);
    expect(notices.map((n) => n.action)).toContain('consult-failed');
    expect(legOf('a1').bridge).toBe(bridge);
    expect(presence('a2')).toBe('ready');
  });

  it('transfers attended to an outside number', async () => {
    const { caller } = await bridgedWithA1();
    w.pbx.setPhone('0698765432', { behavior: 'answer', answerAfterMs: 1000 });
    const ctl = w.engine.callControl('a1');
    await ctl.consult({ number: '0698765432' });
    await w.clock.runFor(3 * S);
    await ctl.complete();
    await w.clock.runFor(S);
    const out = legOf('0698765432');
    expect(w.pbx.legs.get(caller)!.bridge).toBe(out.bridge);
    expect(presence('a1')).toBe('wrapup');
    w.pbx.remoteHangup(caller);
    await w.clock.runFor(S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr!.segments.map((s) => [s.agentId, s.number, s.via])).toEqual([['a1', null, 'queue'], [null, '0698765432', 'attended']]);
    expect(out.state).toBe('down');
  });

  it('adds a third party in conference and drops it; the agent hanging up hands the call to a conference party', async () => {
    const { caller } = await bridgedWithA1();
    const bridge = w.pbx.legs.get(caller)!.bridge!;
    w.engine.unpauseAgent('a2');
    const ctl = w.engine.callControl('a1');
    await ctl.conference({ agentId: 'a2' });
    await w.clock.runFor(3 * S);
    expect(w.pbx.bridges.get(bridge)!.size).toBe(3);
    await ctl.dropConference();
    await w.clock.runFor(S);
    expect(w.pbx.bridges.get(bridge)!.size).toBe(2);
    expect(presence('a2')).toBe('ready');

    await ctl.conference({ agentId: 'a2' });
    await w.clock.runFor(3 * S);
    w.pbx.remoteHangup(legOf('a1').id);
    await w.clock.runFor(S);
    expect(presence('a2')).toBe('oncall');
    expect(w.pbx.legs.get(caller)!.state).toBe('up');
    w.pbx.remoteHangup(caller);
    await w.clock.runFor(S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr!.segments.map((s) => [s.agentId, s.via])).toEqual([['a1', 'queue'], ['a2', 'conference']]);
  });

  it('ends consult legs and frees the consulted agent when the customer hangs up mid-consult', async () => {
    const { caller } = await bridgedWithA1();
    w.engine.unpauseAgent('a2');
    await w.engine.callControl('a1').consult({ agentId: 'a2' });
    await w.clock.runFor(3 * S);
    w.pbx.remoteHangup(caller as LegId);
    await w.clock.runFor(S);
    expect(legOf('a2').state).toBe('down');
    expect(presence('a2')).toBe('ready');
    expect(presence('a1')).toBe('wrapup');
    expect(w.store.cdrs.all()).toHaveLength(1);
  });
});
