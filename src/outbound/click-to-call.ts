/**
 * Click-to-call (seed 000 method 2, seed 001 click2call): ring the agent first; when the agent
 * answers, dial the customer with the configured caller id and bridge the two. The agent is
 * reserved in routing (AgentDialing, then AgentOnCall) so no queue call is offered meanwhile.
 */
import { dialAllowed } from './dial-policy.js';
import type { Engine, LegOwner } from '../calls/engine.js';
import { cdrStart, type Cdr } from '../domain/cdr.js';
import type { Logger } from '../infra/logger.js';
import { isPbxError, type BridgeId, type HangupCause, type LegId } from '../pbx/port.js';

export interface ClickToCallRequest {
  agentId: string;
  /** The customer's number. */
  destination: string;
  /** Caller id shown to the customer; defaults to the config's click_to_call.caller_id. */
  callerId?: string;
  /** Shown on the agent's phone while it rings; defaults to the destination. */
  agentCallerId?: string;
  variables?: Record<string, string>;
}

export type ClickToCallError =
  | { code: 'DESTINATION_NOT_ALLOWED'; message: string }
  | { code: 'AGENT_NOT_FOUND'; message: string }
  | { code: 'AGENT_NOT_AVAILABLE'; message: string };

export type ClickToCallResult = { ok: true; callId: string } | { ok: false; error: ClickToCallError };

export function startClickToCall(engine: Engine, req: ClickToCallRequest, log: Logger): ClickToCallResult {
  const cfg = engine.currentConfig.click_to_call;
  if (!dialAllowed(cfg, req.destination)) {
    return { ok: false, error: { code: 'DESTINATION_NOT_ALLOWED', message: `destination does not match the allowed pattern ${cfg.allow}` } };
  }
  const agent = engine.agentConfig(req.agentId);
  const agentDestination = engine.agentDestination(req.agentId);
  if (!agent || !agentDestination) return { ok: false, error: { code: 'AGENT_NOT_FOUND', message: `agent ${req.agentId} not found` } };
  const callId = engine.newCallIdFor();
  engine.router.input({ type: 'agent.outbound', agentId: req.agentId, callId });
  if (engine.router.state.agents.get(req.agentId)?.callId !== callId) {
    return { ok: false, error: { code: 'AGENT_NOT_AVAILABLE', message: `agent ${req.agentId} is not logged in or is busy` } };
  }
  const call = new OutboundCall(engine, callId, req, log.child({ callId }));
  void call.run(agentDestination, cfg.answer_timeout_s * 1000, req.callerId ?? cfg.caller_id, req.agentCallerId ?? cfg.agent_caller_id);
  return { ok: true, callId };
}

class OutboundCall implements LegOwner {
  private agentLeg: LegId | undefined;
  private customerLeg: LegId | undefined;
  private bridge: BridgeId | undefined;
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
    readonly callId: string,
    private readonly req: ClickToCallRequest,
    private readonly log: Logger,
  ) {
    this.startedAt = engine.clock.now();
  }

  async run(agentDest: Parameters<Engine['pbx']['originate']>[0]['destination'], timeoutMs: number, callerId: string | undefined, agentCallerId: string | undefined): Promise<void> {
    const { pbx, clock } = this.engine;
    // Our own deadline for both answers, should a PBX event be lost: the agent never stays "dialing".
    const deadline = clock.schedule(clock.now() + 2 * timeoutMs + 10_000, () => {
      if (this.connectedAt !== null || this.finished) return;
      this.log.warn({}, 'click-to-call: no answer event in time');
      this.hangupCause ??= 'no-answer';
      this.finish();
    });
    try {
      const agentAnswer = new Promise<void>((resolve) => (this.agentAnswered = resolve));
      this.agentLeg = await pbx.originate({
        destination: agentDest,
        callerId: { number: agentCallerId ?? this.req.destination, name: `Call ${this.req.destination}` },
        timeoutMs,
        variables: { SWITCHBOARD_DIRECTION: 'outbound', SWITCHBOARD_AGENT: this.req.agentId, ...prefixed(this.req.variables) },
        callId: this.callId,
      });
      this.agentLegId = this.agentLeg;
      this.engine.claimLeg(this.agentLeg, this);
      this.log.info({ agentId: this.req.agentId }, 'click-to-call: ringing agent');
      await agentAnswer;
      if (this.finished) return;
      this.agentAnsweredAt = this.engine.clock.now();
      void pbx.play(this.agentLeg, ['tone:ring'], { signal: this.ringback.signal }).catch((err: unknown) => this.quiet(err));
      const customerAnswer = new Promise<void>((resolve) => (this.customerAnswered = resolve));
      this.customerLeg = await pbx.originate({
        destination: { kind: 'external', number: this.req.destination },
        callerId: { number: callerId ?? this.req.destination },
        timeoutMs,
        variables: { SWITCHBOARD_DIRECTION: 'outbound', ...prefixed(this.req.variables) },
        callId: this.callId,
      });
      this.engine.claimLeg(this.customerLeg, this);
      if (this.finished) return void this.hangupAll();
      this.log.info({}, 'click-to-call: dialing customer');
      await customerAnswer;
      if (this.finished) return;
      this.ringback.abort();
      this.bridge = await pbx.bridge([this.agentLeg, this.customerLeg]);
      if (this.finished) {
        // A leg went while the bridge was being made: finish() has run; take the bridge down.
        await pbx.destroyBridge(this.bridge).catch((err: unknown) => this.quiet(err));
        return;
      }
      this.connectedAt = this.engine.clock.now();
      this.engine.router.input({ type: 'agent.outbound.connected', agentId: this.req.agentId, callId: this.callId });
      this.log.info({ bridgeId: this.bridge }, 'click-to-call: bridged');
    } catch (err) {
      if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, 'click-to-call failed');
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
    this.ringback.abort();
    this.agentAnswered?.();
    this.customerAnswered?.();
    void this.hangupAll().then(() => {
      this.engine.router.input({ type: 'agent.outbound.end', agentId: this.req.agentId, callId: this.callId });
      const endedAt = this.engine.clock.now();
      this.engine.recordCdr({
        ...cdrStart({
          callId: this.callId,
          legId: this.agentLegId ?? '',
          direction: 'outbound',
          numberId: null,
          dialled: this.req.destination,
          caller: this.engine.agentLineOf(this.req.agentId) ?? this.req.agentId,
          callerName: null,
          startedAt: this.startedAt,
        }),
        answeredAt: this.agentAnsweredAt,
        endedAt,
        agentId: this.req.agentId,
        agentLegId: this.agentLegId ?? null,
        connectedAt: this.connectedAt,
        talkMs: this.connectedAt === null ? null : endedAt - this.connectedAt,
        hangupSide: this.hangupSide ?? 'system',
        hangupCause: this.hangupCause ?? 'normal',
        disposition: this.connectedAt === null ? 'failed' : 'answered',
        variables: { ...prefixed(this.req.variables) },
      });
      this.log.info({ connected: this.connectedAt !== null, side: this.hangupSide }, 'click-to-call ended');
    });
  }

  private agentLegId: string | undefined;

  private async hangupAll(): Promise<void> {
    const { pbx } = this.engine;
    if (this.bridge) await pbx.destroyBridge(this.bridge).catch((err: unknown) => this.quiet(err));
    for (const leg of [this.agentLeg, this.customerLeg]) {
      if (leg) await pbx.hangup(leg, 'normal').catch((err: unknown) => this.quiet(err));
    }
  }

  private quiet(err: unknown): void {
    if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, 'click-to-call cleanup failed');
  }
}

/** Seed 002: caller variables travel as USR_<name>. */
function prefixed(vars: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k.startsWith('USR_') ? k : `USR_${k}`, v]));
}
