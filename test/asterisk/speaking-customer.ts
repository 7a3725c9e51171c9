/**
 * Customers that answer and speak, for answering-machine detection on a real Asterisk: speech
 * synthesized with espeak-ng and resampled by sox to 8 kHz, padded with silence (RTP keeps
 * flowing, as from a real phone), made into a PCMU pcap, and a SIPp UAS on the trunk that answers
 * and plays it (play_pcap_audio; SIPp needs CAP_NET_RAW for that, root in our lanes).
 * SIPp cannot take a pcap path from -key, so each customer gets its own rendered copy of
 * sipp-scenarios/uas-customer-speak-expect-bye.xml with the path filled in.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenariosDir, startSipp, type RunningAsterisk, type SippProcess } from './harness.js';
import { pcmuPcap } from './tone-audio.js';

export interface Utterance {
  text: string;
  /** espeak-ng voice (default en-us) and words per minute (default 165). */
  voice?: string;
  wpm?: number;
  /** Silence before the speech (the customer lifts the phone) and after it. */
  leadMs?: number;
  tailMs?: number;
}

/** What a person says on answering: one short word or two, then silence waiting for a reply. */
export const HUMAN_GREETINGS: Utterance[] = [
  { text: 'Hello?', leadMs: 400 },
  { text: 'Hello?', voice: 'en-gb', wpm: 150, leadMs: 700 },
  { text: 'Yes?', leadMs: 300 },
  { text: 'Hello, yes?', voice: 'en-us', wpm: 180, leadMs: 500 },
  { text: 'Hi!', voice: 'en-gb-scotland', leadMs: 600 },
].map((u) => ({ tailMs: 8000, ...u }));

/** What an answering machine says: a long, continuous greeting. */
export const MACHINE_GREETINGS: Utterance[] = [
  { text: 'Hi, you have reached Anna and Paul. We cannot take your call right now. Please leave a message after the tone.' },
  { text: 'Hello, this is the voicemail of John Miller. I am not available at the moment, please leave your name and number and I will call you back.', voice: 'en-gb' },
  { text: 'The person you are calling is not available. Please record your message after the beep. When you are done, hang up.', wpm: 175 },
  { text: 'Thank you for calling the Garcia residence. Nobody is home right now, so leave us a message and we will get back to you soon.', voice: 'en-gb-scotland' },
  { text: 'Hey, it is Sam. Sorry I missed you, leave a message!', wpm: 190 },
].map((u) => ({ leadMs: 300, tailMs: 4000, ...u }));

/** 8 kHz 16-bit mono samples of the utterance with its silences. */
export function speechSamples(u: Utterance): Int16Array {
  const wav = execFileSync('espeak-ng', ['-v', u.voice ?? 'en-us', '-s', String(u.wpm ?? 165), '--stdout', u.text]);
  const raw = execFileSync('sox', ['-v', '0.8', '-t', 'wav', '-', '-t', 'raw', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-'], { input: wav });
  const speech = new Int16Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 2));
  const lead = Math.round(((u.leadMs ?? 0) * 8000) / 1000);
  const tail = Math.round(((u.tailMs ?? 0) * 8000) / 1000);
  const out = new Int16Array(lead + speech.length + tail);
  out.set(speech, lead);
  return out;
}

/** Length of the speech alone (ms), for reports. */
export function speechMs(u: Utterance): number {
  return Math.round(((speechSamples({ ...u, leadMs: 0, tailMs: 0 }).length) / 8000) * 1000);
}

/**
 * A customer on the trunk's far end (server-mode SIPp on the trunk port) that rings `ringMs`,
 * answers, plays the utterance and waits for Asterisk's BYE.
 */
export async function startSpeakingCustomer(asterisk: Pick<RunningAsterisk, 'sipPort' | 'trunkPort'>, u: Utterance, opts: { ringMs?: number; timeoutMs?: number } = {}): Promise<SippProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-speak-'));
  const pcap = join(dir, 'speech.pcap');
  writeFileSync(pcap, pcmuPcap(speechSamples(u)));
  const scenario = join(dir, 'uas-customer-speak-expect-bye.xml');
  writeFileSync(scenario, readFileSync(join(scenariosDir, 'uas-customer-speak-expect-bye.xml'), 'utf8').replaceAll('SPEECH_PCAP', pcap));
  const sipp = await startSipp({ scenario, asterisk, port: asterisk.trunkPort, keys: { ring: opts.ringMs ?? 200 }, timeoutMs: opts.timeoutMs ?? 60_000 });
  void sipp.done.finally(() => rmSync(dir, { recursive: true, force: true }));
  return sipp;
}
