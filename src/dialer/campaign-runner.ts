/**
 * Runs one campaign while it is `running`: every tick it expires members, works out how many
 * dials the mode allows (progressive: one per free agent; predictive: the pacing; ivr: the
 * concurrency cap; preview: one offer per free agent), picks due members inside their calling
 * hours (priority, then due time), checks the do-not-call lists, stores the attempt and dials.
 * A member is claimed in the store before dialing, so it is never dialled twice at once.
 * Bucket members and accepted previews ring their agent first (AgentCall), reserved in routing.
 */
import { EventEmitter } from 'node:events';
import type { Engine } from '../calls/engine.js';
import type { Cdr } from '../domain/cdr.js';
import type { TimerHandle } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import { AgentCall, usrVariables } from '../outbound/agent-call.js';
import type { MemberRow, DialerRepo } from '../store/repos/dialer-repo.js';
import { withinCallingHours } from './calling-hours.js';
import type { AttemptOutcome, Campaign } from './campaign.js';
import { CustomerDial, type DialResult } from './customer-dial.js';
import { attemptCdr } from './attempt-cdr.js';
import { afterAttempt } from './outcome.js';
import { newPacingStats, predictiveDials, recordAnswered, recordDial, recordHandle, type PacingStats } from './pacing.js';

export interface DialerEvents {
  /**
   * An attempt started (stored, the number is being dialled), the customer answered (a person:
   * after answering-machine detection; customer-first modes), or it ended with its outcome.
   */
  'attempt': [AttemptEvent];
  /** Preview: an agent is offered a member to accept or skip. */
  'preview': [{ dialerId: string; agentId: string; member: MemberRow }];
  /** Preview: the agent accepted (the call starts) or skipped (with the reason) the member on offer. */
  'preview.decision': [{ dialerId: string; agentId: string; memberId: number; decision: 'accepted' | 'skipped'; reason?: string }];
}

export interface AttemptEvent {
  dialerId: string;
  attemptId: number;
  memberId: number;
  callId: string;
  destination: string;
  phase: 'start' | 'answered' | 'end';
  outcome?: AttemptOutcome;
  cause?: string | null;
  /** Answering-machine detection, `STATUS:cause`. */
  amd?: string | null;
  agentId?: string | null;
}

const TICK_MS = 1000;

export class CampaignRunner extends EventEmitter<DialerEvents> {
  private timer: TimerHandle | undefined;
  private ringing = 0;
  /** Start time of each customer dial still ringing, by attempt. */
  private readonly ringingSince = new Map<number, number>();
  private readonly live = new Set<number>();
  /** Agents holding a preview offer or a bucket call: agentId → member id. */
  private readonly agentHeld = new Map<string, number>();
  readonly pacing: PacingStats = newPacingStats();
  private seq = 0;

  constructor(
    private readonly engine: Engine,
    private readonly repo: DialerRepo,
    readonly dialerId: string,
    private readonly cdrOf: (callId: string) => Promise<Cdr>,
    private readonly log: Logger,
  ) {
    super();
    engine.on('call.offering', this.onOffering);
  }

  private readonly onOffering = (n: { callId: string }): void => {
    this.unoffered.delete(n.callId);
  };

  /** Stop and let go of the engine (the campaign was deleted). */
  dispose(): void {
    this.stop();
    this.engine.off('call.offering', this.onOffering);
  }

  /** Customers of this campaign handed to the queue and not yet offered to an agent. */
  private readonly unoffered = new Set<string>();

  private agentFree(c: Campaign): boolean {
    return this.readyAgents(c).filter((a) => !this.agentHeld.has(a)).length > this.unoffered.size;
  }

  get liveCalls(): number {
    return this.live.size;
  }

  start(): void {
    if (this.timer) return;
    this.schedule(this.engine.clock.now());
  }

  stop(): void {
    if (this.timer) this.engine.clock.cancel(this.timer);
    this.timer = undefined;
    // Preview offers not yet accepted go back to the list.
    for (const agentId of [...this.agentHeld.keys()]) this.skipPreview(agentId, 'campaign-stopped');
  }

  private schedule(at: number): void {
    this.timer = this.engine.clock.schedule(at, () => {
      this.timer = undefined;
      try {
        this.tick();
      } catch (err) {
        this.log.error({ err }, 'dialer tick failed');
      }
      this.schedule(this.engine.clock.now() + TICK_MS);
    });
  }

  private campaign(): Campaign | undefined {
    const row = this.repo.get(this.dialerId);
    return row?.state === 'running' ? row.config : undefined;
  }

  /** Agents of the campaign's queue who are ready now. */
  private readyAgents(c: Campaign): string[] {
    return this.engine.currentConfig.agents
      .map((a) => this.engine.agentSnapshot(a.id))
      .filter((s) => s !== undefined && s.presence === 'ready' && s.reachable && !s.dnd && s.queues.some((q) => q.queueId === c.queue))
      .map((s) => s!.agentId);
  }

  private capacity(c: Campaign): number {
    const room = c.max_concurrent - this.live.size;
    if (room <= 0) return 0;
    if (c.mode === 'ivr') return room;
    const ready = this.readyAgents(c).filter((a) => !this.agentHeld.has(a)).length;
    const q = this.engine.queueSnapshot(c.queue);
    const waiting = q?.waiting ?? 0;
    if (c.mode === 'preview') return Math.min(room, ready);
    if (c.mode === 'progressive') return Math.min(room, ready - this.ringing - waiting);
    const now = this.engine.clock.now();
    const busyElapsedMs = this.engine.currentConfig.agents
      .map((a) => this.engine.agentSnapshot(a.id))
      .filter((s) => s !== undefined && (s.presence === 'oncall' || s.presence === 'wrapup') && s.queues.some((x) => x.queueId === c.queue))
      .map((s) => now - s!.since);
    return Math.min(room, predictiveDials(this.pacing, { freeAgents: ready, busyElapsedMs, ringingElapsedMs: [...this.ringingSince.values()].map((t) => now - t), waiting, maxConcurrent: c.max_concurrent }));
  }

  tick(): void {
    const c = this.campaign();
    if (!c) return;
    const now = this.engine.clock.now();
    this.repo.expire(this.dialerId, now);
    let capacity = this.capacity(c);
    // Bucket members are dialled for their own agent whatever the pacing says.
    const candidates = this.repo.due(this.dialerId, now, Math.max(capacity, 0) * 4 + 20);
    // A member on preview offer is not claimed yet: it must not be offered to a second agent.
    const onOffer = new Set(this.agentHeld.values());
    for (const m of candidates) {
      if (onOffer.has(m.id) || !withinCallingHours(c, now, m.timezone)) continue;
      if (m.bucket !== null) {
        const agentId = c.buckets[m.bucket];
        if (!agentId || this.agentHeld.has(agentId) || !this.readyAgents(c).includes(agentId)) continue;
        if (c.mode === 'preview') this.offerPreview(c, m, agentId);
        else this.dialAgentFirst(c, m, agentId);
        capacity--;
        continue;
      }
      if (capacity <= 0) continue;
      if (c.mode === 'preview') {
        const agentId = this.readyAgents(c).find((a) => !this.agentHeld.has(a));
        if (!agentId) continue;
        this.offerPreview(c, m, agentId);
      } else this.dialCustomer(c, m);
      capacity--;
    }
  }

  /** Claim the member and store the attempt; undefined when it was taken or is on a do-not-call list. */
  private begin(c: Campaign, m: MemberRow): { attemptId: number; callId: string; destination: string } | undefined {
    const now = this.engine.clock.now();
    if (!this.repo.claim(m.id, now)) return undefined;
    const comm = m.communications[m.nextComm % m.communications.length]!;
    const callId = `dialer-${this.dialerId}-${m.id}-${m.attempts + 1}-${++this.seq}-${now.toString(36)}`;
    const attemptId = this.repo.startAttempt({ dialerId: this.dialerId, memberId: m.id, commIndex: m.nextComm, destination: comm.destination, callId, startedAt: now });
    this.live.add(attemptId);
    this.emit('attempt', { dialerId: this.dialerId, attemptId, memberId: m.id, callId, destination: comm.destination, phase: 'start', agentId: null });
    if (this.repo.dncHas(this.dialerId, comm.destination)) {
      this.log.info({ memberId: m.id }, 'dialer: number on a do-not-call list');
      this.end(c, m, attemptId, callId, { outcome: 'dnc', cause: 'do-not-call', answeredAt: null, agentId: null });
      return undefined;
    }
    return { attemptId, callId, destination: comm.destination };
  }

  private end(c: Campaign, m: MemberRow, attemptId: number, callId: string, r: DialResult): void {
    const now = this.engine.clock.now();
    this.live.delete(attemptId);
    const next = afterAttempt(c, { attempts: m.attempts, nextComm: m.nextComm, communications: m.communications.length, expireAt: m.expireAt }, r.outcome, now, r.key);
    // Every dialled (or do-not-call blocked) attempt has a CDR: one no call session wrote is written here, with the attempt's end.
    const cdr = r.cdrWritten || r.outcome === 'skipped' ? undefined : attemptCdr({
      dialerId: this.dialerId, callId, legId: r.legId ?? null, destination: m.communications[m.nextComm % m.communications.length]!.destination,
      callerId: c.caller_id, outcome: r.outcome, cause: r.cause, startedAt: this.repo.attempt(attemptId)?.startedAt ?? now, answeredAt: r.answeredAt, endedAt: now,
      variables: this.variables(m, attemptId),
    });
    this.repo.endAttempt(
      attemptId,
      { answeredAt: r.answeredAt, endedAt: now, outcome: r.outcome, cause: r.cause, agentId: r.agentId, amd: r.amd ?? null },
      m.id,
      next.kind === 'done'
        ? { state: 'done', result: next.result, attempts: r.outcome === 'skipped' ? m.attempts : m.attempts + 1, nextComm: m.nextComm, nextAt: m.nextAt }
        : { state: 'waiting', result: null, attempts: next.attempts, nextComm: next.nextComm, nextAt: next.at },
      now,
      cdr,
    );
    if (cdr) this.engine.emit('call.ended', cdr);
    this.log.info({ memberId: m.id, attemptId, outcome: r.outcome, next: next.kind }, 'dialer: attempt ended');
    this.emit('attempt', { dialerId: this.dialerId, attemptId, memberId: m.id, callId, destination: m.communications[m.nextComm % m.communications.length]!.destination, phase: 'end', outcome: r.outcome, cause: r.cause, amd: r.amd ?? null, agentId: r.agentId });
  }

  private variables(m: MemberRow, attemptId: number): Record<string, string> {
    return { ...usrVariables(m.variables), USR_dialer_id: this.dialerId, USR_dialer_member: String(m.id), USR_dialer_attempt: String(attemptId) };
  }

  private dialCustomer(c: Campaign, m: MemberRow): void {
    const started = this.begin(c, m);
    if (!started) return;
    const { attemptId, callId, destination } = started;
    const log = this.log.child({ callId, memberId: m.id, attemptId });
    const startedAt = this.engine.clock.now();
    this.ringing++;
    this.ringingSince.set(attemptId, startedAt);
    let ringingDone = false;
    const stopRinging = () => {
      if (!ringingDone) this.ringing--;
      this.ringingSince.delete(attemptId);
      ringingDone = true;
    };
    const dial = new CustomerDial(this.engine, {
      callId, destination, campaign: c, variables: this.variables(m, attemptId), cdrOf: this.cdrOf,
      agentFree: () => this.agentFree(c),
      onQueued: () => this.unoffered.add(callId),
      onAnswer: () => {
        stopRinging();
        recordDial(this.pacing, true, this.engine.clock.now() - startedAt);
        this.emit('attempt', { dialerId: this.dialerId, attemptId, memberId: m.id, callId, destination, phase: 'answered', agentId: null });
      },
    }, log);
    void dial.run().then(
      (r) => {
        stopRinging();
        this.unoffered.delete(callId);
        // A machine (or a hang-up during AMD) is no answer for the agents.
        if (r.answeredAt === null || r.amd?.startsWith('MACHINE') || r.amd?.startsWith('HANGUP')) recordDial(this.pacing, false);
        else if (c.mode !== 'ivr') recordAnswered(this.pacing, r.outcome === 'abandoned' && r.cause === 'no-agent', c.abandon_target);
        if (r.handleMs !== undefined) recordHandle(this.pacing, r.handleMs);
        this.end(c, m, attemptId, callId, r);
      },
      (err: unknown) => {
        stopRinging();
        this.unoffered.delete(callId);
        log.error({ err }, 'dialer: attempt failed');
        this.end(c, m, attemptId, callId, { outcome: 'failed', cause: 'error', answeredAt: null, agentId: null });
      },
    );
  }

  /** Ring the agent (reserved in routing), then the customer; the outcome comes from the CDR. */
  private dialAgentFirst(c: Campaign, m: MemberRow, agentId: string, preReserved?: string): void {
    const reservation = preReserved;
    const started = this.begin(c, m);
    if (!started) {
      if (reservation) this.engine.router.input({ type: 'agent.outbound.end', agentId, callId: reservation });
      return;
    }
    const { attemptId, callId, destination } = started;
    const log = this.log.child({ callId, memberId: m.id, attemptId, agentId });
    // The reservation moves to this call's id: the preview's reservation ends as the call's begins.
    if (reservation) this.engine.router.input({ type: 'agent.outbound.end', agentId, callId: reservation });
    this.engine.router.input({ type: 'agent.outbound', agentId, callId });
    if (this.engine.router.state.agents.get(agentId)?.callId !== callId) {
      this.end(c, m, attemptId, callId, { outcome: 'skipped', cause: 'agent-busy', answeredAt: null, agentId });
      return;
    }
    this.agentHeld.set(agentId, m.id);
    const destinationOfAgent = this.engine.agentDestination(agentId)!;
    const cdr = this.cdrOf(callId);
    const call = new AgentCall(this.engine, {
      callId, agentId, destination,
      agentLeg: { kind: 'ring', destination: destinationOfAgent, callerId: { number: destination } },
      customerCallerId: { number: c.caller_id },
      timeoutMs: c.answer_timeout_s * 1000,
      record: false,
      variables: this.variables(m, attemptId),
      reserved: true,
      caller: this.engine.agentLineOf(agentId) ?? agentId,
      kind: 'dialer',
    }, log);
    void call.run().then(() => cdr).then(
      (done) => {
        this.agentHeld.delete(agentId);
        const cause = done.hangupCause ?? 'failed';
        const outcome: AttemptOutcome = done.connectedAt !== null ? 'answered' : cause === 'busy' ? 'busy' : cause === 'no-answer' ? 'no_answer' : 'failed';
        this.end(c, m, attemptId, callId, { outcome, cause, answeredAt: done.connectedAt, agentId, cdrWritten: true });
      },
      (err: unknown) => {
        this.agentHeld.delete(agentId);
        log.error({ err }, 'dialer: agent call failed');
        this.end(c, m, attemptId, callId, { outcome: 'failed', cause: 'error', answeredAt: null, agentId });
      },
    );
  }

  // ------------------------------------------------------------------ preview
  private readonly previews = new Map<string, { member: MemberRow; reservation: string }>();

  private offerPreview(c: Campaign, m: MemberRow, agentId: string): void {
    const reservation = `preview-${this.dialerId}-${m.id}-${++this.seq}`;
    this.engine.router.input({ type: 'agent.outbound', agentId, callId: reservation });
    if (this.engine.router.state.agents.get(agentId)?.callId !== reservation) return;
    this.agentHeld.set(agentId, m.id);
    this.previews.set(agentId, { member: m, reservation });
    this.log.info({ agentId, memberId: m.id }, 'dialer: preview offered');
    this.emit('preview', { dialerId: this.dialerId, agentId, member: m });
    void c;
  }

  /** The member on offer to this agent, if any. */
  previewOf(agentId: string): MemberRow | undefined {
    return this.previews.get(agentId)?.member;
  }

  acceptPreview(agentId: string): boolean {
    const p = this.previews.get(agentId);
    const c = this.campaign();
    if (!p || !c) return false;
    this.previews.delete(agentId);
    this.agentHeld.delete(agentId);
    const fresh = this.repo.member(p.member.id);
    if (!fresh || fresh.state !== 'waiting') {
      this.engine.router.input({ type: 'agent.outbound.end', agentId, callId: p.reservation });
      return false;
    }
    this.emit('preview.decision', { dialerId: this.dialerId, agentId, memberId: fresh.id, decision: 'accepted' });
    this.dialAgentFirst(c, fresh, agentId, p.reservation);
    return true;
  }

  /** The agent skips the member (stored as a `skipped` attempt with the reason); it goes back to the list. */
  skipPreview(agentId: string, reason: string): boolean {
    const p = this.previews.get(agentId);
    if (!p) return false;
    this.previews.delete(agentId);
    this.agentHeld.delete(agentId);
    this.engine.router.input({ type: 'agent.outbound.end', agentId, callId: p.reservation });
    this.emit('preview.decision', { dialerId: this.dialerId, agentId, memberId: p.member.id, decision: 'skipped', reason });
    const row = this.repo.get(this.dialerId);
    const m = this.repo.member(p.member.id);
    if (!row || !m || !this.repo.claim(m.id, this.engine.clock.now())) return true;
    const now = this.engine.clock.now();
    const callId = `preview-skip-${m.id}-${++this.seq}`;
    const attemptId = this.repo.startAttempt({ dialerId: this.dialerId, memberId: m.id, commIndex: m.nextComm, destination: m.communications[m.nextComm % m.communications.length]!.destination, callId, startedAt: now });
    this.live.add(attemptId);
    this.end(row.config, m, attemptId, callId, { outcome: 'skipped', cause: reason, answeredAt: null, agentId });
    return true;
  }
}
