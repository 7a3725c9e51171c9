import { afterEach, describe, expect, it } from 'vitest';
import { campaignSchema, membersBody, type CampaignInput } from '../../src/dialer/campaign.js';
import { DialerService } from '../../src/dialer/dialer-service.js';
import { silentLogger } from '../../src/infra/logger.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;
const config = () =>
  configFrom({
    numbers: [{ id: 'n', number: '100', queue: 'q' }],
    queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }] }],
    groups: [{ id: 'g' }],
    agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['g'] }],
  });

describe('dialer answering-machine detection and attempt CDRs on the simulated PBX', () => {
  let w: SimWorld;
  let d: DialerService;
  afterEach(async () => {
    d?.stopAll();
    await w?.close();
  });

  const setup = async (campaign: Partial<CampaignInput>, destinations: string[]) => {
    w = await simWorld(config());
    d = new DialerService(w.engine, w.store.dialers, silentLogger());
    d.create(campaignSchema.parse({ id: 'd1', queue: 'q', mode: 'progressive', caller_id: '0123456789', max_concurrent: 1, ...campaign }));
    w.store.dialers.addMembers('d1', membersBody.parse({ items: destinations.map((x) => ({ communications: [{ destination: x }], variables: { crm: x.slice(-2) } })) }).items, w.clock.now());
    w.engine.loginAgent('a1');
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000 });
  };
  const attempts = () => w.store.dialers.attempts('d1', { limit: 100, offset: 0 }).items;
  const members = () => w.store.dialers.members('d1', { limit: 100, offset: 0 }).items;
  const plays = () => w.pbx.calls('play').map((c) => (c.args[1] as string[])[0]);
  const cdrsOf = (callId: string) => w.store.cdrs.all().filter((c) => c.callId === callId);

  it('leaves the message on a machine, hangs up and retries after the machine delay when AMD is on with on_machine message', async () => {
    await setup({ amd: { on_machine: 'message', message: 'dialer-voicemail' }, retry_s: { machine: 1800 } }, ['0611111111']);
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 2000, talkMs: 60 * S, amd: { status: 'MACHINE', cause: 'MAXWORDS-4-3', afterMs: 2500 } });
    d.act('d1', 'start');
    await w.clock.runFor(30 * S);
    const [a] = attempts();
    expect(a).toMatchObject({ outcome: 'machine', cause: 'message-left', amd: 'MACHINE:MAXWORDS-4-3', agentId: null });
    expect(plays()).toEqual(['dialer-voicemail']);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('ready');
    expect(members()[0]).toMatchObject({ state: 'waiting', attempts: 1, nextAt: a!.endedAt! + 1800 * S });
    expect(cdrsOf(a!.callId)).toEqual([expect.objectContaining({ direction: 'outbound', queueId: 'd1', disposition: 'machine', dialled: '0611111111', agentId: null })]);
  });

  it('hangs up on a machine without a message when on_machine is hangup', async () => {
    await setup({ amd: { on_machine: 'hangup' } }, ['0611111111']);
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 2000, talkMs: 60 * S, amd: { status: 'MACHINE' } });
    d.act('d1', 'start');
    await w.clock.runFor(30 * S);
    expect(attempts()[0]).toMatchObject({ outcome: 'machine', cause: 'hangup', amd: 'MACHINE:LONGGREETING-1500-1500' });
    expect(plays()).toEqual([]);
  });

  it('connects a person to the agent after detection and stores HUMAN with the attempt', async () => {
    await setup({ amd: {} }, ['0611111111']);
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 2000, talkMs: 20 * S, amd: { status: 'HUMAN', afterMs: 1800 } });
    d.act('d1', 'start');
    await w.clock.runFor(60 * S);
    const [a] = attempts();
    expect(a).toMatchObject({ outcome: 'answered', agentId: 'a1', amd: 'HUMAN:HUMAN-800-800' });
    // The session's CDR is the attempt's only CDR.
    expect(cdrsOf(a!.callId)).toEqual([expect.objectContaining({ direction: 'outbound', disposition: 'answered', agentId: 'a1' })]);
  });

  it('does not run detection and stores no AMD result when the campaign has no amd section', async () => {
    await setup({}, ['0611111111']);
    w.pbx.setPhone('0611111111', { behavior: 'answer', answerAfterMs: 2000, talkMs: 20 * S, amd: { status: 'MACHINE' } });
    d.act('d1', 'start');
    await w.clock.runFor(60 * S);
    expect(w.pbx.calls('detectMachine')).toHaveLength(0);
    expect(attempts()[0]).toMatchObject({ outcome: 'answered', amd: null });
  });

  it('writes one CDR per attempt that reached no session, with the dialer as queue, the ids and a disposition matching the outcome', async () => {
    await setup({ max_attempts: 1 }, ['0611111111', '0622222222', '0633333333', '0644444444']);
    w.pbx.setPhone('0611111111', { behavior: 'busy', answerAfterMs: 500 });
    w.pbx.setPhone('0622222222', { behavior: 'never' });
    w.store.dialers.dncAdd('d1', ['0644444444'], 0);
    // 0633333333 has no phone: the call fails (unreachable).
    const ended: string[] = [];
    w.engine.on('call.ended', (cdr) => ended.push(cdr.callId));
    d.act('d1', 'start');
    await w.clock.runFor(120 * S);
    const byDest = new Map(attempts().map((a) => [a.destination, a]));
    expect([...byDest.values()].map((a) => a.outcome).sort()).toEqual(['busy', 'dnc', 'failed', 'no_answer']);
    for (const [dest, disposition] of [['0611111111', 'busy'], ['0622222222', 'no-answer'], ['0633333333', 'failed'], ['0644444444', 'do-not-call']] as const) {
      const a = byDest.get(dest)!;
      const cdrs = cdrsOf(a.callId);
      expect(cdrs, dest).toHaveLength(1);
      expect(cdrs[0]).toMatchObject({
        direction: 'outbound', queueId: 'd1', dialled: dest, caller: '0123456789', disposition, startedAt: a.startedAt, endedAt: a.endedAt, connectedAt: null,
        variables: { USR_dialer_id: 'd1', USR_dialer_member: String(a.memberId), USR_dialer_attempt: String(a.id), USR_crm: dest.slice(-2) },
      });
      expect(ended).toContain(a.callId);
    }
    expect(cdrsOf(byDest.get('0611111111')!.callId)[0]!.hangupCause).toBe('busy');
    expect(w.store.cdrs.all()).toHaveLength(4);
  });

  it('writes an abandoned CDR for a predictive customer no agent was free for', async () => {
    await setup({ mode: 'predictive', max_concurrent: 3 }, ['0611111111', '0622222222', '0633333333']);
    for (const n of ['0611111111', '0622222222', '0633333333']) w.pbx.setPhone(n, { behavior: 'answer', answerAfterMs: 2000, talkMs: 120 * S });
    d.act('d1', 'start');
    // The agent goes on pause while the customer dialled for it rings.
    await w.clock.runFor(1 * S);
    w.engine.pauseAgent('a1', 'break');
    await w.clock.runFor(60 * S);
    const abandoned = attempts().find((a) => a.outcome === 'abandoned');
    expect(abandoned).toBeDefined();
    expect(cdrsOf(abandoned!.callId)).toEqual([expect.objectContaining({ disposition: 'abandoned', queueId: 'd1', hangupCause: 'no-agent', answeredAt: abandoned!.answeredAt })]);
    // Every attempt has exactly one CDR.
    for (const a of attempts()) expect(cdrsOf(a.callId), a.destination).toHaveLength(1);
  });
});
