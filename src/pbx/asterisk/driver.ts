/**
 * The Asterisk driver: the PBX port over ARI. Agent phones are PJSIP/<endpoint>; external
 * numbers go PJSIP/<number>@<trunkEndpoint>. Channel, playback, bridge and snoop ids are minted
 * here before each request, so an event that overtakes the HTTP answer is still recognised.
 * Raw events go through LegEvents (leg-events.ts), which keeps the facts mapAriEvent() needs
 * and settles pending plays; this class runs the commands and the connection's life.
 * When the events WebSocket drops, LivenessWatcher (liveness.ts) tells a cut from a lost
 * Asterisk (pbx.lost: legs forgotten, pending work failed); after a mere cut, the channel list
 * is reconciled (reconcile.ts) and vanished legs end with cause `lost`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  PbxError,
  isPbxError,
  type BridgeId,
  type Destination,
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
import { BridgePool } from './bridge-pool.js';
import type { AriBridge, AriChannel, AriEndpoint } from './ari-types.js';
import { LegEvents, type LegState } from './leg-events.js';
import { ariInfoProbe, LivenessWatcher, type LivenessOptions } from './liveness.js';
import { q850Of } from './map-event.js';
import { reconcilePlan } from './reconcile.js';
import { liveLegsOf } from './recover.js';
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
  /** Use this client instead of building one (tests). */
  client?: AriClient;
}

/** The dial string for a destination. */
export function endpointOf(d: Destination, opts: { technology?: string; trunkEndpoint?: string } = {}): string {
  const tech = opts.technology ?? 'PJSIP';
  return d.kind === 'sip' ? `${tech}/${d.endpoint}` : `${tech}/${d.number}@${opts.trunkEndpoint ?? 'trunk'}`;
}

/** Caller id as ARI/Asterisk parse it: "Name" <number>. */
export function callerIdOf(c: OriginateRequest['callerId']): string {
  const name = c.name?.replace(/["<>\\]/g, '').trim();
  return name ? `"${name}" <${c.number}>` : c.number;
}

const SNOOP: Record<SnoopMode, { spy: string; whisper: string }> = {
  listen: { spy: 'both', whisper: 'none' },
  whisper: { spy: 'both', whisper: 'out' },
  barge: { spy: 'both', whisper: 'both' },
};

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
  /** Bridges kept for the next call (bridge-pool.ts). */
  private readonly bridges = new BridgePool({ destroy: (b) => this.background(this.deleteBridge(b), 'destroy bridge') });

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
  }

  // ------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.offs.push(
      this.client.onEvent((e, raw) => this.book.handle(e, raw)),
      this.book.onEvent((e) => {
        if (e.type === 'leg.hangup') this.bridges.legEnded(e.leg);
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
      await Promise.all(this.bridges.drain().map((b) => this.deleteBridge(b).catch(() => undefined)));
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
    if (!wasLost) await this.reconcile();
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
    this.bridges.drain(); // gone with Asterisk
    this.book.emit({ type: 'pbx.lost' });
    this.book.failPlays((leg) => new PbxError('DISCONNECTED', 'Asterisk went away during playback', { leg, why }));
    this.client.failPending(new PbxError('DISCONNECTED', 'Asterisk is unreachable', { why }));
  }

  /**
   * After a reconnection (Asterisk stayed up): settle what we missed while the socket was down,
   * from one channel list — vanished legs end (cause `lost` unless we asked for one), originated
   * legs that rang or answered meanwhile are reported, pending plays are settled.
   */
  private async reconcile(): Promise<void> {
    const known = new Map(this.book.legs);
    const pendingAtRequest = new Set([...known].filter(([, l]) => l.pending).map(([id]) => id));
    const channels = await this.client.request<AriChannel[]>('GET', '/channels');
    const plan = reconcilePlan(known, channels, pendingAtRequest);
    const gone = new Set<string>(plan.gone.map((g) => g.leg));
    for (const [id, p] of [...this.book.plays]) {
      if (gone.has(p.leg)) {
        this.book.plays.delete(id);
        p.settle(new PbxError('LEG_GONE', 'leg hung up during playback', { leg: p.leg }));
        continue;
      }
      try {
        await this.client.request('GET', `/playbacks/${enc(id)}`);
      } catch (err) {
        // The playback ended while we were not listening.
        if (isPbxError(err, 'LEG_GONE') && this.book.plays.delete(id)) p.settle('finished');
      }
    }
    for (const leg of plan.ringing) this.book.deliver({ type: 'leg.ringing', leg });
    for (const leg of plan.answered) this.book.deliver({ type: 'leg.answered', leg });
    for (const g of plan.gone) {
      // Still the leg we listed (not ended by an event meanwhile).
      if (this.book.legs.get(g.leg) === known.get(g.leg)) this.book.legEnded(g.leg, g.cause);
    }
    this.log.info({ legs: known.size, gone: plan.gone.length, ringing: plan.ringing.length, answered: plan.answered.length }, 'reconciled after reconnection');
  }

  private async channelGone(id: string): Promise<boolean> {
    try {
      await this.client.request('GET', `/channels/${enc(id)}`);
      return false;
    } catch (err) {
      return isPbxError(err, 'LEG_GONE');
    }
  }

  private background(p: Promise<unknown>, what: string): void {
    p.catch((err: unknown) => this.log.warn({ err, what }, 'background task failed'));
  }

  // ------------------------------------------------------------ commands

  async answer(leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('POST', `/channels/${enc(leg)}/answer`, { signal: opts.signal }, leg);
  }

  async play(leg: LegId, prompts: readonly string[], opts: PlayOptions = {}): Promise<PlayOutcome> {
    this.ensureStarted();
    const state = this.book.legs.get(leg);
    if (state?.going) throw new PbxError('LEG_GONE', 'leg is gone', { leg });
    if (opts.signal?.aborted) return 'stopped';
    if (prompts.length === 0) return 'finished';
    const playbackId = `sb-pb-${randomUUID()}`;
    const media = prompts.map(mediaUri);
    return new Promise<PlayOutcome>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: PlayOutcome | PbxError) => {
        if (settled) return;
        settled = true;
        this.book.plays.delete(playbackId);
        opts.signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof PbxError) reject(outcome);
        else resolve(outcome);
      };
      const onAbort = () => {
        const wasPending = this.book.plays.has(playbackId);
        settle('stopped');
        if (wasPending) this.background(this.stopPlayback(playbackId), 'stop playback');
      };
      this.book.plays.set(playbackId, { leg, settle });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.call('POST', `/channels/${enc(leg)}/play`, { query: { media, lang: opts.language, playbackId } }, leg).catch((err: unknown) => {
        if (settled) {
          // Aborted before the request returned: make sure nothing keeps playing.
          if (opts.signal?.aborted) this.background(this.stopPlayback(playbackId), 'stop playback');
          return;
        }
        settle(asPbxError(err));
      });
    });
  }

  private async stopPlayback(playbackId: string): Promise<void> {
    try {
      await this.client.request('DELETE', `/playbacks/${enc(playbackId)}`);
    } catch (err) {
      if (!isPbxError(err, 'LEG_GONE')) throw err;
    }
  }

  async startMoh(leg: LegId, mohClass: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('POST', `/channels/${enc(leg)}/moh`, { query: { mohClass }, signal: opts.signal }, leg);
    const s = this.book.legs.get(leg);
    if (s) s.mohOn = true;
  }

  async stopMoh(leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('DELETE', `/channels/${enc(leg)}/moh`, { signal: opts.signal }, leg);
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

  async bridge(legs: readonly LegId[], opts: { signal?: AbortSignal } = {}): Promise<BridgeId> {
    this.ensureStarted();
    const reused = legs.length > 0 ? this.bridges.take() : undefined;
    if (reused) {
      try {
        await this.stopMohOf(legs);
        await this.call('POST', `/bridges/${enc(reused)}/addChannel`, { query: { channel: legs }, signal: opts.signal });
        this.bridges.joined(reused, legs);
        return reused;
      } catch (err) {
        this.bridges.forget(reused);
        // 404: the idle bridge was deleted behind our back; make a new one. Anything else: a leg.
        if (!(isPbxError(err) && err.details.status === 404)) {
          this.background(this.deleteBridge(reused), 'destroy bridge');
          throw await this.goneLegError(err, legs);
        }
      }
    }
    const id = `sb-br-${randomUUID()}` as BridgeId;
    await this.call('POST', '/bridges', { query: { type: 'mixing', bridgeId: id }, signal: opts.signal });
    if (legs.length > 0) {
      try {
        await this.stopMohOf(legs);
        await this.call('POST', `/bridges/${enc(id)}/addChannel`, { query: { channel: legs }, signal: opts.signal }, legs.length === 1 ? legs[0] : undefined);
        this.bridges.joined(id, legs);
      } catch (err) {
        this.background(this.deleteBridge(id), 'destroy bridge');
        throw await this.goneLegError(err, legs);
      }
    }
    return id;
  }

  async addToBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.stopMohOf([leg]);
    try {
      await this.call('POST', `/bridges/${enc(bridge)}/addChannel`, { query: { channel: leg }, signal: opts.signal }, leg);
      this.bridges.joined(bridge, [leg]);
    } catch (err) {
      throw await this.goneLegError(err, [leg]);
    }
  }

  async removeFromBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.bridges.taint(bridge);
    await this.call('POST', `/bridges/${enc(bridge)}/removeChannel`, { query: { channel: leg }, signal: opts.signal }, leg);
  }

  async startBridgeMoh(bridge: BridgeId, mohClass: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.bridges.taint(bridge);
    await this.call('POST', `/bridges/${enc(bridge)}/moh`, { query: { mohClass }, signal: opts.signal });
  }

  async stopBridgeMoh(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('DELETE', `/bridges/${enc(bridge)}/moh`, { signal: opts.signal });
  }

  /** Done with the bridge: kept for the next call when it can be (bridge-pool.ts), else destroyed. */
  async destroyBridge(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.bridges.release(bridge)) return;
    await this.deleteBridge(bridge, opts);
  }

  private async deleteBridge(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.call('DELETE', `/bridges/${enc(bridge)}`, { signal: opts.signal });
    } catch (err) {
      if (isPbxError(err, 'LEG_GONE')) return;
      // 409 "Bridge not in Stasis application": a delete already under way; destroying is idempotent.
      if (isPbxError(err, 'PROTOCOL') && err.details.status === 409) return;
      throw err;
    }
  }

  async recordBridge(bridge: BridgeId, rec: RecordOptions, opts: { signal?: AbortSignal } = {}): Promise<RecordingId> {
    this.bridges.taint(bridge);
    await this.call('POST', `/bridges/${enc(bridge)}/record`, {
      query: {
        name: rec.name,
        format: rec.format ?? 'wav',
        maxDurationSeconds: rec.maxDurationMs ? Math.ceil(rec.maxDurationMs / 1000) : undefined,
        ifExists: 'fail',
        beep: false,
        terminateOn: 'none',
      },
      signal: opts.signal,
    });
    return rec.name as RecordingId;
  }

  async recordLeg(leg: LegId, rec: LegRecordOptions, opts: { signal?: AbortSignal } = {}): Promise<RecordingId> {
    this.ensureStarted();
    await this.call(
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
    await this.call('POST', `/recordings/live/${enc(rec)}/pause`, { signal: opts.signal });
  }

  async resumeRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    // ARI's unpause is DELETE on the pause resource.
    await this.call('DELETE', `/recordings/live/${enc(rec)}/pause`, { signal: opts.signal });
  }

  async stopRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('POST', `/recordings/live/${enc(rec)}/stop`, { signal: opts.signal });
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
      await this.call(
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
    await this.call('DELETE', `/channels/${enc(leg)}`, { query: { reason_code: q850Of(cause) }, signal: opts.signal }, leg);
  }

  async recover(opts: { signal?: AbortSignal } = {}): Promise<LiveLeg[]> {
    this.ensureStarted();
    const [channels, bridges] = await Promise.all([
      this.client.request<AriChannel[]>('GET', '/channels', { signal: opts.signal }),
      this.client.request<AriBridge[]>('GET', '/bridges', { signal: opts.signal }),
    ]);
    const live = liveLegsOf(channels, bridges, this.opts.app);
    for (const l of live) {
      if (this.book.legs.has(l.leg)) continue;
      const kind = l.role === 'other' ? 'inbound' : l.role;
      this.book.legs.set(l.leg, { kind, ...(l.role === 'agent' && l.answered ? { ringingReported: true, answeredReported: true } : {}) });
    }
    return live;
  }

  async setVariable(leg: LegId, name: string, value: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('POST', `/channels/${enc(leg)}/variable`, { query: { variable: name, value }, signal: opts.signal }, leg);
  }

  detectMachine(leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<MachineDetection> {
    this.ensureStarted();
    return amdHop(this.book, leg, () => this.call('POST', `/channels/${enc(leg)}/continue`, { query: { context: AMD_CONTEXT, extension: 's', priority: 1 }, signal: opts.signal }, leg), opts.signal);
  }

  // ------------------------------------------------------------ internals

  private ensureStarted(): void {
    if (!this.started) throw new PbxError('DISCONNECTED', 'Asterisk driver not started');
    if (this.lost) throw new PbxError('DISCONNECTED', 'Asterisk is unreachable');
  }

  /** One REST call; a refusal on a leg we know has ended becomes LEG_GONE (the expected race). */
  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, ro: Parameters<AriClient['request']>[2], leg?: LegId): Promise<T> {
    this.ensureStarted();
    try {
      return await this.client.request<T>(method, path, ro);
    } catch (err) {
      const e = asPbxError(err);
      if (leg && e.code === 'PROTOCOL' && (this.book.legs.get(leg)?.going || !this.book.legs.has(leg)) && (e.details.status === 409 || e.details.status === 422)) {
        throw new PbxError('LEG_GONE', 'leg is gone', { ...e.details, leg });
      }
      throw e;
    }
  }

  /** addChannel answers 422 when a channel has left Stasis; tell the engine which leg went. */
  private async goneLegError(err: unknown, legs: readonly LegId[]): Promise<PbxError> {
    const e = asPbxError(err);
    if (e.code !== 'PROTOCOL' || (e.details.status !== 422 && e.details.status !== 400)) return e;
    for (const leg of legs) {
      if (this.book.legs.get(leg)?.going || (await this.channelGone(leg))) return new PbxError('LEG_GONE', 'leg is gone', { ...e.details, leg });
    }
    return e;
  }

  private async stopMohOf(legs: readonly LegId[]): Promise<void> {
    for (const leg of legs) {
      const s = this.book.legs.get(leg);
      if (!s?.mohOn) continue;
      s.mohOn = false;
      try {
        await this.client.request('DELETE', `/channels/${enc(leg)}/moh`);
      } catch (err) {
        this.log.debug({ err, legId: leg }, 'stop moh before bridging failed');
      }
    }
  }
}

/** The ARI event types leg-events.ts and map-event.ts read (and REST answers); the application's event filter lets only these through. */
export const EVENT_TYPES_READ = [
  'StasisStart', 'StasisEnd', 'ChannelStateChange', 'ChannelDtmfReceived', 'ChannelHangupRequest', 'ChannelDestroyed', 'Dial',
  'PlaybackFinished', 'RecordingFinished', 'RecordingFailed', 'EndpointStateChange',
  // Answers to REST requests sent over the WebSocket (not events, but they travel the same way).
  'RESTResponse',
] as const;

/**
 * The trunk's EndpointStateChange: it lists every channel on the trunk (hundreds under load, ~5 KB
 * per call at 40 calls/s) and no agent phone is the trunk. Recognised on the raw text (Asterisk
 * writes "type" first, compact); anything else is parsed as usual.
 */
export function trunkEndpointState(trunk: string): (raw: string) => boolean {
  const resource = `"resource":${JSON.stringify(trunk)}`;
  return (raw) => raw.startsWith('{"type":"EndpointStateChange"') && raw.includes(resource);
}

/** SIP headers most phones (and SIPp scenarios) read as "answer at once". */
const AUTO_ANSWER_HEADERS: Record<string, string> = {
  'PJSIP_HEADER(add,Call-Info)': '<sip:auto>;answer-after=0',
  'PJSIP_HEADER(add,Alert-Info)': '<http://localhost>;info=alert-autoanswer;delay=0',
};

/** A prompt as an ARI media URI: `sound:`, `recording:`, `number:`, `digits:`, `tone:` … pass through; a bare name is a sound. */
export function mediaUri(prompt: string): string {
  return /^[a-z]+:/.test(prompt) ? prompt : `sound:${prompt}`;
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function asPbxError(err: unknown): PbxError {
  if (err instanceof PbxError) return err;
  return new PbxError('PROTOCOL', err instanceof Error ? err.message : String(err));
}
