import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecording, withoutCopies, type Frame } from '../../bench/support/ari-capture.js';

const trunkState = '{"type":"EndpointStateChange","timestamp":"t","endpoint":{"technology":"PJSIP","resource":"trunk","state":"online","channel_ids":["1.0"]}}';
const agentState = '{"type":"EndpointStateChange","timestamp":"t","endpoint":{"technology":"PJSIP","resource":"agent-1","state":"online","channel_ids":[]}}';
const dial = '{"type":"Dial","timestamp":"t","dialstatus":"RINGING"}';

describe('ARI frame recordings (bench:ari-floor)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('leaves out exact copies and the trunk state, and keeps every request and the first of each frame', () => {
    const frames: Frame[] = [
      { t: 0, d: 'i', m: dial },
      { t: 0.1, d: 'i', m: dial },
      { t: 0.2, d: 'o', m: '{"type":"RESTRequest","transaction_id":"sb1"}' },
      { t: 0.3, d: 'o', m: '{"type":"RESTRequest","transaction_id":"sb1"}' },
      { t: 0.4, d: 'i', m: trunkState },
      { t: 0.5, d: 'i', m: agentState },
    ];
    expect(withoutCopies(frames).map((f) => f.t)).toEqual([0, 0.2, 0.3, 0.5]);
  });

  it('reads a recording and refuses one without its call count', () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-capture-'));
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, `{"calls":2}\n${JSON.stringify({ t: 1, d: 'i', m: dial })}\n`);
    expect(readRecording(good)).toEqual({ calls: 2, frames: [{ t: 1, d: 'i', m: dial }] });
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify({ t: 1, d: 'i', m: dial })}\n`);
    expect(() => readRecording(bad)).toThrow(/calls/);
  });
});
