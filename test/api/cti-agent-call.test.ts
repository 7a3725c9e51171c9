import { afterEach, describe, expect, it } from 'vitest';
import { agentCallEnded, splitIvrPath } from '../../src/api/cti/agent-call.js';
import { cdrStart } from '../../src/domain/cdr.js';
import { ctiWorld, type CtiWorld } from '../support/cti-world.js';
import { exampleConfig } from '../support/sim-world.js';

describe('CTI AgentCall (the call card)', () => {
  let w: CtiWorld;
  afterEach(async () => w?.close());

  const placeEnglishSalesCall = () => w.pbx.placeCall({ to: '1000', from: '+15550777', keys: [{ afterMs: 500, digit: '1' }, { afterMs: 2500, digit: '1' }] });
  async function runUntil(pred: () => boolean, maxMs = 60_000): Promise<void> {
    for (let t = 0; t < maxMs && !pred(); t += 250) await w.clock.runFor(250);
  }

  it('gives the agent the caller, number dialled, IVR path, queue, wait and wrap-up when a call rings, connects and ends', async () => {
    // Arrange: only Alice (1001) serves Queue 1.
    const config = exampleConfig();
    w = await ctiWorld({ ...config, agents: config.agents.map((a) => ({ ...a, auto_login: a.id === '1001' })) });
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2000, talkMs: 4000 });
    const alice = await w.connect(await w.session('alice', 'agent', { agentId: '1001' }));
    const bob = await w.connect(await w.session('bob', 'agent', { agentId: '1003' }));

    // Act
    placeEnglishSalesCall();
    await runUntil(() => w.engine.agentSnapshot('1001')?.presence === 'wrapup');

    // Assert
    const cards = alice.messages.filter((m) => m.msgType === 'AgentCall').map((m) => m.ctiMessage);
    expect(cards.map((c) => c.phase)).toEqual(['ringing', 'connected', 'ended']);
    expect(cards[0]).toMatchObject({ agentId: '1001', from: '+15550777', dialled: '1000', queueId: 'q1', wrapupS: 10 });
    expect(cards[0]!.ivrPath).toEqual(['lang:1', 'english:1']);
    expect(cards[0]!.waitS).toEqual(expect.any(Number));
    expect(cards[2]).toMatchObject({ phase: 'ended', ivrPath: ['lang:1', 'english:1'] });
    expect(bob.messages.some((m) => m.msgType === 'AgentCall')).toBe(false);
  });

  it('sends the card of a call in progress after the Snapshot when a desktop connects during the call', async () => {
    const config = exampleConfig();
    w = await ctiWorld({ ...config, agents: config.agents.map((a) => ({ ...a, auto_login: a.id === '1001' })) });
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000, talkMs: 60_000 });
    placeEnglishSalesCall();
    await runUntil(() => w.engine.agentSnapshot('1001')?.presence === 'oncall');

    const alice = await w.connect(await w.session('alice', 'agent', { agentId: '1001' }));
    const card = await alice.next((m) => m.msgType === 'AgentCall');

    expect(alice.messages.map((m) => m.msgType).slice(0, 3)).toEqual(['RightProfile', 'Snapshot', 'AgentCall']);
    expect(card.ctiMessage).toMatchObject({ phase: 'connected', from: '+15550777', queueId: 'q1', ivrPath: ['lang:1', 'english:1'] });
  });
});

describe('agentCallEnded', () => {
  it('says nothing when the call never reached an agent', () => {
    const cdr = { ...cdrStart({ callId: 'c1', legId: 'l1', direction: 'inbound', numberId: null, dialled: '1000', caller: '+1', callerName: null, startedAt: 0 }), endedAt: 5, disposition: 'abandoned' as const };
    expect(agentCallEnded(cdr, 10)).toBeUndefined();
  });

  it.each([
    [null, []],
    ['', []],
    ['lang:2>spanish:1', ['lang:2', 'spanish:1']],
  ])('splits the IVR path %j into steps', (path, steps) => {
    expect(splitIvrPath(path)).toEqual(steps);
  });
});
