/**
 * The talking agent's out-of-call scenario with its talk time written in. SIPp takes a <recv>'s
 * timeout from the file only, and the talk is a recv (a re-INVITE may come at any time during
 * it; see the scenario's header), so each talk time gets its own copy, written once per process.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenariosDir } from './harness.js';

export const TALK_SCENARIO = 'uas-agent-answer-talk-then-bye.xml';
const TALK_RECV = /(<label id="talk"\/>\s*<recv request="INVITE" timeout=")\d+(" ontimeout="bye"\/>)/;

/** One file per talk time, shared by every test worker and bench (same content for the same value). */
const DIR = join(tmpdir(), 'switchboard-talk-scenarios');
const written = new Map<number, string>();

/** Absolute path of the talking agent's scenario that talks `talkMs` (after the last re-INVITE). */
export function talkScenario(talkMs: number): string {
  if (!Number.isInteger(talkMs) || talkMs < 1) throw new Error(`talkMs: a whole number of milliseconds ≥ 1 expected (got ${talkMs})`);
  const known = written.get(talkMs);
  if (known) return known;
  const xml = readFileSync(join(scenariosDir, TALK_SCENARIO), 'utf8');
  if (!TALK_RECV.test(xml)) throw new Error(`${TALK_SCENARIO}: the talk recv (label "talk", recv INVITE with a timeout) is missing`);
  mkdirSync(DIR, { recursive: true });
  const path = join(DIR, `talk-${talkMs}.xml`);
  // Written whole under another name, then renamed: a SIPp another worker starts never reads half a file.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, xml.replace(TALK_RECV, `$1${talkMs}$2`));
  renameSync(partial, path);
  written.set(talkMs, path);
  return path;
}
