import { afterEach, describe, expect, it } from 'vitest';
import type { CallHooks } from '../../src/calls/hooks.js';
import type { ConfigInput } from '../../src/domain/config.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;

const base = (queue: Record<string, unknown> = {}): ConfigInput => ({
  numbers: [
    { id: 'ivr', number: '100', enable_ivr: true, ivr: 'm' },
    { id: 'direct', number: '200', queue: 'sales' },
  ],
  ivrs: [{ id: 'm', root: 'top', nodes: [{ id: 'top', prompts: { default: ['menu'] }, keys: { '1': { action: 'queue', queue: 'sales' } } }] }],
  queues: [
    { id: 'sales', groups: [{ group: 'g', priority: 1 }], ...queue },
    { id: 'vip', groups: [{ group: 'g', priority: 1 }] },
  ],
  groups: [{ id: 'g' }],
  agents: ['a', 'b', 'c'].map((id) => ({ id, phone: { type: 'sip', endpoint: id }, groups: ['g'], auto_login: true })),
  webhooks: { timeout_ms: 1500 },
});

describe('CRM hooks on the simulated PBX', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());

  it('lets a lookup send a caller straight to a queue with a preferred agent and variables', async () => {
    const hooks: CallHooks = { lookup: async (req) => (req.from === '+vip' ? { queueId: 'vip', agentId: 'c', priority: 9, variables: { tier: 'gold' } } : undefined) };
    w = await simWorld(configFrom(base()), { hooks });
    for (const a of ['a', 'b', 'c']) w.pbx.setPhone(a, { behavior: 'answer', answerAfterMs: 1000, talkMs: 10_000 });
    w.pbx.placeCall({ to: '100', from: '+vip' });
    await w.clock.runFor(60 * S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ queueId: 'vip', agentId: 'c', ivrPath: null, variables: { tier: 'gold' } });
    expect(w.store.queueLog.list({ callId: cdr!.callId })[0]).toMatchObject({ event: 'ENTERQUEUE', queueId: 'vip' });
  });

  it('routes normally when the lookup does not answer in time', async () => {
    const hooks: CallHooks = { lookup: (_req, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))) };
    w = await simWorld(configFrom(base()), { hooks });
    w.pbx.setPhone('a', { behavior: 'answer', answerAfterMs: 1000, talkMs: 10_000 });
    const t0 = w.clock.now();
    w.pbx.placeCall({ to: '200', from: '+1' });
    await w.clock.runFor(60 * S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ queueId: 'sales', agentId: 'a', disposition: 'answered' });
    // The 1.5 s deadline bounds the wait: queued 1.5 s after arrival.
    expect(cdr!.enqueuedAt! - t0).toBe(1500);
  });

  it('rings only the agents of a custom list, in its order, with its time-outs and destinations', async () => {
    const seen: string[][] = [];
    const hooks: CallHooks = {
      agentList: async (queue, calls) => {
        seen.push(calls.map((c) => c.callId));
        return new Map(calls.map((c) => [c.callId, [
          { agentId: 'c', routingType: 1 as const, answerTimeoutMs: 5000 },
          { agentId: 'b', routingType: 2 as const, phoneNumber: '15550002', answerTimeoutMs: 8000 },
        ]]));
      },
    };
    w = await simWorld(configFrom(base({ agent_list_url: 'http://127.0.0.1:9/list' })), { hooks });
    w.pbx.setPhone('c', { behavior: 'never' });
    w.pbx.setPhone('15550002', { behavior: 'answer', answerAfterMs: 2000, talkMs: 10_000 });
    w.pbx.placeCall({ to: '200', from: '+1' });
    await w.clock.runFor(60 * S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ agentId: 'b', disposition: 'answered' });
    expect(seen).toEqual([[cdr!.callId]]);
    const originates = w.pbx.calls('originate').map((c) => (c.args[0] as { destination: unknown }).destination);
    expect(originates).toEqual([
      { kind: 'sip', endpoint: 'c' },
      { kind: 'external', number: '15550002' },
    ]);
    const log = w.store.queueLog.list({ callId: cdr!.callId });
    expect(log.find((e) => e.event === 'RINGNOANSWER')).toMatchObject({ agentId: 'c', data: { ringtime: 5000 } });
    // Agent a (longest idle, not listed) never rang.
    expect(w.pbx.calls('originate').some((c) => (c.args[0] as { destination: { endpoint?: string } }).destination.endpoint === 'a')).toBe(false);
  });

  it('falls back to normal routing when the agent list is garbage or late', async () => {
    const hooks: CallHooks = { agentList: async () => undefined };
    w = await simWorld(configFrom(base({ agent_list_url: 'http://127.0.0.1:9/list' })), { hooks });
    w.pbx.setPhone('a', { behavior: 'answer', answerAfterMs: 1000, talkMs: 10_000 });
    w.pbx.placeCall({ to: '200', from: '+1' });
    await w.clock.runFor(60 * S);
    expect(w.store.cdrs.all()[0]).toMatchObject({ agentId: 'a', disposition: 'answered', waitMs: 1000 });
  });

  it('emits offering and bridged notices with the call, queue, agent and caller', async () => {
    w = await simWorld(configFrom(base()));
    const notices: string[] = [];
    w.engine.on('call.offering', (n) => notices.push(`offering:${n.queueId}:${n.agentId}:${n.cid}:${n.direction}`));
    w.engine.on('call.bridged', (n) => notices.push(`bridged:${n.queueId}:${n.agentId}:${n.cid}`));
    w.pbx.setPhone('a', { behavior: 'answer', answerAfterMs: 1000, talkMs: 10_000 });
    w.pbx.placeCall({ to: '200', from: '+1' });
    await w.clock.runFor(60 * S);
    expect(notices).toEqual(['offering:sales:a:+1:inbound', 'bridged:sales:a:+1']);
  });
});
