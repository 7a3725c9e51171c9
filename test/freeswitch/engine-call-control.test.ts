/**
 * Agent call control on a real FreeSWITCH driven by SIPp (the Asterisk lane's
 * engine-call-control.test.ts on FreeSWITCH): hold (the agent leaves the customer's conference,
 * which plays the queue's music), a blind transfer to another agent, a consult with another agent
 * completed, one with an outside number (the trunk's SIPp far end) completed, one cancelled, and a
 * conference with a third party who is then dropped. What is
 * in each conference is read from FreeSWITCH (`conference json_list`); the music from the
 * conference's own play-file events and from its recording (loud exactly while on hold: the SIPp
 * ends send no audio); CDR segments and hold time from the engine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlError } from '../../src/calls/control/types.js';
import { EslClient, type EslEvent } from '../../src/pbx/freeswitch/esl-client.js';
import { referenceConfig, skipReasonFor, useEngineWorld, type EngineWorld } from '../asterisk/engine-world.js';
import type { LabBridge, LabChannel } from '../asterisk/pbx-lab.js';
import { wavSamples } from '../asterisk/tone-audio.js';
import type { FreeswitchLab } from './freeswitch-lab.js';

const skipReason = skipReasonFor('freeswitch');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a recording is above -70 dBFS (digital silence elsewhere), in 100 ms windows (the callers' SIPp send no audio). */
function loudMs(wav: Buffer): number {
  const { rate, samples } = wavSamples(wav);
  const n = Math.round(rate / 10);
  let loud = 0;
  for (let i = 0; i + n <= samples.length; i += n) {
    let sum = 0;
    for (let j = i; j < i + n; j++) sum += samples[j]! * samples[j]!;
    if (10 * Math.log10(sum / n + 1e-12) > -70) loud += 100;
  }
  return loud;
}

describe.skipIf(skipReason !== undefined)(`engine on a real FreeSWITCH: agent call control${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const world = useEngineWorld('freeswitch');
  let w: EngineWorld;
  let confEvents: EslEvent[];
  let esl: EslClient | undefined;
  beforeEach(async () => {
    w = world();
    const fs = (w.lab as FreeswitchLab).fs;
    confEvents = [];
    esl = new EslClient({ host: '127.0.0.1', port: fs.eslPort, password: fs.eslPassword, logger: pino({ level: 'silent' }), events: ['CUSTOM', 'conference::maintenance'] });
    esl.onEvent((e) => {
      if (e['Event-Subclass'] === 'conference::maintenance') confEvents.push(e);
    });
    esl.connect();
    await esl.waitConnected(5000);
  });
  afterEach(async () => {
    await esl?.close();
  });

  /** The conference `leg` is in, if any. */
  async function roomOf(leg: string): Promise<LabBridge | undefined> {
    return (await w.lab.bridges()).find((b) => b.channels.some((c) => c.id === leg));
  }
  /** The channels sharing a conference with `leg`, or undefined when it is in none. */
  const bridgeOf = async (leg: string): Promise<LabChannel[] | undefined> => (await roomOf(leg))?.channels;
  /**
   * The agent's first action, pressed as soon as the engine takes it: FreeSWITCH shows both legs
   * in the conference a moment before the engine has its bridge (INVALID_CALL_STATE meanwhile).
   */
  const firstAction = (act: () => Promise<void>) =>
    w.until(async () => {
      try {
        await act();
        return true;
      } catch (err) {
        if (err instanceof ControlError && /still being bridged/.test(err.message)) return false;
        throw err;
      }
    }, 'the engine taking the action', 5000);
  const phones = (chans: LabChannel[] | undefined) => (chans ?? []).filter((c) => c.kind === 'phone').map((c) => c.endpoint).sort();

  /** A caller on 2000 bridged with 1001 (1002 paused meanwhile); returns the caller's leg and number. */
  async function bridgedWith1001(from: string): Promise<string> {
    await w.caller({ to: '2000', from });
    const session = await w.until(() => w.engine.sessionOfAgent('1001')?.agentLeg && w.engine.sessionOfAgent('1001'), 'agent 1001 on the call', 15_000);
    await w.until(async () => phones(await bridgeOf(session.leg)).join() === '1001', 'caller and 1001 bridged', 5000);
    return session.leg;
  }

  it('holds the customer: the agent leaves the conference, which plays the queue music, and the hold time is in the CDR', async () => {
    // Queue 1 records its calls: the conference's recording holds what the customer heard (SIPp sends no audio).
    await w.beginTest(referenceConfig((c) => (c.queues[0]!.record = true)));
    w.engine.pauseAgent('1002', 'away');
    await w.phone('1001', { kind: 'talk', ringMs: 100, talkMs: 8000 });
    const from = w.nextCaller();
    const leg = await bridgedWith1001(from);
    const ctl = w.engine.callControl('1001');

    await firstAction(() => ctl.hold());
    const held = await roomOf(leg);
    await sleep(2500);
    const played = confEvents.filter((e) => e.Action === 'play-file' && e['Conference-Name'] === held?.id).map((e) => e.File);
    await ctl.unhold();
    const back = await w.until(async () => phones(await bridgeOf(leg)).join() === '1001' && (await bridgeOf(leg)), 'agent back in the conference', 5000);

    expect(held?.channels.map((c) => c.id)).toEqual([leg]);
    expect(played).toEqual(['local_stream://q1']);
    expect(back.map((c) => c.id)).toContain(leg);
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 20_000);
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    expect(cdr.holdMs).toBeGreaterThanOrEqual(2400);
    expect(cdr.holdMs).toBeLessThan(5000);
    expect(cdr.segments).toEqual([expect.objectContaining({ agentId: '1001', via: 'queue', holdMs: cdr.holdMs })]);
    const file = w.lab.recordingFile(cdr.recording!);
    await w.until(() => existsSync(file), 'the recording file', 5000);
    const musicMs = loudMs(readFileSync(file));
    console.log(`hold ${cdr.holdMs} ms, music in the recording ${musicMs} ms`);
    expect(musicMs).toBeGreaterThanOrEqual(cdr.holdMs / 2);
    expect(musicMs).toBeLessThanOrEqual(cdr.holdMs + 500);
  }, 40_000);

  it('transfers blind to another agent: the first agent is released, the second rings and joins the same conference', async () => {
    await w.beginTest(referenceConfig());
    w.engine.pauseAgent('1002', 'away');
    await w.phone('1001', { kind: 'answer', ringMs: 100 });
    await w.phone('1002', { kind: 'talk', ringMs: 300, talkMs: 3000 });
    const from = w.nextCaller();
    const leg = await bridgedWith1001(from);
    const states: string[] = [];
    w.engine.on('agent.state', (e) => states.push(`${e.agentId}:${e.presence}`));
    w.engine.unpauseAgent('1002');

    await firstAction(() => w.engine.callControl('1001').transfer({ agentId: '1002' }));

    const withBob = await w.until(async () => phones(await bridgeOf(leg)).join() === '1002', 'the caller bridged with 1002 alone', 10_000);
    expect(withBob).toBe(true);
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 20_000);
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    expect(cdr.segments.map((s) => [s.agentId, s.via])).toEqual([['1001', 'queue'], ['1002', 'blind']]);
    expect(w.queueLog.filter((e) => e.callId === cdr.callId).map((e) => `${e.event}:${e.agentId ?? ''}`)).toEqual(expect.arrayContaining(['BLINDTRANSFER:1001', 'CONNECT:1002']));
    expect(states).toEqual(expect.arrayContaining(['1001:ready', '1002:ringing', '1002:oncall']));
  }, 40_000);

  it('consults another agent with the customer on hold, then completes: the customer and that agent share the conference', async () => {
    await w.beginTest(referenceConfig());
    w.engine.pauseAgent('1002', 'away');
    await w.phone('1001', { kind: 'answer', ringMs: 100 });
    await w.phone('1002', { kind: 'talk', ringMs: 300, talkMs: 5000 });
    const from = w.nextCaller();
    const leg = await bridgedWith1001(from);
    const ctl = w.engine.callControl('1001');
    w.engine.unpauseAgent('1002');

    await firstAction(() => ctl.consult({ agentId: '1002' }));
    await w.until(() => ctl.party?.answered, '1002 answered the consult', 10_000);
    const consultRoom = await w.until(async () => {
      const rooms = await w.lab.bridges();
      return rooms.find((b) => phones(b.channels).join() === '1001,1002');
    }, '1001 and 1002 in a conference of their own', 5000);
    const customerRoom = await bridgeOf(leg);
    await sleep(1000);
    await ctl.complete();

    expect(consultRoom.channels).toHaveLength(2);
    expect(customerRoom?.map((c) => c.id)).toEqual([leg]);
    await w.until(async () => phones(await bridgeOf(leg)).join() === '1002', 'the caller bridged with 1002 alone', 10_000);
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 25_000);
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    expect(cdr.segments.map((s) => [s.agentId, s.via])).toEqual([['1001', 'queue'], ['1002', 'attended']]);
    expect(cdr.holdMs).toBeGreaterThanOrEqual(1000);
    expect(w.queueLog.some((e) => e.callId === cdr.callId && e.event === 'ATTENDEDTRANSFER')).toBe(true);
    expect((await w.lab.bridges()).some((b) => b.id === consultRoom.id)).toBe(false);
  }, 40_000);

  it('transfers attended to an outside number: consult through the trunk with the customer on hold, then the customer and the number share the conference', async () => {
    await w.beginTest(referenceConfig((c) => ((c as { click_to_call?: unknown }).click_to_call = { allow: '^0[0-9]{9}$' })));
    w.engine.pauseAgent('1002', 'away');
    await w.phone('1001', { kind: 'answer', ringMs: 100 });
    const outside = await w.lab.trunkPeer('answer', { answerAfterMs: 300 });
    const from = w.nextCaller();
    await w.caller({ to: '2000', from, patienceMs: 14_000 });
    const session = await w.until(() => w.engine.sessionOfAgent('1001')?.agentLeg && w.engine.sessionOfAgent('1001'), 'agent 1001 on the call', 15_000);
    const leg = session.leg;
    await w.until(async () => phones(await bridgeOf(leg)).join() === '1001', 'caller and 1001 bridged', 5000);
    const ctl = w.engine.callControl('1001');

    await firstAction(() => ctl.consult({ number: '0612345678' }));
    await w.until(() => ctl.party?.answered, 'the outside number answered the consult', 10_000);
    const onHold = await bridgeOf(leg);
    await sleep(1000);
    await ctl.complete();

    expect(onHold?.map((c) => c.id)).toEqual([leg]);
    const joined = await w.until(async () => {
      const chans = await bridgeOf(leg);
      return chans?.some((c) => c.kind === 'trunk' && c.id !== leg) && chans;
    }, 'the caller bridged with the outside number', 10_000);
    expect(phones(joined)).toEqual([]);
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 25_000);
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'caller' });
    expect(cdr.segments.map((s) => [s.agentId, s.number, s.via])).toEqual([['1001', null, 'queue'], [null, '0612345678', 'attended']]);
    expect(cdr.holdMs).toBeGreaterThanOrEqual(1000);
    expect(w.queueLog.some((e) => e.callId === cdr.callId && e.event === 'ATTENDEDTRANSFER')).toBe(true);
    outside.kill();
  }, 40_000);

  it('cancels a consult: the consulted agent is hung up and the agent is back with the customer', async () => {
    await w.beginTest(referenceConfig());
    w.engine.pauseAgent('1002', 'away');
    await w.phone('1001', { kind: 'talk', ringMs: 100, talkMs: 7000 });
    await w.phone('1002', { kind: 'answer', ringMs: 300 });
    const from = w.nextCaller();
    const leg = await bridgedWith1001(from);
    const ctl = w.engine.callControl('1001');
    w.engine.unpauseAgent('1002');

    await firstAction(() => ctl.consult({ agentId: '1002' }));
    await w.until(() => ctl.party?.answered, '1002 answered the consult', 10_000);
    await sleep(500);
    await ctl.cancelConsult();

    await w.until(async () => phones(await bridgeOf(leg)).join() === '1001', 'the caller back with 1001', 5000);
    await w.until(async () => !(await w.lab.channels()).some((c) => c.endpoint === '1002'), '1002 hung up', 5000);
    expect(ctl.onHold).toBe(false);
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 20_000);
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    expect(cdr.segments.map((s) => [s.agentId, s.via])).toEqual([['1001', 'queue']]);
    expect(cdr.holdMs).toBeGreaterThanOrEqual(500);
  }, 40_000);

  it('adds a third party in conference and drops it: three in the conference, then the customer and the agent', async () => {
    await w.beginTest(referenceConfig());
    w.engine.pauseAgent('1002', 'away');
    await w.phone('1001', { kind: 'talk', ringMs: 100, talkMs: 7000 });
    await w.phone('1002', { kind: 'answer', ringMs: 300 });
    const from = w.nextCaller();
    const leg = await bridgedWith1001(from);
    const ctl = w.engine.callControl('1001');
    w.engine.unpauseAgent('1002');

    await firstAction(() => ctl.conference({ agentId: '1002' }));
    const three = await w.until(async () => {
      const chans = await bridgeOf(leg);
      return phones(chans).join() === '1001,1002' && chans;
    }, 'caller, 1001 and 1002 in one conference', 10_000);
    await sleep(500);
    await ctl.dropConference();

    expect(three.map((c) => c.id)).toContain(leg);
    await w.until(async () => phones(await bridgeOf(leg)).join() === '1001', 'the caller with 1001 alone', 5000);
    await w.until(async () => !(await w.lab.channels()).some((c) => c.endpoint === '1002'), '1002 hung up', 5000);
    await w.until(() => w.engine.agentSnapshot('1002')?.presence === 'ready', '1002 ready again', 5000);
    const cdr = await w.until(() => w.cdrOf(from), 'the CDR', 20_000);
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: '1001', hangupSide: 'agent' });
    expect(cdr.segments.map((s) => [s.agentId, s.via])).toEqual([['1001', 'queue']]);
    expect(cdr.holdMs).toBe(0);
  }, 40_000);
});
