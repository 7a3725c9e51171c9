import { afterEach, describe, expect, it } from 'vitest';
import { operationsOf, requestFor } from '../../bench/fuzz/inputs.js';
import { runFuzz, startFuzzTarget, type FuzzTarget } from '../../bench/fuzz/run.js';
import { seededRandom } from '../../src/domain/random.js';

describe('fuzz:api', () => {
  let target: FuzzTarget | undefined;
  afterEach(async () => {
    await target?.stop();
    target = undefined;
  });

  it('draws the same requests when given the same seed', async () => {
    target = await startFuzzTarget();
    const ops = operationsOf((await target.server.inject({ method: 'GET', url: '/openapi.json' })).json());
    const draw = (seed: number) => {
      const rng = seededRandom(seed);
      return ops.map((op) => requestFor(rng, op, { session: 's' }));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('finds no 5xx, undeclared status, hang or crash when 600 seeded requests hit every operation', async () => {
    target = await startFuzzTarget();
    const result = await runFuzz(target, { requests: 600, seed: 3, maxSeconds: 60 });
    expect(result.requests).toBe(600);
    expect({ status5xx: result.status5xx, undeclared: result.undeclared, hung: result.hung, crashed: result.crashed, errorLogs: result.errorLogs, samples: [...result.samples5xx, ...result.samplesUndeclared] }).toEqual({
      status5xx: 0, undeclared: 0, hung: 0, crashed: false, errorLogs: 0, samples: [],
    });
    expect(Object.keys(result.statuses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '415']));
  });
});
