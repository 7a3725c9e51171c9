/**
 * A call an agent makes, outside the queues: the agent's leg (rung first by us, or already here
 * because the agent's phone dialled), then the customer through the trunk, bridged, recorded when
 * asked, one CDR with direction `outbound` (`callback` for a callback-list request). Used by click-to-call (seed 000/001), CreateCall
 * (seed 003) and calls dialled from agents' phones. The agent is reserved in routing by the caller
 * of `run` (agent.outbound: AgentDialing); this marks it connected (AgentOnCall) and frees it at
 * the end (agent.outbound.end) when `reserved`.
 */
import type { Engine, LegOwner } from '../calls/engine.js';
import { cdrStart, type Cdr } from '../domain/cdr.js';
import type { Logger } from '../infra/logger.js';
import { isPbxError, type BridgeId, type Destination, type HangupCause, type LegId, type RecordingId } from '../pbx/port.js';
import { STOPPED } from '../infra/stopped.js';

export type AgentLegSource =
  /** Ring the agent's phone first (click-to-call, CreateCall); the customer is dialled once it answers. */
  | { kind: 'ring'; destination: Destination; callerId: { number: string; name?: string }; autoAnswer?: boolean }
  /** The agent's phone dialled out: its leg is in our application already, not yet answered. */
  | { kind: 'arrived'; leg: LegId };

export interface AgentCallSpec {
  callId: string;
  agentId: string;
  /** The customer's number, dialled through the trunk. */
  destination: string;
  agentLeg: AgentLegSource;
  /** Caller id shown to the customer. */
  customerCallerId: { number: string; name?: string } | undefined;
  /** Ring time-out of each leg we originate. */
  timeoutMs: number;
  record: boolean;
  /** USR_* variables (already prefixed): on both legs and in the CDR. */
  variables: Record<string, string>;
  /** The agent holds an agent.outbound reservation in routing (logged-in agents). */
  reserved: boolean;
  /** The CDR's caller: the agent's line. */
  caller: string;
  /** Log line prefix, e.g. `click-to-call`. */
  kind: string;
  /** The CDR's direction: `outbound` (default), or `callback` for a callback-list request. */
  direction?: 'outbound' | 'callback';
  /** The call a callback request came from, if any (the CDR's parentCallId). */
  parentCallId?: string | null;
}

export class AgentCall implements LegOwner {
  private agentLeg: LegId | undefined;
  private agentLegId: string | undefined;
  private customerLeg: LegId | undefined;
  private bridge: BridgeId | undefined;
  private recording: RecordingId | undefined;
  private recordingName: string | null = null;
  private readonly startedAt: number;
  private agentAnsweredAt: number | null = null;
  private connectedAt: number | null = null;
  private hangupSide: Cdr['hangupSide'] = null;
  private hangupCause: string | null = null;
  private finished = false;
  private readonly ringback = new AbortController();
  private agentAnswered: (() => void) | undefined;
  private customerAnswered: (() => void) | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly spec: AgentCallSpec,
    private readonly log: Logger,
  ) {
    this.startedAt = engine.clock.now();
  }

  get callId(): string {
    return this.spec.callId;
  }

  async run(): Promise<void> {
    const { pbx, clock } = this.engine;
    const { spec } = this;
    // Our own deadline for both answers, should a PBX event be lost: the agent never stays "dialing".
    const deadline = clock.schedule(clock.now() + 2 * spec.timeoutMs + 10_000, () => {
      if (this.connectedAt !== null || this.finished) return;
      this.log.warn({}, `${spec.kind}: no answer event in time`);
      this.hangupCause ??= 'no-answer';
      this.finish();
    });
    try {
      const vars = { SWITCHBOARD_DIRECTION: spec.direction ?? 'outbound', ...spec.variables };
      if (spec.agentLeg.kind === 'ring') {
        const agentAnswer = new Promise<void>((resolve) => (this.agentAnswered = resolve));
        this.agentLeg = await pbx.originate({
          destination: spec.agentLeg.destination,
          callerId: spec.agentLeg.callerId,
          timeoutMs: spec.timeoutMs,
          variables: { ...vars, SWITCHBOARD_AGENT: spec.agentId },
          callId: spec.callId,
          ...(spec.agentLeg.autoAnswer ? { autoAnswer: true } : {}),
        });
        this.agentLegId = this.agentLeg;
        this.engine.claimLeg(this.agentLeg, this);
        this.log.info({ agentId: spec.agentId, autoAnswer: spec.agentLeg.autoAnswer === true }, `${spec.kind}: ringing agent`);
        await agentAnswer;
      } else {
        this.agentLeg = spec.agentLeg.leg;
        this.agentLegId = this.agentLeg;
        this.engine.claimLeg(this.agentLeg, this);
        await pbx.setVariable(this.agentLeg, 'SWITCHBOARD_CALL_ID', spec.callId);
        await pbx.answer(this.agentLeg);
      }
      if (this.finished) return;
      this.agentAnsweredAt = clock.now();
      void pbx.play(this.agentLeg, ['tone:ring'], { signal: this.ringback.signal }).catch((err: unknown) => this.quiet(err));
      const customerAnswer = new Promise<void>((resolve) => (this.customerAnswered = resolve));
      this.customerLeg = await pbx.originate({
        destination: { kind: 'external', number: spec.destination },
        callerId: spec.customerCallerId ?? { number: spec.caller },
        timeoutMs: spec.timeoutMs,
        variables: vars,
        callId: spec.callId,
      });
      this.engine.claimLeg(this.customerLeg, this);
      if (this.finished) return void this.hangupAll();
      this.log.info({}, `${spec.kind}: dialing customer`);
      await customerAnswer;
      if (this.finished) return;
      this.ringback.abort(STOPPED);
      this.bridge = await pbx.bridge([this.agentLeg, this.customerLeg]);
      if (this.finished) {
        // A leg went while the bridge was being made: finish() has run; take the bridge down.
        await pbx.destroyBridge(this.bridge).catch((err: unknown) => this.quiet(err));
        return;
      }
      this.connectedAt = clock.now();
      if (spec.reserved) this.engine.router.input({ type: 'agent.outbound.connected', agentId: spec.agentId, callId: spec.callId });
      this.log.info({ bridgeId: this.bridge }, `${spec.kind}: bridged`);
      if (spec.record) {
        const name = `switchboard-${spec.callId}`;
        this.recording = await pbx.recordBridge(this.bridge, { name, format: 'wav' });
        this.recordingName = name;
        if (this.finished) await pbx.stopRecording(this.recording).catch((err: unknown) => this.quiet(err));
      }
    } catch (err) {
      if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, `${spec.kind} failed`);
      this.hangupCause ??= 'failed';
      this.finish();
    } finally {
      clock.cancel(deadline);
    }
  }

  onDtmf(): void {}

  onLegAnswered(leg: LegId): void {
    if (leg === this.agentLeg) this.agentAnswered?.();
    else if (leg === this.customerLeg) this.customerAnswered?.();
  }

  onLegHangup(leg: LegId, cause: HangupCause): void {
    this.engine.releaseLeg(leg);
    if (this.finished) return;
    this.hangupSide = leg === this.agentLeg ? 'agent' : 'caller';
    this.hangupCause = cause;
    if (leg === this.agentLeg) this.agentLeg = undefined;
    if (leg === this.customerLeg) this.customerLeg = undefined;
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.ringback.abort(STOPPED);
    this.agentAnswered?.();
    this.customerAnswered?.();
    const { spec } = this;
    void this.hangupAll().then(() => {
      if (spec.reserved) this.engine.router.input({ type: 'agent.outbound.end', agentId: spec.agentId, callId: spec.callId });
      const endedAt = this.engine.clock.now();
      this.engine.recordCdr({
        ...cdrStart({
          callId: spec.callId,
          legId: this.agentLegId ?? '',
          direction: spec.direction ?? 'outbound',
          numberId: null,
          dialled: spec.destination,
          caller: spec.caller,
          callerName: null,
          startedAt: this.startedAt,
        }),
        ...(spec.parentCallId ? { parentCallId: spec.parentCallId } : {}),
        answeredAt: this.agentAnsweredAt,
        endedAt,
        agentId: spec.agentId,
        agentLegId: this.agentLegId ?? null,
        connectedAt: this.connectedAt,
        talkMs: this.connectedAt === null ? null : endedAt - this.connectedAt,
        hangupSide: this.hangupSide ?? 'system',
        hangupCause: this.hangupCause ?? 'normal',
        recording: this.recordingName,
        disposition: this.connectedAt === null ? 'failed' : 'answered',
        variables: { ...spec.variables },
      });
      this.log.info({ connected: this.connectedAt !== null, side: this.hangupSide }, `${spec.kind} ended`);
    });
  }

  private async hangupAll(): Promise<void> {
    const { pbx } = this.engine;
    if (this.recording) await pbx.stopRecording(this.recording).catch((err: unknown) => this.quiet(err));
    if (this.bridge) await pbx.destroyBridge(this.bridge).catch((err: unknown) => this.quiet(err));
    for (const leg of [this.agentLeg, this.customerLeg]) {
      if (leg) await pbx.hangup(leg, 'normal').catch((err: unknown) => this.quiet(err));
    }
  }

  private quiet(err: unknown): void {
    if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, `${this.spec.kind} cleanup failed`);
  }
}

/** Seed 002: caller variables travel as USR_<name>. */
export function usrVariables(vars: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k.startsWith('USR_') ? k : `USR_${k}`, v]));
}
