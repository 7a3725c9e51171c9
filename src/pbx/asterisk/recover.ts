/**
 * What is alive in Asterisk for our application, from ARI's channel and bridge lists: the pure
 * half of `AsteriskDriver.recover()`. A channel is ours when it sits in Stasis(<app>,…), or in
 * the prompt hop ([switchboard-prompt], on its way back to Stasis); its role comes from the Stasis
 * arguments (stasis-args.ts) and our call id from the SWITCHBOARD_CALL_ID channel variable
 * (ari.conf `channelvars`).
 */
import type { BridgeId, LegId, LiveLeg } from '../port.js';
import type { AriClient } from './ari-client.js';
import type { AriBridge, AriChannel } from './ari-types.js';
import type { LegEvents, LegState } from './leg-events.js';
import { outInPromptHop } from './prompt-hop.js';
import { decodeStasisArgs, type StasisArgs } from './stasis-args.js';

/** Channels in the prompt hop now (Background() in [switchboard-prompt]): out of Stasis, coming back. */
export function legsInPrompt(channels: readonly AriChannel[]): Set<string> {
  return new Set(channels.filter((c) => outInPromptHop(c.dialplan)).map((c) => c.id));
}

export function liveLegsOf(channels: readonly AriChannel[], bridges: readonly AriBridge[], app: string): LiveLeg[] {
  const bridgeOf = new Map<string, string>();
  for (const b of bridges) for (const c of b.channels) bridgeOf.set(c, b.id);
  const out: LiveLeg[] = [];
  for (const ch of channels) {
    const d = ch.dialplan;
    let decoded: StasisArgs | undefined;
    if (outInPromptHop(d)) {
      // A caller hearing a menu through the prompt hop: ours, back in Stasis when it ends.
      decoded = { kind: 'prompt' };
    } else {
      if (d?.app_name !== 'Stasis' || !d.app_data) continue;
      const [name, ...args] = d.app_data.split(',');
      if (name !== app) continue;
      decoded = decodeStasisArgs(args);
    }
    // A call an agent's phone placed reached our application like an inbound call; a dialer's
    // customer back from the AMD hop is a leg we originated; a caller in (or back from) the
    // prompt hop is an inbound caller.
    const role: LiveLeg['role'] = decoded?.kind === 'phone' || decoded?.kind === 'prompt' ? 'inbound' : decoded?.kind === 'amd' ? 'agent' : decoded?.kind ?? 'other';
    const live: LiveLeg = { leg: ch.id as LegId, role, answered: ch.state === 'Up' };
    const callId = ch.channelvars?.SWITCHBOARD_CALL_ID || (decoded?.kind === 'agent' ? decoded.callId : undefined);
    if (callId) live.callId = callId;
    const bridge = bridgeOf.get(ch.id);
    if (bridge) live.bridge = bridge as BridgeId;
    if (ch.caller?.number) live.from = ch.caller.number;
    const to = decoded?.kind === 'inbound' || decoded?.kind === 'phone' ? decoded.to : ch.connected?.number || undefined;
    if (to) live.to = to;
    out.push(live);
  }
  return out;
}

/** AsteriskDriver.recover(): the live legs of our application, registered in the leg book. */
export async function recoverLegs(client: AriClient, book: LegEvents, app: string, signal?: AbortSignal): Promise<LiveLeg[]> {
  const [channels, bridges] = await Promise.all([
    client.request<AriChannel[]>('GET', '/channels', { signal }),
    client.request<AriBridge[]>('GET', '/bridges', { signal }),
  ]);
  const live = liveLegsOf(channels, bridges, app);
  const out = legsInPrompt(channels);
  for (const l of live) {
    if (book.legs.has(l.leg)) continue;
    book.legs.set(l.leg, recoveredLegState(l, out.has(l.leg)));
  }
  return live;
}

/**
 * The driver's state for a leg found alive at start. One out in the prompt hop is in the dialplan
 * already: a play waits for it to come back, and its keys are Background()'s (prompt-hop.ts).
 */
export function recoveredLegState(l: LiveLeg, outInHop: boolean): LegState {
  const kind = l.role === 'other' ? 'inbound' : l.role;
  return { kind, ...(l.role === 'agent' && l.answered ? { ringingReported: true, answeredReported: true } : {}), ...(outInHop ? { inDialplan: true, inPrompt: true, leftForPrompt: true } : {}) };
}
