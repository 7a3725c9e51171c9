import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;

/** One number straight to one queue, agents on SIP phones named after them. */
function oneQueue(agents: string[], queue: Record<string, unknown> = {}, extra: Partial<ConfigInput> = {}): ConfigInput {
  return {
    numbers: [{ id: 'n', number: '100', queue: 'q' }],
    queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }], ...queue }],
    groups: [{ id: 'g' }],
    agents: agents.map((id) => ({ id, phone: { type: 'sip', endpoint: id }, groups: ['g'], auto_login: true })),
    ...extra,
  };
}

describe('queues on the simulated PBX', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());

  it('serves 20 callers with 3 agents first come, first served', async () => {
    w = await simWorld(configFrom(oneQueue(['a1', 'a2', 'a3'], { answer_timeout_s: 20 })));
    for (const a of ['a1', 'a2', 'a3']) w.pbx.setPhone(a, { behavior: 'answer', answerAfterMs: 2000, talkMs: 45_000 });
    const t0 = w.clock.now();
    for (let i = 0; i < 20; i++) w.pbx.placeCall({ to: '100', from: `555${String(i).padStart(2, '0')}`, at: t0 + i * 1000 });
    await w.clock.runFor(20 * 60_000);

    const cdrs = w.store.cdrs.all();
    expect(cdrs).toHaveLength(20);
    expect(cdrs.every((c) => c.disposition === 'answered')).toBe(true);
    // Connect order follows arrival order exactly.
    const byArrival = [...cdrs].sort((x, y) => x.startedAt - y.startedAt).map((c) => c.callId);
    const byConnect = [...cdrs].sort((x, y) => x.connectedAt! - y.connectedAt! || x.startedAt - y.startedAt).map((c) => c.callId);
    expect(byConnect).toEqual(byArrival);
    // Never more than three calls bridged at once, and each agent took a share.
    const perAgent = new Map<string, number>();
    for (const c of cdrs) perAgent.set(c.agentId!, (perAgent.get(c.agentId!) ?? 0) + 1);
    expect([...perAgent.values()].sort()).toEqual([6, 7, 7]);
    const events = cdrs.flatMap((c) => [
      [c.connectedAt!, 1],
      [c.connectedAt! + c.talkMs!, -1],
    ]).sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
    let live = 0;
    let peak = 0;
    for (const [, d] of events) peak = Math.max(peak, (live += d!));
    expect(peak).toBe(3);
  });

  it('offers the lower penalty first, then the next when it is busy', async () => {
    w = await simWorld(
      configFrom(oneQueue(['low', 'high'], {}, { memberships: [{ agent: 'high', queue: 'q', penalty: 5 }, { agent: 'low', queue: 'q', penalty: 0 }] })),
    );
    for (const a of ['low', 'high']) w.pbx.setPhone(a, { behavior: 'answer', answerAfterMs: 1000, talkMs: 60_000 });
    w.pbx.placeCall({ to: '100', from: '1' });
    w.pbx.placeCall({ to: '100', from: '2', at: w.clock.now() + 10 * S });
    await w.clock.runFor(5 * 60_000);
    const cdrs = w.store.cdrs.all().sort((x, y) => x.startedAt - y.startedAt);
    expect(cdrs.map((c) => c.agentId)).toEqual(['low', 'high']);
  });

  it('pauses an agent with reason no-answer after consecutive no-answers and serves the caller elsewhere', async () => {
    w = await simWorld(configFrom(oneQueue(['sleepy', 'awake'], { answer_timeout_s: 10, max_no_answer: 2, retry_s: 0, strategy: 'linear' })));
    w.pbx.setPhone('sleepy', { behavior: 'never' });
    w.pbx.setPhone('awake', { behavior: 'answer', answerAfterMs: 1000, talkMs: 20_000 });
    w.engine.pauseAgent('awake', 'coffee');
    const states: string[] = [];
    w.engine.on('agent.state', (e) => e.agentId === 'sleepy' && states.push(`${e.presence}${e.reason ? `:${e.reason}` : ''}`));
    w.pbx.placeCall({ to: '100', from: '1' });
    await w.clock.runFor(25 * S);
    expect(w.engine.agentSnapshot('sleepy')).toMatchObject({ presence: 'paused', pauseReason: 'no-answer' });
    expect(states).toEqual(['ringing', 'ready', 'ringing', 'paused:no-answer']);
    w.engine.unpauseAgent('awake');
    await w.clock.runFor(60 * S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ agentId: 'awake', disposition: 'answered' });
    const noAnswers = w.store.queueLog.list({ callId: cdr!.callId }).filter((e) => e.event === 'RINGNOANSWER');
    expect(noAnswers.map((e) => e.agentId)).toEqual(['sleepy', 'sleepy']);
    // The agent leg that never answered was hung up by us, not left ringing.
    expect([...w.pbx.legs.values()].filter((l) => l.to === 'sleepy').every((l) => l.state === 'down' && l.hangupCause === 'cancelled')).toBe(true);
  });

  it('records an abandoned call when the caller hangs up while waiting', async () => {
    w = await simWorld(configFrom(oneQueue(['a1'])));
    w.engine.pauseAgent('a1', 'meeting');
    w.pbx.placeCall({ to: '100', from: '777', patienceMs: 42_000 });
    await w.clock.runFor(60 * S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ disposition: 'abandoned', queueId: 'q', agentId: null, hangupSide: 'caller', waitMs: 42_000 });
    expect(w.store.queueLog.list({ callId: cdr!.callId }).map((e) => e.event)).toEqual(['ENTERQUEUE', 'ABANDON']);
    expect(w.pbx.calls('startMoh')[0]?.args).toEqual([cdr!.legId, 'default']);
  });

  it('cancels the ringing agent when the caller hangs up during the offer', async () => {
    w = await simWorld(configFrom(oneQueue(['a1'])));
    w.pbx.setPhone('a1', { behavior: 'answer', answerAfterMs: 10_000 });
    w.pbx.placeCall({ to: '100', from: '777', patienceMs: 5000 });
    await w.clock.runFor(30 * S);
    expect(w.store.cdrs.all()[0]).toMatchObject({ disposition: 'abandoned' });
    const agentLeg = [...w.pbx.legs.values()].find((l) => l.kind === 'agent')!;
    expect(agentLeg.state).toBe('down');
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('ready');
  });

  it('applies the wrap-up of the first queue before the agent takes a call from a second queue', async () => {
    w = await simWorld(
      configFrom({
        numbers: [
          { id: 'n1', number: '101', queue: 'q1' },
          { id: 'n2', number: '102', queue: 'q2' },
        ],
        queues: [
          { id: 'q1', groups: [{ group: 'g', priority: 1 }], wrapup_s: 30 },
          { id: 'q2', groups: [{ group: 'g', priority: 1 }], wrapup_s: 5 },
        ],
        groups: [{ id: 'g' }],
        agents: [{ id: 'a', phone: { type: 'sip', endpoint: 'a' }, groups: ['g'], auto_login: true }],
      }),
    );
    w.pbx.setPhone('a', { behavior: 'answer', answerAfterMs: 1000, talkMs: 20_000 });
    const t0 = w.clock.now();
    w.pbx.placeCall({ to: '101', from: 'first' });
    w.pbx.placeCall({ to: '102', from: 'second', at: t0 + 5 * S });
    await w.clock.runFor(5 * 60_000);
    const first = w.store.cdrs.all().find((c) => c.caller === 'first')!;
    const second = w.store.cdrs.all().find((c) => c.caller === 'second')!;
    // First call: answered at +1 s, ended at +21 s; 30 s wrap-up; the second rings at +51 s, answered at +52 s.
    expect(first.connectedAt! - t0).toBe(1000);
    expect(first.endedAt - t0).toBe(21_000);
    expect(second.connectedAt! - t0).toBe(52_000);
    expect(second.waitMs).toBe(47_000);
  });

  it('bridges, records, and pauses/resumes the recording on request', async () => {
    w = await simWorld(configFrom(oneQueue(['a1'], { record: true })));
    w.pbx.setPhone('a1', { behavior: 'answer', answerAfterMs: 1000, talkMs: 60_000 });
    w.pbx.placeCall({ to: '100', from: '1' });
    await w.clock.runFor(10 * S);
    const session = w.engine.sessionOfAgent('a1')!;
    expect(session.recordingState).toBe('active');
    expect(await session.pauseRecording()).toBe(true);
    await w.clock.runFor(15 * S);
    expect(await session.resumeRecording()).toBe(true);
    await w.clock.runFor(60 * S);
    const [cdr] = w.store.cdrs.all();
    const rec = w.pbx.recordings.get(cdr!.recording as never)!;
    expect(cdr!.talkMs).toBe(60_000);
    expect(rec.durationMs).toBe(45_000);
  });

  it('announces the caller\'s position periodically between music on hold', async () => {
    w = await simWorld(configFrom(oneQueue(['a1'], { announce_every_s: 30, announce_position: true, moh_class: 'support' })));
    w.engine.pauseAgent('a1', 'busy');
    const t0 = w.clock.now();
    w.pbx.placeCall({ to: '100', from: 'first', patienceMs: 100_000 });
    w.pbx.placeCall({ to: '100', from: 'second', at: t0 + 1000, patienceMs: 100_000 });
    await w.clock.runFor(40 * S);
    const second = [...w.pbx.legs.values()].find((l) => l.from === 'second')!.id;
    const ops = w.pbx.log.filter((c) => c.args[0] === second && c.op !== 'setVariable' && c.op !== 'answer').map((c) => [c.at - t0, c.op, c.args[1]]);
    expect(ops).toEqual([
      [1000, 'startMoh', 'support'],
      [31_000, 'stopMoh', undefined],
      [31_000, 'play', ['sound:queue-thereare', 'sound:digits/2', 'sound:queue-callswaiting']],
      [37_000, 'startMoh', 'support'],
    ]);
    const first = [...w.pbx.legs.values()].find((l) => l.from === 'first')!.id;
    expect(w.pbx.log.find((c) => c.args[0] === first && c.op === 'play')?.args[1]).toEqual(['sound:queue-youarenext']);
  });

  it('sends a caller at the maximum wait to the exit queue, and hangs up a refused one', async () => {
    w = await simWorld(
      configFrom({
        numbers: [
          { id: 'n1', number: '101', queue: 'q1' },
          { id: 'n3', number: '103', queue: 'closed' },
        ],
        queues: [
          { id: 'q1', groups: [{ group: 'g1', priority: 1 }], max_wait_s: 30, exit: { action: 'queue', queue: 'q2' } },
          { id: 'q2', groups: [{ group: 'g2', priority: 1 }] },
          { id: 'closed', groups: [{ group: 'g1', priority: 1 }], join_empty: 'refuse' },
        ],
        groups: [{ id: 'g1' }, { id: 'g2' }],
        agents: [
          { id: 'a1', phone: { type: 'sip', endpoint: 'a1' }, groups: ['g1'] },
          { id: 'a2', phone: { type: 'sip', endpoint: 'a2' }, groups: ['g2'], auto_login: true },
        ],
      }),
    );
    w.engine.pauseAgent('a2', 'busy');
    w.pbx.setPhone('a2', { behavior: 'answer', answerAfterMs: 1000, talkMs: 10_000 });
    w.pbx.placeCall({ to: '101', from: 'patient' });
    w.pbx.placeCall({ to: '103', from: 'refused' });
    await w.clock.runFor(31 * S);
    w.engine.unpauseAgent('a2');
    await w.clock.runFor(60 * S);
    const patient = w.store.cdrs.all().find((c) => c.caller === 'patient')!;
    expect(patient).toMatchObject({ queueId: 'q2', agentId: 'a2', disposition: 'answered' });
    expect(w.store.queueLog.list({ callId: patient.callId }).map((e) => `${e.queueId}:${e.event}`)).toEqual([
      'q1:ENTERQUEUE',
      'q1:EXITWITHTIMEOUT',
      'q2:ENTERQUEUE',
      'q2:CONNECT',
      'q2:COMPLETEAGENT',
    ]);
    expect(w.store.cdrs.all().find((c) => c.caller === 'refused')).toMatchObject({ disposition: 'refused', hangupSide: 'system' });
  });
});

describe('IVR on the simulated PBX', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());

  const ivrConfig = (): ConfigInput => ({
    numbers: [{ id: 'n', number: '100', enable_ivr: true, ivr: 'menu', greeting: { default: ['welcome'] } }],
    ivrs: [
      {
        id: 'menu',
        root: 'top',
        nodes: [
          {
            id: 'top',
            prompts: { en: ['press-1-en'], es: ['press-1-es'] },
            timeout_s: 4,
            retries: 1,
            invalid_prompts: { default: ['invalid'] },
            keys: { '1': { action: 'queue', queue: 'q' }, '9': { action: 'node', node: 'lang', language: 'es' }, '0': { action: 'hangup' } },
            on_failure: { action: 'hangup' },
          },
          { id: 'lang', prompts: { es: ['es-menu'] }, keys: { '1': { action: 'queue', queue: 'q' } } },
        ],
      },
    ],
    queues: [{ id: 'q', greeting: { en: ['q-en'], es: ['q-es'] } }],
  });

  it('plays the greeting and the first menu as one prompt list, and a key typed during it is the menu choice', async () => {
    w = await simWorld(configFrom(ivrConfig()));
    w.pbx.placeCall({ to: '100', from: '1', keys: [{ afterMs: 500, digit: '1' }], patienceMs: 10_000 });
    await w.clock.runFor(20 * S);
    const plays = w.pbx.calls('play').map((c) => c.args[1]);
    // One play request for greeting + menu (cut by the key), none for the menu again.
    expect(plays).toEqual([['sound:welcome', 'sound:press-1-en'], ['sound:q-en']]);
    expect(w.store.cdrs.all()[0]).toMatchObject({ ivrPath: 'top:1', queueId: 'q', disposition: 'abandoned' });
  });

  it('keeps the greeting and the menu apart when a CRM lookup could send the caller straight to a queue', async () => {
    w = await simWorld(configFrom(ivrConfig()), { hooks: { lookup: async (req) => (req.from === '+vip' ? { queueId: 'q' } : undefined) } });
    w.pbx.placeCall({ to: '100', from: '+vip', patienceMs: 10_000 });
    w.pbx.placeCall({ to: '100', from: '2', keys: [{ afterMs: 3000, digit: '1' }], patienceMs: 10_000 });
    await w.clock.runFor(20 * S);
    const vip = w.store.cdrs.all().find((c) => c.caller === '+vip');
    expect(vip).toMatchObject({ ivrPath: null, queueId: 'q' });
    expect(w.store.cdrs.all().find((c) => c.caller === '2')).toMatchObject({ ivrPath: 'top:1', queueId: 'q' });
    const all = w.pbx.calls('play').map((c) => c.args[1]);
    // The vip hears the greeting alone then the queue; the other caller the greeting, then the menu.
    expect(all.filter((p) => JSON.stringify(p) === JSON.stringify(['sound:welcome']))).toHaveLength(2);
    expect(all.filter((p) => JSON.stringify(p) === JSON.stringify(['sound:press-1-en']))).toHaveLength(1);
    expect(all.some((p) => (p as string[]).length > 1)).toBe(false);
  });

  it('carries the language chosen in the IVR into the queue prompts', async () => {
    w = await simWorld(configFrom(ivrConfig()));
    w.pbx.placeCall({ to: '100', from: '1', keys: [{ afterMs: 3000, digit: '9' }, { afterMs: 5500, digit: '1' }], patienceMs: 15_000 });
    await w.clock.runFor(20 * S);
    const plays = w.pbx.calls('play').map((c) => [c.args[1], c.args[2]]);
    expect(plays).toEqual([
      [['sound:welcome', 'sound:press-1-en'], 'en'],
      [['sound:es-menu'], 'es'],
      [['sound:q-es'], 'es'],
    ]);
    expect(w.store.cdrs.all()[0]).toMatchObject({ ivrPath: 'top:9>lang:1', language: 'es' });
  });

  it('replays on an invalid key, then follows the failure branch after the retries', async () => {
    w = await simWorld(configFrom(ivrConfig()));
    w.pbx.placeCall({ to: '100', from: '1', keys: [{ afterMs: 3000, digit: '5' }] });
    await w.clock.runFor(60 * S);
    const plays = w.pbx.calls('play').map((c) => c.args[1]);
    // welcome + menu, (key 5) invalid, menu again, time-out, failure → hang up.
    expect(plays).toEqual([['sound:welcome', 'sound:press-1-en'], ['sound:invalid'], ['sound:press-1-en']]);
    expect(w.store.cdrs.all()[0]).toMatchObject({ ivrPath: 'top:fail', disposition: 'ivr-exit', hangupSide: 'system', queueId: null });
  });

  it('stops every step when the caller hangs up during the IVR', async () => {
    w = await simWorld(configFrom(ivrConfig()));
    w.pbx.placeCall({ to: '100', from: '1', patienceMs: 3000 });
    await w.clock.runFor(60 * S);
    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ disposition: 'ivr-hangup', hangupSide: 'caller', queueId: null });
    expect(cdr!.endedAt - cdr!.startedAt).toBe(3000);
    // Nothing ran after the hang-up: no play started after 3 s, no further port calls on the leg.
    expect(w.pbx.log.filter((c) => c.at > cdr!.endedAt && c.op !== 'hangup')).toEqual([]);
    expect(w.engine.liveCalls).toBe(0);
  });
});
