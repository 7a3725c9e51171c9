/**
 * Mixing bridges kept for the next call instead of destroyed: a call's bridge that never had
 * music on hold, a recording or a leg taken out of it goes back here once every leg that was in
 * it has ended, and the next bridge() adds its legs to it: two ARI requests (POST /bridges,
 * DELETE /bridges/:id) and a bridge's creation in Asterisk saved per call. A bridge whose legs
 * do not all end within `drainMs` is destroyed as before. stop() hands back every bridge the
 * pool holds, for the driver to destroy.
 */
import type { BridgeId, LegId } from '../port.js';

interface Tracked {
  /** Legs put in the bridge (by bridge()/addToBridge()) that have not ended. */
  members: Set<LegId>;
  /** Music on hold, a recording, or a leg taken out: not reused. */
  tainted: boolean;
  /** destroyBridge() was asked: pooled once empty. */
  released?: { timer: NodeJS.Timeout };
}

export interface BridgePoolOptions {
  /** Idle bridges kept at most (default 64). */
  max?: number;
  /** How long a released bridge may wait for its legs to end before it is destroyed (default 5 s). */
  drainMs?: number;
  /** Destroy a bridge for good (DELETE /bridges/:id). */
  destroy: (bridge: BridgeId) => void;
}

export class BridgePool {
  private readonly idle: BridgeId[] = [];
  private readonly tracked = new Map<BridgeId, Tracked>();
  /** The tracked bridge each member leg is in (a leg is in one bridge at a time). */
  private readonly bridgeOf = new Map<LegId, BridgeId>();

  constructor(private readonly o: BridgePoolOptions) {}

  /** An idle bridge to reuse, if any. */
  take(): BridgeId | undefined {
    return this.idle.pop();
  }

  get size(): number {
    return this.idle.length;
  }

  /** These legs are in the bridge now. */
  joined(bridge: BridgeId, legs: readonly LegId[]): void {
    let t = this.tracked.get(bridge);
    if (!t) this.tracked.set(bridge, (t = { members: new Set(), tainted: false }));
    for (const leg of legs) {
      const before = this.bridgeOf.get(leg);
      if (before !== undefined && before !== bridge) this.left(before, leg);
      t.members.add(leg);
      this.bridgeOf.set(leg, bridge);
    }
  }

  /** The bridge had music on hold, a recording or a leg taken out: destroy it when done. */
  taint(bridge: BridgeId): void {
    const t = this.tracked.get(bridge);
    if (t) t.tainted = true;
    else this.tracked.set(bridge, { members: new Set(), tainted: true });
  }

  /** A leg ended: it left whatever bridge it was in. */
  legEnded(leg: LegId): void {
    const bridge = this.bridgeOf.get(leg);
    if (bridge === undefined) return;
    this.bridgeOf.delete(leg);
    this.left(bridge, leg);
  }

  /** `leg` is no longer in `bridge` (ended, or joined another): a released bridge left empty is kept. */
  private left(bridge: BridgeId, leg: LegId): void {
    const t = this.tracked.get(bridge);
    if (!t?.members.delete(leg)) return;
    if (t.released && t.members.size === 0) this.settle(bridge, t);
  }

  /**
   * The call is done with the bridge. True: the pool keeps it (pooled once its legs have ended);
   * false: destroy it now.
   */
  release(bridge: BridgeId): boolean {
    const t = this.tracked.get(bridge);
    if (!t || t.tainted || this.idle.length >= (this.o.max ?? 64)) {
      this.untrack(bridge);
      return false;
    }
    if (t.released) return true;
    if (t.members.size === 0) {
      this.settle(bridge, t);
      return true;
    }
    const timer = setTimeout(() => {
      if (this.tracked.get(bridge) !== t) return;
      this.untrack(bridge);
      this.o.destroy(bridge);
    }, this.o.drainMs ?? 5000);
    timer.unref();
    t.released = { timer };
    return true;
  }

  /** A reused bridge turned out to be gone (deleted behind our back): forget it. */
  forget(bridge: BridgeId): void {
    const t = this.tracked.get(bridge);
    if (t?.released) clearTimeout(t.released.timer);
    this.untrack(bridge);
  }

  /** Everything idle or draining, to destroy (driver stop, PBX lost). */
  drain(): BridgeId[] {
    const out = [...this.idle];
    this.idle.length = 0;
    for (const [bridge, t] of this.tracked) {
      if (t.released) {
        clearTimeout(t.released.timer);
        out.push(bridge);
      }
    }
    this.tracked.clear();
    this.bridgeOf.clear();
    return out;
  }

  private settle(bridge: BridgeId, t: Tracked): void {
    if (t.released) clearTimeout(t.released.timer);
    this.untrack(bridge);
    this.idle.push(bridge);
  }

  private untrack(bridge: BridgeId): void {
    const t = this.tracked.get(bridge);
    if (!t) return;
    for (const leg of t.members) if (this.bridgeOf.get(leg) === bridge) this.bridgeOf.delete(leg);
    this.tracked.delete(bridge);
  }
}
