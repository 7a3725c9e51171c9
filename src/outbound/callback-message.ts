/**
 * "Leave a message and we call you back" (a queue's `callback_message`): a waiting caller presses
 * the key and leaves the queue (CDR disposition `callback-message`); it hears the prompt, its
 * voice message is recorded through the PBX (at most `max_s`, ended by `#`, `silence_s` of
 * silence or its hang-up), a callback request with the caller's number, the recording and the
 * call as `parentCallId` is written to the list (durable) — and only then does the caller hear the
 * confirmation and is hung up. queue_log: EXITWITHKEY when it leaves, CALLBACKMSG once the
 * request is written.
 */
import type { Engine } from '../calls/engine.js';
import type { CallSession } from '../calls/session.js';
import type { CallbackMessageSettings } from '../domain/callback-message.js';
import type { Logger } from '../infra/logger.js';
import { isPbxError, type LegId, type RecordingId } from '../pbx/port.js';
import { positionOf } from '../routing/decide.js';
import type { CallbackListService } from './callback-lists.js';
import { pick } from './virtual-waiter.js';

export interface CallbackMessageDeps {
  engine: Engine;
  lists: CallbackListService;
  log: Logger;
}

/** Extra time past `max_s` we wait for the PBX to report the recording's end. */
const FINISH_GRACE_MS = 10_000;

export class CallbackMessages {
  /** Calls leaving a message now (their keys are theirs until hung up). */
  private readonly taking = new Set<string>();
  private readonly finished = new Map<RecordingId, (durationMs: number | null) => void>();
  private readonly log: Logger;

  constructor(private readonly deps: CallbackMessageDeps) {
    this.log = deps.log.child({ mod: 'callback-message' });
    deps.engine.attachQueueKey((session, digit) => this.key(session, digit));
    deps.engine.on('recording.finished', (e) => this.finished.get(e.recording)?.(e.durationMs ?? null));
  }

  /** A key pressed while queued: true when it was this queue's message key (taken). */
  key(session: CallSession, digit: string): boolean {
    if (this.taking.has(session.callId)) return true;
    const queueId = session.queueId;
    const settings = queueId ? this.deps.engine.queueConfig(queueId)?.callback_message : undefined;
    if (!queueId || !settings || digit !== settings.key) return false;
    const entry = this.deps.engine.router.state.calls.get(session.callId);
    if (!entry || entry.state !== 'waiting') return false;
    if (!this.deps.lists.hasList(settings.list)) {
      this.log.warn({ callId: session.callId, queueId, listUuid: settings.list }, 'callback message key: the list does not exist');
      return false;
    }
    this.taking.add(session.callId);
    const { engine } = this.deps;
    const now = engine.clock.now();
    const waitMs = now - entry.enqueuedAt;
    const q = engine.router.state.queues.get(queueId);
    const position = q ? positionOf(q, entry) : 0;
    const lang = session.leaveForCallback('callback-message');
    engine.router.input({ type: 'call.leave', callId: session.callId });
    engine.appendQueueLog({ at: now, callId: session.callId, queueId, agentId: null, event: 'EXITWITHKEY', data: { key: digit, position, origposition: entry.origPosition, waittime: Math.round(waitMs / 1000) } });
    this.log.info({ callId: session.callId, queueId }, 'caller leaves a message for a callback');
    void this.take(session, queueId, settings, lang, entry.enqueuedAt, waitMs).finally(() => this.taking.delete(session.callId));
    return true;
  }

  private async take(session: CallSession, queueId: string, settings: CallbackMessageSettings, lang: string, enqueuedAt: number, waitMs: number): Promise<void> {
    const { pbx, clock } = this.deps.engine;
    const leg = session.leg;
    const log = this.log.child({ callId: session.callId });
    const name = `cbmsg-${session.callId}`;
    let recording: RecordingId | undefined;
    let durationMs: number | null = null;
    try {
      await pbx.stopMoh(leg).catch((err: unknown) => this.quiet(err, log));
      await pbx.play(leg, pick(settings.prompt, lang), { language: lang });
      const ended = new Promise<number | null>((resolve) => this.finished.set(name as RecordingId, resolve));
      const recordStart = clock.now();
      recording = await pbx.recordLeg(leg, { name, format: 'wav', maxDurationMs: settings.max_s * 1000, maxSilenceMs: settings.silence_s * 1000, endOnHash: true, beep: true });
      // The PBX ends it (#, silence, length, hang-up); our own bound should its event be lost.
      const bound = new Promise<'bound'>((resolve) => {
        const t = clock.schedule(clock.now() + settings.max_s * 1000 + FINISH_GRACE_MS, () => resolve('bound'));
        void ended.then(() => clock.cancel(t));
      });
      const r = await Promise.race([ended, bound]);
      if (r === 'bound') {
        log.warn({ recording: name }, 'voice message: no end reported in time, stopping it');
        await pbx.stopRecording(recording).catch((err: unknown) => this.quiet(err, log));
      } else {
        // A recording cut by the caller's hang-up may be reported with no duration (Asterisk under
        // load): the time it ran is then the message's length.
        durationMs = r !== null && r > 0 ? r : clock.now() - recordStart;
      }
    } catch (err) {
      this.quiet(err, log);
    } finally {
      this.finished.delete(name as RecordingId);
    }
    if (!recording) {
      // Gone before anything was recorded: no request (the CDR says the caller left for a message).
      log.info({}, 'caller left before recording a message');
      return this.hangup(leg, log);
    }
    // Durable before the caller hears it is taken.
    const request = this.deps.lists.addFromCaller(settings.list, { phoneNumber: session.from, parentCallId: session.callId, parentEnqueuedAt: enqueuedAt, message: recording, messageMs: durationMs });
    this.deps.engine.appendQueueLog({
      at: clock.now(), callId: session.callId, queueId, agentId: null, event: 'CALLBACKMSG',
      data: { requestid: request.uuid, waittime: Math.round(waitMs / 1000), messagems: durationMs ?? 0 },
    });
    try {
      await pbx.play(leg, pick(settings.confirm, lang), { language: lang });
    } catch (err) {
      this.quiet(err, log);
    }
    await this.hangup(leg, log);
  }

  private async hangup(leg: LegId, log: Logger): Promise<void> {
    await this.deps.engine.pbx.hangup(leg, 'normal').catch((err: unknown) => this.quiet(err, log));
  }

  private quiet(err: unknown, log: Logger): void {
    if (!isPbxError(err, 'LEG_GONE')) log.warn({ err }, 'callback message step failed');
    else log.debug({ err }, 'callback message: caller gone');
  }
}
