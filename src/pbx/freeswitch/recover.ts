/**
 * Listing what lives in FreeSWITCH for our application: channel uuids from `show channels`,
 * then each channel's variables from `uuid_dump`; only channels carrying our `sb_app` count.
 * The parsing is pure (liveLegOf); fetching goes through the client given.
 */
import type { BridgeId, LegId, LiveLeg } from '../port.js';
import type { EslClient } from './esl-client.js';
import { VAR } from './map-event.js';

/** Channel uuids from `show channels as json` output. */
export function channelUuidsOf(json: string): string[] {
  const text = json.trim();
  if (!text.startsWith('{')) return [];
  const parsed = JSON.parse(text) as { rows?: { uuid?: string }[] };
  return (parsed.rows ?? []).map((r) => r.uuid).filter((u): u is string => typeof u === 'string' && u.length > 0);
}

/** One `uuid_dump … json` as a LiveLeg, or undefined when the channel is not ours. */
export function liveLegOf(dump: Record<string, string>, app: string): LiveLeg | undefined {
  if (dump[`variable_${VAR.app}`] !== app) return undefined;
  const kind = dump[`variable_${VAR.kind}`];
  const role: LiveLeg['role'] = kind === 'inbound' || kind === 'phone' ? 'inbound' : kind === 'agent' ? 'agent' : kind === 'snoop' ? 'snoop' : 'other';
  const leg: LiveLeg = { leg: (dump['Unique-ID'] ?? '') as LegId, role, answered: dump['Answer-State'] === 'answered' };
  const callId = dump[`variable_${VAR.callId}`];
  if (callId) leg.callId = callId;
  const bridge = dump[`variable_${VAR.bridge}`];
  if (bridge) leg.bridge = bridge as BridgeId;
  const from = dump['Caller-Caller-ID-Number'];
  const to = dump['Caller-Destination-Number'];
  if (from) leg.from = from;
  if (to) leg.to = to;
  return leg;
}

/** Every leg of ours alive in FreeSWITCH now. */
export async function listLiveLegs(client: EslClient, app: string): Promise<LiveLeg[]> {
  const uuids = channelUuidsOf(await client.api('show channels as json'));
  const out: LiveLeg[] = [];
  for (const uuid of uuids) {
    let dump: Record<string, string>;
    try {
      dump = JSON.parse(await client.api(`uuid_dump ${uuid} json`)) as Record<string, string>;
    } catch {
      continue; // ended between the list and the dump
    }
    const leg = liveLegOf(dump, app);
    if (leg) out.push(leg);
  }
  return out;
}
