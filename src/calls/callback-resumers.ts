/**
 * Callback attempts found in the live-call journal at start (kind `callback`) go back to the
 * service that ran them, named by the entry's `owner` (absent, as in entries written before the
 * field: the virtual queue). A bridged attempt is handed over to be taken up again; when its owner
 * cannot (its waiter, request or queue is gone) both legs are hung up and its CDR is completed now.
 * An attempt the restart ended (dialling, ringing, or its customer gone while the engine was down;
 * its CDR already written) is reported to its owner, so that the request is given back or closed.
 * Attempts found before their owner attached wait for it.
 */
import type { Cdr } from '../domain/cdr.js';
import type { CallbackOwner, CallJournal } from '../domain/journal.js';
import type { Logger } from '../infra/logger.js';
import type { LegId, PbxPort } from '../pbx/port.js';
import { completedCdr } from './recovery.js';

/** A service that runs callback attempts, as the engine's recovery sees it. */
export interface CallbackResumer {
  readonly owner: CallbackOwner;
  /** A bridged attempt goes on; false when it cannot (the engine then ends it). */
  resume(entry: CallJournal, agentLegAlive: boolean): boolean;
  /** The restart ended this attempt; `cdr` is written. */
  ended?(entry: CallJournal, cdr: Cdr): void;
}

export interface CallbackResumersHost {
  log: Logger;
  pbx: PbxPort;
  now(): number;
  /** Persist the CDR (dropping the journal) and report the end. */
  callEnded(cdr: Cdr): void;
}

type Pending = { kind: 'resume'; entry: CallJournal; agentLegAlive: boolean } | { kind: 'ended'; entry: CallJournal; cdr: Cdr };

export class CallbackResumers {
  private readonly owners = new Map<CallbackOwner, CallbackResumer>();
  private pending: Pending[] = [];

  constructor(private readonly host: CallbackResumersHost) {}

  /** The owner's attempts found so far are handed to it now, the later ones as they are found. */
  attach(resumer: CallbackResumer): void {
    this.owners.set(resumer.owner, resumer);
    const mine = this.pending.filter((p) => ownerOf(p.entry) === resumer.owner);
    this.pending = this.pending.filter((p) => ownerOf(p.entry) !== resumer.owner);
    for (const p of mine) this.deliver(resumer, p);
  }

  /** A bridged attempt found at start. */
  adopt(entry: CallJournal, agentLegAlive: boolean): void {
    this.route({ kind: 'resume', entry, agentLegAlive });
  }

  /** An attempt the restart ended, its CDR written. */
  ended(entry: CallJournal, cdr: Cdr): void {
    this.route({ kind: 'ended', entry, cdr });
  }

  private route(p: Pending): void {
    const resumer = this.owners.get(ownerOf(p.entry));
    if (resumer) this.deliver(resumer, p);
    else this.pending.push(p);
  }

  private deliver(resumer: CallbackResumer, p: Pending): void {
    if (p.kind === 'ended') return resumer.ended?.(p.entry, p.cdr);
    const { entry } = p;
    if (resumer.resume(entry, p.agentLegAlive)) return;
    const { log, pbx } = this.host;
    log.warn({ callId: entry.callId, waiterId: entry.waiterId, owner: resumer.owner }, 'callback cannot be resumed: ended');
    for (const leg of [entry.leg, entry.agentLeg]) if (leg) void pbx.hangup(leg as LegId, 'normal').catch((err: unknown) => log.debug({ err }, 'callback hang-up after restart failed'));
    const cdr = completedCdr(entry, this.host.now());
    this.host.callEnded(cdr);
    resumer.ended?.(entry, cdr);
  }
}

function ownerOf(entry: CallJournal): CallbackOwner {
  return entry.owner ?? 'virtual-queue';
}
