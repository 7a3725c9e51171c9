/**
 * After the event stream came back (Asterisk stayed up): what we missed, from one GET /channels.
 * The pure half of the driver's reconcile — which known legs vanished (they end with the cause we
 * asked for, else `lost`), which originated legs rang or were answered meanwhile.
 */
import type { HangupCause, LegId } from '../port.js';
import type { AriChannel } from './ari-types.js';
import type { LegKind } from './map-event.js';

export interface KnownLeg {
  kind: LegKind;
  /** Its create request (originate, snoop) has not returned: it may not exist yet. */
  pending?: boolean;
  requestedCause?: HangupCause;
  ringingReported?: boolean;
  answeredReported?: boolean;
}

export interface ReconcilePlan {
  gone: { leg: LegId; cause: HangupCause }[];
  ringing: LegId[];
  answered: LegId[];
}

/**
 * `known`: the legs the driver knew when the channel list was requested; `pendingAtRequest`:
 * those whose create request was still under way then (absent from the list proves nothing).
 */
export function reconcilePlan(known: ReadonlyMap<string, KnownLeg>, channels: readonly AriChannel[], pendingAtRequest: ReadonlySet<string> = new Set()): ReconcilePlan {
  const alive = new Map(channels.map((c) => [c.id, c]));
  const plan: ReconcilePlan = { gone: [], ringing: [], answered: [] };
  for (const [id, leg] of known) {
    const ch = alive.get(id);
    if (!ch) {
      if (leg.pending || pendingAtRequest.has(id)) continue;
      plan.gone.push({ leg: id as LegId, cause: leg.requestedCause ?? 'lost' });
      continue;
    }
    if (leg.kind !== 'agent') continue;
    // An originated channel enters Stasis when answered; before that it is Down, Ring(ing).
    const inStasis = ch.dialplan?.app_name === 'Stasis';
    if (ch.state === 'Up' && inStasis) {
      if (!leg.answeredReported) plan.answered.push(id as LegId);
    } else if (ch.state === 'Ringing' && !leg.ringingReported) plan.ringing.push(id as LegId);
  }
  return plan;
}
