/**
 * A progressive dialer campaign on a real Asterisk: the customers are SIPp UAS on the trunk (one
 * at a time, the campaign paused between them), the agent a SIPp phone. One customer answers and
 * is bridged to the agent, one answers 486 busy and is retried, one never answers; every attempt
 * is checked in the store, with its CDR. With answering-machine detection on, customers that
 * speak (synthesized greetings, test/asterisk/speaking-customer.ts) go through app_amd's dialplan
 * hop: a person saying "Hello?" is bridged to the agent, a machine's greeting gets the message.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { campaignSchema, membersBody } from '../../src/dialer/campaign.js';
import { DialerService } from '../../src/dialer/dialer-service.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startTrunkPeer, type SippProcess } from './harness.js';
import { HUMAN_GREETINGS, MACHINE_GREETINGS, startSpeakingCustomer } from './speaking-customer.js';
import { referenceConfig, skipReason, useEngineWorld, type EngineWorld } from './engine-world.js';

describe.skipIf(skipReason !== undefined)(`engine on a real Asterisk: dialer campaign${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const world = useEngineWorld();
  let w: EngineWorld;
  beforeEach(() => {
    w = world();
  });

  it('bridges the answering customer to the agent, retries the busy one and records the one that never answers', async () => {
    await w.beginTest(referenceConfig());
    w.engine.pauseAgent('1002', 'not in this test');
    await w.phone('1001', { kind: 'talk', ringMs: 200, talkMs: 2000 });
    await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'agent reachable', 5000);
    const d = new DialerService(w.engine, w.store.dialers, silentLogger());
    d.create(campaignSchema.parse({ id: 'camp', queue: 'q1', mode: 'progressive', caller_id: '0199887766', max_concurrent: 1, answer_timeout_s: 5, retry_s: { busy: 15 }, max_attempts: 3 }));
    w.store.dialers.addMembers('camp', membersBody.parse({ items: [
      { name: 'answers', priority: 3, communications: [{ destination: '0611111111' }], variables: { crm: '7' } },
      { name: 'busy', priority: 2, communications: [{ destination: '0622222222' }] },
      { name: 'never', priority: 1, communications: [{ destination: '0633333333' }] },
    ] }).items, Date.now());
    // One trunk peer at a time: the campaign pauses as soon as an attempt ends.
    let ended = 0;
    d.on('attempt', (e) => {
      if (e.phase !== 'end') return;
      ended++;
      d.act('camp', 'pause');
    });
    const step = async (peer: Promise<SippProcess>, n: number, first = false) => {
      const p = await peer;
      d.act('camp', first ? 'start' : 'resume');
      await w.until(() => ended >= n, `attempt ${n} ended`, 30_000);
      return p;
    };
    const attempts = () => w.store.dialers.attempts('camp', { limit: 10, offset: 0 }).items;

    const answering = await step(startTrunkPeer(w.asterisk, 'answer', { answerAfterMs: 300 }), 1, true);
    expect(attempts()[0]).toMatchObject({ destination: '0611111111', outcome: 'answered', agentId: '1001' });
    expect((await answering.done).code).toBe(0);
    const cdr = w.cdrs.find((c) => c.callId === attempts()[0]!.callId);
    expect(cdr).toMatchObject({ direction: 'outbound', agentId: '1001', disposition: 'answered', variables: { USR_crm: '7', USR_dialer_id: 'camp' } });

    await w.until(() => w.engine.agentSnapshot('1001')?.presence === 'ready', 'agent ready again', 10_000);
    await step(startTrunkPeer(w.asterisk, 'busy'), 2);
    expect(attempts()[1]).toMatchObject({ destination: '0622222222', outcome: 'busy', cause: 'busy' });

    await step(startTrunkPeer(w.asterisk, 'never', { timeoutMs: 20_000 }), 3);
    expect(attempts()[2]).toMatchObject({ destination: '0633333333', outcome: 'no_answer' });
    // The attempts that reached no call session have their own CDR, written with the attempt's end.
    for (const [a, disposition] of [[attempts()[1]!, 'busy'], [attempts()[2]!, 'no-answer']] as const) {
      const own = w.cdrs.filter((c) => c.callId === a.callId);
      expect(own).toHaveLength(1);
      expect(own[0]).toMatchObject({ direction: 'outbound', queueId: 'camp', disposition, dialled: a.destination, variables: { USR_dialer_attempt: String(a.id), USR_dialer_member: String(a.memberId) } });
      expect(w.store.cdrs.get(a.callId)).toMatchObject({ disposition });
    }

    // The busy member is due again 15 s after its attempt: retried, busy again.
    await step(startTrunkPeer(w.asterisk, 'busy'), 4);
    expect(attempts()[3]).toMatchObject({ destination: '0622222222', outcome: 'busy', memberId: attempts()[1]!.memberId });
    const members = w.store.dialers.members('camp', { limit: 10, offset: 0 }).items;
    expect(members.map((m) => [m.name, m.state, m.result, m.attempts])).toEqual([['answers', 'done', 'success', 1], ['busy', 'waiting', null, 2], ['never', 'waiting', null, 1]]);
    d.stopAll();
  }, 120_000);

  it('bridges a person who says hello to the agent and leaves the message on an answering machine when AMD is on', async () => {
    await w.beginTest(referenceConfig());
    w.engine.pauseAgent('1002', 'not in this test');
    await w.phone('1001', { kind: 'talk', ringMs: 200, talkMs: 2000 });
    await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'agent reachable', 5000);
    const d = new DialerService(w.engine, w.store.dialers, silentLogger());
    d.create(campaignSchema.parse({ id: 'amd', queue: 'q1', mode: 'progressive', caller_id: '0199887766', max_concurrent: 1, answer_timeout_s: 10, max_attempts: 2, amd: { on_machine: 'message', message: 'vm-goodbye' } }));
    w.store.dialers.addMembers('amd', membersBody.parse({ items: [
      { name: 'person', priority: 2, communications: [{ destination: '0644444444' }] },
      { name: 'machine', priority: 1, communications: [{ destination: '0655555555' }] },
    ] }).items, Date.now());
    let ended = 0;
    d.on('attempt', (e) => {
      if (e.phase !== 'end') return;
      ended++;
      d.act('amd', 'pause');
    });
    const attempts = () => w.store.dialers.attempts('amd', { limit: 10, offset: 0 }).items;

    const person = await startSpeakingCustomer(w.asterisk, HUMAN_GREETINGS[0]!, { ringMs: 300 });
    d.act('amd', 'start');
    await w.until(() => ended >= 1, 'person attempt ended', 40_000);
    expect(attempts()[0]).toMatchObject({ destination: '0644444444', outcome: 'answered', agentId: '1001', amd: expect.stringMatching(/^HUMAN:/) });
    expect((await person.done).code).toBe(0);

    await w.until(() => w.engine.agentSnapshot('1001')?.presence === 'ready', 'agent ready again', 10_000);
    const machine = await startSpeakingCustomer(w.asterisk, MACHINE_GREETINGS[0]!, { ringMs: 300 });
    d.act('amd', 'resume');
    await w.until(() => ended >= 2, 'machine attempt ended', 40_000);
    expect(attempts()[1]).toMatchObject({ destination: '0655555555', outcome: 'machine', cause: 'message-left', agentId: null, amd: expect.stringMatching(/^MACHINE:/) });
    expect((await machine.done).code).toBe(0);
    expect(w.cdrs.filter((c) => c.callId === attempts()[1]!.callId)).toEqual([expect.objectContaining({ direction: 'outbound', queueId: 'amd', disposition: 'machine' })]);
    // The agent never heard the machine.
    expect(w.cdrs.filter((c) => c.agentId === '1001')).toHaveLength(1);
    expect(w.store.dialers.members('amd', { limit: 10, offset: 0 }).items.map((m) => [m.name, m.state, m.result])).toEqual([['person', 'done', 'success'], ['machine', 'waiting', null]]);
    d.stopAll();
  }, 120_000);
});
