/**
 * dialFromQueue (seed 002): dial a customer through the trunk with the given caller id and, once
 * they answer, queue them like an inbound caller: a free agent of the queue is offered the call
 * through the routing core (the customer hears the queue's music while none is free; the queue's
 * maximum wait and exit apply). `variables` travel as USR_* on the legs, in the CDR, webhooks
 * and CTI PhoneEvents. A customer who does not answer gets a CDR with direction outbound,
 * disposition failed and the PBX's cause.
 */
import type { Engine, LegOwner } from '../calls/engine.js';
import { cdrStart } from '../domain/cdr.js';
import type { Logger } from '../infra/logger.js';
import { isPbxError, type HangupCause, type LegId } from '../pbx/port.js';
import { usrVariables } from './agent-call.js';

export interface DialFromQueueRequest {
  destination: string;
  queueId: string;
  callerIdName?: string;
  callerIdNumber?: string;
  variables?: Record<string, string>;
}

export type DialFromQueueError =
  | { code: 'QUEUE_NOT_FOUND'; message: string }
  | { code: 'DESTINATION_NOT_ALLOWED'; message: string }
  | { code: 'NO_AGENT_LOGGED_IN'; message: string }
  | { code: 'PBX_UNAVAILABLE'; message: string };

export type DialFromQueueResult = { ok: true; callId: string } | { ok: false; error: DialFromQueueError };

export function startDialFromQueue(engine: Engine, req: DialFromQueueRequest, rootLog: Logger): DialFromQueueResult {
  const queue = engine.queueConfig(req.queueId);
  if (!queue) return { ok: false, error: { code: 'QUEUE_NOT_FOUND', message: `queue ${req.queueId} not found` } };
  const allow = engine.currentConfig.click_to_call.allow;
  if (!new RegExp(allow).test(req.destination)) {
    return { ok: false, error: { code: 'DESTINATION_NOT_ALLOWED', message: `destination does not match the allowed pattern ${allow}` } };
  }
  // A queue that refuses callers while nobody is logged in would hang up on the customer at once.
  if (queue.join_empty === 'refuse' && (engine.queueSnapshot(queue.id)?.loggedInAgents ?? 0) === 0) {
    return { ok: false, error: { code: 'NO_AGENT_LOGGED_IN', message: `no agent is logged in to queue ${queue.id}, which refuses callers then` } };
  }
  if (engine.pbxLink.state !== 'up') return { ok: false, error: { code: 'PBX_UNAVAILABLE', message: `the PBX link is ${engine.pbxLink.state}` } };
  const callId = engine.newCallIdFor();
  const dial = new CustomerDial(engine, callId, req, rootLog.child({ mod: 'dial-from-queue', callId }));
  void dial.run();
  return { ok: true, callId };
}

/** The customer's leg until it answers; then a call session owns it. */
class CustomerDial implements LegOwner {
  private leg: LegId | undefined;
  private legId = '';
  private readonly startedAt: number;
  private answered: ((ok: boolean) => void) | undefined;
  private cause: HangupCause | 'failed' | undefined;
  private readonly variables: Record<string, string>;

  constructor(
    private readonly engine: Engine,
    private readonly callId: string,
    private readonly req: DialFromQueueRequest,
    private readonly log: Logger,
  ) {
    this.startedAt = engine.clock.now();
    this.variables = usrVariables(req.variables);
  }

  async run(): Promise<void> {
    const { engine, req } = this;
    const timeoutMs = engine.currentConfig.click_to_call.answer_timeout_s * 1000;
    const callerNumber = req.callerIdNumber ?? engine.currentConfig.click_to_call.caller_id ?? req.destination;
    const answer = new Promise<boolean>((resolve) => (this.answered = resolve));
    // Our own deadline, should the PBX's answer or hang-up be lost.
    const deadline = engine.clock.schedule(engine.clock.now() + timeoutMs + 10_000, () => this.settle(false, 'no-answer'));
    try {
      this.leg = await engine.pbx.originate({
        destination: { kind: 'external', number: req.destination },
        callerId: { number: callerNumber, ...(req.callerIdName ? { name: req.callerIdName } : {}) },
        timeoutMs,
        variables: { SWITCHBOARD_DIRECTION: 'outbound', SWITCHBOARD_QUEUE: req.queueId, ...this.variables },
        callId: this.callId,
      });
      this.legId = this.leg;
      this.engine.claimLeg(this.leg, this);
      this.log.info({ queueId: req.queueId }, 'dial from queue: dialing customer');
    } catch (err) {
      this.log.warn({ err }, 'dial from queue: originate failed');
      this.settle(false, 'failed');
    }
    const ok = await answer;
    engine.clock.cancel(deadline);
    if (!ok || !this.leg) return this.failed();
    // Answered: from here a call session owns the leg and queues the customer.
    const answeredAt = engine.clock.now();
    this.engine.releaseLeg(this.leg);
    // The customer is the session's "caller": agents see their number, the queue log too.
    const session = engine.outboundSession(this.callId, { leg: this.leg, to: callerNumber, from: req.destination, callIdOnChannel: true });
    this.log.info({ queueId: req.queueId }, 'dial from queue: customer answered, queued');
    await session.runAnsweredOutbound(req.queueId, { callerId: callerNumber, variables: this.variables, startedAt: this.startedAt, answeredAt });
  }

  private settle(ok: boolean, cause?: HangupCause | 'failed'): void {
    if (!this.answered) return;
    const resolve = this.answered;
    this.answered = undefined;
    if (!ok) this.cause = cause;
    resolve(ok);
  }

  onDtmf(): void {}

  onLegAnswered(leg: LegId): void {
    if (leg === this.leg) this.settle(true);
  }

  onLegHangup(leg: LegId, cause: HangupCause): void {
    this.engine.releaseLeg(leg);
    if (leg === this.leg) {
      this.leg = undefined;
      this.settle(false, cause);
    }
  }

  /** The customer never answered: hang up what is left and write the CDR. */
  private async failed(): Promise<void> {
    const { engine, req } = this;
    if (this.leg) {
      engine.releaseLeg(this.leg);
      await engine.pbx.hangup(this.leg, 'normal').catch((err: unknown) => {
        if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, 'dial from queue: hang-up failed');
      });
    }
    const endedAt = engine.clock.now();
    this.log.info({ cause: this.cause }, 'dial from queue: customer not reached');
    engine.recordCdr({
      ...cdrStart({
        callId: this.callId,
        legId: this.legId,
        direction: 'outbound',
        numberId: null,
        dialled: req.destination,
        caller: req.callerIdNumber ?? engine.currentConfig.click_to_call.caller_id ?? '',
        callerName: req.callerIdName ?? null,
        startedAt: this.startedAt,
      }),
      queueId: req.queueId,
      endedAt,
      hangupSide: this.cause === 'failed' || this.cause === 'no-answer' ? 'system' : 'caller',
      hangupCause: this.cause ?? 'failed',
      disposition: 'failed',
      variables: { ...this.variables },
    });
  }
}
