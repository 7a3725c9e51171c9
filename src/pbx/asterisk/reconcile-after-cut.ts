/**
 * After a reconnection of the events WebSocket (Asterisk stayed up): settle what we missed while
 * the socket was down, from one channel list. The plan is reconcile.ts's (pure); this runs it.
 */
import type { Logger } from 'pino';
import { PbxError, isPbxError } from '../port.js';
import type { AriClient } from './ari-client.js';
import { enc } from './ari-calls.js';
import type { AriChannel } from './ari-types.js';
import type { LegEvents } from './leg-events.js';
import { isPromptHop, outInPromptHop } from './prompt-hop.js';
import { reconcilePlan } from './reconcile.js';
import { decodeStasisArgs } from './stasis-args.js';

/**
 * Vanished legs end (cause `lost` unless we asked for one), originated legs that rang or answered
 * meanwhile are reported, pending plays are settled.
 */
export async function reconcileAfterCut(client: AriClient, book: LegEvents, log: Logger): Promise<void> {
  const known = new Map(book.legs);
  const pendingAtRequest = new Set([...known].filter(([, l]) => l.pending).map(([id]) => id));
  const channels = await client.request<AriChannel[]>('GET', '/channels');
  const plan = reconcilePlan(known, channels, pendingAtRequest);
  const gone = new Set<string>(plan.gone.map((g) => g.leg));
  for (const [id, p] of [...book.plays]) {
    if (gone.has(p.leg)) {
      book.plays.delete(id);
      p.settle(new PbxError('LEG_GONE', 'leg hung up during playback', { leg: p.leg }));
      continue;
    }
    // A prompt played by the dialplan has no playback: its leg's return settles it (below).
    if (isPromptHop(id)) continue;
    try {
      await client.request('GET', `/playbacks/${enc(id)}`);
    } catch (err) {
      // The playback ended while we were not listening.
      if (isPbxError(err, 'LEG_GONE') && book.plays.delete(id)) p.settle('finished');
    }
  }
  // Legs out in the prompt hop that came back while we were not listening: their StasisStart is
  // lost, the channel list says where they are (back in Stasis, with the key in its arguments).
  const byId = new Map(channels.map((c) => [c.id, c]));
  for (const [id, l] of known) {
    const d = byId.get(id)?.dialplan;
    if (!l.inPrompt || !d || gone.has(id) || outInPromptHop(d) || d.app_name !== 'Stasis') continue;
    const back = decodeStasisArgs(d.app_data?.split(',').slice(1));
    if (back?.kind === 'prompt') book.onPromptBack?.(id, back.key);
  }
  for (const leg of plan.ringing) book.deliver({ type: 'leg.ringing', leg });
  for (const leg of plan.answered) book.deliver({ type: 'leg.answered', leg });
  for (const g of plan.gone) {
    // Still the leg we listed (not ended by an event meanwhile).
    if (book.legs.get(g.leg) === known.get(g.leg)) book.legEnded(g.leg, g.cause);
  }
  log.info({ legs: known.size, gone: plan.gone.length, ringing: plan.ringing.length, answered: plan.answered.length }, 'reconciled after reconnection');
}
