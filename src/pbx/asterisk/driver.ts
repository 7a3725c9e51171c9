/**
 * The Asterisk driver: the PBX port over ARI. Agent phones are PJSIP/<endpoint>; external
 * numbers go PJSIP/<number>@<trunkEndpoint>. Channel, playback, bridge and snoop ids are minted
 * here before each request, so an event that overtakes the HTTP answer is still recognised.
 * Raw events go through LegEvents (leg-events.ts), which keeps the facts mapAriEvent() needs
 * and settles pending plays; this class runs the commands and the connection's life.
 * When the events WebSocket drops, LivenessWatcher (liveness.ts) tells a cut from a lost
 * Asterisk (pbx.lost: legs forgotten, pending work failed); after a mere cut, the channel list
 * is reconciled (reconcile-after-cut.ts) and vanished legs end with cause `lost`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  PbxError,
  isPbxError,
  type BridgeId,
  type HangupCause,
  type LegId,
  type LegRecordOptions,
  type LiveLeg,
  type MachineDetection,
  type OriginateRequest,
  type PbxEvent,
  type PbxPort,
  type PlayOptions,
  type PlayOutcome,
  type RecordingId,
  type RecordOptions,
  type SnoopMode,
} from '../port.js';
import { amdHop, AMD_CONTEXT } from './amd-hop.js';
import { AriClient, type AriClientOptions } from './ari-client.js';
import { AriCalls, asPbxError, enc } from './ari-calls.js';
import type { AriEndpoint } from './ari-types.js';
import { BridgeCommands } from './bridge-commands.js';
import { Playbacks } from './playbacks.js';
import { PROMPT_CONTEXT, PromptHops } from './prompt-hop.js';
import { AUTO_ANSWER_HEADERS, callerIdOf, endpointOf, SNOOP } from './dial-strings.js';
import { EVENT_TYPES_READ, trunkEndpointState } from './event-filter.js';
import { LegEvents, type LegState } from './leg-events.js';
import { ariInfoProbe, LivenessWatcher, type LivenessOptions } from './liveness.js';
import { q850Of } from './map-event.js';
import { reconcileAfterCut } from './reconcile-after-cut.js';
import { recoverLegs } from './recover.js';
import { stasisAppArgs } from './stasis-args.js';

export interface AsteriskDriverOptions {
  /** Asterisk HTTP base URL, e.g. http://127.0.0.1:8088. */
  url: string;
  username: string;
  password: string;
  /** Stasis application name (the dialplan's Stasis(<app>,inbound,…)). */
  app: string;
  logger: Logger;
  /** PJSIP endpoint of the trunk used for external numbers (default `trunk`). */
  trunkEndpoint?: string;
  /** Channel technology of agent phones (default PJSIP). */
  technology?: string;
  requestTimeoutMs?: number;
  /** ARI requests in flight at once (default 32; Asterisk's HTTP sessionlimit is 100). */
  maxInFlight?: number;
  /** How long start() waits for the events WebSocket (default 10 s). */
  connectTimeoutMs?: number;
  /** Reconnect back-off of the events WebSocket; it retries forever until stop(). */
  reconnect?: AriClientOptions['reconnect'];
  /** How the liveness probes run when the WebSocket drops (liveness.ts; defaults ~1 s to a verdict). */
  liveness?: Omit<LivenessOptions, 'probe'>;
  /** REST over the events WebSocket while it is up (default true; see AriClientOptions). */
  restOverWebSocket?: boolean;
  /**
   * Prompts a key stops (IVR menus) are played by the dialplan's Background() through the prompt
   * hop ([switchboard-prompt], prompt-hop.ts): one request per menu instead of a play and a stop.
   * Default true; false plays every prompt over ARI.
   */
  dialplanPrompts?: boolean;
  /** Use this client instead of building one (tests). */
  client?: AriClient;
}

export class AsteriskDriver implements PbxPort {
  readonly name = 'asterisk';
  private readonly client: AriClient;
  private readonly log: Logger;
  /** The legs we know, pending plays, and the mapping of raw events (leg-events.ts). */
  private readonly book: LegEvents;
  private readonly offs: (() => void)[] = [];
  private started = false;
  private readonly liveness: LivenessWatcher;
  /** pbx.lost was reported and the stream is not back yet: commands fail fast with DISCONNECTED. */
  private lost = false;
  /** Connection ups and downs are handled one after the other, in order. */
  private transitions: Promise<void> = Promise.resolve();
  /** REST calls that map refusals on ended legs to LEG_GONE (ari-calls.ts). */
  private readonly calls: AriCalls;
  /** Bridge commands and the bridges kept between calls (bridge-commands.ts). */
  private readonly bridgeCommands: BridgeCommands;
  /** Prompts played on legs (playbacks.ts). */
  private readonly playbacks: Playbacks;

  constructor(private readonly opts: AsteriskDriverOptions) {
    this.log = opts.logger.child({ mod: 'asterisk' });
    this.book = new LegEvents(this.log);
    this.client =
      opts.client ??
      new AriClient({
        url: opts.url,
        username: opts.username,
        password: opts.password,
        app: opts.app,
        logger: opts.logger,
        requestTimeoutMs: opts.requestTimeoutMs,
        maxInFlight: opts.maxInFlight,
        reconnect: opts.reconnect,
        restOverWebSocket: opts.restOverWebSocket ?? true,
        skipRaw: trunkEndpointState(opts.trunkEndpoint ?? 'trunk'),
      });
    this.liveness = new LivenessWatcher({ ...opts.liveness, probe: ariInfoProbe(this.client) });
    this.calls = new AriCalls(this.client, this.book, () => this.ensureStarted(), this.log);
    const hops =
      opts.dialplanPrompts === false
        ? undefined
        : new PromptHops(this.book, (leg, exten) => this.calls.call('POST', `/channels/${enc(leg)}/continue`, { query: { context: PROMPT_CONTEXT, extension: exten, priority: 1 } }, leg));
    if (hops) this.book.onPromptBack = (leg, key) => hops.returned(leg, key);
    this.playbacks = new Playbacks(this.calls, this.client, this.book, () => this.ensureStarted(), (p, what) => this.background(p, what), hops);
    this.bridgeCommands = new BridgeCommands(this.calls, () => this.ensureStarted(), (p, what) => this.background(p, what));
  }

  // ------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.offs.push(
      this.client.onEvent((e, raw) => this.book.handle(e, raw)),
      this.book.onEvent((e) => {
        if (e.type === 'leg.hangup') this.bridgeCommands.pool.legEnded(e.leg);
      }),
      this.client.onConnection((up) => {
        if (up) {
          this.liveness.stopWatching();
          this.inOrder(() => this.onConnected(), 'on connected');
        } else {
          this.inOrder(async () => this.onDisconnected(), 'on disconnected');
        }
      }),
    );
    this.client.connect();
    try {
      await this.client.waitConnected(this.opts.connectTimeoutMs ?? 10_000);
    } catch (err) {
      await this.stop();
      throw isPbxError(err) ? new PbxError('DISCONNECTED', 'cannot connect to ARI', { cause: err.code }) : err;
    }
  }

  async stop(): Promise<void> {
    if (this.started && !this.lost) {
      await Promise.all(this.bridgeCommands.pool.drain().map((b) => this.bridgeCommands.deleteBridge(b).catch(() => undefined)));
    }
    this.started = false;
    this.liveness.stopWatching();
    for (const off of this.offs.splice(0)) off();
    await this.client.close();
    this.book.forgetAll();
    this.book.failPlays((leg) => new PbxError('DISCONNECTED', 'driver stopped during playback', { leg }));
  }

  onEvent(listener: (event: PbxEvent) => void): () => void {
    return this.book.onEvent(listener);
  }

  /** ARI requests in flight plus those waiting for a slot (the engine's admission limit reads it). */
  get load(): number {
    const l = this.client.load;
    return l.inFlight + l.waiting;
  }

  private inOrder(task: () => Promise<void>, what: string): void {
    this.transitions = this.transitions.then(task).catch((err: unknown) => this.log.warn({ err, what }, 'connection task failed'));
  }

  private onDisconnected(): void {
    if (!this.started) return;
    this.book.emit({ type: 'pbx.disconnected' });
    this.liveness.startWatching((why) => {
      if (this.started && !this.client.connected) this.markLost(why);
    });
  }

  private async onConnected(): Promise<void> {
    if (!this.started) return;
    const { restarted } = await this.liveness.connected(this.opts.requestTimeoutMs ?? 2000);
    // A restart quicker than our probes: nothing of before is alive either.
    if (restarted) this.markLost('restarted');
    const wasLost = this.lost;
    this.lost = false;
    // Endpoint (phone registration) events for every PJSIP endpoint, and the event filter: only
    // the event types the driver reads (Asterisk sends ~80 ChannelVarset events per call, twice
    // through the channel and the endpoint topics, plus Dial/ConnectedLine/bridge events, each
    // serialized there and parsed here for nothing). Both re-done on each connection, together.
    await Promise.all([
      this.client
        .request('POST', `/applications/${enc(this.opts.app)}/subscription`, { query: { eventSource: `endpoint:${this.opts.technology ?? 'PJSIP'}` } })
        .catch((err: unknown) => this.log.warn({ err }, 'endpoint subscription failed')),
      this.client
        .request('PUT', `/applications/${enc(this.opts.app)}/eventFilter`, { body: { allowed: EVENT_TYPES_READ.map((type) => ({ type })) } })
        .catch((err: unknown) => this.log.warn({ err }, 'event filter failed, receiving every event')),
    ]);
    this.book.emit(restarted ? { type: 'pbx.connected', restarted: true } : { type: 'pbx.connected' });
    try {
      const endpoints = await this.client.request<AriEndpoint[]>('GET', `/endpoints/${this.opts.technology ?? 'PJSIP'}`);
      for (const ep of endpoints) this.book.reportEndpoint(ep);
    } catch (err) {
      this.log.warn({ err }, 'endpoint list failed');
    }
    // After pbx.lost the legs are forgotten already: nothing to reconcile.
    if (!wasLost) await reconcileAfterCut(this.client, this.book, this.log);
  }

  /**
   * Asterisk is gone (unreachable, or restarted): report pbx.lost once, forget every leg (their
   * events will never come), reject pending plays and requests with DISCONNECTED.
   */
  private markLost(why: 'unreachable' | 'restarted'): void {
    if (this.lost) return;
    this.lost = true;
    this.log.warn({ why, legs: this.book.legs.size, startupTime: this.liveness.knownStartupTime }, 'asterisk lost');
    this.book.forgetAll();
    this.bridgeCommands.pool.drain(); // gone with Asterisk
    this.book.emit({ type: 'pbx.lost' });
    this.book.failPlays((leg) => new PbxError('DISCONNECTED', 'Asterisk went away during playback', { leg, why }));
    this.client.failPending(new PbxError('DISCONNECTED', 'Asterisk is unreachable', { why }));
  }

  private background(p: Promise<unknown>, what: string): void {
    p.catch((err: unknown) => this.log.warn({ err, what }, 'background task failed'));
  }

  // ------------------------------------------------------------ commands

  async answer(leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.calls.call('POST', `/channels/${enc(leg)}/answer`, { signal: opts.signal }, leg);
  }

  play(leg: LegId, prompts: readonly string[], opts: PlayOptions = {}): Promise<PlayOutcome> {
    return this.playbacks.play(leg, prompts, opts);
  }

  async startMoh(leg: LegId, mohClass: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.calls.call('POST', `/channels/${enc(leg)}/moh`, { query: { mohClass }, signal: opts.signal }, leg);
    const s = this.book.legs.get(leg);
    if (s) s.mohOn = true;
  }

  async stopMoh(leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.calls.call('DELETE', `/channels/${enc(leg)}/moh`, { signal: opts.signal }, leg);
    const s = this.book.legs.get(leg);
    if (s) s.mohOn = false;
  }

  async originate(req: OriginateRequest, opts: { signal?: AbortSignal } = {}): Promise<LegId> {
    this.ensureStarted();
    const id = `sb-${randomUUID()}` as LegId;
    const state: LegState = { kind: 'agent', pending: true };
    this.book.legs.set(id, state);
    const endpoint = endpointOf(req.destination, this.opts);
    try {
      await this.client.request('POST', '/channels', {
        query: {
          endpoint,
          app: this.opts.app,
          appArgs: stasisAppArgs({ kind: 'agent', callId: req.callId }),
          callerId: callerIdOf(req.callerId),
          timeout: Math.max(1, Math.ceil(req.timeoutMs / 1000)),
          channelId: id,
        },
        body: { variables: { ...(req.variables ?? {}), ...(req.autoAnswer ? AUTO_ANSWER_HEADERS : {}), SWITCHBOARD_CALL_ID: req.callId } },
        signal: opts.signal,
      });
    } catch (err) {
      const e = asPbxError(err);
      // Asterisk cannot even create the channel (no registered contact, unknown endpoint):
      // HTTP 500 "Allocation failed". Like any other failed dial, it is a leg that ends.
      if (e.code === 'PROTOCOL' && (e.details.status === 500 || e.details.status === 400)) {
        this.log.debug({ legId: id, endpoint, status: e.details.status }, 'originate refused, leg unreachable');
        setImmediate(() => this.book.legEnded(id, 'unreachable'));
        return id;
      }
      this.book.legs.delete(id);
      throw e;
    } finally {
      state.pending = false;
    }
    this.log.debug({ legId: id, callId: req.callId, endpoint }, 'originated');
    return id;
  }

  bridge(legs: readonly LegId[], opts: { signal?: AbortSignal } = {}): Promise<BridgeId> {
    return this.bridgeCommands.bridge(legs, opts);
  }

  addToBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridgeCommands.addToBridge(bridge, leg, opts);
  }

  removeFromBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridgeCommands.removeFromBridge(bridge, leg, opts);
  }

  startBridgeMoh(bridge: BridgeId, mohClass: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridgeCommands.startBridgeMoh(bridge, mohClass, opts);
  }

  stopBridgeMoh(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridgeCommands.stopBridgeMoh(bridge, opts);
  }

  /** Done with the bridge: kept for the next call when it can be (bridge-pool.ts), else destroyed. */
  destroyBridge(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridgeCommands.destroyBridge(bridge, opts);
  }

  recordBridge(bridge: BridgeId, rec: RecordOptions, opts: { signal?: AbortSignal } = {}): Promise<RecordingId> {
    return this.bridgeCommands.recordBridge(bridge, rec, opts);
  }

  async recordLeg(leg: LegId, rec: LegRecordOptions, opts: { signal?: AbortSignal } = {}): Promise<RecordingId> {
    this.ensureStarted();
    await this.calls.call(
      'POST',
      `/channels/${enc(leg)}/record`,
      {
        query: {
          name: rec.name,
          format: rec.format ?? 'wav',
          maxDurationSeconds: rec.maxDurationMs ? Math.ceil(rec.maxDurationMs / 1000) : undefined,
          maxSilenceSeconds: rec.maxSilenceMs ? Math.ceil(rec.maxSilenceMs / 1000) : undefined,
          ifExists: 'fail',
          beep: rec.beep === true,
          terminateOn: rec.endOnHash ? '#' : 'none',
        },
        signal: opts.signal,
      },
      leg,
    );
    return rec.name as RecordingId;
  }

  async pauseRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.calls.call('POST', `/recordings/live/${enc(rec)}/pause`, { signal: opts.signal });
  }

  async resumeRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    // ARI's unpause is DELETE on the pause resource.
    await this.calls.call('DELETE', `/recordings/live/${enc(rec)}/pause`, { signal: opts.signal });
  }

  async stopRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.calls.call('POST', `/recordings/live/${enc(rec)}/stop`, { signal: opts.signal });
  }

  async snoop(leg: LegId, mode: SnoopMode, opts: { signal?: AbortSignal } = {}): Promise<LegId> {
    this.ensureStarted();
    const id = `sb-sn-${randomUUID()}` as LegId;
    const state: LegState = { kind: 'snoop', pending: true };
    this.book.legs.set(id, state);
    // The snoop channel enters our application a moment after the answer: a bridge asked for
    // before its StasisStart is refused (422), so snoop() resolves once it is in.
    const inStasis = this.book.whenInStasis(id, 2000);
    try {
      await this.calls.call(
        'POST',
        `/channels/${enc(leg)}/snoop`,
        { query: { ...SNOOP[mode], app: this.opts.app, appArgs: stasisAppArgs({ kind: 'snoop', mode, target: leg }), snoopId: id }, signal: opts.signal },
        leg,
      );
    } catch (err) {
      this.book.legs.delete(id);
      throw err;
    } finally {
      state.pending = false;
    }
    await inStasis;
    return id;
  }

  async hangup(leg: LegId, cause: HangupCause = 'normal', opts: { signal?: AbortSignal } = {}): Promise<void> {
    const s = this.book.legs.get(leg);
    if (s && s.requestedCause === undefined) s.requestedCause = cause;
    await this.calls.call('DELETE', `/channels/${enc(leg)}`, { query: { reason_code: q850Of(cause) }, signal: opts.signal }, leg);
  }

  async recover(opts: { signal?: AbortSignal } = {}): Promise<LiveLeg[]> {
    this.ensureStarted();
    return recoverLegs(this.client, this.book, this.opts.app, opts.signal);
  }

  async setVariable(leg: LegId, name: string, value: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.calls.call('POST', `/channels/${enc(leg)}/variable`, { query: { variable: name, value }, signal: opts.signal }, leg);
  }

  detectMachine(leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<MachineDetection> {
    this.ensureStarted();
    return amdHop(this.book, leg, () => this.calls.call('POST', `/channels/${enc(leg)}/continue`, { query: { context: AMD_CONTEXT, extension: 's', priority: 1 }, signal: opts.signal }, leg), opts.signal);
  }

  // ------------------------------------------------------------ internals

  private ensureStarted(): void {
    if (!this.started) throw new PbxError('DISCONNECTED', 'Asterisk driver not started');
    if (this.lost) throw new PbxError('DISCONNECTED', 'Asterisk is unreachable');
  }
}
