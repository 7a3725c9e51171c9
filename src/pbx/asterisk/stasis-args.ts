/**
 * The one encoder/decoder of Stasis application arguments. Call sites never read args by
 * position. Values are percent-encoded so a comma can never split an argument.
 *
 *   inbound,<dialled number>     from the dialplan: Stasis(switchboard,inbound,${EXTEN})
 *   phone,<dialled number>       an agent phone dialling out: Stasis(switchboard,phone,${EXTEN})
 *   agent,<call id>              a leg we originated (POST /channels appArgs)
 *   snoop,<mode>,<target leg>    a snoop channel we created (POST /channels/{id}/snoop appArgs)
 *   amd,<status>,<cause>         a leg back from the dialplan's AMD() ([switchboard-amd])
 *   prompt,done | prompt,key,<k> a leg back from a prompt played by Background() ([switchboard-prompt])
 */
import type { SnoopMode } from '../port.js';

export type StasisArgs =
  | { kind: 'inbound'; to?: string }
  | { kind: 'phone'; to: string }
  | { kind: 'agent'; callId: string }
  | { kind: 'snoop'; mode: SnoopMode; target: string }
  | { kind: 'amd'; status: 'HUMAN' | 'MACHINE' | 'NOTSURE' | 'HANGUP'; cause: string }
  /** Back from the prompt hop: the prompt ended, or `key` cut it. */
  | { kind: 'prompt'; key?: string };

const AMD_STATUSES = ['HUMAN', 'MACHINE', 'NOTSURE', 'HANGUP'] as const;

const SNOOP_MODES: readonly SnoopMode[] = ['listen', 'whisper', 'barge'];

export function encodeStasisArgs(args: StasisArgs): string[] {
  switch (args.kind) {
    case 'inbound':
      return args.to === undefined ? ['inbound'] : ['inbound', enc(args.to)];
    case 'phone':
      return ['phone', enc(args.to)];
    case 'agent':
      return ['agent', enc(args.callId)];
    case 'snoop':
      return ['snoop', args.mode, enc(args.target)];
    case 'amd':
      return ['amd', args.status, enc(args.cause)];
    case 'prompt':
      return args.key === undefined ? ['prompt', 'done'] : ['prompt', 'key', args.key];
  }
}

/** The appArgs query value for POST /channels and /snoop. */
export function stasisAppArgs(args: StasisArgs): string {
  return encodeStasisArgs(args).join(',');
}

/** Decode StasisStart `args`; undefined when they are not ours (the caller decides what that means). */
export function decodeStasisArgs(args: readonly string[] | undefined): StasisArgs | undefined {
  if (!args || args.length === 0) return undefined;
  const [kind, a, b] = args;
  switch (kind) {
    case 'inbound': {
      const to = a === undefined || a === '' ? undefined : dec(a);
      return to === undefined ? { kind: 'inbound' } : { kind: 'inbound', to };
    }
    case 'phone': {
      const to = a === undefined ? undefined : dec(a);
      return to ? { kind: 'phone', to } : undefined;
    }
    case 'agent': {
      const callId = a === undefined ? undefined : dec(a);
      return callId ? { kind: 'agent', callId } : undefined;
    }
    case 'snoop': {
      const target = b === undefined ? undefined : dec(b);
      const mode = SNOOP_MODES.find((m) => m === a);
      return mode && target ? { kind: 'snoop', mode, target } : undefined;
    }
    case 'amd': {
      // Written by the dialplan: an unknown status (AMD() failed) counts as NOTSURE.
      const status = AMD_STATUSES.find((s) => s === a) ?? 'NOTSURE';
      return { kind: 'amd', status, cause: (b === undefined ? undefined : dec(b)) ?? '' };
    }
    case 'prompt':
      // Written by the dialplan: a key is one DTMF character.
      return a === 'key' && b !== undefined && /^[0-9*#A-D]$/.test(b) ? { kind: 'prompt', key: b } : { kind: 'prompt' };
    default:
      return undefined;
  }
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

function dec(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
