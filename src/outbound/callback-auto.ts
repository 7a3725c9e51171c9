/**
 * Auto callback lists (seed 002 lists with `auto`): a due request (callback-due.ts) is offered to
 * the list's queue's agents like a call. It enters the routing core as a virtual entry
 * (`virtual.enqueue`, id `cbl-<request uuid>`, its place the instant it became due), so the core's
 * availability and strategy decide: one free agent is reserved (`offer`) and is never offered two
 * things at once. On the offer the agent holds the request (CallbackTaken) and a ticket records
 * the attempt (CallbackStarted); a CallbackCall in agent-first mode rings the agent, then dials
 * the number, and the core's `connect` bridges them (CDR direction `callback`, parentCallId the
 * call the request was left from). The agent's updateCallbackTicket closes or reschedules it.
 * An agent that does not answer lets the request go back (released; the core offers it again).
 * Requests live in SQLite: after a restart the due ones are offered again. Attempts are journalled
 * (owner `auto-list`, with their request and ticket): one bridged at a restart goes on (`resume`),
 * the agent busy on it, its CDR and ticket outcome written when it ends; one the restart cut short
 * (dialling, ringing) gives its request back (ticket outcome `interrupted`), due as before.
 */
import type { CallbackResumer, Engine } from '../calls/engine.js';
import type { RoutingEntryOwner } from '../calls/virtual-queue-port.js';
import type { Cdr } from '../domain/cdr.js';
import type { CallJournal } from '../domain/journal.js';
import type { TimerHandle } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import type { RoutingCommand } from '../routing/types.js';
import type { AutoCandidate, CallbackListRepo } from '../store/repos/callback-list-repo.js';
import { CallbackCall, type CallbackCallSpec, type CallbackOutcome, type CallbackTarget } from './callback-call.js';
import { dueSince } from './callback-due.js';
import type { CallbackListService } from './callback-lists.js';

export const AUTO_ENTRY_PREFIX = 'cbl-';
/** How long the customer's number rings. */
const CUSTOMER_RING_S = 30;

export interface AutoCallbackDeps {
  engine: Engine;
  lists: CallbackListService;
  repo: CallbackListRepo;
  log: Logger;
  newId: () => string;
  /** How often due requests are looked for (besides on every change); default 30 s. */
  scanEveryMs?: number;
  /** A request attempted lately is not offered again before this; default 15 min. */
  retryAfterMs?: number;
}

interface Entry {
  target: CallbackTarget;
  requestUuid: string;
}

interface Attempt {
  call: CallbackCall;
  agentId: string;
  ticketUuid: string;
}

/** The settings of an auto-list attempt: the agent first, then the number. */
const SETTINGS: CallbackCallSpec['settings'] = { callback_mode: 'agent-first', callback_prompts: {}, ring_timeout_s: CUSTOMER_RING_S };

export class AutoCallbacks implements RoutingEntryOwner, CallbackResumer {
  readonly owner = 'auto-list';
  private readonly entries = new Map<string, Entry>();
  private readonly attempts = new Map<string, Attempt>();
  private readonly log: Logger;
  private timer: TimerHandle | undefined;
  private stopped = true;
  private readonly onChanged = () => this.scan();

  constructor(private readonly deps: AutoCallbackDeps) {
    this.log = deps.log.child({ mod: 'callback-auto' });
    deps.engine.attachEntryOwner(this);
    // Last: attempts found at start, if the engine has started, come at once.
    deps.engine.attachCallbackResumer(this);
  }

  /** After an engine restart: a bridged attempt goes on, the request still held by its agent. */
  resume(j: CallJournal, agentLegAlive: boolean): boolean {
    const { engine } = this.deps;
    const requestUuid = j.requestUuid;
    const request = requestUuid ? this.deps.repo.request(requestUuid) : undefined;
    const queueId = j.cdr.queueId;
    if (!requestUuid || !j.ticketUuid || !j.agentId || !request || request.closed || !queueId || !engine.queueConfig(queueId)) return false;
    const id = j.waiterId ?? AUTO_ENTRY_PREFIX + requestUuid;
    const target: CallbackTarget = { id, lineId: queueId, phone: j.cdr.dialled, parentCallId: j.cdr.parentCallId ?? null, enqueuedAt: j.cdr.enqueuedAt ?? j.cdr.startedAt, lang: null, priority: j.priority ?? 0 };
    this.entries.set(id, { target, requestUuid });
    const spec = this.spec(target, requestUuid, j.agentId, j.ticketUuid, j.callId, j.cdr.caller);
    const call = CallbackCall.resume(engine, spec, this.log.child({ callId: j.callId, requestUuid }), j, agentLegAlive);
    // Ended already (its agent leg did not survive): its outcome is recorded, its entry gone.
    if (this.entries.has(id)) this.attempts.set(id, { call, agentId: j.agentId, ticketUuid: j.ticketUuid });
    return true;
  }

  /**
   * After an engine restart: an attempt that did not survive it. Bridged (its customer gone while
   * the engine was down) it completed; dialling or ringing, its request goes back to the list, due
   * as before (an interrupted attempt does not count as one).
   */
  ended(j: CallJournal, cdr: Cdr): void {
    if (!j.ticketUuid || !j.requestUuid) return;
    const answered = cdr.disposition === 'answered';
    const holder = this.deps.repo.request(j.requestUuid)?.agentId ?? null;
    this.deps.lists.endAuto(j.ticketUuid, answered ? 'completed' : 'interrupted', answered || holder === null ? undefined : { uuid: j.requestUuid, agentId: holder });
    this.log.info({ requestUuid: j.requestUuid, callId: j.callId, disposition: cdr.disposition }, answered ? 'auto callback ended while the engine was down' : 'auto callback cut short by the restart: request given back');
  }

  /** After the engine started: due requests are offered (again, after a restart). */
  start(): void {
    this.stopped = false;
    this.deps.lists.on('changed', this.onChanged);
    this.scan();
  }

  stop(): void {
    this.stopped = true;
    this.deps.lists.off('changed', this.onChanged);
    if (this.timer) this.deps.engine.clock.cancel(this.timer);
    this.timer = undefined;
  }

  owns(callId: string): boolean {
    return this.entries.has(callId);
  }

  /** Offer what is due, withdraw what no longer is (its period ended, someone took it). */
  scan(): void {
    if (this.stopped) return;
    const { engine } = this.deps;
    const now = engine.clock.now();
    const retryAfterMs = this.deps.retryAfterMs ?? 15 * 60_000;
    const due = new Set<string>();
    for (const c of this.deps.repo.autoCandidates()) {
      const since = dueSince({ dueDate: c.request.dueDate, preferredPeriod: c.request.preferredPeriod, createdAt: c.createdAt, lastAttemptAt: c.lastAttemptAt }, now, retryAfterMs);
      if (since === undefined) continue;
      const id = AUTO_ENTRY_PREFIX + c.request.uuid;
      due.add(id);
      if (!this.entries.has(id)) this.enter(id, c, since);
    }
    for (const [id, e] of [...this.entries]) {
      if (due.has(id) || this.attempts.has(id)) continue;
      this.entries.delete(id);
      if (engine.router.state.calls.has(id)) engine.router.input({ type: 'call.leave', callId: id });
      this.log.info({ requestUuid: e.requestUuid }, 'auto callback withdrawn: no longer due');
    }
    this.arm(now);
  }

  command(cmd: Exclude<RoutingCommand, { type: 'timer.set' | 'timer.clear' }>): void {
    switch (cmd.type) {
      case 'offer':
        // Taken up once the input that caused it is done: a re-offer after an agent did not
        // answer comes while that attempt is still finishing.
        return queueMicrotask(() => this.offered(cmd.callId, cmd.agentId));
      case 'offer.cancel':
        return this.attempts.get(cmd.callId)?.call.cancelOffer(cmd.agentId);
      case 'connect': {
        const a = this.attempts.get(cmd.callId);
        if (!a) return this.deps.engine.router.input({ type: 'call.end', callId: cmd.callId, side: 'caller' });
        void a.call.connect(cmd.agentId);
        return;
      }
      case 'call.exit':
        // The queue went away: the request stays in its list.
        this.entries.delete(cmd.callId);
        return;
      case 'consult.cancel':
        return;
    }
  }

  private enter(id: string, c: AutoCandidate, since: number): void {
    const { engine } = this.deps;
    const phone = c.request.phoneNumber ?? c.request.mobilePhoneNumber;
    const queue = engine.queueConfig(c.queueId);
    if (!phone || !queue) return;
    // The CDR's wait counts from the original call's enter time when it was left from a call (as
    // the virtual queue's callbacks do), else from the instant it became due.
    const target: CallbackTarget = { id, lineId: c.queueId, phone, parentCallId: c.request.parentCallId, enqueuedAt: c.parentEnqueuedAt ?? since, lang: null, priority: 0 };
    this.entries.set(id, { target, requestUuid: c.request.uuid });
    engine.router.input({
      type: 'virtual.enqueue',
      callId: id,
      queueId: c.queueId,
      priority: 0,
      enqueuedAt: since,
      // Long enough to ring the agent, then the customer.
      offerTimeoutMs: (queue.answer_timeout_s + CUSTOMER_RING_S) * 1000 + 30_000,
      fresh: true,
      callerId: phone,
    });
    this.log.info({ requestUuid: c.request.uuid, queueId: c.queueId, dueSince: since }, 'auto callback offered to the queue');
  }

  private offered(id: string, agentId: string): void {
    const e = this.entries.get(id);
    const { engine } = this.deps;
    const entry = engine.router.state.calls.get(id);
    if (!e || !entry || entry.state !== 'offered' || entry.agentId !== agentId) return;
    const prev = this.attempts.get(id);
    if (prev) return prev.call.offer(agentId);
    if (!this.deps.lists.takeForAuto(e.requestUuid, agentId)) {
      // Taken by hand (takeCallback) meanwhile: it is that agent's now.
      this.entries.delete(id);
      engine.router.input({ type: 'call.leave', callId: id });
      return;
    }
    const callId = this.deps.newId();
    const ticketUuid = this.deps.lists.startForAuto(e.requestUuid, agentId, e.target.phone, callId);
    const callerId = engine.currentConfig.click_to_call.caller_id ?? e.target.lineId;
    const call = new CallbackCall(engine, this.spec(e.target, e.requestUuid, agentId, ticketUuid, callId, callerId), this.log.child({ callId, requestUuid: e.requestUuid }));
    this.attempts.set(id, { call, agentId, ticketUuid });
    call.offer(agentId);
  }

  /** An attempt's call: `agentId` the agent it was offered to. */
  private spec(target: CallbackTarget, requestUuid: string, agentId: string, ticketUuid: string, callId: string, callerId: string): CallbackCallSpec {
    const id = target.id;
    return {
      waiter: target,
      settings: SETTINGS,
      callId,
      callerId,
      variables: { USR_CALLBACK_REQUEST: requestUuid, USR_CALLBACK_TICKET: ticketUuid },
      journalTags: { owner: 'auto-list', requestUuid, ticketUuid },
      onOutcome: (o) => this.attemptEnded(id, o, { agentId, ticketUuid }),
    };
  }

  /** `a`: the attempt that ended (known from its start: one resumed may end before it is listed). */
  private attemptEnded(id: string, o: CallbackOutcome, a: Pick<Attempt, 'agentId' | 'ticketUuid'>): void {
    if (this.attempts.get(id)?.ticketUuid === a.ticketUuid) this.attempts.delete(id);
    const e = this.entries.get(id);
    if (!e) return;
    const { router } = this.deps.engine;
    switch (o.kind) {
      case 'withdrawn':
        // The agent did not answer: the request goes back; the core offers the entry again.
        this.deps.lists.endAuto(a.ticketUuid, 'agent-no-answer', { uuid: e.requestUuid, agentId: a.agentId });
        return;
      case 'customer-failed':
        this.entries.delete(id);
        if (router.state.calls.has(id)) router.input({ type: 'call.leave', callId: id });
        this.deps.lists.endAuto(a.ticketUuid, `customer-${o.cause}`);
        break;
      case 'customer-left':
        this.entries.delete(id);
        if (router.state.calls.has(id)) router.input({ type: 'call.leave', callId: id });
        this.deps.lists.endAuto(a.ticketUuid, 'customer-left');
        break;
      case 'completed':
        this.entries.delete(id);
        this.deps.lists.endAuto(a.ticketUuid, 'completed');
        break;
    }
    this.log.info({ requestUuid: e.requestUuid, outcome: o.kind, agentId: a.agentId }, 'auto callback attempt ended; the agent holds the ticket');
  }

  /** Look again at the next full minute (periods start on minutes) or after scanEveryMs, whichever first. */
  private arm(now: number): void {
    const { clock } = this.deps.engine;
    if (this.timer) clock.cancel(this.timer);
    const every = this.deps.scanEveryMs ?? 30_000;
    const nextMinute = Math.floor(now / 60_000) * 60_000 + 60_000;
    this.timer = clock.schedule(Math.min(now + every, nextMinute), () => {
      this.timer = undefined;
      this.scan();
    });
  }
}
