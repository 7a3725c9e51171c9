/**
 * One dialer attempt that dials the customer first (progressive, predictive, ivr): the customer's
 * leg until it answers, then, by mode, a call session queues them for the campaign's agents
 * (predictive: only when an agent is free within 2 s, else the abandon message and a hang-up),
 * or the outbound IVR plays its prompt and collects a key. Resolves with the attempt's outcome.
 * With AMD on (campaign `amd`), the answered customer's greeting is analysed first (the PBX's
 * detectMachine): a machine gets the campaign's message or a hang-up (outcome `machine`); a
 * person or NOTSURE goes on as above. The pacing sees the answer only once it is a person.
 */
import type { Engine, LegOwner } from '../calls/engine.js';
import type { Cdr } from '../domain/cdr.js';
import type { Logger } from '../infra/logger.js';
import { isPbxError, type HangupCause, type LegId, type MachineDetection } from '../pbx/port.js';
import type { AttemptOutcome, Campaign } from './campaign.js';
import { STOPPED } from '../infra/stopped.js';

export interface DialResult {
  outcome: AttemptOutcome;
  cause: string | null;
  answeredAt: number | null;
  agentId: string | null;
  /** The IVR key the customer pressed. */
  key?: string;
  /** Handle time with the agent (ms), for the pacing. */
  handleMs?: number;
  /** Answering-machine detection: `STATUS:cause` (HUMAN, MACHINE, NOTSURE, HANGUP). */
  amd?: string;
  /** The customer's leg, when one was placed. */
  legId?: string;
  /** A call session wrote the attempt's CDR (the customer reached the queue). */
  cdrWritten?: boolean;
}

export interface CustomerDialSpec {
  callId: string;
  destination: string;
  campaign: Campaign;
  variables: Record<string, string>;
  /** Resolves with the call's CDR once a call session that took the customer ended. */
  cdrOf: (callId: string) => Promise<Cdr>;
  /** Called when the customer answers (before the agent is found). */
  onAnswer?: () => void;
  /** Predictive: is an agent of the campaign free for one more customer now? */
  agentFree: () => boolean;
  /** The customer is handed to the queue (until an agent is offered the call). */
  onQueued?: () => void;
}

const ABANDON_WAIT_MS = 2000;

export class CustomerDial implements LegOwner {
  private leg: LegId | undefined;
  private answered: ((ok: boolean) => void) | undefined;
  private cause: HangupCause | 'failed' | undefined;
  private gone = false;
  private digit: ((d: string) => void) | undefined;
  private readonly hungUp = new AbortController();

  constructor(
    private readonly engine: Engine,
    private readonly spec: CustomerDialSpec,
    private readonly log: Logger,
  ) {}

  async run(): Promise<DialResult> {
    const r = await this.dial();
    return this.legId === undefined ? r : { legId: this.legId, ...r };
  }

  /** The customer's leg id, kept for the CDR after the leg is released. */
  private legId: string | undefined;

  private async dial(): Promise<DialResult> {
    const { engine, spec } = this;
    const c = spec.campaign;
    const timeoutMs = c.answer_timeout_s * 1000;
    const answer = new Promise<boolean>((resolve) => (this.answered = resolve));
    const deadline = engine.clock.schedule(engine.clock.now() + timeoutMs + 10_000, () => this.settle(false, 'no-answer'));
    try {
      this.leg = await engine.pbx.originate({
        destination: { kind: 'external', number: spec.destination },
        callerId: { number: c.caller_id },
        timeoutMs,
        variables: { SWITCHBOARD_DIRECTION: 'outbound', SWITCHBOARD_QUEUE: c.id, ...spec.variables },
        callId: spec.callId,
      });
      this.legId = this.leg;
      engine.claimLeg(this.leg, this);
    } catch (err) {
      this.log.warn({ err }, 'dialer: originate failed');
      this.settle(false, 'failed');
    }
    const ok = await answer;
    engine.clock.cancel(deadline);
    if (!ok || !this.leg) {
      await this.hangup('normal');
      const cause = this.cause ?? 'failed';
      const outcome: AttemptOutcome = cause === 'busy' ? 'busy' : cause === 'no-answer' || cause === 'cancelled' ? 'no_answer' : 'failed';
      return { outcome, cause, answeredAt: null, agentId: null };
    }
    const answeredAt = engine.clock.now();
    let amd: string | undefined;
    if (c.amd && engine.pbx.detectMachine) {
      const found = await this.detectMachine();
      amd = found === undefined ? 'HANGUP:' : `${found.status}:${found.cause}`;
      this.log.info({ amd }, 'dialer: answering-machine detection');
      if (found === undefined) {
        await this.hangup('normal');
        return { outcome: 'no_answer', cause: 'hangup-during-amd', answeredAt, agentId: null, amd };
      }
      if (found.status === 'MACHINE') return { ...(await this.machine(answeredAt)), amd };
    }
    spec.onAnswer?.();
    const withAmd = (r: DialResult): DialResult => (amd === undefined ? r : { ...r, amd });
    if (c.mode === 'ivr') return withAmd(await this.ivr(answeredAt));
    if (c.mode === 'predictive' && !(await this.agentFreeWithin(ABANDON_WAIT_MS))) return withAmd(await this.abandon(answeredAt));
    return withAmd(await this.toQueue(answeredAt, c.queue));
  }

  /** The PBX's verdict on the greeting; undefined when the customer hung up meanwhile (or the PBX failed: then connected as a person). */
  private async detectMachine(): Promise<MachineDetection | undefined> {
    try {
      return await this.engine.pbx.detectMachine!(this.leg!, { signal: this.hungUp.signal });
    } catch (err) {
      if (this.gone || isPbxError(err, 'LEG_GONE') || isPbxError(err, 'ABORTED')) return undefined;
      this.log.warn({ err }, 'dialer: answering-machine detection failed, connecting as a person');
      return { status: 'NOTSURE', cause: 'DETECTION-FAILED' };
    }
  }

  /** An answering machine: leave the campaign's message (played, then hang up) or hang up. */
  private async machine(answeredAt: number): Promise<DialResult> {
    const amd = this.spec.campaign.amd!;
    let cause = 'hangup';
    if (amd.on_machine === 'message' && amd.message && this.leg && !this.gone) {
      const played = await this.engine.pbx.play(this.leg, [amd.message], { signal: this.hungUp.signal }).catch((err: unknown) => this.expected(err));
      cause = played === 'finished' ? 'message-left' : 'message-cut';
    }
    await this.hangup('normal');
    return { outcome: 'machine', cause, answeredAt, agentId: null };
  }

  /** Hand the customer to a call session in the queue; the outcome comes from its CDR. */
  private async toQueue(answeredAt: number, queueId: string, key?: string): Promise<DialResult> {
    const { engine, spec } = this;
    const leg = this.leg!;
    engine.releaseLeg(leg);
    const cdr = spec.cdrOf(spec.callId);
    spec.onQueued?.();
    const session = engine.outboundSession(spec.callId, { leg, to: spec.campaign.caller_id, from: spec.destination, callIdOnChannel: true });
    await session.runAnsweredOutbound(queueId, { callerId: spec.campaign.caller_id, variables: spec.variables, startedAt: answeredAt, answeredAt });
    const done = await cdr;
    const connected = done.agentId !== null && done.connectedAt !== null;
    this.log.info({ agentId: done.agentId, connected }, 'dialer: customer call ended');
    return {
      outcome: connected ? 'answered' : 'abandoned',
      cdrWritten: true,
      cause: done.hangupCause,
      answeredAt,
      agentId: done.agentId,
      ...(key !== undefined ? { key } : {}),
      ...(connected ? { handleMs: done.endedAt - (done.connectedAt ?? done.endedAt) } : {}),
    };
  }

  private async agentFreeWithin(ms: number): Promise<boolean> {
    const { engine } = this;
    const free = this.spec.agentFree;
    const until = engine.clock.now() + ms;
    while (!free()) {
      if (engine.clock.now() >= until || this.gone) return false;
      await engine.clock.sleep(Math.min(250, until - engine.clock.now()));
    }
    return !this.gone;
  }

  private async abandon(answeredAt: number): Promise<DialResult> {
    this.log.info({}, 'dialer: no agent free within 2 s, abandoned');
    if (this.leg && !this.gone) {
      await this.engine.pbx.play(this.leg, [this.spec.campaign.abandon_prompt], { signal: this.hungUp.signal }).catch((err: unknown) => this.expected(err));
    }
    await this.hangup('normal');
    return { outcome: 'abandoned', cause: 'no-agent', answeredAt, agentId: null };
  }

  /** Outbound IVR: the prompt, one key within the time-out; the queue key sends the customer to the queue. */
  private async ivr(answeredAt: number): Promise<DialResult> {
    const ivr = this.spec.campaign.ivr!;
    const leg = this.leg!;
    const key = new Promise<string | undefined>((resolve) => {
      this.digit = (d) => {
        if (ivr.keys.includes(d) || d === ivr.queue_on) resolve(d);
      };
      this.hungUp.signal.addEventListener('abort', () => resolve(undefined));
    });
    const played = this.engine.pbx.play(leg, [ivr.prompt], { signal: this.hungUp.signal }).catch((err: unknown) => this.expected(err));
    const timeout = played.then(() => this.engine.clock.sleep(ivr.timeout_s * 1000, this.hungUp.signal).then(() => undefined, () => undefined));
    const pressed = await Promise.race([key, timeout]);
    this.digit = undefined;
    if (pressed === undefined) {
      await this.hangup('normal');
      return { outcome: 'no_answer', cause: this.gone ? 'caller-hangup' : 'no-key', answeredAt, agentId: null };
    }
    this.log.info({ key: pressed }, 'dialer: ivr key');
    if (pressed === ivr.queue_on) return this.toQueue(answeredAt, this.spec.campaign.queue, pressed);
    await this.hangup('normal');
    return { outcome: 'answered', cause: null, answeredAt, agentId: null, key: pressed };
  }

  private expected(err: unknown): void {
    if (!isPbxError(err, 'LEG_GONE') && !this.hungUp.signal.aborted) this.log.warn({ err }, 'dialer: media failed');
  }

  private async hangup(cause: HangupCause): Promise<void> {
    const leg = this.leg;
    if (!leg) return;
    this.leg = undefined;
    this.engine.releaseLeg(leg);
    if (this.gone) return;
    await this.engine.pbx.hangup(leg, cause).catch((err: unknown) => {
      if (!isPbxError(err, 'LEG_GONE')) this.log.warn({ err }, 'dialer: hang-up failed');
    });
  }

  private settle(ok: boolean, cause?: HangupCause | 'failed'): void {
    if (!this.answered) return;
    const resolve = this.answered;
    this.answered = undefined;
    if (!ok) this.cause = cause;
    resolve(ok);
  }

  onDtmf(_leg: LegId, digit: string): void {
    this.digit?.(digit);
  }

  onLegAnswered(leg: LegId): void {
    if (leg === this.leg) this.settle(true);
  }

  onLegHangup(leg: LegId, cause: HangupCause): void {
    if (leg !== this.leg) return;
    this.gone = true;
    this.hungUp.abort(STOPPED);
    this.engine.releaseLeg(leg);
    this.settle(false, cause);
  }
}
