/**
 * Bridges on FreeSWITCH: each is a conference of our profile (mixing for any number of legs),
 * named by the bridge id. A leg joins by an inline transfer to `conference:<bridge>@<profile>`
 * (resolved once the conference reports add-member, so the bridge exists when this returns)
 * and leaves by a transfer back to park; the bridge id also rides on the leg (sb_bridge, set and
 * unset by the same inline transfer) for recover(). Music on hold to a bridge and recordings are the conference's own commands.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { PbxError, isPbxError, type BridgeId, type LegId, type LegRecordOptions, type RecordingId, type RecordOptions } from '../port.js';
import type { FsCommands } from './commands.js';
import { checkToken } from './dial.js';
import type { LegBook } from './leg-book.js';
import { VAR } from './map-event.js';

export interface FsBridgesOptions {
  conferenceProfile: string;
  /** How long a leg may take to join a conference. */
  joinTimeoutMs: number;
  recordingsDir: () => string;
  mohStream: (mohClass: string) => string;
}

export class FsBridges {
  constructor(
    private readonly cmd: FsCommands,
    private readonly book: LegBook,
    private readonly log: Logger,
    private readonly opts: FsBridgesOptions,
  ) {}

  async bridge(legs: readonly LegId[], opts: { signal?: AbortSignal } = {}): Promise<BridgeId> {
    this.cmd.ensureStarted();
    const id = `sb-br-${randomUUID()}` as BridgeId;
    for (const leg of legs) await this.addToBridge(id, leg, opts);
    return id;
  }

  async addToBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const s = this.book.legs.get(leg);
    if (s) s.moh = undefined;
    if (s?.kind === 'agent' && !s.parked) await this.parkedOf(leg);
    const joined = this.conferenceEvent(this.book.joins, bridge, leg, 'join');
    // One request: the leg notes its bridge (for recover()), joins the conference, parks after it.
    await this.transfer(leg, `set:${VAR.bridge}=${bridge},conference:${bridge}@${this.opts.conferenceProfile},park inline`, joined, opts.signal);
    if (s) s.bridge = bridge;
  }

  /** Resolved once the conference reports the leg gone (del-member), so no bridge music reaches it after. */
  async removeFromBridge(bridge: BridgeId, leg: LegId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const s = this.book.legs.get(leg);
    const left = s?.bridge === bridge ? this.conferenceEvent(this.book.leaves, bridge, leg, 'leave') : Promise.resolve();
    await this.transfer(leg, `unset:${VAR.bridge},park inline`, left, opts.signal);
    if (s?.bridge === bridge) s.bridge = undefined;
  }

  /** `uuid_transfer <leg> <apps> inline`, then what the conference reports (`done`). */
  private async transfer(leg: LegId, apps: string, done: Promise<void> & { cancel?: () => void }, signal?: AbortSignal): Promise<void> {
    try {
      await this.cmd.legApi(leg, `uuid_transfer ${leg} ${apps} inline`, signal);
    } catch (err) {
      done.cancel?.();
      throw err;
    }
    await done;
  }

  /** An originated leg that answered reaches park (its originate ends) a moment later. */
  private async parkedOf(leg: LegId): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.book.parks.delete(leg);
        resolve();
      }, this.opts.joinTimeoutMs);
      this.book.parks.set(leg, resolve);
    });
    clearTimeout(timer);
  }

  /** A promise of the conference's add-member / del-member of `leg`, failing after joinTimeoutMs. */
  private conferenceEvent(waiters: Map<string, () => void>, bridge: BridgeId, leg: LegId, what: 'join' | 'leave'): Promise<void> & { cancel: () => void } {
    const key = `${bridge}/${leg}`;
    let timer: NodeJS.Timeout | undefined;
    const p = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        waiters.delete(key);
        reject(this.book.isGone(leg) ? new PbxError('LEG_GONE', 'leg is gone', { leg }) : new PbxError('TIMEOUT', `leg did not ${what} the bridge`, { leg, bridge }));
      }, this.opts.joinTimeoutMs);
      waiters.set(key, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    p.catch(() => undefined);
    return Object.assign(p, {
      cancel: () => {
        clearTimeout(timer);
        waiters.delete(key);
      },
    });
  }

  async destroyBridge(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.cmd.ensureStarted();
    for (const [leg, s] of [...this.book.legs]) {
      if (s.bridge !== bridge) continue;
      try {
        await this.removeFromBridge(bridge, leg as LegId, opts);
      } catch (err) {
        if (!isPbxError(err, 'LEG_GONE')) throw err;
      }
    }
  }

  async startBridgeMoh(bridge: BridgeId, mohClass: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.cmd.api(`conference ${bridge} play ${this.opts.mohStream(mohClass)}`, opts.signal);
  }

  async stopBridgeMoh(bridge: BridgeId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.cmd.api(`conference ${bridge} stop all`, opts.signal);
  }

  async recordBridge(bridge: BridgeId, rec: RecordOptions, opts: { signal?: AbortSignal } = {}): Promise<RecordingId> {
    checkToken(rec.name, 'name');
    if ((rec.format ?? 'wav') !== 'wav') throw new PbxError('REJECTED', `format: only wav recordings on FreeSWITCH, not ${rec.format}`, { field: 'format' });
    if (this.book.recordings.has(rec.name)) throw new PbxError('REJECTED', `name: a recording ${rec.name} is running`, { field: 'name' });
    const path = `${this.opts.recordingsDir()}/${rec.name}.wav`;
    this.book.recordings.set(rec.name, { bridge, path });
    try {
      await this.cmd.api(`conference ${bridge} recording start ${path}`, opts.signal);
    } catch (err) {
      this.book.recordings.delete(rec.name);
      throw err;
    }
    const r = this.book.recordings.get(rec.name);
    if (r && rec.maxDurationMs) {
      r.timer = setTimeout(() => this.stopRecording(rec.name as RecordingId).catch((err: unknown) => this.log.warn({ err, recording: rec.name }, 'stopping a recording at its limit failed')), rec.maxDurationMs);
    }
    return rec.name as RecordingId;
  }

  /**
   * One leg's voice message (uuid_record, bounded by `maxDurationMs`; FreeSWITCH's uuid_record has
   * no silence limit). `#` from the leg stops it when `endOnHash` (see `dtmf`).
   */
  async recordLeg(leg: LegId, rec: LegRecordOptions, opts: { signal?: AbortSignal } = {}): Promise<RecordingId> {
    checkToken(rec.name, 'name');
    if ((rec.format ?? 'wav') !== 'wav') throw new PbxError('REJECTED', `format: only wav recordings on FreeSWITCH, not ${rec.format}`, { field: 'format' });
    if (this.book.recordings.has(rec.name)) throw new PbxError('REJECTED', `name: a recording ${rec.name} is running`, { field: 'name' });
    const path = `${this.opts.recordingsDir()}/${rec.name}.wav`;
    this.book.recordings.set(rec.name, { leg, path, ...(rec.endOnHash ? { endOnHash: true } : {}) });
    const limit = rec.maxDurationMs ? ` ${Math.ceil(rec.maxDurationMs / 1000)}` : '';
    try {
      await this.cmd.legApi(leg, `uuid_record ${leg} start ${path}${limit}`, opts.signal);
    } catch (err) {
      this.book.recordings.delete(rec.name);
      throw err;
    }
    return rec.name as RecordingId;
  }

  /** A digit from a leg: `#` ends its voice message when asked. */
  dtmf(leg: string, digit: string): void {
    if (digit !== '#') return;
    for (const [name, r] of this.book.recordings) {
      if (r.leg === leg && r.endOnHash) void this.stopRecording(name as RecordingId).catch((err: unknown) => this.log.debug({ err, recording: name }, 'stopping a voice message on # failed'));
    }
  }

  async pauseRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.recordingCommand(rec, 'pause', opts.signal);
  }

  async resumeRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.recordingCommand(rec, 'resume', opts.signal);
  }

  async stopRecording(rec: RecordingId, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.recordingCommand(rec, 'stop', opts.signal);
  }

  private async recordingCommand(rec: RecordingId, verb: 'pause' | 'resume' | 'stop', signal?: AbortSignal): Promise<void> {
    const r = this.book.recordings.get(rec);
    if (!r) throw new PbxError('LEG_GONE', 'recording is not running', { recording: rec });
    if (verb === 'stop' && r.timer) clearTimeout(r.timer);
    if (r.leg) {
      if (verb !== 'stop') throw new PbxError('REJECTED', `a voice message cannot ${verb}`, { recording: rec });
      await this.cmd.legApi(r.leg as LegId, `uuid_record ${r.leg} stop ${r.path}`, signal);
      return;
    }
    await this.cmd.api(`conference ${r.bridge} recording ${verb} ${r.path}`, signal);
  }
}
