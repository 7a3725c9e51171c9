/**
 * Records the frames of an AriClient's events WebSocket (REST over it included), both ways, with
 * their times, for `npm run bench:ari-floor` to replay. Bench only: it reaches into the client's
 * socket and wraps its `send`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type WebSocket from 'ws';
import type { AriClient } from '../../src/pbx/asterisk/ari-client.js';
import { trunkEndpointState } from '../../src/pbx/asterisk/event-filter.js';

/** One frame: ms since the capture began, direction (i = from Asterisk, o = to it), text. */
export interface Frame {
  t: number;
  d: 'i' | 'o';
  m: string;
}

export interface Capture {
  /** Keep the frames from now on. */
  start(): void;
  /** Stop, and write the frames (one JSON object per line) with a header line: `{calls}`. */
  stop(calls: number): void;
}

export function captureFrames(client: AriClient, file: string): Capture {
  const ws = (client as unknown as { ws?: WebSocket }).ws;
  if (!ws) throw new Error('ari-capture: the client has no events WebSocket yet (start the engine first)');
  const frames: Frame[] = [];
  let t0 = 0;
  let on = false;
  ws.prependListener('message', (data: WebSocket.RawData) => {
    if (on) frames.push({ t: performance.now() - t0, d: 'i', m: data.toString() });
  });
  const send = ws.send.bind(ws) as (m: unknown, cb?: (err?: Error) => void) => void;
  (ws as unknown as { send: typeof send }).send = (m, cb) => {
    if (on) frames.push({ t: performance.now() - t0, d: 'o', m: String(m) });
    send(m, cb);
  };
  return {
    start() {
      t0 = performance.now();
      on = true;
    },
    stop(calls) {
      on = false;
      writeFileSync(file, [JSON.stringify({ calls }), ...frames.map((f) => JSON.stringify(f))].join('\n') + '\n');
    },
  };
}

export interface Recording {
  calls: number;
  frames: Frame[];
}

export function readRecording(file: string): Recording {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  let head: { calls?: number } = {};
  try {
    head = JSON.parse(lines[0]!) as { calls?: number };
  } catch {
    // reported below
  }
  if (!(typeof head.calls === 'number' && head.calls > 0)) throw new Error(`${file}: the first line must be {"calls": N} with N > 0`);
  return { calls: head.calls, frames: lines.slice(1).map((l) => JSON.parse(l) as Frame) };
}

/** The trunk's EndpointStateChange, which the load's client skips unparsed (its skipRaw). */
export const isTrunkState = trunkEndpointState('trunk');

/** The recording without what the client drops unparsed: exact copies of a frame already sent, and the trunk's endpoint state. */
export function withoutCopies(frames: Frame[]): Frame[] {
  const seen = new Set<string>();
  return frames.filter((f) => {
    if (f.d === 'o') return true;
    if (isTrunkState(f.m) || seen.has(f.m)) return false;
    seen.add(f.m);
    return true;
  });
}
