/**
 * One callback attempt of a virtual waiter (seed 004): the routing core has reserved an agent for
 * the waiter's entry (an `offer` with the entry's own time-out); this dials both sides through the
 * PBX. customer-first: the customer is dialled, hears "you asked us to call you back", then the
 * reserved agent rings; agent-first: the agent answers first, then the customer is dialled. Once
 * both are up the core is told `offer.answered` and its `connect` bridges them. One CDR per attempt,
 * direction `callback`, `parentCallId` the call that asked for it, wait counted from the original
 * enter time. The outcome goes back to the service (retry, finished, cancelled).
 * Journalled (kind `callback`, callback-journal.ts) from its first leg (the customer's dial, or the
 * agent rung first): a bridged attempt is taken up again after an engine restart (`CallbackCall.resume`).
 */
import type { Engine, LegOwner } from '../calls/engine.js';
import { cdrStart } from '../domain/cdr.js';
import type { CallJournal } from '../domain/journal.js';
import type { VirtualQueueSettings, VirtualWaiter } from '../domain/virtual-queue.js';
import type { Logger } from '../infra/logger.js';
import { isPbxError, type BridgeId, type HangupCause, type LegId } from '../pbx/port.js';
import { callbackJournal, type CallbackJournalTags } from './callback-journal.js';
import { STOPPED } from '../infra/stopped.js';

export type CallbackOutcome =
  /** The customer did not answer (or was busy, or the dial failed): try again later. */
  | { kind: 'customer-failed'; cause: string }
  /** The customer answered but hung up before an agent was with it. */
  | { kind: 'customer-left' }
  /** Bridged with an agent, then ended. */
  | { kind: 'completed'; agentId: string; connectedAt: number }
  /** The offer was withdrawn before the customer was reached (agent-first): nothing happened. */
  | { kind: 'withdrawn' };

/** Whom a callback calls: a virtual waiter, or a due request of an auto callback list. */
export type CallbackTarget = Pick<VirtualWaiter, 'id' | 'lineId' | 'phone' | 'parentCallId' | 'enqueuedAt' | 'lang' | 'priority'>;

export interface CallbackCallSpec {
  /** `id` is the routing entry's id. */
  waiter: CallbackTarget;
  settings: Pick<VirtualQueueSettings, 'callback_mode' | 'callback_prompts' | 'ring_timeout_s'>;
  /** The CDR's variables; default `SWITCHBOARD_VIRTUAL_ID` (the waiter). */
  variables?: Record<string, string>;
  /** Who runs the attempt, in its journal entry (absent: the virtual queue). */
  journalTags?: CallbackJournalTags;
  /** The callback's own call id (its CDR). */
  callId: string;
  /** Caller id shown to the customer. */
  callerId: string;
  onOutcome(outcome: CallbackOutcome): void;
}

export class CallbackCall implements LegOwner {
  private customerLeg: LegId | undefined;
  private customerUp = false;
  private customerDialing = false;
  private agentLeg: LegId | undefined;
  /** The agent the core reserved for this attempt, if any. */
  private agentId: string | undefined;
  private bridge: BridgeId | undefined;
  private readonly startedAt: number;
  private answeredAt: number | null = null;
  private connectedAt: number | null = null;
  private connectedAgent: string | null = null;
  private agentLegId: string | null = null;
  private hangupSide: 'caller' | 'agent' | 'system' | null = null;
  private hangupCause: string | null = null;
  private done = false;
  private readonly media = new AbortController();

  constructor(
    private readonly engine: Engine,
    private readonly spec: CallbackCallSpec,
    private readonly log: Logger,
    startedAt?: number,
  ) {
    this.startedAt = startedAt ?? engine.clock.now();
  }

  /**
   * After an engine restart: the bridged attempt of `entry` goes on. Its legs are claimed again,
   * the core is told the agent is on the call (`call.restore`), and the CDR is written when it
   * ends; an agent leg that did not survive ends it now.
   */
  static resume(engine: Engine, spec: CallbackCallSpec, log: Logger, entry: CallJournal, agentLegAlive: boolean): CallbackCall {
    const call = new CallbackCall(engine, spec, log, entry.cdr.startedAt);
    const now = engine.clock.now();
    call.customerLeg = entry.leg as LegId;
    call.customerUp = true;
    call.answeredAt = entry.cdr.answeredAt;
    call.agentId = entry.agentId;
    call.agentLeg = entry.agentLeg as LegId | undefined;
    call.agentLegId = entry.agentLeg ?? null;
    call.bridge = entry.bridge as BridgeId | undefined;
    call.connectedAt = entry.cdr.connectedAt ?? now;
    call.connectedAgent = entry.agentId ?? null;
    call.media.abort(STOPPED);
    engine.claimLeg(call.customerLeg, call);
    if (call.agentLeg && agentLegAlive) engine.claimLeg(call.agentLeg, call);
    const { waiter } = spec;
    if (entry.agentId) engine.router.input({ type: 'call.restore', callId: waiter.id, queueId: waiter.lineId, agentId: entry.agentId, priority: waiter.priority, enqueuedAt: waiter.enqueuedAt, connectedAt: call.connectedAt });
    log.info({ agentId: entry.agentId, agentLegAlive }, 'callback resumed after restart');
    if (!agentLegAlive || !call.agentLeg) {
      call.agentLeg = undefined;
      call.hangupUp('agent', 'lost');
    }
    return call;
  }

  /** Where the attempt is, in the live-call journal (once it has a leg: the customer's, or the agent's rung first). */
  private journal(): void {
    if (this.done || (!this.customerLeg && !this.agentLeg)) return;
    this.engine.journalCall(
      callbackJournal({
        callId: this.spec.callId,
        waiter: this.spec.waiter,
        callerId: this.spec.callerId,
        customerLeg: this.customerLeg,
        startedAt: this.startedAt,
        answeredAt: this.answeredAt,
        agentId: this.agentId,
        agentLeg: this.agentLeg,
        bridge: this.bridge,
        connectedAt: this.connectedAt,
        ...(this.spec.variables ? { variables: this.spec.variables } : {}),
        ...(this.spec.journalTags ? { tags: this.spec.journalTags } : {}),
      }),
    );
  }

  get mode(): VirtualQueueSettings['callback_mode'] {
    return this.spec.settings.callback_mode;
  }

  /** The core reserved `agentId` for the waiter. */
  offer(agentId: string): void {
    if (this.done) return;
    this.agentId = agentId;
    if (this.mode === 'agent-first') return void this.ringAgent(agentId);
    if (this.customerUp) return void this.ringAgent(agentId);
    if (!this.customerDialing) void this.dialCustomer();
  }

  /** The core withdrew the reservation (time-out, the agent logged out). */
  cancelOffer(agentId: string): void {
    if (this.done || this.agentId !== agentId) return;
    this.agentId = undefined;
    this.dropAgent();
    if (this.mode === 'agent-first' && !this.customerUp) {
      this.dropCustomer();
      this.end({ kind: 'withdrawn' }, 'system', 'cancelled');
    }
  }

  /** The core accepted the answer: bridge the customer with the agent. */
  async connect(agentId: string): Promise<void> {
    const { pbx, clock } = this.engine;
    if (this.done || !this.customerLeg || !this.agentLeg) return;
    try {
      this.media.abort(STOPPED);
      await pbx.stopMoh(this.customerLeg).catch((err: unknown) => this.quiet(err));
      this.bridge = await pbx.bridge([this.customerLeg, this.agentLeg]);
      this.connectedAt = clock.now();
      this.connectedAgent = agentId;
      this.log.info({ agentId, bridgeId: this.bridge }, 'callback bridged');
      this.journal();
      if (this.done) await pbx.destroyBridge(this.bridge).catch((err: unknown) => this.quiet(err));
    } catch (err) {
      this.quiet(err);
      this.hangupUp('system', 'failed');
    }
  }

  onDtmf(): void {}

  onLegAnswered(leg: LegId): void {
    if (this.done) return;
    if (leg === this.customerLeg) void this.customerAnswered();
    else if (leg === this.agentLeg) void this.agentAnswered();
  }

  onLegHangup(leg: LegId, cause: HangupCause): void {
    this.engine.releaseLeg(leg);
    if (this.done) return;
    if (leg === this.customerLeg) {
      this.customerLeg = undefined;
      if (this.connectedAt !== null) return this.hangupUp('caller', cause);
      if (!this.customerUp) return this.customerFailed(cause);
      // The customer went before an agent was with it.
      this.customerUp = false;
      if (this.agentId) this.engine.router.input({ type: 'call.leave', callId: this.spec.waiter.id });
      this.dropAgent();
      return this.end({ kind: 'customer-left' }, 'caller', cause);
    }
    if (leg === this.agentLeg) {
      this.agentLeg = undefined;
      if (this.connectedAt !== null) return this.hangupUp('agent', cause);
      const agentId = this.agentId;
      this.agentId = undefined;
      // agent-first: this attempt ends before the core hears of it, so its re-offer (to the next
      // agent, synchronously) starts a new attempt instead of landing on this finished one.
      if (this.mode === 'agent-first') {
        if (this.customerDialing) this.dropCustomer();
        this.end({ kind: 'withdrawn' }, 'agent', cause);
      }
      // The agent did not answer (or hung up before the customer was there): the core offers again.
      if (agentId) this.engine.router.input({ type: 'offer.failed', callId: this.spec.waiter.id, agentId, cause });
    }
  }

  private async dialCustomer(): Promise<void> {
    const { pbx } = this.engine;
    const { waiter, settings } = this.spec;
    this.customerDialing = true;
    try {
      this.customerLeg = await pbx.originate({
        destination: { kind: 'external', number: waiter.phone },
        callerId: { number: this.spec.callerId },
        timeoutMs: settings.ring_timeout_s * 1000,
        variables: { SWITCHBOARD_DIRECTION: 'callback', SWITCHBOARD_QUEUE: waiter.lineId, SWITCHBOARD_PARENT: waiter.parentCallId ?? '' },
        callId: this.spec.callId,
      });
      this.engine.claimLeg(this.customerLeg, this);
      this.log.info({ mode: this.mode }, 'callback: dialing customer');
      this.journal();
    } catch (err) {
      this.quiet(err);
      this.customerFailed('failed');
    }
  }

  private async customerAnswered(): Promise<void> {
    const { pbx, clock } = this.engine;
    this.customerDialing = false;
    this.customerUp = true;
    this.answeredAt = clock.now();
    const leg = this.customerLeg!;
    if (this.mode === 'agent-first') {
      this.log.info({ agentId: this.agentId }, 'callback: customer answered');
      if (this.agentId && this.agentLeg) this.engine.router.input({ type: 'offer.answered', callId: this.spec.waiter.id, agentId: this.agentId, agentLeg: this.agentLeg });
      return;
    }
    const lang = this.spec.waiter.lang ?? 'en';
    const prompts = pick(this.spec.settings.callback_prompts, lang);
    try {
      await pbx.play(leg, prompts, { language: lang, signal: this.media.signal });
      if (this.done || this.media.signal.aborted) return;
      await pbx.startMoh(leg, 'default', { signal: this.media.signal });
    } catch (err) {
      this.quiet(err);
    }
    if (this.done) return;
    if (this.agentId) await this.ringAgent(this.agentId);
  }

  private async ringAgent(agentId: string): Promise<void> {
    const { pbx } = this.engine;
    const destination = this.engine.agentDestination(agentId);
    if (!destination) {
      this.engine.router.input({ type: 'offer.failed', callId: this.spec.waiter.id, agentId, cause: 'failed' });
      return;
    }
    try {
      const leg = await pbx.originate({
        destination,
        callerId: { number: this.spec.waiter.phone },
        timeoutMs: this.engine.queueConfig(this.spec.waiter.lineId)?.answer_timeout_s ? this.engine.queueConfig(this.spec.waiter.lineId)!.answer_timeout_s * 1000 : 15_000,
        variables: { SWITCHBOARD_DIRECTION: 'callback', SWITCHBOARD_QUEUE: this.spec.waiter.lineId, SWITCHBOARD_AGENT: agentId },
        callId: this.spec.callId,
      });
      if (this.done || this.agentId !== agentId) {
        await pbx.hangup(leg, 'normal').catch((err: unknown) => this.quiet(err));
        return;
      }
      this.agentLeg = leg;
      this.agentLegId = leg;
      this.engine.claimLeg(leg, this);
      this.log.info({ agentId }, 'callback: ringing agent');
      this.journal();
    } catch (err) {
      this.quiet(err);
      if (this.agentId === agentId) {
        this.agentId = undefined;
        this.engine.router.input({ type: 'offer.failed', callId: this.spec.waiter.id, agentId, cause: 'failed' });
      }
    }
  }

  private async agentAnswered(): Promise<void> {
    if (!this.agentId || !this.agentLeg) return;
    if (this.mode === 'customer-first') {
      this.engine.router.input({ type: 'offer.answered', callId: this.spec.waiter.id, agentId: this.agentId, agentLeg: this.agentLeg });
      return;
    }
    void this.engine.pbx.play(this.agentLeg, ['tone:ring'], { signal: this.media.signal }).catch((err: unknown) => this.quiet(err));
    await this.dialCustomer();
  }

  private customerFailed(cause: string): void {
    this.customerDialing = false;
    this.dropAgent();
    this.end({ kind: 'customer-failed', cause }, 'caller', cause);
  }

  /** A bridged callback ended: the core's call ends, the other leg goes. */
  private hangupUp(side: 'caller' | 'agent' | 'system', cause: string): void {
    const agentId = this.connectedAgent;
    this.engine.router.input({ type: 'call.end', callId: this.spec.waiter.id, side: side === 'agent' ? 'agent' : 'caller' });
    this.dropAgent();
    this.dropCustomer();
    this.end(agentId && this.connectedAt !== null ? { kind: 'completed', agentId, connectedAt: this.connectedAt } : { kind: 'customer-left' }, side, cause);
  }

  private dropAgent(): void {
    const leg = this.agentLeg;
    this.agentLeg = undefined;
    if (leg) {
      this.engine.releaseLeg(leg);
      void this.engine.pbx.hangup(leg, 'normal').catch((err: unknown) => this.quiet(err));
    }
  }

  private dropCustomer(): void {
    const leg = this.customerLeg;
    this.customerLeg = undefined;
    this.customerDialing = false;
    if (leg) {
      this.engine.releaseLeg(leg);
      void this.engine.pbx.hangup(leg, 'normal').catch((err: unknown) => this.quiet(err));
    }
  }

  private end(outcome: CallbackOutcome, side: 'caller' | 'agent' | 'system', cause: string): void {
    if (this.done) return;
    this.done = true;
    this.media.abort(STOPPED);
    this.hangupSide = side;
    this.hangupCause = cause;
    const { waiter } = this.spec;
    const endedAt = this.engine.clock.now();
    const bridge = this.bridge;
    if (bridge) void this.engine.pbx.destroyBridge(bridge).catch((err: unknown) => this.quiet(err));
    this.engine.recordCdr({
      ...cdrStart({
        callId: this.spec.callId,
        legId: this.customerLeg ?? '',
        direction: 'callback',
        numberId: null,
        dialled: waiter.phone,
        caller: this.spec.callerId,
        callerName: null,
        startedAt: this.startedAt,
      }),
      parentCallId: waiter.parentCallId,
      answeredAt: this.answeredAt,
      endedAt,
      queueId: waiter.lineId,
      enqueuedAt: waiter.enqueuedAt,
      waitMs: (this.connectedAt ?? endedAt) - waiter.enqueuedAt,
      agentId: this.connectedAgent,
      agentLegId: this.connectedAgent ? this.agentLegId : null,
      connectedAt: this.connectedAt,
      talkMs: this.connectedAt === null ? null : endedAt - this.connectedAt,
      hangupSide: this.hangupSide,
      hangupCause: this.hangupCause,
      language: waiter.lang,
      disposition: this.connectedAt !== null ? 'answered' : outcome.kind === 'customer-left' ? 'abandoned' : 'failed',
      variables: this.spec.variables ?? { SWITCHBOARD_VIRTUAL_ID: waiter.id },
      segments: this.connectedAt !== null && this.connectedAgent ? [{ agentId: this.connectedAgent, number: null, queueId: waiter.lineId, via: 'queue', startedAt: this.connectedAt, endedAt, holdMs: 0 }] : [],
    });
    this.log.info({ outcome: outcome.kind, side, cause }, 'callback attempt ended');
    this.spec.onOutcome(outcome);
  }

  private quiet(err: unknown): void {
    if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, 'callback step failed');
  }
}

function pick(prompts: Record<string, string[]>, lang: string): string[] {
  const list = prompts[lang] ?? prompts.default ?? Object.values(prompts)[0] ?? [];
  return list.map((p) => (p.includes(':') ? p : `sound:${p}`));
}
