/** What the Asterisk driver writes into its ARI requests: dial strings, caller ids, media URIs, snoop directions. */
import type { Destination, OriginateRequest, SnoopMode } from '../port.js';

/** The dial string for a destination. */
export function endpointOf(d: Destination, opts: { technology?: string; trunkEndpoint?: string } = {}): string {
  const tech = opts.technology ?? 'PJSIP';
  return d.kind === 'sip' ? `${tech}/${d.endpoint}` : `${tech}/${d.number}@${opts.trunkEndpoint ?? 'trunk'}`;
}

/** Caller id as ARI/Asterisk parse it: "Name" <number>. */
export function callerIdOf(c: OriginateRequest['callerId']): string {
  const name = c.name?.replace(/["<>\\]/g, '').trim();
  return name ? `"${name}" <${c.number}>` : c.number;
}

/** Snoop directions (spy, whisper) of each listen mode. */
export const SNOOP: Record<SnoopMode, { spy: string; whisper: string }> = {
  listen: { spy: 'both', whisper: 'none' },
  whisper: { spy: 'both', whisper: 'out' },
  barge: { spy: 'both', whisper: 'both' },
};

/** SIP headers most phones (and SIPp scenarios) read as "answer at once". */
export const AUTO_ANSWER_HEADERS: Record<string, string> = {
  'PJSIP_HEADER(add,Call-Info)': '<sip:auto>;answer-after=0',
  'PJSIP_HEADER(add,Alert-Info)': '<http://localhost>;info=alert-autoanswer;delay=0',
};

/** A prompt as an ARI media URI: `sound:`, `recording:`, `number:`, `digits:`, `tone:` … pass through; a bare name is a sound. */
export function mediaUri(prompt: string): string {
  return /^[a-z]+:/.test(prompt) ? prompt : `sound:${prompt}`;
}
