/**
 * The simulated PBX's recordings: a bridge's (recordBridge) or one leg's (recordLeg), by name, on
 * the virtual clock. A leg's ends on `#` (endOnHash), at its maximum length, on stop, or when the
 * leg goes; a bridge's when it is stopped or the bridge is destroyed. Each end is reported once
 * as `recording.finished` with the recorded length (pauses excluded). Silence is not simulated.
 */
import type { Clock } from '../../infra/clock.js';
import { PbxError, type BridgeId, type LegId, type LegRecordOptions, type PbxEvent, type RecordingId, type RecordOptions } from '../port.js';
import type { SimRecording } from './sim-types.js';

export class SimRecordings extends Map<RecordingId, SimRecording> {
  constructor(
    private readonly clock: Clock,
    private readonly emit: (e: PbxEvent) => void,
  ) {
    super();
  }

  startBridge(bridge: BridgeId, rec: RecordOptions): RecordingId {
    const id = rec.name as RecordingId;
    this.set(id, { id, bridge, name: rec.name, startedAt: this.clock.now(), pausedMs: 0 });
    return id;
  }

  startLeg(leg: LegId, rec: LegRecordOptions): RecordingId {
    const id = rec.name as RecordingId;
    if (this.has(id) && this.get(id)?.stoppedAt === undefined) throw new PbxError('REJECTED', `a recording ${rec.name} is running`, { recording: rec.name });
    const r: SimRecording = { id, leg, name: rec.name, startedAt: this.clock.now(), pausedMs: 0, ...(rec.endOnHash ? { endOnHash: true } : {}) };
    if (rec.maxDurationMs) {
      r.maxTimer = this.clock.schedule(this.clock.now() + rec.maxDurationMs, () => {
        if (r.stoppedAt === undefined) this.finish(r);
      });
    }
    this.set(id, r);
    return id;
  }

  pause(rec: RecordingId): void {
    const r = this.live(rec);
    if (r.pausedAt === undefined) r.pausedAt = this.clock.now();
  }

  resume(rec: RecordingId): void {
    const r = this.live(rec);
    if (r.pausedAt !== undefined) {
      r.pausedMs += this.clock.now() - r.pausedAt;
      r.pausedAt = undefined;
    }
  }

  stop(rec: RecordingId): void {
    this.finish(this.live(rec));
  }

  /** A digit from a leg: `#` ends its recordings that end on it. */
  digit(leg: LegId, digit: string): void {
    if (digit !== '#') return;
    for (const r of this.values()) if (r.leg === leg && r.endOnHash && r.stoppedAt === undefined) this.finish(r);
  }

  /** The leg hung up: its recordings end (what was said is kept). */
  legGone(leg: LegId): void {
    for (const r of this.values()) if (r.leg === leg && r.stoppedAt === undefined) this.finish(r);
  }

  bridgeGone(bridge: BridgeId): void {
    for (const r of this.values()) if (r.bridge === bridge && r.stoppedAt === undefined) this.finish(r);
  }

  private live(rec: RecordingId): SimRecording {
    const r = this.get(rec);
    if (!r || r.stoppedAt !== undefined) throw new PbxError('LEG_GONE', 'no such live recording', { recording: rec });
    return r;
  }

  private finish(r: SimRecording): void {
    const now = this.clock.now();
    if (r.pausedAt !== undefined) {
      r.pausedMs += now - r.pausedAt;
      r.pausedAt = undefined;
    }
    r.stoppedAt = now;
    r.durationMs = now - r.startedAt - r.pausedMs;
    if (r.maxTimer) this.clock.cancel(r.maxTimer);
    const durationMs = r.durationMs;
    this.clock.schedule(now, () => this.emit({ type: 'recording.finished', recording: r.id, durationMs }));
  }
}
