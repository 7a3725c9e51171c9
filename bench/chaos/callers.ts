/**
 * SIPp callers with one caller number each (so every placed call can be matched with its CDR):
 * the reference caller scenario with its caller id taken from a CSV (field0), and SIPp's message
 * log read back into one outcome per caller.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, scenariosDir, type RunningAsterisk } from '../../test/asterisk/harness.js';
import { IVR_TO_QUEUE_2_KEYS, sipp, type SippRun } from '../support/sipp-fleet.js';

export interface CallerRun extends SippRun {
  numbers: string[];
  messageLog: string;
}

export interface CallerPlan {
  calls: number;
  /** Calls per second. */
  rate: number;
  /** The first caller number; the others follow (+1 each). */
  firstNumber: number;
  maxS: number;
}

/** Callers dial 1000, press 1 then 2 (Queue 2) and stay until the engine hangs up. */
export async function startCallers(asterisk: RunningAsterisk, work: string, p: CallerPlan): Promise<CallerRun> {
  const numbers = Array.from({ length: p.calls }, (_, i) => String(p.firstNumber + i));
  writeFileSync(join(work, 'callers.csv'), 'SEQUENTIAL\n' + numbers.map((n) => `${n};`).join('\n') + '\n');
  // Same scenario, caller id per call from the CSV instead of one -key value for all.
  const scenario = join(work, 'caller-from-csv.xml');
  writeFileSync(scenario, readFileSync(join(scenariosDir, 'uac-caller-dtmf-expect-bye.xml'), 'utf8').replaceAll('[caller]', '[field0]'));
  const messageLog = join(work, 'callers-messages.log');
  const run = sipp(
    ['-sf', scenario, '-inf', join(work, 'callers.csv'), '-s', '1000', '-i', '127.0.0.1', '-p', String(await freePort()), '-mi', '127.0.0.1', '-mp', String(await freePort(4)),
      '-t', 'u1', '-nostdin', '-m', String(p.calls), '-l', String(p.calls), '-r', String(p.rate), '-timeout', `${p.maxS}s`,
      '-trace_msg', '-message_file', messageLog, ...IVR_TO_QUEUE_2_KEYS,
      `127.0.0.1:${asterisk.sipPort}`],
    work,
  );
  return { ...run, numbers, messageLog };
}

export type CallerOutcome =
  /** The server hung up (BYE received): the call ended cleanly from the caller's side. */
  | 'ended'
  /** INVITE refused with a final error response (e.g. nobody took the call). */
  | 'refused'
  /** Still open when SIPp stopped (no BYE, no final response). */
  | 'open';

export interface CallerResult {
  number: string;
  /** Epoch ms the INVITE was sent (SIPp's local-time stamp). */
  invitedAt: number;
  answered: boolean;
  outcome: CallerOutcome;
  /** Final response code to the INVITE, if any. */
  status?: number;
}

/** One result per caller that SIPp placed, from its message log (-trace_msg). */
export function readCallerResults(messageLog: string): Map<string, CallerResult> {
  let text = '';
  try {
    text = readFileSync(messageLog, 'latin1');
  } catch {
    return new Map();
  }
  const byCallId = new Map<string, CallerResult>();
  const out = new Map<string, CallerResult>();
  for (const block of text.split(/^-{20,} /m).slice(1)) {
    const [stamp = '', dirLine = '', ...rest] = block.split('\n');
    const at = new Date(stamp.trim().replace(/\s+/, 'T')).getTime();
    const sent = /message sent/.test(dirLine);
    const msg = rest.join('\n').trim();
    const callId = /^Call-ID:\s*(\S+)/im.exec(msg)?.[1];
    if (!callId) continue;
    const first = msg.split('\n')[0] ?? '';
    if (sent && first.startsWith('INVITE ')) {
      const number = /^From:.*<sip:([^@>]+)@/im.exec(msg)?.[1];
      if (number && !byCallId.has(callId)) {
        const r: CallerResult = { number, invitedAt: at, answered: false, outcome: 'open' };
        byCallId.set(callId, r);
        out.set(number, r);
      }
      continue;
    }
    const r = byCallId.get(callId);
    if (!r) continue;
    const status = /^SIP\/2\.0 (\d{3})/.exec(first);
    if (!sent && status && /^CSeq:\s*\d+\s+INVITE/im.test(msg)) {
      const code = Number(status[1]);
      if (code === 200) r.answered = true;
      if (code >= 300) {
        r.status = code;
        r.outcome = 'refused';
      }
    } else if (!sent && first.startsWith('BYE ')) {
      r.outcome = 'ended';
    }
  }
  return out;
}
