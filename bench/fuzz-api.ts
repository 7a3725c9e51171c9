/**
 * Fuzz the HTTP API: the app on the simulated PBX in-process with an admin session; every
 * operation of /openapi.json gets malformed, oversized and mistyped requests (wrong types, missing
 * fields, huge strings, unicode, nested junk, bad ids, bad query parameters, bad JSON, wrong
 * content types, bad credentials) from a seeded generator, so a run can be replayed.
 *
 * Run: npm run fuzz:api -- --requests 10000 [--seed 1] [--max-seconds 300] [--json]
 * Prints a status histogram, the 5xx and undeclared statuses found (with samples); `--json` prints
 * `{requests, status5xx, crashed}`. Exits non-zero when a 5xx, a crash or a hang is found.
 */
import { parseArgs } from 'node:util';
import { runFuzz, startFuzzTarget } from './fuzz/run.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    'max-seconds': { type: 'string', default: '300' },
    json: { type: 'boolean', default: false },
  },
});
const requests = Number(values.requests);
const seed = Number(values.seed);
const maxSeconds = Number(values['max-seconds']);
if (!Number.isInteger(requests) || requests <= 0) throw new Error(`--requests: expected a positive integer, got "${values.requests}"`);
if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got "${values.seed}"`);
if (!(maxSeconds > 0)) throw new Error(`--max-seconds: expected a positive number, got "${values['max-seconds']}"`);

const target = await startFuzzTarget();
let failed = false;
try {
  const result = await runFuzz(target, { requests, seed, maxSeconds });
  failed = result.status5xx > 0 || result.crashed || result.hung > 0;
  if (values.json) {
    console.log(JSON.stringify({ requests: result.requests, status5xx: result.status5xx, crashed: result.crashed }));
  } else {
    console.log(`fuzz:api seed ${seed}: ${result.requests} requests in ${result.seconds} s${result.requests < requests ? ` (stopped at --max-seconds ${maxSeconds})` : ''}`);
    console.log('status histogram:');
    for (const [status, n] of Object.entries(result.statuses).sort()) console.log(`  ${status}  ${n}`);
    console.log(`5xx: ${result.status5xx}   undeclared statuses: ${result.undeclared}   hung: ${result.hung}   crashed: ${result.crashed}   error log lines: ${result.errorLogs}`);
    for (const s of result.samples5xx) console.log(`  5xx ${JSON.stringify(s)}`);
    for (const s of result.samplesUndeclared) console.log(`  undeclared ${JSON.stringify(s)}`);
  }
} finally {
  await target.stop();
}
process.exitCode = failed ? 1 : 0;
