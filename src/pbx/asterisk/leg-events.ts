/**
 * What the Asterisk driver knows about legs, and the intake of raw ARI events: the facts
 * mapAriEvent() needs (which legs are ours, dial status, the cause we asked for), pending plays
 * settled by playback and channel events, duplicate and unknown-leg filtering, and the port's
 * event listeners. Commands (driver.ts) read and update the same book.
 */
import type { Logger } from 'pino';
import { PbxError, type HangupCause, type LegId, type MachineDetection, type PbxEvent, type PlayOutcome } from '../port.js';
import type {
  AriEndpoint,
  AriEvent,
  ChannelDestroyedEvent,
  ChannelHangupRequestEvent,
  DialEvent,
  PlaybackEvent,
  StasisEndEvent,
  StasisStartEvent,
} from './ari-types.js';
import { endpointStateEvent, hangupCauseOf, mapAriEvent, type LegFacts, type LegKind } from './map-event.js';
import { decodeStasisArgs } from './stasis-args.js';

export interface LegState extends LegFacts {
  /** A hangup was requested or the channel is destroyed: a finishing playback means LEG_GONE. */
  going?: boolean;
  /** Fallback when ChannelDestroyed does not follow StasisEnd (see note()). */
  endTimer?: NodeJS.Timeout;
  ringingReported?: boolean;
  answeredReported?: boolean;
  /** Its create request (originate, snoop) has not returned yet. */
  pending?: boolean;
  mohOn?: boolean;
  /** Sent to the dialplan for AMD ([switchboard-amd]) or a prompt: leaving Stasis is not its end. */
  inDialplan?: boolean;
  /** Out in the prompt hop ([switchboard-prompt]): its keys come with its return (prompt-hop.ts). */
  inPrompt?: boolean;
  /** Sent to the hop and its StasisEnd seen: it is in the dialplan, whose Background() takes its keys. */
  leftForPrompt?: boolean;
  /**
   * Keys pressed after the hop was asked for but before the leg left Stasis: Background() never
   * sees them. Reported when the leg is back, if no key cut the prompt (prompt-hop.ts).
   */
  keysAhead?: string[];
}

export interface PendingPlay {
  leg: LegId;
  settle: (outcome: PlayOutcome | PbxError) => void;
}

const DEDUPE_WINDOW = 256;
const END_GRACE_MS = 1000;

export class LegEvents {
  readonly legs = new Map<string, LegState>();
  readonly plays = new Map<string, PendingPlay>();
  /** detectMachine() calls waiting for their leg to come back from the AMD hop, by leg id. */
  readonly hops = new Map<string, (r: MachineDetection | PbxError) => void>();
  private readonly listeners = new Set<(e: PbxEvent) => void>();
  private readonly endpointOnline = new Map<string, boolean>();
  private readonly recent = new Set<string>();
  /** A leg back from the prompt hop (prompt-hop.ts), with the key that cut its prompt. */
  onPromptBack: ((leg: string, key: string | undefined) => void) | undefined;

  constructor(private readonly log: Logger) {}

  onEvent(listener: (event: PbxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forget every leg without reporting them (their events will never come). */
  forgetAll(): void {
    for (const leg of this.legs.values()) if (leg.endTimer) clearTimeout(leg.endTimer);
    this.legs.clear();
  }

  /** Reject every pending play (and AMD hop) with the error `errorFor` gives for its leg. */
  failPlays(errorFor: (leg: LegId) => PbxError): void {
    for (const [id, p] of [...this.plays]) {
      this.plays.delete(id);
      p.settle(errorFor(p.leg));
    }
    for (const [id, settle] of [...this.hops]) settle(errorFor(id as LegId));
  }

  /** Channels we wait to see enter our application (snoop legs), by id. */
  private readonly startWaiters = new Map<string, () => void>();

  /** Resolves once the channel's StasisStart is seen, or after `timeoutMs` (whatever comes first). */
  whenInStasis(id: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      t.unref();
      const waiters = this.startWaiters;
      function done(): void {
        clearTimeout(t);
        waiters.delete(id);
        resolve();
      }
      waiters.set(id, done);
    });
  }

  /** One raw ARI event: bookkeeping, mapping, delivery. */
  handle(event: AriEvent, raw: string): void {
    // Subscribing to endpoint:PJSIP delivers channel events twice (channel + endpoint topics).
    if (this.recent.has(raw)) return;
    this.recent.add(raw);
    if (this.recent.size > DEDUPE_WINDOW) this.recent.delete(this.recent.values().next().value as string);

    this.note(event);
    const mapped = mapAriEvent(event, (id) => this.legs.get(id));
    if (mapped) this.deliver(mapped);
    if (event.type === 'ChannelDestroyed') this.forget((event as ChannelDestroyedEvent).channel.id);
  }

  /** Bookkeeping the mapping relies on, done before mapping. */
  private note(event: AriEvent): void {
    switch (event.type) {
      case 'StasisStart': {
        const e = event as StasisStartEvent;
        this.startWaiters.get(e.channel.id)?.();
        const back = decodeStasisArgs(e.args);
        if (back?.kind === 'amd') {
          const leg = this.legs.get(e.channel.id);
          if (leg) leg.inDialplan = false;
          const settle = this.hops.get(e.channel.id);
          if (back.status === 'HANGUP') settle?.(new PbxError('LEG_GONE', 'hung up during AMD', { leg: e.channel.id }));
          else settle?.({ status: back.status, cause: back.cause });
          break;
        }
        if (back?.kind === 'prompt') {
          this.onPromptBack?.(e.channel.id, back.key);
          break;
        }
        if (!this.legs.has(e.channel.id)) {
          const args = back;
          const kind: LegKind = args?.kind === 'agent' ? 'agent' : args?.kind === 'snoop' ? 'snoop' : 'inbound';
          this.legs.set(e.channel.id, { kind });
        }
        break;
      }
      case 'Dial': {
        const e = event as DialEvent;
        const leg = this.legs.get(e.peer.id);
        if (leg && e.dialstatus) leg.dialStatus = e.dialstatus;
        break;
      }
      case 'ChannelHangupRequest': {
        const e = event as ChannelHangupRequestEvent;
        const leg = this.legs.get(e.channel.id);
        if (leg) {
          leg.going = true;
          if (e.cause) leg.hangupRequestCause = e.cause;
        }
        break;
      }
      case 'StasisEnd': {
        // Leaving Stasis means the channel is ending, except for a leg we sent to the AMD hop.
        // ChannelDestroyed reaches us only through the endpoint subscription (PJSIP), so a leg
        // of another technology would never be reported: end it after a grace period.
        const id = (event as StasisEndEvent).channel.id;
        const leg = this.legs.get(id);
        if (leg?.inPrompt) leg.leftForPrompt = true;
        if (leg?.inDialplan) break;
        if (leg) {
          leg.going = true;
          if (leg.kind !== 'snoop' && !leg.endTimer) {
            leg.endTimer = setTimeout(() => {
              const l = this.legs.get(id);
              if (l) this.legEnded(id, l.requestedCause ?? hangupCauseOf(l.hangupRequestCause, l.dialStatus));
            }, END_GRACE_MS);
            leg.endTimer.unref();
          }
        }
        break;
      }
      case 'PlaybackFinished': {
        const e = event as PlaybackEvent;
        const p = this.plays.get(e.playback.id);
        if (!p) break;
        this.plays.delete(e.playback.id);
        if (this.legs.get(p.leg)?.going) p.settle(new PbxError('LEG_GONE', 'leg hung up during playback', { leg: p.leg }));
        else {
          if (e.playback.state === 'failed') this.log.warn({ legId: p.leg, media: e.playback.media_uri }, 'playback failed');
          p.settle('finished');
        }
        break;
      }
      case 'ChannelDestroyed': {
        const id = (event as ChannelDestroyedEvent).channel.id;
        const leg = this.legs.get(id);
        if (leg) leg.going = true;
        this.hops.get(id)?.(new PbxError('LEG_GONE', 'hung up during AMD', { leg: id }));
        for (const [pid, p] of this.plays) {
          if (p.leg !== id) continue;
          this.plays.delete(pid);
          p.settle(new PbxError('LEG_GONE', 'leg hung up during playback', { leg: p.leg }));
        }
        break;
      }
    }
  }

  deliver(event: PbxEvent): void {
    switch (event.type) {
      case 'call.arrived':
        this.log.debug({ legId: event.leg, to: event.to, from: event.from }, 'call arrived');
        break;
      case 'dtmf': {
        const leg = this.legs.get(event.leg);
        if (!leg) return;
        if (leg.inPrompt) {
          // Out in the prompt hop: a key Background() took comes with the leg's return (the
          // endpoint subscription reports it here too). A key from before the leg left Stasis
          // was read by Stasis, not by Background(): keep it for the return.
          if (!leg.leftForPrompt) (leg.keysAhead ??= []).push(event.digit);
          return;
        }
        break;
      }
      case 'leg.answered': {
        const leg = this.legs.get(event.leg);
        if (!leg || leg.answeredReported) return;
        leg.answeredReported = true;
        break;
      }
      case 'leg.ringing': {
        const leg = this.legs.get(event.leg);
        if (!leg || leg.ringingReported) return;
        leg.ringingReported = true;
        break;
      }
      case 'leg.hangup': {
        if (!this.legs.has(event.leg)) return;
        this.legEnded(event.leg, event.cause);
        return;
      }
      case 'endpoint.state': {
        if (this.endpointOnline.get(event.endpoint) === event.online) return;
        this.endpointOnline.set(event.endpoint, event.online);
        break;
      }
    }
    this.emit(event);
  }

  legEnded(id: string, cause: HangupCause): void {
    if (!this.legs.has(id)) return;
    this.forget(id);
    this.log.debug({ legId: id, cause }, 'leg hung up');
    this.emit({ type: 'leg.hangup', leg: id as LegId, cause });
  }

  private forget(id: string): void {
    const leg = this.legs.get(id);
    if (leg?.endTimer) clearTimeout(leg.endTimer);
    this.legs.delete(id);
  }

  reportEndpoint(ep: AriEndpoint): void {
    const e = endpointStateEvent(ep);
    if (e) this.deliver(e);
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
