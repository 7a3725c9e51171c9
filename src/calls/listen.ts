/**
 * Supervisor listen (seed 002 listenAgent): snoop the agent's leg, ring the supervisor's line,
 * and bridge the two; whisper and barge use the same path with another snoop mode.
 */
import { isPbxError, type BridgeId, type HangupCause, type LegId, type SnoopMode } from '../pbx/port.js';
import type { Logger } from '../infra/logger.js';
import type { Engine, LegOwner } from './engine.js';

export type ListenError = { code: 'NO_CALL'; message: string } | { code: 'LINE_UNKNOWN'; message: string };

export function startListen(engine: Engine, agentId: string, supervisorLine: string, mode: SnoopMode, log: Logger): { ok: true } | { ok: false; error: ListenError } {
  const session = engine.sessionOfAgent(agentId);
  const agentLeg = session?.agentLeg;
  if (!session || !agentLeg) return { ok: false, error: { code: 'NO_CALL', message: `agent ${agentId} is not on a call` } };
  const line = engine.line(supervisorLine);
  if (!line) return { ok: false, error: { code: 'LINE_UNKNOWN', message: `line ${supervisorLine} is not known` } };
  const listen = new Listen(engine, agentId, supervisorLine, log.child({ callId: session.callId, agentId }));
  void listen.run(agentLeg, line.endpoint, mode, session.callId);
  return { ok: true };
}

class Listen implements LegOwner {
  private snoopLeg: LegId | undefined;
  private supervisorLeg: LegId | undefined;
  private bridge: BridgeId | undefined;
  private started = false;
  private done = false;

  constructor(
    private readonly engine: Engine,
    private readonly agentId: string,
    private readonly line: string,
    private readonly log: Logger,
  ) {}

  async run(agentLeg: LegId, endpoint: string, mode: SnoopMode, callId: string): Promise<void> {
    const { pbx } = this.engine;
    try {
      this.snoopLeg = await pbx.snoop(agentLeg, mode);
      this.engine.claimLeg(this.snoopLeg, this);
      this.supervisorLeg = await pbx.originate({
        destination: { kind: 'sip', endpoint },
        callerId: { number: this.engine.agentLineOf(this.agentId) ?? this.agentId, name: `Listen ${this.agentId}` },
        timeoutMs: 30_000,
        variables: { SWITCHBOARD_LISTEN: this.agentId },
        callId,
      });
      this.engine.claimLeg(this.supervisorLeg, this);
      if (this.done) await this.stop();
    } catch (err) {
      if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, 'listen failed');
      await this.stop();
    }
  }

  onDtmf(): void {}

  onLegAnswered(leg: LegId): void {
    if (leg !== this.supervisorLeg || !this.snoopLeg || this.done) return;
    void this.engine.pbx
      .bridge([this.snoopLeg, leg])
      .then(async (bridge) => {
        this.bridge = bridge;
        if (this.done) return this.stop(); // a leg went while the bridge was being made
        this.started = true;
        this.log.info({ line: this.line }, 'listen started');
        this.engine.emit('agent.listen', { agentId: this.agentId, phoneNumber: this.line, started: true });
      })
      .catch(async (err: unknown) => {
        if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, 'listen bridge failed');
        await this.stop();
      });
  }

  onLegHangup(leg: LegId, _cause: HangupCause): void {
    this.engine.releaseLeg(leg);
    if (leg === this.snoopLeg) this.snoopLeg = undefined;
    if (leg === this.supervisorLeg) this.supervisorLeg = undefined;
    void this.stop();
  }

  private async stop(): Promise<void> {
    if (this.done && !this.snoopLeg && !this.supervisorLeg && !this.bridge) return;
    this.done = true;
    const { pbx } = this.engine;
    const quiet = (err: unknown) => {
      if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, 'listen cleanup failed');
    };
    if (this.bridge) await pbx.destroyBridge(this.bridge).catch(quiet);
    this.bridge = undefined;
    for (const leg of [this.snoopLeg, this.supervisorLeg]) if (leg) await pbx.hangup(leg, 'normal').catch(quiet);
    if (this.started) {
      this.started = false;
      this.log.info({ line: this.line }, 'listen stopped');
      this.engine.emit('agent.listen', { agentId: this.agentId, phoneNumber: this.line, started: false });
    }
  }
}
