/**
 * The simulated PBX: an in-process implementation of the PBX port on a virtual clock.
 * Callers and agent phones are scripted; every port call is recorded in `log` so tests can assert
 * what the PBX was asked to do. Timing follows the scripts and per-prompt durations.
 */
import type { Clock } from '../../infra/clock.js';
import {
  PbxError,
  type BridgeId,
  type Destination,
  type HangupCause,
  type LegId,
  type LiveLeg,
  type OriginateRequest,
  type PbxEvent,
  type PbxPort,
  type PlayOptions,
  type PlayOutcome,
  type MachineDetection,
  type LegRecordOptions,
  type RecordingId,
  type RecordOptions,
  type SnoopMode,
} from '../port.js';

export type { AgentPhoneScript, CallerScript, PortCall, SimLeg, SimOptions, SimRecording } from './sim-types.js';
import type { AgentPhoneScript, CallerScript, PortCall, SimLeg, SimOptions } from './sim-types.js';
import { SimRecordings } from './sim-recordings.js';

export class SimPbx implements PbxPort {
  readonly name = 'sim';
  readonly log: PortCall[] = [];
  readonly legs = new Map<LegId, SimLeg>();
  /** Live snoop legs by the leg they listen to (ended with it; `legs` keeps every leg ever made). */
  private readonly snoopsOf = new Map<LegId, Set<LegId>>();
  readonly bridges = new Map<BridgeId, Set<LegId>>();
  readonly recordings: SimRecordings;
  /** Music on hold playing to a bridge, by class. */
  readonly bridgeMoh = new Map<BridgeId, string>();
  private readonly phones = new Map<string, AgentPhoneScript>();
  private readonly listeners = new Set<(e: PbxEvent) => void>();
  private seq = 0;
  private started = false;

  constructor(
    private readonly clock: Clock,
    private readonly opts: SimOptions = {},
  ) {
    this.recordings = new SimRecordings(clock, (e) => this.emit(e));
  }

  // ------------------------------------------------------------ scripting

  /** Script a caller; returns its leg id. */
  placeCall(script: CallerScript): LegId {
    const id = this.newId('caller') as LegId;
    const at = script.at ?? this.clock.now();
    this.clock.schedule(at, () => {
      const leg: SimLeg = { id, kind: 'caller', state: 'ringing', from: script.from, to: script.to, variables: {}, script, timers: [], createdAt: at };
      this.legs.set(id, leg);
      for (const k of script.keys ?? []) {
        leg.timers.push(this.clock.schedule(at + k.afterMs, () => this.sendDtmf(id, k.digit)));
      }
      if (script.patienceMs !== undefined) {
        leg.timers.push(
          this.clock.schedule(at + script.patienceMs, () => {
            if (leg.state !== 'down' && !leg.bridge) this.remoteHangup(id, 'normal');
          }),
        );
      }
      const event: PbxEvent = { type: 'call.arrived', leg: id, to: script.to, from: script.from };
      if (script.fromName) event.fromName = script.fromName;
      if (script.fromPhone) Object.assign(event, { origin: 'phone', endpoint: script.fromPhone });
      this.emit(event);
    });
    return id;
  }

  /** Script an agent phone (a SIP endpoint name or an external number). */
  setPhone(address: string, script: AgentPhoneScript): void {
    // A phone nobody scripted yet counts as registered.
    const was = this.phones.get(address)?.online ?? true;
    this.phones.set(address, script);
    const online = script.online ?? true;
    if (was !== online) this.emit({ type: 'endpoint.state', endpoint: address, online });
  }

  setOnline(address: string, online: boolean): void {
    const phone = this.phones.get(address) ?? { behavior: 'never' as const };
    this.setPhone(address, { ...phone, online });
  }

  /** Send a DTMF digit from a leg now. */
  sendDtmf(leg: LegId, digit: string): void {
    const l = this.legs.get(leg);
    if (!l || l.state !== 'up') return;
    this.recordings.digit(leg, digit);
    this.emit({ type: 'dtmf', leg, digit });
  }

  /**
   * A person answers the agent phone at `address` that rings now (the desktop's Answer on the
   * simulated PBX): its no-answer and scripted timers are cancelled and the leg is answered.
   * Returns the leg, or undefined when nothing rings there.
   */
  answerRinging(address: string): LegId | undefined {
    for (const leg of this.legs.values()) {
      if (leg.kind !== 'agent' || leg.state !== 'ringing' || leg.to !== address) continue;
      for (const t of leg.timers) this.clock.cancel(t);
      leg.timers = [];
      leg.state = 'up';
      leg.answeredAt = this.clock.now();
      this.clock.schedule(this.clock.now(), () => {
        if (leg.state === 'up') this.emit({ type: 'leg.answered', leg: leg.id });
      });
      return leg.id;
    }
    return undefined;
  }

  /** The far end hangs up. */
  remoteHangup(leg: LegId, cause: HangupCause = 'normal'): void {
    this.end(leg, cause);
  }

  calls(op: string): PortCall[] {
    return this.log.filter((c) => c.op === op);
  }

  // ------------------------------------------------------------ port

  async start(): Promise<void> {
    this.started = true;
    this.emit({ type: 'pbx.connected' });
    // Like a driver listing its endpoints on connection: phones not registered now are reported.
    for (const [address, phone] of this.phones) if (phone.online === false) this.emit({ type: 'endpoint.state', endpoint: address, online: false });
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  onEvent(listener: (event: PbxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async answer(leg: LegId): Promise<void> {
    this.record('answer', leg);
    const l = this.live(leg);
    if (l.state === 'ringing') {
      l.state = 'up';
      l.answeredAt = this.clock.now();
    }
  }

  async play(leg: LegId, prompts: readonly string[], opts: PlayOptions = {}): Promise<PlayOutcome> {
    this.record('play', leg, prompts, opts.language);
    const l = this.live(leg);
    const duration = prompts.reduce((sum, p) => sum + (this.opts.promptMs?.[p] ?? this.opts.defaultPromptMs ?? 2000), 0);
    return new Promise<PlayOutcome>((resolve, reject) => {
      const playing: NonNullable<SimLeg['playing']> = { prompts, startedAt: this.clock.now() };
      if (opts.language) playing.language = opts.language;
      l.playing = playing;
      const finish = (outcome: PlayOutcome | Error) => {
        this.clock.cancel(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        l.timers = l.timers.filter((t) => t !== timer);
        if (l.playing === playing) l.playing = undefined;
        offHangup();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const timer = this.clock.schedule(this.clock.now() + duration, () => finish('finished'));
      const onAbort = () => finish('stopped');
      const offHangup = this.onLegEnd(leg, () => finish(new PbxError('LEG_GONE', 'leg hung up during playback', { leg })));
      if (opts.signal?.aborted) return finish('stopped');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async startMoh(leg: LegId, mohClass: string): Promise<void> {
    this.record('startMoh', leg, mohClass);
    this.live(leg).moh = mohClass;
  }

  async stopMoh(leg: LegId): Promise<void> {
    this.record('stopMoh', leg);
    this.live(leg).moh = undefined;
  }

  async originate(req: OriginateRequest): Promise<LegId> {
    this.record('originate', req);
    const id = this.newId('agent') as LegId;
    const address = addressOf(req.destination);
    const now = this.clock.now();
    const leg: SimLeg = {
      id,
      kind: 'agent',
      state: 'ringing',
      from: req.callerId.number,
      to: address,
      callId: req.callId,
      variables: { ...(req.variables ?? {}), SWITCHBOARD_CALL_ID: req.callId },
      timers: [],
      createdAt: now,
    };
    if (req.autoAnswer) leg.autoAnswer = true;
    this.legs.set(id, leg);
    const phone = this.phones.get(address);
    if (!phone || phone.online === false) {
      this.later(leg, now, () => this.end(id, 'unreachable'));
      return id;
    }
    leg.phone = phone;
    this.later(leg, now, () => this.emit({ type: 'leg.ringing', leg: id }));
    const after = req.autoAnswer ? 0 : phone.answerAfterMs ?? 0;
    const giveUp = now + req.timeoutMs;
    const behavior = req.autoAnswer && phone.behavior === 'never' ? 'answer' : phone.behavior;
    if (behavior === 'never' || (behavior === 'answer' && after >= req.timeoutMs)) {
      this.later(leg, giveUp, () => this.end(id, 'no-answer'));
    } else if (behavior === 'answer') {
      this.later(leg, now + after, () => {
        leg.state = 'up';
        leg.answeredAt = this.clock.now();
        this.emit({ type: 'leg.answered', leg: id });
      });
    } else {
      this.later(leg, now + after, () => this.end(id, phone.behavior === 'busy' ? 'busy' : 'rejected'));
    }
    return id;
  }

  async bridge(legs: readonly LegId[]): Promise<BridgeId> {
    this.record('bridge', legs);
    for (const leg of legs) this.live(leg);
    const id = this.newId('bridge') as BridgeId;
    this.bridges.set(id, new Set());
    for (const leg of legs) this.join(id, leg);
    return id;
  }

  async addToBridge(bridge: BridgeId, leg: LegId): Promise<void> {
    this.record('addToBridge', bridge, leg);
    this.live(leg);
    if (!this.bridges.has(bridge)) throw new PbxError('LEG_GONE', 'no such bridge', { bridge });
    this.join(bridge, leg);
  }

  async removeFromBridge(bridge: BridgeId, leg: LegId): Promise<void> {
    this.record('removeFromBridge', bridge, leg);
    const l = this.live(leg);
    const members = this.bridges.get(bridge);
    if (!members?.has(leg)) throw new PbxError('REJECTED', 'leg is not in that bridge', { bridge, leg });
    members.delete(leg);
    l.bridge = undefined;
  }

  async startBridgeMoh(bridge: BridgeId, mohClass: string): Promise<void> {
    this.record('startBridgeMoh', bridge, mohClass);
    if (!this.bridges.has(bridge)) throw new PbxError('LEG_GONE', 'no such bridge', { bridge });
    this.bridgeMoh.set(bridge, mohClass);
  }

  async stopBridgeMoh(bridge: BridgeId): Promise<void> {
    this.record('stopBridgeMoh', bridge);
    if (!this.bridges.has(bridge)) throw new PbxError('LEG_GONE', 'no such bridge', { bridge });
    this.bridgeMoh.delete(bridge);
  }

  async destroyBridge(bridge: BridgeId): Promise<void> {
    this.record('destroyBridge', bridge);
    this.bridgeMoh.delete(bridge);
    const members = this.bridges.get(bridge);
    if (!members) return;
    for (const leg of members) {
      const l = this.legs.get(leg);
      if (l) l.bridge = undefined;
    }
    this.recordings.bridgeGone(bridge);
    this.bridges.delete(bridge);
  }

  async recordBridge(bridge: BridgeId, rec: RecordOptions): Promise<RecordingId> {
    this.record('recordBridge', bridge, rec);
    if (!this.bridges.has(bridge)) throw new PbxError('LEG_GONE', 'no such bridge', { bridge });
    return this.recordings.startBridge(bridge, rec);
  }

  /** A leg's voice message: ends on `#` (endOnHash), at maxDurationMs, on stopRecording or when the leg goes. Silence is not simulated. */
  async recordLeg(leg: LegId, rec: LegRecordOptions): Promise<RecordingId> {
    this.record('recordLeg', leg, rec);
    this.live(leg);
    return this.recordings.startLeg(leg, rec);
  }

  async pauseRecording(rec: RecordingId): Promise<void> {
    this.record('pauseRecording', rec);
    this.recordings.pause(rec);
  }

  async resumeRecording(rec: RecordingId): Promise<void> {
    this.record('resumeRecording', rec);
    this.recordings.resume(rec);
  }

  async stopRecording(rec: RecordingId): Promise<void> {
    this.record('stopRecording', rec);
    this.recordings.stop(rec);
  }

  async snoop(leg: LegId, mode: SnoopMode): Promise<LegId> {
    this.record('snoop', leg, mode);
    const target = this.live(leg);
    const id = this.newId('snoop') as LegId;
    this.legs.set(id, { id, kind: 'snoop', state: 'up', from: target.from, to: target.to, variables: { SNOOP_MODE: mode }, timers: [], createdAt: this.clock.now(), snoopOf: leg });
    const snoops = this.snoopsOf.get(leg) ?? new Set<LegId>();
    snoops.add(id);
    this.snoopsOf.set(leg, snoops);
    return id;
  }

  async hangup(leg: LegId, cause: HangupCause = 'normal'): Promise<void> {
    this.record('hangup', leg, cause);
    this.live(leg);
    this.end(leg, cause);
  }

  async recover(): Promise<LiveLeg[]> {
    this.record('recover');
    if (!this.started) throw new PbxError('DISCONNECTED', 'simulated PBX not started');
    const out: LiveLeg[] = [];
    for (const l of this.legs.values()) {
      if (l.state === 'down') continue;
      const callId = l.callId ?? l.variables.SWITCHBOARD_CALL_ID;
      const live: LiveLeg = { leg: l.id, role: l.kind === 'caller' ? 'inbound' : l.kind, answered: l.state === 'up', from: l.from, to: l.to };
      if (callId) live.callId = callId;
      if (l.bridge) live.bridge = l.bridge;
      out.push(live);
    }
    return out;
  }

  /**
   * The PBX restarts: every leg ends (without events: nobody is connected to hear them),
   * then the event stream comes back with `restarted`. For PBX-loss tests.
   */
  crash(): void {
    this.emit({ type: 'pbx.disconnected' });
    this.emit({ type: 'pbx.lost' });
    for (const l of this.legs.values()) {
      if (l.state === 'down') continue;
      l.state = 'down';
      l.hangupCause = 'failed';
      l.endedAt = this.clock.now();
      for (const t of l.timers) this.clock.cancel(t);
      l.timers = [];
      l.bridge = undefined;
      const watchers = this.legEndWatchers.get(l.id);
      this.legEndWatchers.delete(l.id);
      for (const w of watchers ?? []) w();
    }
    this.bridges.clear();
  }

  /** The PBX is back after `crash()`. */
  restartDone(): void {
    this.emit({ type: 'pbx.connected', restarted: true });
  }

  /** The event stream breaks and comes back (the PBX stays up); events in between are lost. */
  cutEvents(): { resume(): void; lose(): void } {
    this.emit({ type: 'pbx.disconnected' });
    const saved = [...this.listeners];
    this.listeners.clear();
    const liveAtCut = [...this.legs.values()].filter((l) => l.state !== 'down').map((l) => l.id);
    return {
      /** A partition: the driver takes the PBX as lost while it lives on with its legs. */
      lose: () => {
        for (const l of saved) l({ type: 'pbx.lost' });
      },
      /** Back: like a driver reconciling from the channel list, legs that ended meanwhile end with cause `lost`. */
      resume: () => {
        for (const l of saved) this.listeners.add(l);
        this.emit({ type: 'pbx.connected' });
        for (const id of liveAtCut) if (this.legs.get(id)?.state === 'down') this.emit({ type: 'leg.hangup', leg: id, cause: 'lost' });
      },
    };
  }

  /** The phone's scripted `amd` result after its `afterMs` (default HUMAN after 1.8 s); LEG_GONE if it hangs up first. */
  async detectMachine(leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<MachineDetection> {
    this.record('detectMachine', leg);
    const l = this.live(leg);
    const amd = l.phone?.amd ?? { status: 'HUMAN' as const };
    await this.clock.sleep(amd.afterMs ?? 1800, opts.signal).catch(() => {
      throw new PbxError('ABORTED', 'AMD aborted', { leg });
    });
    if (l.state !== 'up') throw new PbxError('LEG_GONE', 'hung up during AMD', { leg });
    return { status: amd.status, cause: amd.cause ?? (amd.status === 'MACHINE' ? 'LONGGREETING-1500-1500' : amd.status === 'HUMAN' ? 'HUMAN-800-800' : 'TOOLONG-5000') };
  }

  async setVariable(leg: LegId, name: string, value: string): Promise<void> {
    this.record('setVariable', leg, name, value);
    this.live(leg).variables[name] = value;
  }

  // ------------------------------------------------------------ internals

  private newId(prefix: string): string {
    return `${prefix}-${++this.seq}`;
  }

  private record(op: string, ...args: unknown[]): void {
    this.log.push({ at: this.clock.now(), op, args });
  }

  private live(leg: LegId): SimLeg {
    if (!this.started) throw new PbxError('DISCONNECTED', 'simulated PBX not started');
    const l = this.legs.get(leg);
    if (!l || l.state === 'down') throw new PbxError('LEG_GONE', 'leg is gone', { leg });
    return l;
  }

  private join(bridge: BridgeId, leg: LegId): void {
    const l = this.legs.get(leg)!;
    this.bridges.get(bridge)!.add(leg);
    l.bridge = bridge;
    l.moh = undefined;
    if (l.talkStarted) return;
    l.talkStarted = true;
    const talk = l.kind === 'caller' ? l.script?.talkMs : l.phone?.talkMs;
    if (talk !== undefined) this.later(l, this.clock.now() + talk, () => this.end(leg, 'normal'));
  }

  private later(leg: SimLeg, at: number, fn: () => void): void {
    leg.timers.push(
      this.clock.schedule(at, () => {
        if (leg.state !== 'down') fn();
      }),
    );
  }

  private readonly legEndWatchers = new Map<LegId, Set<() => void>>();

  private onLegEnd(leg: LegId, fn: () => void): () => void {
    let set = this.legEndWatchers.get(leg);
    if (!set) {
      set = new Set();
      this.legEndWatchers.set(leg, set);
    }
    set.add(fn);
    return () => set!.delete(fn);
  }

  private end(leg: LegId, cause: HangupCause): void {
    const l = this.legs.get(leg);
    if (!l || l.state === 'down') return;
    l.state = 'down';
    l.hangupCause = cause;
    l.endedAt = this.clock.now();
    l.moh = undefined;
    for (const t of l.timers) this.clock.cancel(t);
    l.timers = [];
    if (l.bridge) {
      this.bridges.get(l.bridge)?.delete(leg);
      l.bridge = undefined;
    }
    if (l.snoopOf) this.snoopsOf.get(l.snoopOf)?.delete(leg);
    const snoops = this.snoopsOf.get(leg);
    this.snoopsOf.delete(leg);
    for (const other of snoops ?? []) this.end(other, 'normal');
    this.recordings.legGone(leg);
    const watchers = this.legEndWatchers.get(leg);
    this.legEndWatchers.delete(leg);
    for (const w of watchers ?? []) w();
    this.clock.schedule(this.clock.now(), () => this.emit({ type: 'leg.hangup', leg, cause }));
  }

  private emit(event: PbxEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

export function addressOf(d: Destination): string {
  return d.kind === 'sip' ? d.endpoint : d.number;
}
