/**
 * The talking agent's out-of-call scenario with its talk time written in. SIPp takes a <recv>'s
 * timeout from the file only, and the talk is a recv (a re-INVITE may come at any time during
 * it; see the scenario's header), so each talk time gets its own copy, written once per process.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenariosDir } from './harness.js';

export const TALK_SCENARIO = 'uas-agent-answer-talk-then-bye.xml';
const TALK_RECV = /(<label id="talk"\/>\s*<recv request="INVITE" timeout=")\d+(" ontimeout="bye"\/>)/;

let dir: string | undefined;
const written = new Map<number, string>();

/** Absolute path of the talking agent's scenario that talks `talkMs` (after the last re-INVITE). */
export function talkScenario(talkMs: number): string {
  if (!Number.isInteger(talkMs) || talkMs < 1) throw new Error(`talkMs: a whole number of milliseconds ≥ 1 expected (got ${talkMs})`);
  const known = written.get(talkMs);
  if (known) return known;
  const xml = readFileSync(join(scenariosDir, TALK_SCENARIO), 'utf8');
  if (!TALK_RECV.test(xml)) throw new Error(`${TALK_SCENARIO}: the talk recv (label "talk", recv INVITE with a timeout) is missing`);
  dir ??= mkdtempSync(join(tmpdir(), 'sb-talk-'));
  const path = join(dir, `talk-${talkMs}.xml`);
  writeFileSync(path, xml.replace(TALK_RECV, `$1${talkMs}$2`));
  written.set(talkMs, path);
  return path;
}
