/**
 * Who handles each PBX leg's events (an inbound session, an outbound call, a listen), events of
 * legs nobody owns yet (they may overtake an originate's answer), and legs of calls that ended.
 */
import type { HangupCause, LegId, PbxEvent } from '../pbx/port.js';

/** Whoever handles a PBX leg's events: an inbound session, an outbound call, a listen. */
export interface LegOwner {
  onDtmf(leg: LegId, digit: string): void;
  onLegAnswered(leg: LegId): void;
  onLegHangup(leg: LegId, cause: HangupCause): void;
}

export type LegEvent = Extract<PbxEvent, { type: 'dtmf' | 'leg.answered' | 'leg.hangup' }>;

export function deliver(owner: LegOwner, e: LegEvent): void {
  if (e.type === 'dtmf') owner.onDtmf(e.leg, e.digit);
  else if (e.type === 'leg.answered') owner.onLegAnswered(e.leg);
  else owner.onLegHangup(e.leg, e.cause);
}

export class LegOwners {
  private readonly owners = new Map<LegId, LegOwner>();
  private readonly unclaimed = new Map<LegId, LegEvent[]>();
  /** Legs of calls that ended recently (bounded), whose late events are dropped. */
  private readonly ended = new Set<LegId>();

  get(leg: LegId): LegOwner | undefined {
    return this.owners.get(leg);
  }

  has(leg: LegId): boolean {
    return this.owners.has(leg);
  }

  /** Owners and their legs, as they are now. */
  entries(): [LegId, LegOwner][] {
    return [...this.owners];
  }

  /** Own a leg from its arrival (no events can have come before). */
  set(leg: LegId, owner: LegOwner): void {
    this.owners.set(leg, owner);
  }

  /** Route a leg's events to `owner` until release; events that came before are delivered now, in order. */
  claim(leg: LegId, owner: LegOwner): void {
    this.owners.set(leg, owner);
    // Events that overtook the originate answer (the PBX may report an answer or a hang-up
    // before the request returns) are delivered now, in order.
    const early = this.unclaimed.get(leg);
    if (early) {
      this.unclaimed.delete(leg);
      for (const e of early) deliver(owner, e);
    }
  }

  release(leg: LegId): void {
    this.owners.delete(leg);
  }

  /** The call on this leg ended: its owner goes, its late events are dropped. */
  callEnded(leg: LegId): void {
    this.owners.delete(leg);
    this.ended.add(leg);
    if (this.ended.size > 1024) this.ended.delete(this.ended.values().next().value as LegId);
  }

  /** Deliver to the leg's owner, or keep a few events of legs nobody owns yet (the oldest legs are forgotten past a bound). */
  dispatch(e: LegEvent): void {
    const owner = this.owners.get(e.leg);
    if (owner) return deliver(owner, e);
    // Late events of a call that already ended (its hang-up, typically) are not early ones.
    if (this.ended.has(e.leg)) return;
    const list = this.unclaimed.get(e.leg);
    if (list) list.push(e);
    else this.unclaimed.set(e.leg, [e]);
    if (this.unclaimed.size > 256) this.unclaimed.delete(this.unclaimed.keys().next().value as LegId);
  }
}
