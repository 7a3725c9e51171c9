/**
 * The FreeSWITCH driver: the PBX port over the event socket (ESL). Inbound calls are parked by
 * our dialplan (sb_kind=inbound) and reported on CHANNEL_PARK, which takes them (the dialplan's
 * scheduled 503 is deleted: takeCall in commands.ts); agent legs are `originate`d with
 * a uuid we mint (user/<endpoint>@<domain> or sofia/<trunk>/<number>@<host>) and park on answer.
 * Prompts and music on hold are `execute`d on the parked leg with an Event-UUID that correlates
 * their end; a bridge is a conference of our profile (mixing for any number of legs), joined by
 * an inline transfer and left by a transfer back to park; recordings are the conference's;
 * snoop legs are loopback legs running `eavesdrop`. Raw events go through LegBook (leg-book.ts);
 * the socket's life through FsConnection (connection.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  PbxError,
  isPbxError,
  type BridgeId,
  type HangupCause,
  type LegId,
  type LiveLeg,
  type OriginateRequest,
  type PbxEvent,
  type PbxPort,
  type PlayOptions,
  type PlayOutcome,
  type RecordingId,
  type LegRecordOptions,
  type RecordOptions,
  type SnoopMode,
} from '../port.js';
import { FsBridges } from './bridges.js';
import { abortable, asPbxError, FsCommands, takeCall } from './commands.js';
import { FsConnection } from './connection.js';
import { checkToken, dialTarget, originateVars, playString, promptFiles, varsPrefix } from './dial.js';
import { EslClient, type EslClientOptions } from './esl-client.js';
import { LegBook, type FsLegState } from './leg-book.js';
import { fsCauseOf, hangupCauseOf, VAR } from './map-event.js';
import { listLiveLegs } from './recover.js';
import { listEndpointStates } from './registrations.js';

export interface FreeswitchDriverOptions {
  /** Event socket address (loopback by default in our config) and password. */
  host: string;
  port: number;
  password: string;
  /** Tag of our channels (the dialplan's sb_app); default `switchboard`. */
  app?: string;
  logger: Logger;
  /** Directory domain of agent phones (default `switchboard`). */
  domain?: string;
  /** Sofia profile phones register on (default `internal`). */
  phoneProfile?: string;
  /** Sofia profile and host[:port] for external numbers (default `trunk`, required host). */
  trunkProfile?: string;
  trunkHost: string;
  /** Conference profile our bridges use (default `switchboard`). */
  conferenceProfile?: string;
  /** local_stream classes that exist; another class plays `default`. */
  mohClasses?: readonly string[];
  defaultLanguage?: string;
  requestTimeoutMs?: number;
  /** How long start() waits for the event socket (default 10 s). */
  connectTimeoutMs?: number;
  reconnect?: EslClientOptions['reconnect'];
  /** A socket not back within this long means FreeSWITCH is lost (default 1 s). */
  lostAfterMs?: number;
  /** Sees every event-socket command (EslClientOptions.onCommand). */
  onCommand?: EslClientOptions['onCommand'];
}

const EVENTS = [
  'CHANNEL_PARK', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP',
  'CHANNEL_EXECUTE_COMPLETE', 'DTMF', 'BACKGROUND_JOB', 'RECORD_STOP',
  'CUSTOM', 'sofia::register', 'sofia::unregister', 'sofia::expire', 'conference::maintenance',
];

export class FreeswitchDriver implements PbxPort {
  readonly name = 'freeswitch';
  private readonly client: EslClient;
  private readonly log: Logger;
  private readonly book: LegBook;
  private readonly conn: FsConnection;
  private readonly app: string;
  private readonly conf: string;
  private offEvents: (() => void) | undefined;
  private offDtmf: (() => void) | undefined;
  private started = false;
  private lost = false;
  private dirs = { soundsDir: '', recordingsDir: '' };
  private readonly cmd: FsCommands;
  private readonly bridges: FsBridges;

  constructor(private readonly opts: FreeswitchDriverOptions) {
    this.log = opts.logger.child({ mod: 'freeswitch' });
    this.app = opts.app ?? 'switchboard';
    this.conf = opts.conferenceProfile ?? 'switchboard';
    checkToken(this.app, 'app');
    this.book = new LegBook(this.log);
    // Registered before the engine's listener, so that the disarm goes out before its first command.
    this.book.onEvent((e) => {
      if (e.type === 'call.arrived') void takeCall(this.client, e.leg, this.log);
    });
    this.client = new EslClient({
      host: opts.host,
      port: opts.port,
      password: opts.password,
      logger: opts.logger,
      events: EVENTS,
      filters: [
        [`variable_${VAR.app}`, this.app],
        ['Event-Name', 'BACKGROUND_JOB'],
        ['Event-Subclass', 'sofia::register'],
        ['Event-Subclass', 'sofia::unregister'],
        ['Event-Subclass', 'sofia::expire'],
        ['Conference-Profile-Name', this.conf],
      ],
      requestTimeoutMs: opts.requestTimeoutMs,
      reconnect: opts.reconnect,
      onCommand: opts.onCommand,
    });
    this.cmd = new FsCommands(this.client, this.book, () => this.ensureStarted());
    this.bridges = new FsBridges(this.cmd, this.book, this.log, {
      conferenceProfile: this.conf,
      joinTimeoutMs: opts.requestTimeoutMs ?? 5000,
      recordingsDir: () => this.dirs.recordingsDir,
      mohStream: (c) => this.mohStream(c),
    });
    this.conn = new FsConnection(
      this.client,
      {
        connected: (restarted) => this.onConnected(restarted),
        disconnected: () => {
          if (this.started) this.book.emit({ type: 'pbx.disconnected' });
        },
        lost: (why) => this.markLost(why),
      },
      this.log,
      opts.lostAfterMs,
    );
  }

  /** Why the event socket is not up (a refused password, connection refused), if it is not. */
  get connectionProblem(): string | undefined {
    return this.client.connected ? undefined : this.client.lastFailure?.message;
  }

  // ------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.offEvents = this.client.onEvent((e) => this.book.handle(e));
    // A voice message ends on `#` (uuid_record itself has no terminator).
    this.offDtmf = this.book.onEvent((e) => {
      if (e.type === 'dtmf') this.bridges.dtmf(e.leg, e.digit);
    });
    this.conn.watch();
    this.client.connect();
    try {
      await this.client.waitConnected(this.opts.connectTimeoutMs ?? 10_000);
    } catch (err) {
      await this.stop();
      const why = isPbxError(err) ? err.message : String(err);
      throw new PbxError('DISCONNECTED', `cannot connect to the FreeSWITCH event socket: ${why}`, { setting: /PASSWORD/.test(why) ? 'ESL_PASSWORD' : 'ESL_HOST/ESL_PORT' });
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    this.conn.unwatch();
    this.offEvents?.();
    this.offDtmf?.();
    await this.client.close();
    this.book.forgetAll();
    this.book.failPlays((leg) => new PbxError('DISCONNECTED', 'driver stopped during playback', { leg }));
  }

  onEvent(listener: (event: PbxEvent) => void): () => void {
    return this.book.onEvent(listener);
  }

  private async onConnected(restarted: boolean): Promise<void> {
    if (!this.started) return;
    if (restarted) this.markLost('restarted');
    const wasLost = this.lost;
    this.lost = false;
    this.dirs = {
      soundsDir: (await this.client.api('global_getvar sounds_dir')).trim(),
      recordingsDir: (await this.client.api('global_getvar recordings_dir')).trim(),
    };
    this.book.emit(restarted ? { type: 'pbx.connected', restarted: true } : { type: 'pbx.connected' });
    await this.reportRegistrations();
    if (!wasLost) await this.reconcile();
  }

  private markLost(why: 'unreachable' | 'restarted'): void {
    if (this.lost || !this.started) return;
    this.lost = true;
    this.log.warn({ why, legs: this.book.legs.size }, 'freeswitch lost');
    this.book.forgetAll();
    this.book.emit({ type: 'pbx.lost' });
    this.book.failPlays((leg) => new PbxError('DISCONNECTED', 'FreeSWITCH went away during playback', { leg, why }));
  }

  /** Every directory user as endpoint.state: online when registered now, offline otherwise. */
  private async reportRegistrations(): Promise<void> {
    try {
      const rows = await listEndpointStates(this.client, this.opts.phoneProfile ?? 'internal', this.opts.domain ?? 'switchboard');
      for (const r of rows) this.book.deliver({ type: 'endpoint.state', ...r });
    } catch (err) {
      this.log.warn({ err }, 'registration list failed');
    }
  }

  /** After a cut (FreeSWITCH stayed up): legs that vanished end with `lost` (or the cause we asked). */
  private async reconcile(): Promise<void> {
    if (this.book.legs.size === 0) return;
    const known = new Map(this.book.legs);
    const live = new Set((await listLiveLegs(this.client, this.app)).map((l) => l.leg as string));
    let gone = 0;
    for (const [id, state] of known) {
      if (live.has(id) || this.book.legs.get(id) !== state) continue;
      // `show channels` reads the core database, which the SQL thread fills a little later than
      // channels are born: a leg missing from it is asked about directly before it is ended.
      const exists = (await this.client.api(`uuid_exists ${id}`).catch(() => 'true')).trim();
      if (exists !== 'false' || this.book.legs.get(id) !== state) continue;
      gone++;
      this.book.legEnded(id, state.requestedCause ?? 'lost');
    }
    this.log.info({ legs: known.size, gone }, 'reconciled after reconnection');
  }

  // ------------------------------------------------------------ commands

  async answer(leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.cmd.legApi(leg, `uuid_answer ${leg}`, opts.signal);
  }

  async play(leg: LegId, prompts: readonly string[], opts: PlayOptions = {}): Promise<PlayOutcome> {
    this.ensureStarted();
    if (this.book.isGone(leg)) throw new PbxError('LEG_GONE', 'leg is gone', { leg });
    if (opts.signal?.aborted) return 'stopped';
    if (prompts.length === 0) return 'finished';
    const files = prompts.flatMap((p) => promptFiles(p, opts.language, { ...this.dirs, defaultLanguage: this.opts.defaultLanguage ?? 'en' }));
    const id = randomUUID();
    return new Promise<PlayOutcome>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: PlayOutcome | PbxError) => {
        if (settled) return;
        settled = true;
        this.book.plays.delete(id);
        opts.signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof PbxError) reject(outcome);
        else resolve(outcome);
      };
      const onAbort = () => {
        settle('stopped');
        this.background(this.cmd.breakMedia(leg), 'stop playback');
      };
      this.book.plays.set(id, { leg, settle });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.cmd.execute(leg, 'playback', playString(files), id).catch((err: unknown) => settle(asPbxError(err)));
    });
  }

  async startMoh(leg: LegId, mohClass: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const id = randomUUID();
    await this.cmd.execute(leg, 'playback', this.mohStream(mohClass), id, opts.signal);
    const s = this.book.legs.get(leg);
    if (s) s.moh = id;
  }

  async stopMoh(leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const s = this.book.legs.get(leg);
    if (s) s.moh = undefined;
    await this.cmd.legApi(leg, `uuid_break ${leg}`, opts.signal);
  }

  async originate(req: OriginateRequest, opts: { signal?: AbortSignal } = {}): Promise<LegId> {
    this.ensureStarted();
    const id = randomUUID() as LegId;
    const target = dialTarget(req.destination, { domain: this.opts.domain ?? 'switchboard', trunkProfile: this.opts.trunkProfile ?? 'trunk', trunkHost: this.opts.trunkHost });
    const cmd = `originate ${varsPrefix(originateVars(req, id, this.app))}${target} &park()`;
    const state: FsLegState = { kind: 'agent' };
    this.book.legs.set(id, state);
    let job: Awaited<ReturnType<EslClient['bgapi']>>;
    try {
      abortable(opts.signal);
      job = await this.client.bgapi(cmd, req.timeoutMs + 30_000);
    } catch (err) {
      this.book.legs.delete(id);
      throw asPbxError(err);
    }
    // The job ends when the leg answers (+OK) or fails (-ERR <CAUSE>); a failure before any
    // channel existed (USER_NOT_REGISTERED) has no CHANNEL_HANGUP: end the leg from the result.
    job.result.then(
      (body) => {
        const m = /^-ERR\s+(\S+)/.exec(body.trim());
        if (!m) return;
        const cause = m[1] === 'USER_NOT_REGISTERED' ? 'unreachable' : hangupCauseOf(m[1]);
        setTimeout(() => this.book.legEnded(id, this.book.legs.get(id)?.requestedCause ?? cause), 200);
      },
      (err: unknown) => this.log.debug({ err, legId: id }, 'originate job not reported'),
    );
    this.log.debug({ legId: id, callId: req.callId, kind: req.destination.kind }, 'originated');
    return id;
  }

  bridge(legs: readonly LegId[], opts: { signal?: AbortSignal } = {}): Promise<BridgeId> {
    return this.bridges.bridge(legs, opts);
  }

  addToBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridges.addToBridge(bridge, leg, opts);
  }

  removeFromBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridges.removeFromBridge(bridge, leg, opts);
  }

  destroyBridge(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridges.destroyBridge(bridge, opts);
  }

  startBridgeMoh(bridge: BridgeId, mohClass: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridges.startBridgeMoh(bridge, mohClass, opts);
  }

  stopBridgeMoh(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridges.stopBridgeMoh(bridge, opts);
  }

  recordBridge(bridge: BridgeId, rec: RecordOptions, opts: { signal?: AbortSignal } = {}): Promise<RecordingId> {
    return this.bridges.recordBridge(bridge, rec, opts);
  }

  recordLeg(leg: LegId, rec: LegRecordOptions, opts: { signal?: AbortSignal } = {}): Promise<RecordingId> {
    return this.bridges.recordLeg(leg, rec, opts);
  }

  pauseRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridges.pauseRecording(rec, opts);
  }

  resumeRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridges.resumeRecording(rec, opts);
  }

  stopRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.bridges.stopRecording(rec, opts);
  }

  async snoop(leg: LegId, mode: SnoopMode, opts: { signal?: AbortSignal } = {}): Promise<LegId> {
    this.ensureStarted();
    if (this.book.isGone(leg)) throw new PbxError('LEG_GONE', 'leg is gone', { leg });
    const id = randomUUID() as LegId;
    const vars: Record<string, string> = {
      origination_uuid: id,
      origination_caller_id_number: 'snoop',
      verbose_events: 'true',
      [VAR.app]: this.app,
      [VAR.kind]: 'snoop',
      eavesdrop_whisper_aleg: mode === 'listen' ? 'false' : 'true',
      eavesdrop_whisper_bleg: mode === 'barge' ? 'true' : 'false',
      eavesdrop_enable_dtmf: 'false',
    };
    this.book.legs.set(id, { kind: 'snoop' });
    try {
      abortable(opts.signal);
      const job = await this.client.bgapi(`originate ${varsPrefix(vars)}loopback/app=eavesdrop:${leg} &park()`, 10_000);
      const body = (await job.result).trim();
      if (!body.startsWith('+OK')) throw new PbxError(this.book.isGone(leg) ? 'LEG_GONE' : 'REJECTED', `snoop refused: ${body}`, { leg });
    } catch (err) {
      this.book.legs.delete(id);
      throw asPbxError(err);
    }
    return id;
  }

  async hangup(leg: LegId, cause: HangupCause = 'normal', opts: { signal?: AbortSignal } = {}): Promise<void> {
    const s = this.book.legs.get(leg);
    if (s && s.requestedCause === undefined && !s.going) s.requestedCause = cause;
    await this.cmd.legApi(leg, `uuid_kill ${leg} ${fsCauseOf(cause)}`, opts.signal);
  }

  async recover(opts: { signal?: AbortSignal } = {}): Promise<LiveLeg[]> {
    this.ensureStarted();
    abortable(opts.signal);
    const live = await listLiveLegs(this.client, this.app);
    for (const l of live) {
      if (this.book.legs.has(l.leg)) continue;
      const kind = l.role === 'other' ? 'inbound' : l.role;
      this.book.legs.set(l.leg, { kind, parked: true, ...(l.bridge ? { bridge: l.bridge } : {}), ...(l.role === 'agent' && l.answered ? { ringingReported: true, answeredReported: true } : {}) });
    }
    return live;
  }

  async setVariable(leg: LegId, name: string, value: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    checkToken(name, 'name');
    if (/[\r\n]/.test(value)) throw new PbxError('REJECTED', 'value: line breaks are not allowed', { field: 'value' });
    await this.cmd.legApi(leg, `uuid_setvar ${leg} ${name} ${value}`, opts.signal);
  }

  // ------------------------------------------------------------ internals

  private ensureStarted(): void {
    if (!this.started) throw new PbxError('DISCONNECTED', 'FreeSWITCH driver not started');
    if (this.lost) throw new PbxError('DISCONNECTED', 'FreeSWITCH is unreachable');
  }

  private mohStream(mohClass: string): string {
    const known = this.opts.mohClasses ?? ['default'];
    return `local_stream://${known.includes(mohClass) ? mohClass : 'default'}`;
  }

  private background(p: Promise<unknown>, what: string): void {
    p.catch((err: unknown) => this.log.warn({ err, what }, 'background task failed'));
  }

}

