import { afterEach, describe, expect, it } from 'vitest';
import { campaignSchema, membersBody, type CampaignInput } from '../../src/dialer/campaign.js';
import { DialerService } from '../../src/dialer/dialer-service.js';
import { campaignStats } from '../../src/dialer/dialer-stats.js';
import { callEventBody } from '../../src/integrations/payloads.js';
import type { CallNotice } from '../../src/calls/hooks.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { LegId, OriginateRequest } from '../../src/pbx/port.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;
const config = () =>
  configFrom({
    numbers: [{ id: 'n', number: '100', queue: 'q' }],
    queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }] }],
    groups: [{ id: 'g' }],
    agents: [
      { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['g'] },
      { id: 'a2', phone: { type: 'sip', endpoint: '1002' }, groups: ['g'] },
    ],
  });

describe('dialer modes on the simulated PBX', () => {
  let w: SimWorld;
  let d: DialerService;
  afterEach(async () => {
    d?.stopAll();
    await w?.close();
  });

  const setup = async (campaign: Partial<CampaignInput>, members: unknown[], agents: string[] = ['a1']) => {
    w = await simWorld(config());
    d = new DialerService(w.engine, w.store.dialers, silentLogger());
    d.create(campaignSchema.parse({ id: 'd1', queue: 'q', mode: 'progressive', caller_id: '0123456789', ...campaign }));
    w.store.dialers.addMembers('d1', membersBody.parse({ items: members }).items, w.clock.now());
    for (const a of agents) w.engine.loginAgent(a);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000 });
    w.pbx.setPhone('1002', { behavior: 'answer', answerAfterMs: 1000 });
  };
  const m = (dest: string | string[], extra: Record<string, unknown> = {}) => ({ communications: (Array.isArray(dest) ? dest : [dest]).map((x, i) => ({ destination: x, priority: -i })), ...extra });
  const attempts = () => w.store.dialers.attempts('d1', { limit: 100, offset: 0 }).items;
  const members = () => w.store.dialers.members('d1', { limit: 100, offset: 0 }).items;
  const originated = () => w.pbx.calls('originate').map((c) => c.args[0] as OriginateRequest);

  it('bridges an answering customer to the free agent and stores the attempt with the agent when progressive', async () => {
    await setup({}, [m('0611111111', { variables: { crm: '42' } })]);
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 3000, talkMs: 60 * S });
    d.act('d1', 'start');
    await w.clock.runFor(120 * S);
    const [a] = attempts();
    expect(a).toMatchObject({ destination: '0611111111', outcome: 'answered', agentId: 'a1' });
    expect(a!.answeredAt).toBe(a!.startedAt + 3000);
    expect(members()[0]).toMatchObject({ state: 'done', result: 'success', attempts: 1 });
    expect(originated()[0]).toMatchObject({ destination: { kind: 'external', number: '0611111111' }, callerId: { number: '0123456789' }, variables: { USR_crm: '42', USR_dialer_member: '1', USR_dialer_attempt: '1' } });
  });

  it('sends offering and bridged with direction outbound, the dialer as queue, member and attempt, and counts the contact in the statistics', async () => {
    await setup({}, [m('0611111111')]);
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 3000, talkMs: 60 * S });
    const notices: [string, CallNotice][] = [];
    w.engine.on('call.offering', (n) => notices.push(['offering', n]));
    w.engine.on('call.bridged', (n) => notices.push(['bridged', n]));
    d.act('d1', 'start');
    await w.clock.runFor(10 * S);
    expect(notices.map(([e, n]) => callEventBody(e as 'offering' | 'bridged', n))).toEqual([
      expect.objectContaining({ event: 'offering', direction: 'outbound', queue: 'd1', member: '1', attempt: '1', agent: 'a1', cid: '0611111111' }),
      expect.objectContaining({ event: 'bridged', direction: 'outbound', queue: 'd1', member: '1', attempt: '1', agent: 'a1' }),
    ]);
    await w.clock.runFor(120 * S);
    expect(campaignStats(d, 'd1')).toMatchObject({ dialled: 1, answered: 1, abandonRate: 0, machineRate: 0, contactsPerHour: 1 });
  });

  it('retries a busy customer on the next communication after the busy delay and ends after max attempts', async () => {
    await setup({ retry_s: { busy: 60 }, max_attempts: 3 }, [m(['0611111111', '0622222222'])]);
    w.pbx.setPhone('0611111111', { behavior: 'busy', answerAfterMs: 1000 });
    w.pbx.setPhone('0622222222', { behavior: 'never' });
    d.act('d1', 'start');
    await w.clock.runFor(30 * S);
    expect(attempts().map((a) => a.outcome)).toEqual(['busy']);
    expect(members()[0]).toMatchObject({ state: 'waiting', nextComm: 1, attempts: 1 });
    await w.clock.runFor(60 * S);
    // The second number rings out (answer time-out 30 s) and is a no-answer.
    await w.clock.runFor(60 * S);
    expect(attempts().map((a) => [a.destination, a.outcome])).toEqual([['0611111111', 'busy'], ['0622222222', 'no_answer']]);
    await w.clock.runFor(20 * 60 * S);
    expect(attempts()).toHaveLength(3);
    expect(members()[0]).toMatchObject({ state: 'done', result: 'max_attempts', attempts: 3 });
  });

  it('keeps a member waiting outside its calling hours and dials it once they open', async () => {
    // The clock starts Monday 2026-11-02 08:00 UTC = 09:00 in Paris; New York is 03:00.
    await setup({ timezone: 'Europe/Paris', hours: { mon: [{ from: '09:00', to: '18:00' }] } }, [m('0611111111', { timezone: 'America/New_York' }), m('0622222222')]);
    w.pbx.setPhone('0611111111', { behavior: 'busy' });
    w.pbx.setPhone('0622222222', { behavior: 'busy' });
    d.act('d1', 'start');
    await w.clock.runFor(10 * S);
    expect(attempts().map((a) => a.destination)).toEqual(['0622222222']);
    await w.clock.advanceTo(Date.UTC(2026, 10, 2, 14, 0, 5));
    expect(attempts().map((a) => a.destination)).toContain('0611111111');
  });

  it('ends a member as expired when its expire_at passes before it is dialled', async () => {
    await setup({}, [m('0611111111', { expire_at: Date.UTC(2026, 10, 2, 7, 0, 0) })]);
    d.act('d1', 'start');
    await w.clock.runFor(5 * S);
    expect(attempts()).toHaveLength(0);
    expect(members()[0]).toMatchObject({ state: 'done', result: 'expired' });
  });

  it('does not dial a number on the campaign or global do-not-call list and ends the member', async () => {
    await setup({}, [m('0611111111'), m('0622222222')]);
    w.store.dialers.dncAdd('d1', ['0611111111'], 0);
    w.store.dialers.dncAdd('*', ['0622222222'], 0);
    d.act('d1', 'start');
    await w.clock.runFor(5 * S);
    expect(attempts().map((a) => a.outcome)).toEqual(['dnc', 'dnc']);
    expect(originated()).toHaveLength(0);
    expect(members().map((x) => x.result)).toEqual(['dnc', 'dnc']);
  });

  it('rings only the bucket\'s agent first for a bucket member', async () => {
    await setup({ buckets: { '7': 'a2' } }, [m('0611111111', { bucket: { id: '7' } })], ['a1', 'a2']);
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 2000, talkMs: 30 * S });
    d.act('d1', 'start');
    await w.clock.runFor(90 * S);
    expect(originated()[0]).toMatchObject({ destination: { kind: 'sip', endpoint: '1002' } });
    expect(originated()[1]).toMatchObject({ destination: { kind: 'external', number: '0611111111' } });
    expect(attempts()[0]).toMatchObject({ outcome: 'answered', agentId: 'a2' });
  });

  it('offers a member to a free agent in preview and dials once accepted, storing a skip with its reason', async () => {
    await setup({ mode: 'preview' }, [m('0611111111', { priority: 10 }), m('0622222222')]);
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 2000, talkMs: 30 * S });
    const offers: number[] = [];
    d.on('preview', (e) => offers.push(e.member.id));
    d.act('d1', 'start');
    await w.clock.runFor(3 * S);
    expect(offers).toEqual([1]);
    expect(originated()).toHaveLength(0);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('dialing');
    expect(d.runner('d1').skipPreview('a1', 'wrong person')).toBe(true);
    await w.clock.runFor(2 * S);
    expect(offers).toEqual([1, 2]);
    expect(d.runner('d1').acceptPreview('a1')).toBe(true);
    await w.clock.runFor(60 * S);
    expect(attempts().map((a) => [a.memberId, a.outcome, a.cause])).toEqual([[1, 'skipped', 'wrong person'], [2, 'failed', 'unreachable']]);
    expect(originated()[0]).toMatchObject({ destination: { kind: 'sip', endpoint: '1001' } });
  });

  it('offers a member in preview to one agent only when two agents are free', async () => {
    await setup({ mode: 'preview' }, [m('0611111111')], ['a1', 'a2']);
    const offers: string[] = [];
    d.on('preview', (e) => offers.push(`${e.agentId}:${e.member.id}`));
    d.act('d1', 'start');
    await w.clock.runFor(5 * S);
    expect(offers).toHaveLength(1);
  });

  it('plays the ivr prompt, stores the key pressed as the member result and uses no agent', async () => {
    await setup({ mode: 'ivr', ivr: { prompt: 'survey', timeout_s: 5 } }, [m('0611111111')], []);
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 1000, talkMs: 60 * S });
    w.pbx.onEvent((e) => {
      if (e.type === 'leg.answered') w.clock.schedule(w.clock.now() + 2000, () => w.pbx.sendDtmf(e.leg as LegId, '4'));
    });
    d.act('d1', 'start');
    await w.clock.runFor(30 * S);
    expect(attempts()[0]).toMatchObject({ outcome: 'answered', agentId: null });
    expect(members()[0]).toMatchObject({ state: 'done', result: 'ivr:4' });
    expect(w.pbx.calls('play').some((c) => (c.args[1] as string[])[0] === 'survey')).toBe(true);
  });

  it('plays the abandon message and stores an abandoned attempt when predictive finds no agent free within 2 s', async () => {
    await setup({ mode: 'predictive', retry_s: { abandoned: 600 } }, [m('0611111111'), m('0622222222'), m('0633333333')]);
    for (const n of ['0611111111', '0622222222', '0633333333']) w.pbx.setPhone(n, { behavior: 'answer', answerAfterMs: 2000, talkMs: 120 * S });
    d.act('d1', 'start');
    // The agent goes on pause while the customer dialled for it rings.
    await w.clock.runFor(1 * S);
    expect(originated()).toHaveLength(1);
    w.engine.pauseAgent('a1', 'break');
    await w.clock.runFor(60 * S);
    const outcomes = attempts().map((a) => a.outcome);
    expect(outcomes.filter((o) => o === 'abandoned').length).toBeGreaterThan(0);
    expect(attempts().find((a) => a.outcome === 'abandoned')).toMatchObject({ cause: 'no-agent' });
    expect(w.pbx.calls('play').some((c) => (c.args[1] as string[])[0] === 'dialer-abandon')).toBe(true);
  });

  it('never dials one member twice at once across random answers, busies and retries', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const list = Array.from({ length: 40 }, (_, i) => m([`06${String(10_000_000 + i * 2)}`, `06${String(10_000_001 + i * 2)}`]));
    await setup({ mode: 'predictive', retry_s: { busy: 5, no_answer: 5, failed: 5, abandoned: 5, machine: 5 }, max_attempts: 4, answer_timeout_s: 10 }, list, ['a1', 'a2']);
    for (let i = 0; i < 80; i++) {
      const r = rnd();
      w.pbx.setPhone(`06${String(10_000_000 + i)}`, r < 0.3 ? { behavior: 'answer', answerAfterMs: 1000 + rnd() * 8000, talkMs: 5000 + rnd() * 30_000 } : r < 0.6 ? { behavior: 'busy', answerAfterMs: 500 } : { behavior: 'never' });
    }
    const live = new Map<number, number>();
    let overlap = 0;
    d.on('attempt', (e) => {
      if (e.phase === 'answered') return;
      const n = (live.get(e.memberId) ?? 0) + (e.phase === 'start' ? 1 : -1);
      if (n > 1) overlap++;
      live.set(e.memberId, n);
    });
    d.act('d1', 'start');
    await w.clock.runFor(30 * 60 * S);
    expect(attempts().length).toBeGreaterThan(40);
    expect(overlap).toBe(0);
    expect(members().every((x) => x.state !== 'dialing')).toBe(true);
  });
});
