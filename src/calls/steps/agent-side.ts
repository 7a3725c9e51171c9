/**
 * The agent side of a queued call: offers to agents (and per-call agent lists), the bridge with
 * the agent who answers (and its recording), and the hand-offs call control makes (the agent
 * leaves the customer; a party takes the customer over; back to a queue). One instance per call
 * session; the session routes router commands and PBX events here.
 */
import type { CallControl } from '../control/call-control.js';
import type { CdrDraft } from '../../domain/journal.js';
import type { Logger } from '../../infra/logger.js';
import type { Destination, HangupCause, LegId } from '../../pbx/port.js';
import type { Arrival, Bridged, Offer, QueuePhase, SessionEnv, SessionState } from '../session-types.js';
import type { CallSession } from '../session.js';
import { STOPPED } from '../../infra/stopped.js';

/** What the agent side needs from its call session. */
export interface AgentSideHost {
  readonly session: CallSession;
  readonly callId: string;
  readonly log: Logger;
  readonly env: SessionEnv;
  readonly arrival: Arrival;
  readonly cdr: CdrDraft;
  readonly control: CallControl;
  /** The customer's leg. */
  readonly leg: LegId;
  /** The customer hung up (aborts every step). */
  readonly signal: AbortSignal;
  phase(): QueuePhase | undefined;
  setState(state: SessionState): void;
  isEnded(): boolean;
  /** Music on hold was on the customer's channel: it is off now (the caller stops it). */
  takeMoh(): boolean;
  /** A leg of this call: its events come to the session, and it is hung up when the call ends. */
  adopt(leg: LegId): void;
  dropLeg(leg: LegId, cause: HangupCause): Promise<void>;
  endBridged(phase: QueuePhase, side: 'caller' | 'agent', cause: HangupCause | 'failed'): void;
  writeJournal(): void;
  quiet(err: unknown, what: string): void;
  isGone(err: unknown): boolean;
}

export class AgentSide {
  /** Per-call agent destinations from a custom agent list (routing_type 2: the agent's number). */
  private readonly agentOverrides = new Map<string, Destination>();
  /** Recordings made so far (a transfer to a queue starts a new one). */
  private recordings = 0;
  /** The bridge (and recording) being set up; the session's end waits for it so nothing is left behind. */
  bridging: Promise<void> = Promise.resolve();

  constructor(private readonly h: AgentSideHost) {}

  /** Seed 000 custom agent list: the call waits in place while the CRM answers, then only listed agents ring. */
  async applyAgentList(phase: QueuePhase): Promise<void> {
    const list = await this.h.env.agentList(phase.queue, this.h.session);
    if (phase.done.settled || this.h.phase() !== phase) return;
    const known = (list ?? []).filter((a) => this.h.env.agent(a.agentId));
    this.agentOverrides.clear();
    for (const a of known) {
      if (a.routingType === 2 && a.phoneNumber) this.agentOverrides.set(a.agentId, { kind: 'external', number: a.phoneNumber });
    }
    if (known.length === 0) {
      this.h.log.info({ queueId: phase.queue.id, listed: list?.length ?? 0 }, 'no usable agent list, routing normally');
      this.h.env.route({ type: 'call.agents', callId: this.h.callId, agents: undefined });
      return;
    }
    this.h.env.route({
      type: 'call.agents',
      callId: this.h.callId,
      agents: known.map((a) => a.agentId),
      agentTimeouts: Object.fromEntries(known.map((a) => [a.agentId, a.answerTimeoutMs])),
    });
  }


  /** Router command: ring this agent for the call. */
  offer(agentId: string, queueId: string, timeoutMs: number): void {
    const phase = this.h.phase();
    const agent = this.h.env.agent(agentId);
    if (!phase || phase.done.settled || this.h.isEnded() || !agent) {
      this.h.env.route({ type: 'offer.failed', callId: this.h.callId, agentId, cause: 'failed' });
      return;
    }
    const destination = this.agentOverrides.get(agentId) ?? this.h.env.agentDestination(agentId);
    if (!destination) {
      this.h.env.route({ type: 'offer.failed', callId: this.h.callId, agentId, cause: 'failed' });
      return;
    }
    const offer: Offer = { agentId, queueId, leg: undefined, cancelled: false };
    phase.offer = offer;
    const callerId = destination.kind === 'sip' ? { number: this.h.arrival.from, name: this.h.arrival.fromName ?? this.h.arrival.from } : { number: this.h.arrival.to };
    this.h.log.info({ agentId, queueId }, 'offering call');
    this.h.env.offering(this.h.session, agentId, queueId);
    this.h.env.pbx
      .originate({
        destination,
        callerId,
        // The router's answer time-out is the authority; the PBX limit is only a backstop.
        timeoutMs: timeoutMs + 5000,
        variables: { SWITCHBOARD_QUEUE: queueId, SWITCHBOARD_AGENT: agentId },
        callId: this.h.callId,
      })
      .then(
        (leg) => {
          offer.leg = leg;
          this.h.adopt(leg);
          if (offer.cancelled || phase.offer !== offer) void this.h.dropLeg(leg, 'cancelled');
          else this.h.writeJournal();
        },
        (err: unknown) => {
          this.h.log.warn({ err, agentId }, 'agent leg could not be started');
          if (phase.offer === offer) {
            phase.offer = undefined;
            this.h.env.route({ type: 'offer.failed', callId: this.h.callId, agentId, cause: 'failed' });
          }
        },
      );
  }

  /** Router command: stop ringing the agent. */
  cancelOffer(agentId: string): void {
    this.h.control.cancelAgent(agentId);
    const offer = this.h.phase()?.offer;
    if (!offer || offer.agentId !== agentId) return;
    offer.cancelled = true;
    this.h.phase()!.offer = undefined;
    if (offer.leg) void this.h.dropLeg(offer.leg, 'cancelled');
  }

  /** Router command: the agent's answer was accepted; bridge caller and agent. */
  connect(agentId: string): void {
    const phase = this.h.phase();
    const offer = phase?.offer;
    if (!phase || !offer || offer.agentId !== agentId || !offer.leg) {
      this.h.log.warn({ agentId }, 'connect without a matching offer');
      this.h.env.route({ type: 'call.end', callId: this.h.callId, side: 'agent' });
      return;
    }
    phase.offer = undefined;
    const bridged: Bridged = { agentId, agentLeg: offer.leg, bridge: undefined, recording: undefined, recordingPaused: false };
    phase.bridged = bridged;
    this.h.setState('bridged');
    const now = this.h.env.clock.now();
    if (this.h.cdr.connectedAt === null) {
      this.h.cdr.connectedAt = now;
      this.h.cdr.agentId = agentId;
      this.h.cdr.agentLegId = offer.leg;
      this.h.cdr.waitMs = now - (this.h.cdr.enqueuedAt ?? now);
    }
    this.h.control.segmentStart({ agentId });
    phase.media.abort(STOPPED);
    this.h.writeJournal();
    this.bridging = this.bridgeWith(phase, bridged);
  }


  private async bridgeWith(phase: QueuePhase, b: Bridged): Promise<void> {
    const { pbx } = this.h.env;
    try {
      await phase.mediaDone;
      if (this.h.takeMoh()) {
        await pbx.stopMoh(this.h.leg, { signal: this.h.signal });
      }
      const kept = phase.keptBridge;
      if (kept) {
        // After a blind transfer: the customer waits in its bridge with music; the agent joins it.
        phase.keptBridge = undefined;
        Object.assign(b, { bridge: kept.bridge, recording: kept.recording, recordingPaused: kept.recordingPaused });
        await pbx.stopBridgeMoh(kept.bridge, { signal: this.h.signal });
        await pbx.addToBridge(kept.bridge, b.agentLeg, { signal: this.h.signal });
        this.h.log.info({ agentId: b.agentId, bridgeId: b.bridge }, 'call bridged');
        this.h.writeJournal();
        if (!phase.done.settled) this.h.env.bridged(this.h.session, b.agentId, phase.queue.id);
        return;
      }
      b.bridge = await pbx.bridge([this.h.leg, b.agentLeg], { signal: this.h.signal });
      this.h.log.info({ agentId: b.agentId, bridgeId: b.bridge }, 'call bridged');
      this.h.writeJournal();
      if (!phase.done.settled) this.h.env.bridged(this.h.session, b.agentId, phase.queue.id);
      if (phase.queue.record && !this.h.signal.aborted) {
        this.recordings += 1;
        const name = this.h.env.recordingName(this.h.callId) + (this.recordings > 1 ? `-${this.recordings}` : '');
        b.recording = await pbx.recordBridge(b.bridge, { name, format: 'wav' }, { signal: this.h.signal });
        this.h.cdr.recording ??= name;
        this.h.writeJournal();
      }
    } catch (err) {
      if (!this.h.isGone(err)) this.h.log.warn({ err }, 'bridge failed');
      // One of the legs is gone or the bridge failed: end the call from the agent side.
      if (!phase.done.settled && !this.h.signal.aborted) this.h.endBridged(phase, 'agent', 'failed');
    }
  }


  async pauseRecording(): Promise<boolean> {
    const b = this.h.phase()?.bridged;
    if (!b?.recording || b.recordingPaused) return false;
    await this.h.env.pbx.pauseRecording(b.recording);
    b.recordingPaused = true;
    this.h.writeJournal();
    return true;
  }

  async resumeRecording(): Promise<boolean> {
    const b = this.h.phase()?.bridged;
    if (!b?.recording || !b.recordingPaused) return false;
    await this.h.env.pbx.resumeRecording(b.recording);
    b.recordingPaused = false;
    this.h.writeJournal();
    return true;
  }

  get recordingState(): 'none' | 'active' | 'paused' {
    const b = this.h.phase()?.bridged;
    if (!b?.recording) return 'none';
    return b.recordingPaused ? 'paused' : 'active';
  }


  /** The agent leaves the customer (blind transfer); the customer stays in its bridge with music. */
  releaseAgent(then: { kind: 'offer' } | { kind: 'queue'; queueId: string } | { kind: 'outside' }): void {
    const phase = this.h.phase();
    const b = phase?.bridged;
    if (!phase || !b) return;
    phase.bridged = undefined;
    if (b.bridge) phase.keptBridge = { bridge: b.bridge, recording: b.recording, recordingPaused: b.recordingPaused };
    this.h.setState('queued');
    void this.h.dropLeg(b.agentLeg, 'normal');
    if (then.kind === 'queue') this.toQueue(phase, then.queueId);
    this.h.writeJournal();
  }

  /** Leave the customer's bridge (its recording ends) and queue again: a transfer to a queue. */
  toQueue(phase: QueuePhase, queueId: string): void {
    const kept = phase.keptBridge;
    phase.keptBridge = undefined;
    const outside = phase.outside;
    phase.outside = undefined;
    const { pbx } = this.h.env;
    const cleanup = (async () => {
      if (outside) await this.h.dropLeg(outside.leg, 'normal');
      if (kept?.recording) await pbx.stopRecording(kept.recording).catch((err: unknown) => this.h.quiet(err, 'stop recording'));
      if (kept) await pbx.destroyBridge(kept.bridge).catch((err: unknown) => this.h.quiet(err, 'destroy bridge'));
    })();
    phase.mediaDone = cleanup;
    phase.done.resolve({ kind: 'exit', reason: 'transfer', destination: { action: 'queue', queue: queueId } });
  }

  /** A party takes the customer over: a consulted agent (attended transfer) or an outside number. */
  takeOver(party: { agentId: string; leg: LegId } | { number: string; leg: LegId }): void {
    const phase = this.h.phase();
    if (!phase || phase.done.settled) return;
    const old = phase.bridged;
    const bridge = old?.bridge ?? phase.keptBridge?.bridge;
    const recording = old ? { recording: old.recording, recordingPaused: old.recordingPaused } : { recording: phase.keptBridge?.recording, recordingPaused: phase.keptBridge?.recordingPaused ?? false };
    if ('agentId' in party) {
      phase.bridged = { agentId: party.agentId, agentLeg: party.leg, bridge, ...recording };
      phase.keptBridge = undefined;
      this.h.setState('bridged');
      this.h.control.segmentStart({ agentId: party.agentId });
      this.h.env.bridged(this.h.session, party.agentId, phase.queue.id);
    } else {
      phase.bridged = undefined;
      if (bridge) phase.keptBridge = { bridge, ...recording };
      phase.outside = { leg: party.leg, number: party.number };
      this.h.setState('bridged');
      this.h.control.segmentStart({ number: party.number });
      if (!old && bridge) {
        // A blind transfer's outside party answered: it joins the customer's bridge.
        const { pbx } = this.h.env;
        void (async () => {
          await pbx.stopBridgeMoh(bridge);
          await pbx.addToBridge(bridge, party.leg);
        })().catch((err: unknown) => {
          this.h.quiet(err, 'bridge outside party');
          void this.h.dropLeg(party.leg, 'failed');
        });
      }
    }
    if (old && old.agentLeg !== party.leg) void this.h.dropLeg(old.agentLeg, 'normal');
    this.h.writeJournal();
  }
}
