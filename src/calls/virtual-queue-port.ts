/**
 * What the engine and call sessions ask of the virtual queue (src/outbound/virtual-queue.ts),
 * attached by the composition root: keys pressed while queued, the callback offer heard while
 * waiting, the priority of a caller calling in again, and the routing commands of virtual entries.
 */
import type { CallJournal } from '../domain/journal.js';
import type { RoutingCommand } from '../routing/types.js';
import type { CallSession } from './session.js';

/** The callback offer a queued caller hears: after `delayMs` of waiting, these prompts. */
export interface CallbackOffer {
  delayMs: number;
  prompts: string[];
}

/** Who answers for routing entries without a call session (virtual waiters, auto callback requests). */
export interface RoutingEntryOwner {
  /** Does this routing entry belong to it? */
  owns(callId: string): boolean;
  /** A routing command for one of its entries (offer, offer.cancel, connect, call.exit). */
  command(cmd: Exclude<RoutingCommand, { type: 'timer.set' | 'timer.clear' }>): void;
}

export interface VirtualQueuePort {
  /** A key pressed while the session waits in a queue; true when it was the callback key (taken). */
  queueKey(session: CallSession, digit: string): boolean;
  /** The callback offer for this queued session, if its queue has one. */
  callbackOffer(session: CallSession, queueId: string, language: string): CallbackOffer | undefined;
  /** The queue priority of this caller: a CallIn waiter calling again within its window is served first. */
  queuePriority(session: CallSession, queueId: string, priority: number): number;
  /** Does this routing entry belong to the virtual queue? */
  owns(callId: string): boolean;
  /** A routing command for a virtual entry (offer, offer.cancel, connect, call.exit). */
  command(cmd: Exclude<RoutingCommand, { type: 'timer.set' | 'timer.clear' }>): void;
  /**
   * After an engine restart: a callback attempt that was bridged (journal kind `callback`) is taken
   * up again; false when it cannot be (its waiter or queue is gone), and the engine ends it.
   */
  resumeCallback(entry: CallJournal, agentLegAlive: boolean): boolean;
}
