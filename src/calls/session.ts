/**
 * One session per call: greeting, IVR, queue wait, offers to agents, bridge, recording, CDR.
 * Every await takes the caller's hang-up signal, so no work continues for a dead call.
 * Routing decisions come from the router as commands (offer, connect, cancel, exit); the session
 * reports what the PBX did back as routing inputs.
 */
import { cdrStart, type Cdr, type CdrDisposition } from '../domain/cdr.js';
import type { ExitDestination, Ivr, IvrAction, NumberEntry } from '../domain/config.js';
import type { CallJournal, CdrDraft } from '../domain/journal.js';
import { mergeSkills, type SkillLevels } from '../domain/skills.js';
import type { Logger } from '../infra/logger.js';
import { isPbxError, PbxError, type BridgeId, type HangupCause, type LegId, type RecordingId } from '../pbx/port.js';
import { CallControl } from './control/call-control.js';
import { deferred } from './deferred.js';
import type { LookupResult } from './hooks.js';
import { journalEntry } from './session-journal.js';
import type { Arrival, Bridged, QueueOutcome, QueuePhase, SessionEnv, SessionState } from './session-types.js';
import { AgentSide } from './steps/agent-side.js';
import { greetingWithMenu, Keypad, runIvr } from './steps/ivr.js';
import { pickPrompts, playWhileWaiting, type WaitingContext } from './steps/queue-media.js';
import { STOPPED } from '../infra/stopped.js';

export type { Arrival, SessionEnv, SessionState } from './session-types.js';

export class CallSession {
  readonly log: Logger;
  state: SessionState = 'arrived';
  private readonly hangup = new AbortController();
  /** Keys the caller typed (type-ahead kept until the IVR reads them). */
  private readonly keys = new Keypad();
  private phase: QueuePhase | undefined;
  private mohOn = false;
  private language: string;
  private readonly ivrPath: string[] = [];
  private readonly agentLegs = new Set<LegId>();
  private readonly cdr: CdrDraft;
  private ended = false;
  /** The engine died (simulated crash): do nothing more, write nothing. */
  private halted = false;
  /** The PBX is gone: its legs with it; finish without asking it anything. */
  private pbxGone = false;
  /** Where the call is in the IVR, and its queue priority, for the journal. */
  private ivrId: string | undefined;
  private ivrNodeId: string | undefined;
  private priority = 0;
  /** Skills the caller needs in a queue that routes on skills (lookup answer, IVR keys). */
  private skills: SkillLevels | undefined;
  readonly number: NumberEntry | undefined;
  private lookupResult: LookupResult | undefined;
  /** Hold, transfers, consult and conference on the bridged call. */
  readonly control: CallControl;
  /** Offers to agents, the bridge with the agent, hand-offs. */
  private readonly agents: AgentSide;

  constructor(
    readonly callId: string,
    private readonly arrival: Arrival,
    private readonly env: SessionEnv,
    /** After an engine restart: the call's journal, to take it up where it was. */
    private readonly resumeFrom?: CallJournal,
  ) {
    this.log = env.log.child({ callId, legId: arrival.leg });
    this.number = env.number(arrival.to);
    this.language = this.number?.language ?? 'en';
    this.cdr = {
      ...cdrStart({
        callId,
        legId: arrival.leg,
        direction: 'inbound',
        numberId: this.number?.id ?? null,
        dialled: arrival.to,
        caller: arrival.from,
        callerName: arrival.fromName ?? null,
        startedAt: env.clock.now(),
      }),
      disposition: undefined,
    };
    if (resumeFrom) {
      Object.assign(this.cdr, resumeFrom.cdr);
      this.language = resumeFrom.cdr.language ?? this.language;
      if (resumeFrom.cdr.ivrPath) this.ivrPath.push(...resumeFrom.cdr.ivrPath.split('>'));
      this.priority = resumeFrom.priority ?? 0;
      this.skills = resumeFrom.skills;
    }
    this.control = new CallControl({
      callId,
      log: this.log,
      env,
      cdr: this.cdr,
      caller: { number: arrival.from, dialled: arrival.to, ...(arrival.fromName ? { name: arrival.fromName } : {}) },
      bridged: () => this.phase?.bridged,
      queueId: () => this.phase?.queue.id,
      adopt: (leg) => {
        this.agentLegs.add(leg);
        this.env.claimLeg(leg, this);
      },
      hangupLeg: (leg, cause) => this.dropLeg(leg, cause),
      release: (then) => this.agents.releaseAgent(then),
      takeOver: (party) => this.agents.takeOver(party),
      writeJournal: () => this.writeJournal(),
    });
    this.agents = new AgentSide({
      session: this,
      callId,
      log: this.log,
      env,
      arrival,
      cdr: this.cdr,
      control: this.control,
      leg: arrival.leg,
      signal: this.hangup.signal,
      phase: () => this.phase,
      setState: (state) => (this.state = state),
      isEnded: () => this.ended,
      takeMoh: () => {
        const on = this.mohOn;
        this.mohOn = false;
        return on;
      },
      adopt: (leg) => {
        this.agentLegs.add(leg);
        this.env.claimLeg(leg, this);
      },
      dropLeg: (leg, cause) => this.dropLeg(leg, cause),
      endBridged: (phase, side, cause) => this.endBridged(phase, side, cause),
      writeJournal: () => this.writeJournal(),
      quiet: (err, what) => this.quiet(err, what),
      isGone: (err) => this.isGone(err),
    });
  }

  get leg(): LegId {
    return this.arrival.leg;
  }

  get from(): string {
    return this.arrival.from;
  }

  get dialled(): string {
    return this.arrival.to;
  }

  get variables(): Record<string, string> {
    return this.cdr.variables;
  }

  get direction(): 'inbound' | 'outbound' {
    return this.cdr.direction === 'inbound' ? 'inbound' : 'outbound';
  }

  /** The skills the caller needs (skill → minimum level), if any. */
  get requiredSkills(): SkillLevels | undefined {
    return this.skills;
  }

  get agentId(): string | undefined {
    return this.phase?.bridged?.agentId;
  }

  /** The agent's leg while bridged. */
  get agentLeg(): LegId | undefined {
    return this.phase?.bridged?.agentLeg;
  }

  get queueId(): string | undefined {
    return this.phase?.queue.id;
  }

  /** Aborted when the caller hangs up (or the call ends). */
  get hangupSignal(): AbortSignal {
    return this.hangup.signal;
  }

  private get signal(): AbortSignal {
    return this.hangup.signal;
  }

  // ------------------------------------------------------------ the flow

  async run(): Promise<void> {
    const { pbx } = this.env;
    try {
      if (!this.number) {
        this.log.warn({ dialled: this.arrival.to }, 'no number configured');
        this.cdr.disposition = 'failed';
        this.cdr.hangupSide = 'system';
        this.cdr.hangupCause = 'not-found';
        return;
      }
      this.writeJournal();
      const lookup = this.env.lookup(this);
      if (!this.arrival.callIdOnChannel) await pbx.setVariable(this.leg, 'SWITCHBOARD_CALL_ID', this.callId, { signal: this.signal });
      await pbx.answer(this.leg, { signal: this.signal });
      this.cdr.answeredAt = this.env.clock.now();
      this.log.info({ numberId: this.number.id }, 'call answered');
      this.writeJournal();

      const ivr = this.number.enable_ivr && this.number.ivr ? this.env.ivr(this.number.ivr) : undefined;
      // With no lookup that could send the caller elsewhere, the greeting and the IVR's first menu
      // are one prompt list: one play request, and one stop when a key cuts it.
      const chained = lookup === undefined && ivr !== undefined && this.number.greeting !== undefined;
      if (this.number.greeting) {
        this.state = 'greeting';
        await this.prompt(chained && ivr ? greetingWithMenu(this.number.greeting, ivr, this.language) : this.number.greeting, this.number.enable_ivr);
      }
      this.lookupResult = await lookup;
      this.throwIfGone();
      const hint = this.lookupResult;
      if (hint?.variables) Object.assign(this.cdr.variables, hint.variables);
      this.skills = mergeSkills(this.skills, hint?.skills);
      let target: IvrAction;
      if (hint?.queueId && this.env.queue(hint.queueId)) {
        target = { action: 'queue', queue: hint.queueId };
      } else if (this.number.enable_ivr && this.number.ivr) {
        this.state = 'ivr';
        target = ivr ? await this.runIvr(ivr, undefined, chained) : { action: 'hangup' };
      } else {
        target = { action: 'queue', queue: this.number.queue ?? '' };
      }
      await this.follow(target, hint?.priority);
    } catch (err) {
      this.failed(err);
    } finally {
      await this.finish();
    }
  }

  /**
   * After an engine restart: take the call up where its journal says it was. The IVR restarts
   * the node the caller was in; a queued caller re-enters at its place (original enqueue time and
   * priority) with music; a bridged call stays bridged. `agentLegAlive`: the journal's agent leg
   * is still up in the PBX (bridged calls only).
   */
  async resume(agentLegAlive: boolean): Promise<void> {
    const entry = this.resumeFrom;
    try {
      if (!entry) throw new Error('resume() needs the call journal');
      this.log.info({ step: entry.step }, 'call resumed after restart');
      if (entry.step === 'bridged') return await this.resumeBridged(entry, agentLegAlive);
      if (entry.step === 'queued' && this.cdr.queueId) return await this.follow({ action: 'queue', queue: this.cdr.queueId, priority: this.priority }, this.priority, true);
      const ivr = entry.step === 'ivr' && entry.ivrId ? this.env.ivr(entry.ivrId) : undefined;
      if (ivr) {
        this.state = 'ivr';
        return await this.follow(await this.runIvr(ivr, entry.ivrNode));
      }
      // Before the IVR (greeting, lookup): the flow starts over; answering again is harmless.
      this.resumeFromStart = true;
    } catch (err) {
      this.failed(err);
    } finally {
      if (!this.resumeFromStart) await this.finish();
    }
    if (this.resumeFromStart) await this.run();
  }

  private resumeFromStart = false;

  /**
   * dialFromQueue (seed 002): the customer's leg (`arrival.from`: the customer's number) was dialled
   * out and has answered; it goes straight into the queue like an inbound caller. The CDR says
   * direction outbound, dialled = the customer, caller = the caller id shown, with `variables`.
   */
  async runAnsweredOutbound(queueId: string, o: { callerId: string; variables: Record<string, string>; startedAt: number; answeredAt: number }): Promise<void> {
    Object.assign(this.cdr, { direction: 'outbound', numberId: null, dialled: this.arrival.from, caller: o.callerId, startedAt: o.startedAt, answeredAt: o.answeredAt });
    Object.assign(this.cdr.variables, o.variables);
    try {
      await this.follow({ action: 'queue', queue: queueId });
    } catch (err) {
      this.failed(err);
    } finally {
      await this.finish();
    }
  }

  /** Queue (and queue exits to other queues) after the IVR or a lookup picked the target. */
  private async follow(target: IvrAction, basePriority?: number, restored = false): Promise<void> {
    if (target.action === 'hangup') this.cdr.disposition = 'ivr-exit';
    let first = true;
    while (target.action === 'queue') {
      const outcome = await this.runQueue(target.queue, basePriority ?? target.priority ?? 0, restored && first);
      first = false;
      if (outcome.kind === 'exit' && outcome.destination.action === 'queue') {
        target = { action: 'queue', queue: outcome.destination.queue };
        continue;
      }
      break;
    }
  }

  private failed(err: unknown): void {
    if (this.halted) return;
    // Every step acts on the caller's leg: LEG_GONE means the caller hung up, even if the PBX's
    // hang-up event has not reached us yet.
    if (isPbxError(err, 'LEG_GONE')) this.callerGone('normal');
    else if (!this.signal.aborted) {
      this.log.error({ err }, 'call flow failed');
      this.cdr.disposition ??= 'failed';
    }
  }

  private async resumeBridged(entry: CallJournal, agentLegAlive: boolean): Promise<void> {
    const queue = this.cdr.queueId ? this.env.queue(this.cdr.queueId) : undefined;
    const agentLeg = entry.agentLeg as LegId | undefined;
    if (!queue || !entry.agentId || !agentLeg) {
      this.log.warn({ queueId: this.cdr.queueId, agentId: entry.agentId }, 'bridged call cannot be resumed');
      this.cdr.hangupSide = 'system';
      this.cdr.hangupCause = 'interrupted';
      return;
    }
    const bridged: Bridged = {
      agentId: entry.agentId,
      agentLeg,
      bridge: entry.bridge as BridgeId | undefined,
      recording: entry.recording as RecordingId | undefined,
      recordingPaused: entry.recordingPaused ?? false,
    };
    const phase: QueuePhase = { queue, done: deferred(), media: new AbortController(), mediaDone: Promise.resolve(), offer: undefined, bridged };
    phase.media.abort(STOPPED);
    this.phase = phase;
    this.state = 'bridged';
    this.agentLegs.add(agentLeg);
    this.env.claimLeg(agentLeg, this);
    const now = this.env.clock.now();
    this.env.route({
      type: 'call.restore',
      callId: this.callId,
      queueId: queue.id,
      agentId: entry.agentId,
      priority: this.priority,
      enqueuedAt: this.cdr.enqueuedAt ?? now,
      connectedAt: this.cdr.connectedAt ?? now,
    });
    if (!agentLegAlive) this.endBridged(phase, 'agent', 'lost');
    await phase.done.promise;
  }

  /** Play prompts in the caller's language; when `interruptible`, a key press stops them. */
  private async prompt(prompts: Record<string, string[]>, interruptible: boolean): Promise<void> {
    const list = pickPrompts(prompts, this.language);
    if (list.length === 0) return;
    const play = (signal: AbortSignal) => this.env.pbx.play(this.leg, list, { language: this.language, signal, ...(interruptible ? { stopOnKey: true } : {}) });
    if (interruptible) await this.keys.interruptible(play, this.signal);
    else await play(this.signal);
    this.throwIfGone();
  }

  /** `rootPlayed`: the root menu's prompts were played with the greeting (not again on the first visit). */
  private runIvr(ivr: Ivr, startNode?: string, rootPlayed = false): Promise<IvrAction> {
    this.ivrId = ivr.id;
    return runIvr(ivr, startNode, {
      rootPromptPlayed: rootPlayed,
      log: this.log,
      path: this.ivrPath,
      prompt: (prompts) => this.prompt(prompts, true),
      nextKey: async (timeoutMs) => {
        const key = await this.keys.next(this.env.clock, timeoutMs, this.signal);
        this.throwIfGone();
        return key;
      },
      clearKeys: () => this.keys.clear(),
      enterNode: (id) => {
        this.ivrNodeId = id;
        this.writeJournal();
      },
      setLanguage: (language) => (this.language = language),
      addSkills: (skills) => (this.skills = mergeSkills(this.skills, skills)),
    });
  }

  // ------------------------------------------------------------ queue

  private runQueue(queueId: string, priority: number, restored = false): Promise<QueueOutcome> {
    const queue = this.env.queue(queueId);
    if (!queue) {
      this.log.warn({ queueId }, 'unknown queue');
      this.cdr.disposition = 'failed';
      return Promise.resolve({ kind: 'exit', reason: 'removed', destination: { action: 'hangup' } });
    }
    this.state = 'queued';
    priority = this.env.queuePriority?.(this, queue.id, priority) ?? priority;
    this.keys.clear();
    const phase: QueuePhase = { queue, done: deferred(), media: new AbortController(), mediaDone: Promise.resolve(), offer: undefined, bridged: undefined };
    this.phase = phase;
    this.cdr.queueId = queue.id;
    this.cdr.enqueuedAt ??= this.env.clock.now();
    this.priority = priority;
    this.log.info({ queueId: queue.id, priority, restored, ...(this.skills ? { skills: this.skills } : {}) }, 'call queued');
    this.writeJournal();
    const customList = queue.agent_list_url !== undefined;
    const preferred = this.lookupResult?.agentId;
    this.env.route({
      type: 'call.enqueue',
      callId: this.callId,
      queueId: queue.id,
      priority,
      callerId: this.arrival.from,
      ...(customList ? { agents: [] } : {}),
      ...(preferred ? { preferredAgent: preferred } : {}),
      ...(restored ? { restoredAt: this.cdr.enqueuedAt } : {}),
      ...(this.skills ? { skills: this.skills } : {}),
    });
    if (!phase.done.settled && !phase.bridged) phase.mediaDone = playWhileWaiting(this.waitingContext(), queue, phase.media.signal, restored);
    if (customList) void this.agents.applyAgentList(phase);
    return phase.done.promise;
  }


  private waitingContext(): WaitingContext {
    return {
      pbx: this.env.pbx,
      clock: this.env.clock,
      log: this.log,
      leg: this.leg,
      language: this.language,
      position: () => this.env.positionOf(this.callId),
      estimatedWaitMs: (queueId) => this.env.estimatedWaitMs(queueId),
      setMoh: (on) => (this.mohOn = on),
      isGone: (err) => this.isGone(err),
      callbackOffer: this.phase ? this.env.callbackOffer?.(this, this.phase.queue.id, this.language) : undefined,
    };
  }

  /** Router command: ring this agent for the call. */
  offer(agentId: string, queueId: string, timeoutMs: number): void {
    this.agents.offer(agentId, queueId, timeoutMs);
  }

  /** Router command: stop ringing the agent. */
  cancelOffer(agentId: string): void {
    this.agents.cancelOffer(agentId);
  }

  /** Router command: the agent's answer was accepted; bridge caller and agent. */
  connect(agentId: string): void {
    this.agents.connect(agentId);
  }

  /**
   * The caller leaves the queue to be called back: its place kept (virtual queue,
   * `callback-requested`) or a voice message left (`callback-message`). Waiting media stops, the
   * CDR says so; returns the call's language.
   */
  leaveForCallback(disposition: 'callback-requested' | 'callback-message' = 'callback-requested'): string {
    this.cdr.disposition = disposition;
    // Its place is the waiter's (or the request's) now: after a restart the call is not queued again
    // (recovery.ts completes its CDR and hangs up a caller still typing its number or recording).
    this.writeJournal();
    this.phase?.media.abort(STOPPED);
    return this.language;
  }

  /** Router command: leave the queue (maximum wait, nobody logged in, queue removed). */
  exitQueue(reason: 'timeout' | 'joinempty' | 'removed', destination: ExitDestination): void {
    const phase = this.phase;
    if (!phase || phase.done.settled) return;
    this.log.info({ queueId: phase.queue.id, reason, to: destination.action }, 'call leaves queue');
    phase.media.abort(STOPPED);
    if (destination.action === 'hangup') this.cdr.disposition = reason === 'joinempty' ? 'refused' : reason === 'timeout' ? 'timeout' : 'failed';
    phase.done.resolve({ kind: 'exit', reason, destination });
  }

  // ------------------------------------------------------------ supervisor commands

  pauseRecording(): Promise<boolean> {
    return this.agents.pauseRecording();
  }

  resumeRecording(): Promise<boolean> {
    return this.agents.resumeRecording();
  }

  get recordingState(): 'none' | 'active' | 'paused' {
    return this.agents.recordingState;
  }

  // ------------------------------------------------------------ PBX events

  onDtmf(leg: LegId, digit: string): void {
    if (leg !== this.leg || this.ended) return;
    if (this.state === 'queued' && !this.phase?.offer && this.env.queueKey?.(this, digit)) return;
    if (this.state !== 'greeting' && this.state !== 'ivr') return;
    this.keys.push(digit);
  }

  onLegAnswered(leg: LegId): void {
    if (this.control.owns(leg)) return this.control.onAnswered(leg);
    const offer = this.phase?.offer;
    if (offer && offer.leg === leg && !offer.cancelled) {
      this.env.route({ type: 'offer.answered', callId: this.callId, agentId: offer.agentId, agentLeg: offer.leg });
      return;
    }
    if (this.agentLegs.has(leg) && this.phase?.bridged?.agentLeg !== leg) void this.dropLeg(leg, 'cancelled');
  }

  onLegHangup(leg: LegId, cause: HangupCause): void {
    if (leg === this.leg) return this.callerGone(cause);
    const controlled = this.control.owns(leg);
    this.agentLegs.delete(leg);
    this.env.releaseLeg(leg);
    const phase = this.phase;
    if (!phase) return;
    if (controlled) {
      // A blind transfer to a number that did not answer: the caller goes back to its queue.
      if (this.control.onHangup(leg, cause) === 'back-to-queue' && !phase.done.settled) this.agents.toQueue(phase, phase.queue.id);
      return;
    }
    if (phase.outside?.leg === leg && !phase.done.settled) {
      this.cdr.hangupSide ??= 'agent';
      this.cdr.hangupCause ??= cause;
      phase.done.resolve({ kind: 'completed' });
      return;
    }
    if (phase.offer && phase.offer.leg === leg) {
      const { agentId } = phase.offer;
      phase.offer = undefined;
      this.log.info({ agentId, cause }, 'agent did not answer');
      this.env.route({ type: 'offer.failed', callId: this.callId, agentId, cause });
      return;
    }
    if (phase.bridged && phase.bridged.agentLeg === leg && !phase.done.settled) {
      // The agent hung up during a consult or conference: the party takes the call over.
      if (this.control.agentLeft()) return;
      this.endBridged(phase, 'agent', cause);
    }
  }

  // ------------------------------------------------------------ call control (hand-offs)


  private callerGone(cause: HangupCause): void {
    if (this.signal.aborted || this.halted) return;
    if (cause === 'lost' && this.cdr.connectedAt === null) this.cdr.disposition = 'interrupted';
    this.cdr.hangupSide ??= cause === 'lost' ? 'system' : 'caller';
    this.cdr.hangupCause ??= cause;
    this.log.debug({ cause, state: this.state }, 'caller hung up');
    const phase = this.phase;
    if (phase && !phase.done.settled) {
      if (phase.bridged) this.endBridged(phase, 'caller', cause);
      else if (phase.outside) phase.done.resolve({ kind: 'completed' });
      else {
        phase.media.abort(STOPPED);
        this.cdr.disposition ??= 'abandoned';
        this.env.route({ type: this.cdr.disposition === 'interrupted' ? 'call.leave' : 'call.abandon', callId: this.callId });
        phase.done.resolve({ kind: 'abandoned' });
      }
    }
    this.hangup.abort(new PbxError('LEG_GONE', 'caller hung up'));
  }

  private endBridged(phase: QueuePhase, side: 'caller' | 'agent', cause: HangupCause | 'failed'): void {
    this.cdr.hangupSide ??= side;
    this.cdr.hangupCause ??= cause;
    this.cdr.disposition = 'answered';
    this.env.route({ type: 'call.end', callId: this.callId, side });
    phase.done.resolve({ kind: 'completed' });
  }

  // ------------------------------------------------------------ the end

  private async finish(): Promise<void> {
    if (this.ended || this.halted) return;
    const { pbx, clock } = this.env;
    const phase = this.phase;
    if (phase && !phase.done.settled) {
      // The flow failed while queued: take the call out of routing.
      phase.media.abort(STOPPED);
      if (phase.bridged) this.env.route({ type: 'call.end', callId: this.callId, side: 'caller' });
      else this.env.route({ type: 'call.leave', callId: this.callId });
      phase.done.resolve({ kind: 'abandoned' });
    }
    await this.agents.bridging;
    if (this.halted) return;
    const b = phase?.bridged ?? phase?.keptBridge;
    this.control.close();
    if (!this.pbxGone) {
      await this.control.teardown();
      if (b?.recording) await pbx.stopRecording(b.recording).catch((err: unknown) => this.quiet(err, 'stop recording'));
      if (b?.bridge) await pbx.destroyBridge(b.bridge).catch((err: unknown) => this.quiet(err, 'destroy bridge'));
      for (const leg of [...this.agentLegs]) await this.dropLeg(leg, 'normal');
    }
    if (!this.signal.aborted) {
      this.cdr.hangupSide ??= 'system';
      this.cdr.hangupCause ??= 'normal';
      await this.hangupCaller(this.cdr.hangupCause === 'not-found' ? 'not-found' : 'normal');
    }
    this.ended = true;
    this.state = 'ended';
    const endedAt = clock.now();
    if (this.cdr.connectedAt !== null) this.cdr.talkMs = endedAt - this.cdr.connectedAt;
    else if (this.cdr.enqueuedAt !== null) this.cdr.waitMs = endedAt - this.cdr.enqueuedAt;
    if (this.ivrPath.length > 0) this.cdr.ivrPath = this.ivrPath.join('>');
    this.cdr.language = this.language;
    const disposition: CdrDisposition =
      this.cdr.connectedAt !== null ? 'answered' : this.cdr.disposition ?? (this.cdr.queueId ? 'abandoned' : this.signal.aborted ? 'ivr-hangup' : 'ivr-exit');
    const cdr: Cdr = { ...this.cdr, endedAt, disposition };
    this.log.info({ disposition, queueId: cdr.queueId, agentId: cdr.agentId, waitMs: cdr.waitMs, talkMs: cdr.talkMs }, 'call ended');
    this.env.finished(this, cdr);
  }

  /**
   * The engine dies here (a simulated crash, for tests and the chaos bench): from now on the
   * session does nothing and writes nothing; its journal stays as it was.
   */
  halt(): void {
    this.halted = true;
    this.phase?.media.abort(STOPPED);
    if (!this.signal.aborted) this.hangup.abort(new PbxError('DISCONNECTED', 'engine halted'));
  }

  /** The PBX is gone and the call with it: end it now, with a CDR saying so (`pbx-lost`). */
  pbxLost(): void {
    if (this.signal.aborted || this.halted || this.ended) return;
    this.pbxGone = true;
    this.cdr.hangupSide = 'system';
    this.cdr.hangupCause = 'pbx-lost';
    if (this.cdr.connectedAt === null) this.cdr.disposition = 'interrupted';
    const phase = this.phase;
    if (phase && !phase.done.settled) {
      phase.media.abort(STOPPED);
      if (phase.bridged) this.endBridged(phase, 'caller', 'failed');
      else {
        this.env.route({ type: 'call.leave', callId: this.callId });
        phase.done.resolve({ kind: 'abandoned' });
      }
    }
    this.hangup.abort(new PbxError('DISCONNECTED', 'PBX lost'));
  }

  /** The live-call journal: what the call has done so far, replaced at each step. */
  private writeJournal(): void {
    if (this.ended || this.halted) return;
    const entry = journalEntry({
      callId: this.callId,
      leg: this.leg,
      state: this.state,
      phase: this.phase,
      cdr: this.cdr,
      ivrPath: this.ivrPath,
      language: this.language,
      ivrId: this.ivrId,
      ivrNode: this.ivrNodeId,
      priority: this.priority,
      skills: this.skills,
    });
    try {
      this.env.journal(entry);
    } catch (err) {
      this.log.error({ err }, 'journal write failed');
    }
  }

  /**
   * Hang up the caller; a PBX that is briefly unreachable gets two more tries, or the caller would
   * stay. A time-out is not retried: the PBX is slow, not gone, and more requests would slow it more.
   */
  private async hangupCaller(cause: HangupCause): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.env.pbx.hangup(this.leg, cause);
        return;
      } catch (err) {
        const transient = isPbxError(err, 'DISCONNECTED');
        if (!transient || attempt >= 2) return this.quiet(err, 'hang up caller');
        await this.env.clock.sleep(250 * 2 ** attempt);
      }
    }
  }

  private async dropLeg(leg: LegId, cause: HangupCause): Promise<void> {
    this.agentLegs.delete(leg);
    await this.env.pbx.hangup(leg, cause).catch((err: unknown) => this.quiet(err, 'hang up agent leg'));
  }

  private quiet(err: unknown, what: string): void {
    if (isPbxError(err, 'LEG_GONE')) this.log.debug({ what }, 'leg already gone');
    else this.log.warn({ err, what }, 'cleanup step failed');
  }

  private isGone(err: unknown): boolean {
    return this.signal.aborted || isPbxError(err, 'LEG_GONE');
  }

  private throwIfGone(): void {
    if (this.signal.aborted) throw new PbxError('LEG_GONE', 'caller hung up');
  }
}
