/**
 * The virtual queue (seed 004): callers keep their place without holding the line.
 * - A queued caller presses the queue's key: its waiter is written (durable first), its routing
 *   entry goes on at its place under the waiter id (`call.virtualize`), and the caller is hung up.
 * - CallBack: when the entry reaches the head and an agent is free, the core reserves the agent
 *   (`offer`) and a CallbackCall dials; a customer who does not answer is tried again
 *   `retries` times every `retry_after_s` (at its place), then the waiter ends TimeOut.
 * - CallIn: when its turn comes the waiter is notified (a signed POST to `notify_url`) and leaves
 *   routing; a call from the same number within `callin_window_s` is served first; after the
 *   window the waiter ends TimeOut.
 * Waiters in Waiting or Notified are taken up again by `start()` after an engine restart; a
 * callback that was bridged goes on (`resumeCallback`, from the engine's recovery), one that was
 * dialling leaves its waiter Waiting, at its place.
 */
import type { Engine } from '../calls/engine.js';
import type { CallSession } from '../calls/session.js';
import type { CallbackOffer, VirtualQueuePort } from '../calls/virtual-queue-port.js';
import type { Cdr } from '../domain/cdr.js';
import type { CallJournal } from '../domain/journal.js';
import type { QueueLogEventName } from '../domain/queue-log.js';
import { callerResult, type ServiceState, type VirtualQueueSettings, type VirtualWaiter } from '../domain/virtual-queue.js';
import type { TimerHandle } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import { safeUrl, type HttpClient } from '../integrations/http-client.js';
import type { RoutingCommand } from '../routing/types.js';
import type { VirtualWaiterRepo } from '../store/repos/virtual-waiter-repo.js';
import { CallbackCall, type CallbackOutcome } from './callback-call.js';
import { estimateWaitMs, HandleTimes } from './ewt.js';
import { NumberEntries } from './number-entry-call.js';
import { fail, newWaiter, offerTimeoutMs, pick, secs, type LineUpParams, type VqResult } from './virtual-waiter.js';

export type { LineUpParams, VirtualQueueError, VqResult } from './virtual-waiter.js';

/** A CallIn waiter calling again within its window goes before every other caller of the queue. */
export const CALLIN_PRIORITY = 1_000_000;

export interface VirtualQueueDeps {
  engine: Engine;
  waiters: VirtualWaiterRepo;
  http: HttpClient;
  log: Logger;
  /** Mints waiter and callback call ids. */
  newId: () => string;
}

export class VirtualQueueService implements VirtualQueuePort {
  /** Waiters in Waiting or Notified, by id. */
  private readonly live = new Map<string, VirtualWaiter>();
  private readonly attempts = new Map<string, CallbackCall>();
  private readonly windows = new Map<string, TimerHandle>();
  /** Callers still on the line typing the number to call back. */
  private readonly numbers: NumberEntries;
  readonly handleTimes = new HandleTimes();
  private readonly log: Logger;

  constructor(private readonly deps: VirtualQueueDeps) {
    this.log = deps.log.child({ mod: 'virtual-queue' });
    this.numbers = new NumberEntries({
      engine: deps.engine,
      log: this.log,
      isLive: (id) => this.live.has(id),
      record: (id, number) => {
        const w = this.live.get(id);
        if (!w) return;
        w.phone = number;
        this.save(w);
      },
      hangUp: (session) => this.hangUpCaller(session),
      turn: (id, agentId) => {
        const w = this.live.get(id);
        if (w) this.turnCame(w, agentId);
      },
    });
    deps.engine.on('call.ended', (cdr: Cdr) => this.handleTimes.record(cdr, (deps.engine.queueConfig(cdr.queueId ?? '')?.wrapup_s ?? 0) * 1000));
    deps.engine.attachVirtualQueue(this);
  }

  /** After the engine started: waiters keep their places, notified ones their windows. */
  start(): number {
    const now = this.now();
    let restored = 0;
    for (const w of this.deps.waiters.list(['Waiting', 'Notified'])) {
      const settings = this.settings(w.lineId);
      if (!settings) {
        this.finish(w, 'TimeOut', 'Canceled');
        continue;
      }
      this.live.set(w.id, w);
      restored += 1;
      if (w.state === 'Notified') {
        this.armWindow(w, settings);
        continue;
      }
      this.route(w, settings, false);
    }
    // A callback that was bridged but did not survive the restart (its customer left meanwhile):
    // the engine completed its CDR; its waiter is done.
    for (const w of this.deps.waiters.list(['Connected'])) {
      if (w.channel !== 'CallBack' || w.agentId === null || this.live.has(w.id)) continue;
      this.log.info({ waiterId: w.id }, 'callback ended while the engine was down');
      this.finish(w, 'Finished', 'Finished');
    }
    if (restored > 0) this.log.info({ restored, at: now }, 'virtual waiters taken up');
    return restored;
  }

  resumeCallback(entry: CallJournal, agentLegAlive: boolean): boolean {
    const w = entry.waiterId ? this.deps.waiters.get(entry.waiterId) : undefined;
    const settings = w ? this.settings(w.lineId) : undefined;
    if (!w || !settings) return false;
    this.live.set(w.id, w);
    const spec = { waiter: w, settings, callId: entry.callId, callerId: entry.cdr.caller, onOutcome: (o: CallbackOutcome) => this.attemptEnded(w, settings, o) };
    const call = CallbackCall.resume(this.deps.engine, spec, this.log.child({ callId: entry.callId, waiterId: w.id }), entry, agentLegAlive);
    if (this.live.has(w.id)) this.attempts.set(w.id, call);
    return true;
  }

  stop(): void {
    for (const t of this.windows.values()) this.deps.engine.clock.cancel(t);
    this.windows.clear();
  }

  // ------------------------------------------------------------ port (engine and sessions)

  queueKey(session: CallSession, digit: string): boolean {
    if (this.numbers.push(`vq-${session.callId}`, digit)) return true;
    const queueId = session.queueId;
    const settings = queueId ? this.settings(queueId) : undefined;
    if (!queueId || !settings || digit !== settings.key) return false;
    const entry = this.deps.engine.router.state.calls.get(session.callId);
    if (!entry || entry.state !== 'waiting') return false;
    const now = this.now();
    const id = `vq-${session.callId}`;
    const lang = session.leaveForCallback();
    const skillLevels = session.requiredSkills;
    const w = newWaiter(id, queueId, { phone: session.from, channel: settings.channel, source: 'Phone', lang, ...(skillLevels ? { skillLevels } : {}) }, now, entry.enqueuedAt, entry.priority, session.callId);
    // Durable before anything else happens: a crash from here on keeps the waiter.
    this.deps.waiters.save(w);
    this.live.set(id, w);
    this.deps.engine.router.input({ type: 'call.virtualize', callId: session.callId, virtualId: id, offerTimeoutMs: offerTimeoutMs(settings, this.deps.engine.queueConfig(queueId)) });
    this.log.info({ callId: session.callId, waiterId: id, queueId, channel: settings.channel }, 'caller keeps its place for a callback');
    if (settings.channel === 'CallBack' && settings.number_entry) void this.numbers.run(session, id, settings.number_entry, lang);
    else void this.hangUpCaller(session);
    return true;
  }

  /** Offered at once when the estimated wait reaches `offer_when_ewt_s`, else after `offer_after_s` of waiting. */
  callbackOffer(session: CallSession, queueId: string, language: string): CallbackOffer | undefined {
    const settings = this.settings(queueId);
    if (!settings) return undefined;
    const prompts = pick(settings.offer_prompts, language);
    const threshold = settings.offer_when_ewt_s * 1000;
    const byEwt = threshold > 0 || settings.offer_after_s === undefined;
    if (byEwt && this.ewtMs(queueId, session.callId) >= threshold) return { delayMs: 0, prompts };
    return settings.offer_after_s === undefined ? undefined : { delayMs: settings.offer_after_s * 1000, prompts };
  }

  queuePriority(session: CallSession, queueId: string, priority: number): number {
    const w = this.deps.waiters.latest(queueId, session.from);
    if (!w || w.state !== 'Notified' || w.channel !== 'CallIn') return priority;
    const settings = this.settings(queueId);
    if (!settings || w.notifiedAt === null || this.now() > w.notifiedAt + settings.callin_window_s * 1000) return priority;
    this.connect(w, null);
    this.log.info({ callId: session.callId, waiterId: w.id, queueId }, 'notified caller called in: served first');
    return CALLIN_PRIORITY;
  }

  owns(callId: string): boolean {
    return this.live.has(callId);
  }

  command(cmd: Exclude<RoutingCommand, { type: 'timer.set' | 'timer.clear' }>): void {
    const w = this.live.get(cmd.callId);
    if (!w) return;
    switch (cmd.type) {
      case 'offer':
        return this.turnCame(w, cmd.agentId);
      case 'offer.cancel': {
        this.numbers.dropTurn(w.id, cmd.agentId);
        return this.attempts.get(w.id)?.cancelOffer(cmd.agentId);
      }
      case 'connect': {
        const call = this.attempts.get(w.id);
        if (!call) return this.deps.engine.router.input({ type: 'call.end', callId: w.id, side: 'caller' });
        this.connect(w, cmd.agentId);
        void call.connect(cmd.agentId);
        return;
      }
      case 'call.exit':
        this.queueLog('CALLBACKTIMEOUT', w, { channel: w.channel, attempts: w.attempts, waittime: secs(this.now() - w.enqueuedAt) });
        return this.finish(w, 'TimeOut', 'Canceled');
      case 'consult.cancel':
        return;
    }
  }

  // ------------------------------------------------------------ API (seed 004 Callers)

  lineUp(lineId: string, p: LineUpParams): VqResult<VirtualWaiter> {
    const queue = this.deps.engine.queueConfig(lineId);
    if (!queue) return fail('LINE_NOT_FOUND', `line ${lineId} not found`);
    const settings = queue.virtual_queue;
    if (!settings) return fail('VIRTUAL_QUEUE_DISABLED', `line ${lineId} has no virtual queue`);
    const existing = this.deps.waiters.latest(lineId, p.phone);
    if (existing && (existing.state === 'Waiting' || existing.state === 'Notified')) return fail('CALLER_ALREADY_WAITING', `${p.phone} is already waiting on line ${lineId}`);
    const now = this.now();
    const w = newWaiter(`vq-${this.deps.newId()}`, lineId, p, now, now, 0, null);
    this.deps.waiters.save(w);
    this.live.set(w.id, w);
    this.route(w, settings, true);
    this.log.info({ waiterId: w.id, lineId, channel: w.channel, source: w.source }, 'caller lined up');
    return { ok: true, value: this.view(w) };
  }

  get(lineId: string, phone: string): VqResult<VirtualWaiter> {
    if (!this.deps.engine.queueConfig(lineId)) return fail('LINE_NOT_FOUND', `line ${lineId} not found`);
    const w = this.deps.waiters.latest(lineId, phone);
    return w ? { ok: true, value: this.view(this.live.get(w.id) ?? w) } : fail('CALLER_NOT_FOUND', `no caller ${phone} on line ${lineId}`);
  }

  /** VerifyCaller: the caller is up (Notified within its window), else null. */
  verify(lineId: string, phone: string): VqResult<VirtualWaiter | null> {
    const r = this.get(lineId, phone);
    if (!r.ok) return r.error.code === 'CALLER_NOT_FOUND' ? { ok: true, value: null } : r;
    const settings = this.settings(lineId);
    const w = r.value;
    const up = w.state === 'Notified' && settings !== undefined && w.notifiedAt !== null && this.now() <= w.notifiedAt + settings.callin_window_s * 1000;
    return { ok: true, value: up ? w : null };
  }

  /** NotifyCallerConnected: the caller called in (or was reached) and is with the call center. */
  connected(lineId: string, phone: string): VqResult<VirtualWaiter> {
    const r = this.get(lineId, phone);
    if (!r.ok) return r;
    const w = this.live.get(r.value.id);
    if (w) {
      this.leaveRouting(w);
      this.connect(w, null);
    }
    return this.get(lineId, phone);
  }

  /** NotifyCallerTransferred: waiting is over; the agent and the wait when up are recorded. */
  transferred(lineId: string, phone: string, p: { waitTimeWhenUp?: number | undefined; agentId?: string | undefined }): VqResult<VirtualWaiter> {
    const r = this.get(lineId, phone);
    if (!r.ok) return r;
    const w = this.live.get(r.value.id) ?? r.value;
    if (p.waitTimeWhenUp !== undefined) w.waitTimeWhenUp = p.waitTimeWhenUp;
    if (p.agentId !== undefined) w.agentId = p.agentId;
    this.leaveRouting(w);
    this.finish(w, 'Finished', 'Finished');
    return this.get(lineId, phone);
  }

  /** UpdateCallerInformation: a service state, the wait when up, the agent. */
  update(lineId: string, phone: string, p: { state?: ServiceState | undefined; waitTimeWhenUp?: number | undefined; agentId?: string | undefined }): VqResult<VirtualWaiter> {
    const r = this.get(lineId, phone);
    if (!r.ok) return r;
    const w = this.live.get(r.value.id) ?? r.value;
    if (p.waitTimeWhenUp !== undefined) w.waitTimeWhenUp = p.waitTimeWhenUp;
    if (p.agentId !== undefined) w.agentId = p.agentId;
    if (p.state === 'Canceled' || p.state === 'Finished') {
      this.leaveRouting(w);
      this.finish(w, 'Finished', p.state);
    } else if (p.state === 'Connected') {
      this.leaveRouting(w);
      this.connect(w, p.agentId ?? null);
    } else {
      if (p.state === 'Deferred') w.serviceState = 'Deferred';
      this.save(w);
    }
    return this.get(lineId, phone);
  }

  /** ListCallersWaiting: waiters in Waiting or Notified, their place first. */
  listWaiting(lineId?: string): VqResult<VirtualWaiter[]> {
    if (lineId !== undefined && !this.deps.engine.queueConfig(lineId)) return fail('LINE_NOT_FOUND', `line ${lineId} not found`);
    const list = [...this.live.values()].filter((w) => lineId === undefined || w.lineId === lineId).sort((x, y) => x.enqueuedAt - y.enqueuedAt);
    return { ok: true, value: list.map((w) => this.view(w)) };
  }

  /** Estimated wait of a waiter (its position) or of a new caller, ms. */
  ewtMs(queueId: string, waiterId: string | undefined): number {
    const state = this.deps.engine.router.state;
    const q = state.queues.get(queueId);
    if (!q) return 0;
    const entry = waiterId ? state.calls.get(waiterId) : undefined;
    let position = q.calls.size + 1;
    if (entry) {
      position = 1;
      for (const c of q.calls) if (c !== entry && (c.priority > entry.priority || (c.priority === entry.priority && (c.enqueuedAt < entry.enqueuedAt || (c.enqueuedAt === entry.enqueuedAt && c.seq < entry.seq))))) position += 1;
    }
    const staffed = q.staffedByRank.reduce((x, y) => x + y, 0);
    return estimateWaitMs(position, staffed, q.available.size, this.handleTimes.handleMs(queueId));
  }

  // ------------------------------------------------------------ internals

  private turnCame(w: VirtualWaiter, agentId: string): void {
    const settings = this.settings(w.lineId);
    if (!settings) return;
    if (w.channel === 'CallIn') return this.notify(w, settings);
    // Dialled once the caller has chosen its number and hung up; the agent stays reserved.
    if (this.numbers.holdTurn(w.id, agentId)) return;
    let call = this.attempts.get(w.id);
    if (!call) {
      const callId = this.deps.newId();
      const cfg = this.deps.engine.currentConfig.click_to_call;
      call = new CallbackCall(
        this.deps.engine,
        { waiter: w, settings, callId, callerId: cfg.caller_id ?? w.lineId, onOutcome: (o) => this.attemptEnded(w, settings, o) },
        this.log.child({ callId, waiterId: w.id }),
      );
      this.attempts.set(w.id, call);
    }
    call.offer(agentId);
  }

  private attemptEnded(w: VirtualWaiter, settings: VirtualQueueSettings, o: CallbackOutcome): void {
    this.attempts.delete(w.id);
    const now = this.now();
    switch (o.kind) {
      case 'withdrawn':
        return;
      case 'completed':
        w.agentId = o.agentId;
        w.waitTimeWhenUp = secs(o.connectedAt - w.enqueuedAt);
        return this.finish(w, 'Finished', 'Finished');
      case 'customer-left':
        this.leaveRouting(w);
        return this.finish(w, 'Finished', 'Canceled');
      case 'customer-failed': {
        w.attempts += 1;
        if (w.attempts > settings.retries) {
          this.leaveRouting(w);
          this.queueLog('CALLBACKTIMEOUT', w, { channel: w.channel, attempts: w.attempts, waittime: secs(now - w.enqueuedAt) });
          this.log.info({ waiterId: w.id, attempts: w.attempts }, 'callback not answered: time-out');
          return this.finish(w, 'TimeOut', 'Canceled');
        }
        w.nextAttemptAt = now + settings.retry_after_s * 1000;
        w.serviceState = 'Deferred';
        this.save(w);
        this.log.info({ waiterId: w.id, attempts: w.attempts, cause: o.cause, retryAt: w.nextAttemptAt }, 'callback not answered: retry later');
        this.deps.engine.router.input({ type: 'virtual.retry', callId: w.id, cause: o.cause, retryAt: w.nextAttemptAt });
        return;
      }
    }
  }

  private notify(w: VirtualWaiter, settings: VirtualQueueSettings): void {
    const now = this.now();
    this.deps.engine.router.input({ type: 'call.leave', callId: w.id });
    w.state = 'Notified';
    w.notifiedAt = now;
    this.save(w);
    this.queueLog('CALLBACKNOTIFY', w, { channel: w.channel, waittime: secs(now - w.enqueuedAt) });
    this.armWindow(w, settings);
    const url = settings.notify_url;
    if (!url) return;
    const webhooks = this.deps.engine.currentConfig.webhooks;
    const body = { Event: 'CallerUp', ...callerResult(this.view(w), now) };
    void this.deps.http
      .request({ method: 'POST', url, body, timeoutMs: webhooks.timeout_ms, ...(webhooks.secret ? { secret: webhooks.secret } : {}) })
      .then((res) => {
        if (res.ok) this.log.info({ waiterId: w.id, url: safeUrl(url), ms: res.ms }, 'caller notified');
        else this.log.warn({ waiterId: w.id, url: safeUrl(url), error: res.error, status: res.status }, 'caller notification failed');
      });
  }

  private armWindow(w: VirtualWaiter, settings: VirtualQueueSettings): void {
    const { clock } = this.deps.engine;
    const end = (w.notifiedAt ?? this.now()) + settings.callin_window_s * 1000;
    const prev = this.windows.get(w.id);
    if (prev) clock.cancel(prev);
    this.windows.set(
      w.id,
      clock.schedule(Math.max(end, this.now()), () => {
        this.windows.delete(w.id);
        const live = this.live.get(w.id);
        if (!live || live.state !== 'Notified') return;
        this.queueLog('CALLBACKTIMEOUT', live, { channel: live.channel, attempts: live.attempts, waittime: secs(this.now() - live.enqueuedAt) });
        this.log.info({ waiterId: live.id }, 'call-in window over: time-out');
        this.finish(live, 'TimeOut', 'Canceled');
      }),
    );
  }

  private route(w: VirtualWaiter, settings: VirtualQueueSettings, fresh: boolean): void {
    this.deps.engine.router.input({
      type: 'virtual.enqueue',
      callId: w.id,
      queueId: w.lineId,
      priority: w.priority,
      enqueuedAt: w.enqueuedAt,
      offerTimeoutMs: offerTimeoutMs(settings, this.deps.engine.queueConfig(w.lineId)),
      ...(w.nextAttemptAt !== null && w.nextAttemptAt > this.now() ? { holdUntil: w.nextAttemptAt } : {}),
      ...(fresh ? { fresh: true, callerId: w.phone } : {}),
      // Seed 004 Skills are names (any level qualifies) unless the caller's levels are known.
      ...(w.skills.length > 0 ? { skills: w.skillLevels ?? Object.fromEntries(w.skills.map((k) => [k, 1])) } : {}),
    });
  }

  private leaveRouting(w: VirtualWaiter): void {
    if (this.deps.engine.router.state.calls.has(w.id)) this.deps.engine.router.input({ type: 'call.leave', callId: w.id });
  }

  private connect(w: VirtualWaiter, agentId: string | null): void {
    const now = this.now();
    w.state = 'Connected';
    w.serviceState = 'Connected';
    w.connectedAt = now;
    if (agentId) w.agentId = agentId;
    w.waitTimeWhenUp ??= secs(now - w.enqueuedAt);
    this.dropWindow(w.id);
    this.save(w);
  }

  private finish(w: VirtualWaiter, state: 'Finished' | 'TimeOut', service: ServiceState): void {
    w.state = state;
    w.serviceState = service;
    this.live.delete(w.id);
    this.dropWindow(w.id);
    this.save(w);
  }

  private dropWindow(id: string): void {
    const t = this.windows.get(id);
    if (t) this.deps.engine.clock.cancel(t);
    this.windows.delete(id);
  }

  private save(w: VirtualWaiter): void {
    w.updatedAt = this.now();
    this.deps.waiters.save(w);
  }

  /** The waiter with its live figures (Ewt, EstimatedUpTimeAt). */
  private view(w: VirtualWaiter): VirtualWaiter {
    if (w.state !== 'Waiting') return { ...w };
    const ewt = this.ewtMs(w.lineId, w.id);
    return { ...w, ewtS: secs(ewt), estimatedUpAt: this.now() + ewt };
  }

  private settings(queueId: string): VirtualQueueSettings | undefined {
    return this.deps.engine.queueConfig(queueId)?.virtual_queue;
  }

  private queueLog(event: QueueLogEventName, w: VirtualWaiter, data: Record<string, string | number>): void {
    this.deps.engine.appendQueueLog({ at: this.now(), callId: w.id, queueId: w.lineId, agentId: w.agentId, event, data });
  }

  private async hangUpCaller(session: CallSession): Promise<void> {
    const { pbx } = this.deps.engine;
    await pbx.stopMoh(session.leg).catch((err: unknown) => this.log.debug({ err }, 'stop music before hang-up failed'));
    await pbx.hangup(session.leg, 'normal').catch((err: unknown) => this.log.debug({ err }, 'hang-up after callback request failed'));
  }

  private now(): number {
    return this.deps.engine.clock.now();
  }
}
