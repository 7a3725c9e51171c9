/**
 * The strings the FreeSWITCH driver sends: originate dial strings with their `{var=value}`
 * prefix, and prompts as playable file strings. Pure; every value that reaches a command line
 * is checked or quoted here, so a caller name or number cannot inject another argument.
 */
import { PbxError, type Destination, type OriginateRequest } from '../port.js';

export interface DialPlanOptions {
  /** Directory domain of agent phones (user/<endpoint>@<domain>). */
  domain: string;
  /** Sofia profile of the trunk, and the trunk's host[:port] (sofia/<profile>/<number>@<host>). */
  trunkProfile: string;
  trunkHost: string;
}

/** Characters FreeSWITCH's argument and `{}` parsers treat specially. */
const SAFE_TOKEN = /^[A-Za-z0-9_.+*#@:-]+$/;

export function checkToken(value: string, field: string): string {
  if (!SAFE_TOKEN.test(value)) throw new PbxError('REJECTED', `${field}: unsupported characters in "${value}"`, { field });
  return value;
}

/** One `{}` variable value: quoted, commas escaped, quotes and line breaks removed. */
export function quoteVar(value: string): string {
  const clean = value.replace(/['\r\n{}]/g, '').replace(/,/g, '\\,');
  return `'${clean}'`;
}

export function varsPrefix(vars: Record<string, string>): string {
  const parts = Object.entries(vars).map(([k, val]) => `${checkToken(k, 'variable name')}=${quoteVar(val)}`);
  return `{${parts.join(',')}}`;
}

/** The endpoint part of a dial string. */
export function dialTarget(d: Destination, o: DialPlanOptions): string {
  return d.kind === 'sip'
    ? `user/${checkToken(d.endpoint, 'destination.endpoint')}@${o.domain}`
    : `sofia/${o.trunkProfile}/${checkToken(d.number, 'destination.number')}@${o.trunkHost}`;
}

/** SIP headers most phones (and SIPp scenarios) read as "answer at once". */
export const AUTO_ANSWER_VARS: Record<string, string> = {
  'sip_h_Call-Info': '<sip:auto>;answer-after=0',
  'sip_h_Alert-Info': '<http://localhost>;info=alert-autoanswer;delay=0',
};

/** Variables of an originated agent leg (ours first, so a request cannot override them). */
export function originateVars(req: OriginateRequest, leg: string, app: string): Record<string, string> {
  const name = req.callerId.name?.replace(/["<>\\]/g, '').trim();
  return {
    ...(req.variables ?? {}),
    ...(req.autoAnswer ? AUTO_ANSWER_VARS : {}),
    origination_uuid: leg,
    origination_caller_id_number: checkToken(req.callerId.number, 'callerId.number'),
    origination_caller_id_name: name || req.callerId.number,
    originate_timeout: String(Math.max(1, Math.ceil(req.timeoutMs / 1000))),
    ignore_early_media: 'true',
    hangup_after_bridge: 'false',
    verbose_events: 'true',
    sb_app: app,
    sb_kind: 'agent',
    SWITCHBOARD_CALL_ID: req.callId,
  };
}

export interface PromptDirs {
  /** Our sounds, <soundsDir>/<lang>/<name>.wav. */
  soundsDir: string;
  recordingsDir: string;
  defaultLanguage: string;
}

/** Tones by name, as tone_stream:// descriptions. */
const TONES: Record<string, string> = {
  beep: '%(250,0,1000)',
  ring: '%(2000,4000,440,480)',
  ringback: '%(2000,4000,440,480)',
  busy: '%(500,500,480,620)',
  congestion: '%(250,250,480,620)',
  dial: '%(10000,0,350,440)',
};

/** One prompt (`sound:`, `recording:`, `tone:`, `digits:`, or a bare sound name) as files. */
export function promptFiles(prompt: string, lang: string | undefined, dirs: PromptDirs): string[] {
  const m = /^([a-z]+):(.*)$/.exec(prompt);
  const kind = m ? m[1] : 'sound';
  const arg = m ? m[2]! : prompt;
  const language = lang && /^[a-z]{2}([_-][A-Za-z]{2})?$/.test(lang) ? lang : dirs.defaultLanguage;
  const file = (base: string, name: string) => {
    if (name.includes('..') || !/^[A-Za-z0-9_./-]+$/.test(name)) throw new PbxError('REJECTED', `prompt: unsupported name "${prompt}"`, { prompt });
    return `${base}/${name}${/\.[a-z0-9]+$/.test(name) ? '' : '.wav'}`;
  };
  switch (kind) {
    case 'sound':
      return [file(`${dirs.soundsDir}/${language}`, arg)];
    case 'recording':
      return [file(dirs.recordingsDir, arg)];
    case 'tone': {
      const t = TONES[arg];
      if (!t) throw new PbxError('REJECTED', `prompt: unknown tone "${arg}"`, { prompt });
      return [`tone_stream://${t}`];
    }
    case 'digits':
      if (!/^[0-9]+$/.test(arg)) throw new PbxError('REJECTED', `prompt: digits expected in "${prompt}"`, { prompt });
      return [...arg].map((d) => file(`${dirs.soundsDir}/${language}`, `digits/${d}`));
    default:
      throw new PbxError('REJECTED', `prompt: unsupported kind "${kind}:" on FreeSWITCH`, { prompt });
  }
}

/** Several files as one playable string (file_string:// joins with `!`). */
export function playString(files: readonly string[]): string {
  return files.length === 1 ? files[0]! : `file_string://${files.join('!')}`;
}
