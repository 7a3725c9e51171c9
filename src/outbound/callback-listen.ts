/**
 * listenCallbackMessage (seed 002): the agent's phone rings — asking it to answer by itself, as
 * click-to-call does — and once answered it hears a callback request's voice message, then the
 * leg is hung up. The agent is reserved in routing meanwhile (agent.outbound: AgentDialing, then
 * AgentOnCall), so no queue call is offered to it while it listens.
 */
import type { Engine, LegOwner } from '../calls/engine.js';
import type { Logger } from '../infra/logger.js';
import { isPbxError, type LegId } from '../pbx/port.js';
import { STOPPED } from '../infra/stopped.js';

export interface PlayToAgentRequest {
  agentId: string;
  /** The recording (name) to play, as `recording:<name>`. */
  recording: string;
  requestUuid: string;
}

export type PlayToAgentError =
  | { code: 'AGENT_NOT_FOUND'; message: string }
  | { code: 'AGENT_NOT_LOGGED_IN'; message: string }
  | { code: 'AGENT_NOT_AVAILABLE'; message: string };

export type PlayToAgentResult = { ok: true; callId: string } | { ok: false; error: PlayToAgentError };

export function playToAgent(engine: Engine, req: PlayToAgentRequest, rootLog: Logger): PlayToAgentResult {
  const destination = engine.agentDestination(req.agentId);
  if (!engine.agentConfig(req.agentId) || !destination) return { ok: false, error: { code: 'AGENT_NOT_FOUND', message: `agent ${req.agentId} not found` } };
  const snap = engine.agentSnapshot(req.agentId);
  if (!snap || snap.presence === 'loggedout') return { ok: false, error: { code: 'AGENT_NOT_LOGGED_IN', message: `agent ${req.agentId} is not logged in` } };
  const callId = engine.newCallIdFor();
  engine.router.input({ type: 'agent.outbound', agentId: req.agentId, callId });
  if (engine.router.state.agents.get(req.agentId)?.callId !== callId) {
    return { ok: false, error: { code: 'AGENT_NOT_AVAILABLE', message: `agent ${req.agentId} is busy` } };
  }
  const log = rootLog.child({ callId, agentId: req.agentId, requestUuid: req.requestUuid });
  const playback = new MessagePlayback(engine, req, callId, log);
  void playback.run(destination);
  return { ok: true, callId };
}

class MessagePlayback implements LegOwner {
  private leg: LegId | undefined;
  private answered = false;
  private finished = false;
  private readonly media = new AbortController();
  private deadline: ReturnType<Engine['clock']['schedule']> | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly req: PlayToAgentRequest,
    private readonly callId: string,
    private readonly log: Logger,
  ) {}

  async run(destination: NonNullable<ReturnType<Engine['agentDestination']>>): Promise<void> {
    const { pbx, clock, currentConfig } = this.engine;
    const timeoutMs = currentConfig.click_to_call.answer_timeout_s * 1000;
    // Our own bound, should an answer or hang-up event be lost: the agent never stays reserved.
    this.deadline = clock.schedule(clock.now() + 2 * timeoutMs + 10_000, () => {
      if (this.answered || this.finished) return;
      this.log.warn({}, 'callback message: no answer event in time');
      this.finish();
    });
    try {
      this.leg = await pbx.originate({
        destination,
        callerId: { number: 'callback', name: 'Callback message' },
        timeoutMs,
        autoAnswer: true,
        variables: { SWITCHBOARD_DIRECTION: 'callback', SWITCHBOARD_AGENT: this.req.agentId, USR_CALLBACK_REQUEST: this.req.requestUuid },
        callId: this.callId,
      });
      this.engine.claimLeg(this.leg, this);
      if (this.finished) await this.hangup();
      else this.log.info({}, 'callback message: ringing agent');
    } catch (err) {
      this.quiet(err);
      this.finish();
    }
  }

  onDtmf(): void {}

  onLegAnswered(leg: LegId): void {
    if (leg !== this.leg || this.finished || this.answered) return;
    this.answered = true;
    this.engine.router.input({ type: 'agent.outbound.connected', agentId: this.req.agentId, callId: this.callId });
    void this.play(leg);
  }

  onLegHangup(leg: LegId): void {
    this.engine.releaseLeg(leg);
    if (leg !== this.leg) return;
    this.leg = undefined;
    this.finish();
  }

  private async play(leg: LegId): Promise<void> {
    try {
      const outcome = await this.engine.pbx.play(leg, [`recording:${this.req.recording}`], { signal: this.media.signal });
      this.log.info({ outcome }, 'callback message played');
    } catch (err) {
      this.quiet(err);
    }
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.media.abort(STOPPED);
    if (this.deadline) this.engine.clock.cancel(this.deadline);
    void this.hangup().then(() => this.engine.router.input({ type: 'agent.outbound.end', agentId: this.req.agentId, callId: this.callId }));
  }

  private async hangup(): Promise<void> {
    const leg = this.leg;
    this.leg = undefined;
    if (!leg) return;
    this.engine.releaseLeg(leg);
    await this.engine.pbx.hangup(leg, 'normal').catch((err: unknown) => this.quiet(err));
  }

  private quiet(err: unknown): void {
    if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, 'callback message step failed');
  }
}
