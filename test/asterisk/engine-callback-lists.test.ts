/**
 * "Leave a message and we call you back" on a real Asterisk driven by SIPp (issue 7 item 3): a
 * queued caller presses the queue's message key, speaks (an RTP tone) for a few seconds and hangs
 * up; the voice message is recorded by Asterisk (POST /channels/:id/record) into a callback
 * request, and the recording file is on disk. listenCallbackMessage then rings an auto-answering
 * SIPp phone, which hears the message for its length. An auto list's due request is offered to a
 * free agent, then dialled through the trunk to a SIPp UAS and bridged.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/infra/logger.js';
import { AutoCallbacks } from '../../src/outbound/callback-auto.js';
import { CallbackListService } from '../../src/outbound/callback-lists.js';
import { CallbackMessages } from '../../src/outbound/callback-message.js';
import { repoRoot, scenariosDir, startSipp, startTrunkPeer, waitRegistered } from './harness.js';
import { referenceConfig, skipReason, unregisterAll, useEngineWorld, type EngineWorld } from './engine-world.js';
import { toneLevelDbfs, tonePcap, wavSamples } from './tone-audio.js';

/** The same file (same tone) the browser-phone test writes: SIPp cannot take a pcap path from -key. */
const CALLER_PCAP = '/tmp/switchboard-caller-tone.pcap';
const CALLER_HZ = 440;

describe.skipIf(skipReason !== undefined)(`engine on a real Asterisk: callback lists${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const world = useEngineWorld();
  let w: EngineWorld;
  beforeEach(() => {
    w = world();
  });

  it("records a queued caller's voice message into a callback request with the recording on disk, and plays it to an agent", async () => {
    await w.beginTest(
      referenceConfig((c) => {
        Object.assign(c.queues[0]!, { callback_message: { key: '2', list: 'astcb-1', max_s: 20, silence_s: 0 } });
      }),
    );
    let n = 0;
    const lists = new CallbackListService({ engine: w.engine, repo: w.store.callbackLists, log: silentLogger(), newId: () => `astcb-${++n}` });
    new CallbackMessages({ engine: w.engine, lists, log: silentLogger() });
    lists.createList({ name: 'Messages', queueId: 'q1' });
    // Nobody free in q1: the caller waits.
    w.engine.pauseAgent('1001', 'busy');
    w.engine.pauseAgent('1002', 'busy');
    writeFileSync(CALLER_PCAP, tonePcap(CALLER_HZ, 40));
    const from = `+3361${w.nextCaller().slice(-7)}`;
    // The caller speaks once the prompt and the beep are over: the prompt's own length (espeak's
    // voice decides it, 4.5 s here) plus a second; speaking during the prompt would leave only
    // the tail of the message on the recording.
    const prompt = wavSamples(readFileSync(join(repoRoot, 'sounds', 'switchboard', 'en', 'vq-leave-message.wav')));
    const promptMs = (prompt.samples.length / prompt.rate) * 1000;

    const caller = await startSipp({
      asterisk: w.asterisk,
      scenario: 'uac-caller-key2-speak-hangup.xml',
      service: '2000',
      keys: { caller: from, w1: 3000, w2: Math.ceil(promptMs) + 1000, speak: 3000 },
      timeoutMs: 60_000,
    });
    const result = await caller.done;
    expect(result.code, result.errors).toBe(0);

    const parent = await w.until(() => w.cdrOf(from), 'the caller CDR', 10_000);
    expect(parent).toMatchObject({ direction: 'inbound', disposition: 'callback-message', queueId: 'q1' });
    const request = await w.until(() => w.store.callbackLists.lists().flatMap((l) => l.callbacks).find((r) => r.phoneNumber === from), 'the callback request', 10_000);
    expect(request).toMatchObject({ parentCallId: parent.callId, message: `cbmsg-${parent.callId}` });
    // The caller speaks 3 s after the beep, then hangs up: the message is most of that.
    expect(request.messageMs).toBeGreaterThanOrEqual(2000);
    expect(w.queueLog.filter((e) => e.event === 'CALLBACKMSG').map((e) => e.data.requestid)).toEqual([request.uuid]);

    const file = join(w.asterisk.spoolDir, 'recording', `${request.message}.wav`);
    expect(existsSync(file), file).toBe(true);
    // 8 kHz 16-bit mono: more than a second of audio, and it is the caller's tone.
    expect(statSync(file).size).toBeGreaterThan(44 + 16_000);
    expect(toneLevelDbfs(readFileSync(file), CALLER_HZ)).toBeGreaterThan(-40);

    // listenCallbackMessage: the agent's phone answers by itself (it refuses an INVITE without
    // auto-answer) and hears the message for its length, then the engine hangs up.
    const phone = await startSipp({
      scenario: 'uac-phone-register-stay-unregister.xml',
      asterisk: w.asterisk,
      auth: { user: '1001', password: w.asterisk.phonePassword },
      keys: { user: '1001', stay: 60_000, expires: 300 },
      extraArgs: ['-oocsf', join(scenariosDir, 'uas-agent-auto-answer-expect-bye.xml'), '-aa'],
      timeoutMs: 60_000,
    });
    try {
      await waitRegistered(w.asterisk, '1001', phone.port);
      w.engine.unpauseAgent('1001');
      lists.listenMessage(request.uuid, '1001');
      await w.until(() => w.engine.agentSnapshot('1001')?.presence === 'oncall', 'the agent hearing the message', 10_000);
      const t0 = Date.now();
      await w.until(() => w.engine.agentSnapshot('1001')?.presence === 'ready', 'the agent free again', 30_000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual((request.messageMs ?? 0) - 1000);
    } finally {
      phone.kill();
      await unregisterAll(w.asterisk, '1001');
    }
  }, 90_000);

  it('offers a due request of an auto list to a free agent: its phone first, then the number through the trunk, bridged; CDR direction callback', async () => {
    await w.beginTest(referenceConfig((c) => Object.assign(c, { click_to_call: { caller_id: '0100000000' } })));
    let n = 0;
    const lists = new CallbackListService({ engine: w.engine, repo: w.store.callbackLists, log: silentLogger(), newId: () => `astauto-${++n}` });
    const auto = new AutoCallbacks({ engine: w.engine, lists, repo: w.store.callbackLists, log: silentLogger(), newId: () => `astauto-call-${++n}` });
    try {
      w.engine.pauseAgent('1001', 'busy');
      w.engine.pauseAgent('1002', 'busy');
      const list = lists.createList({ name: 'Auto', queueId: 'q1', auto: true });
      const number = `+3361${w.nextCaller().slice(-7)}`;
      const [request] = lists.addRequests(list.uuid, [{ phoneNumber: number }]);
      auto.start();
      const customer = await startTrunkPeer(w.asterisk, 'answer', { answerAfterMs: 300 });
      await w.phone('1001', { kind: 'talk', ringMs: 300, talkMs: 3000 });
      await w.until(() => w.engine.agentSnapshot('1001')?.reachable, 'agent reachable', 5000);
      w.engine.unpauseAgent('1001');

      await w.until(async () => {
        const [bridges, channels] = await Promise.all([w.ari<{ channels: string[] }[]>('bridges'), w.ari<{ id: string; name: string }[]>('channels')]);
        return bridges.some((b) => {
          const names = b.channels.map((id) => channels.find((c) => c.id === id)?.name ?? '');
          return names.some((x) => x.startsWith('PJSIP/1001-')) && names.some((x) => x.startsWith('PJSIP/trunk'));
        });
      }, 'agent 1001 and the trunk bridged', 30_000);
      const cdr = await w.until(() => w.cdrs.find((c) => c.direction === 'callback'), 'the callback CDR', 20_000);
      expect(cdr).toMatchObject({ agentId: '1001', disposition: 'answered', queueId: 'q1', dialled: number });
      expect(cdr.talkMs).toBeGreaterThanOrEqual(2000);
      expect(w.store.callbackLists.tickets(request!.uuid)).toEqual([expect.objectContaining({ agentId: '1001', callId: cdr.callId, outcome: 'completed' })]);
      expect((await customer.done).code).toBe(0);
    } finally {
      auto.stop();
    }
  }, 90_000);
});
