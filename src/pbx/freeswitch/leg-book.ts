/**
 * What the FreeSWITCH driver knows: our legs (kind, requested cause, bridge, music on hold),
 * pending plays keyed by the Event-UUID we gave their `execute`, bridge members joining,
 * recordings by file path, endpoint states; and the intake of raw events: bookkeeping, the
 * pure mapping (map-event.ts), duplicate filtering and delivery to the port's listeners.
 */
import type { Logger } from 'pino';
import { PbxError, type HangupCause, type LegId, type PbxEvent, type PlayOutcome } from '../port.js';
import type { EslEvent } from './esl-client.js';
import { mapFsEvent, type FsLegFacts } from './map-event.js';

export interface FsLegState extends FsLegFacts {
  /** Hang-up requested or seen: a finishing playback means LEG_GONE. */
  going?: boolean;
  ringingReported?: boolean;
  answeredReported?: boolean;
  /** The Event-UUID of the music on hold playing on the leg, if any. */
  moh?: string;
  bridge?: string;
  /**
   * An originated leg reached park: its `originate` is over. Before that a transfer of the leg
   * is lost (originate then sets the leg to run &park() anyway), so it waits for this.
   */
  parked?: boolean;
}

export interface PendingPlay {
  leg: string;
  settle: (outcome: PlayOutcome | PbxError) => void;
}

export interface FsRecording {
  /** The conference recorded (recordBridge), or the leg (recordLeg, uuid_record). */
  bridge?: string;
  leg?: string;
  /** recordLeg: stopped when the leg presses `#`. */
  endOnHash?: boolean;
  path: string;
  timer?: NodeJS.Timeout;
}

const GONE_MEMORY = 1024;

export class LegBook {
  readonly legs = new Map<string, FsLegState>();
  readonly plays = new Map<string, PendingPlay>();
  readonly recordings = new Map<string, FsRecording>();
  /** Waiters for a leg to join a conference (bridge), by `<bridge>/<leg>`. */
  readonly joins = new Map<string, () => void>();
  /** Waiters for a leg to leave a conference, by `<bridge>/<leg>`. */
  readonly leaves = new Map<string, () => void>();
  /** Waiters for an originated leg to reach park (or end), by leg. */
  readonly parks = new Map<string, () => void>();
  /** Legs that ended lately: commands on them fail at once with LEG_GONE. */
  private readonly gone = new Set<string>();
  private readonly listeners = new Set<(e: PbxEvent) => void>();
  private readonly endpointOnline = new Map<string, boolean>();
  /** FreeSWITCH's Core-UUID as last seen on an event (changes when it restarts). */
  coreUuid: string | undefined;

  constructor(private readonly log: Logger) {}

  onEvent(listener: (event: PbxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isGone(leg: string): boolean {
    return this.gone.has(leg) || this.legs.get(leg)?.going === true;
  }

  forgetAll(): void {
    for (const r of this.recordings.values()) if (r.timer) clearTimeout(r.timer);
    this.legs.clear();
    this.recordings.clear();
  }

  failPlays(errorFor: (leg: string) => PbxError): void {
    for (const [id, p] of [...this.plays]) {
      this.plays.delete(id);
      p.settle(errorFor(p.leg));
    }
  }

  recordingOfPath(path: string): string | undefined {
    for (const [name, r] of this.recordings) if (r.path === path) return name;
    return undefined;
  }

  /** One raw event: bookkeeping, mapping, delivery. */
  handle(e: EslEvent): void {
    if (e['Core-UUID']) this.coreUuid = e['Core-UUID'];
    const uuid = e['Unique-ID'] ?? '';
    const name = e['Event-Name'];
    const mapped = mapFsEvent(e, { leg: (id) => this.legs.get(id), recordingOfPath: (p) => this.recordingOfPath(p) });
    if (name === 'CHANNEL_PARK' && mapped?.type === 'call.arrived') this.legs.set(uuid, { kind: 'inbound', parked: true });
    else if (name === 'CHANNEL_PARK' && this.legs.has(uuid)) {
      this.legs.get(uuid)!.parked = true;
      this.wake(this.parks, uuid);
    }
    if (name === 'CHANNEL_HANGUP') {
      const leg = this.legs.get(uuid);
      if (leg) leg.going = true;
    }
    if (name === 'CHANNEL_EXECUTE_COMPLETE') this.executeDone(e);
    if (name === 'CUSTOM' && e['Event-Subclass'] === 'conference::maintenance') this.conferenceEvent(e);
    if (name === 'RECORD_STOP') this.legRecordingStopped(e['Record-File-Path'] ?? '');
    if (mapped) this.deliver(mapped);
    if (name === 'CHANNEL_HANGUP') this.settlePlaysOf(uuid);
  }

  /** A leg's recording (uuid_record) ended: forget it once its event is delivered. */
  private legRecordingStopped(path: string): void {
    const rec = this.recordingOfPath(path);
    const r = rec ? this.recordings.get(rec) : undefined;
    if (!rec || !r?.leg) return;
    if (r.timer) clearTimeout(r.timer);
    queueMicrotask(() => this.recordings.delete(rec));
  }

  private executeDone(e: EslEvent): void {
    const id = e['Application-UUID'];
    const p = id ? this.plays.get(id) : undefined;
    if (!id || !p) return;
    this.plays.delete(id);
    const hungUp = this.isGone(p.leg) || e['Channel-State'] === 'CS_HANGUP' || e['Answer-State'] === 'hangup';
    if (hungUp) p.settle(new PbxError('LEG_GONE', 'leg hung up during playback', { leg: p.leg }));
    else {
      const response = e['Application-Response'] ?? '';
      if (response && response !== 'FILE PLAYED' && response !== 'PLAYBACK_INTERRUPTED') this.log.warn({ legId: p.leg, response }, 'playback did not play');
      p.settle('finished');
    }
  }

  private conferenceEvent(e: EslEvent): void {
    const conf = e['Conference-Name'] ?? '';
    const leg = e['Unique-ID'] ?? '';
    if (e.Action === 'add-member') this.wake(this.joins, `${conf}/${leg}`);
    if (e.Action === 'del-member') this.wake(this.leaves, `${conf}/${leg}`);
    if (e.Action === 'stop-recording') {
      const rec = this.recordingOfPath(e.Path ?? '');
      const r = rec ? this.recordings.get(rec) : undefined;
      if (rec && r) {
        if (r.timer) clearTimeout(r.timer);
        // Delivered by the mapping above (handle() maps before it forgets).
        queueMicrotask(() => this.recordings.delete(rec));
      }
    }
  }

  private wake(waiters: Map<string, () => void>, key: string): void {
    const w = waiters.get(key);
    if (!w) return;
    waiters.delete(key);
    w();
  }

  private settlePlaysOf(leg: string): void {
    for (const [id, p] of [...this.plays]) {
      if (p.leg !== leg) continue;
      this.plays.delete(id);
      p.settle(new PbxError('LEG_GONE', 'leg hung up during playback', { leg }));
    }
  }

  deliver(event: PbxEvent): void {
    switch (event.type) {
      case 'leg.answered': {
        const leg = this.legs.get(event.leg);
        if (!leg || leg.answeredReported) return;
        leg.answeredReported = true;
        if (!leg.ringingReported) {
          // An answer with no 180 before it (a phone that answers at once) still rang.
          leg.ringingReported = true;
          this.emit({ type: 'leg.ringing', leg: event.leg });
        }
        break;
      }
      case 'leg.ringing': {
        const leg = this.legs.get(event.leg);
        if (!leg || leg.ringingReported) return;
        leg.ringingReported = true;
        break;
      }
      case 'leg.hangup':
        this.legEnded(event.leg, event.cause);
        return;
      case 'endpoint.state':
        if (this.endpointOnline.get(event.endpoint) === event.online) return;
        this.endpointOnline.set(event.endpoint, event.online);
        break;
      default:
        break;
    }
    this.emit(event);
  }

  legEnded(id: string, cause: HangupCause): void {
    if (!this.legs.has(id)) return;
    this.legs.delete(id);
    this.gone.add(id);
    if (this.gone.size > GONE_MEMORY) this.gone.delete(this.gone.values().next().value as string);
    this.settlePlaysOf(id);
    this.wake(this.parks, id);
    this.log.debug({ legId: id, cause }, 'leg hung up');
    this.emit({ type: 'leg.hangup', leg: id as LegId, cause });
  }

  emit(event: PbxEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error({ err, event: event.type }, 'pbx event listener threw');
      }
    }
  }
}
