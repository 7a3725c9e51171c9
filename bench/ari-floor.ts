/**
 * The floor under the engine's CPU per call on this machine: what it costs a process only to take
 * ARI's traffic for a call, with none of the engine's work. A child process replays the frames a
 * real run sent over the events WebSocket (recorded with `npm run load -- --capture FILE`), at
 * their recorded times; this process receives them as the ARI client does (`ws`, the duplicate
 * drop, the trunk's EndpointStateChange skipped unparsed, `JSON.parse`, and a REST answer's body
 * parsed again) and sends, after each frame, the requests the engine sent after it in the
 * recording (corked until the next turn, as ws-rest.ts does). CPU per call (process.cpuUsage) and
 * the main thread's wake-ups per call are printed for:
 * - `as recorded`: every frame Asterisk sent;
 * - `without copies`: the frames the client drops unparsed (the endpoint subscription's copies of
 *   channel events and the trunk's EndpointStateChange) left out at the source;
 * - `in-process`: the recorded frames replayed by a server inside this process, back to back, so
 *   nobody sleeps: the work alone, without the wake-ups.
 *
 * Run: npm run load -- --rates 40 --calls 800 --agents 200 --capture /tmp/ari-40.jsonl
 *      npm run bench:ari-floor -- --file /tmp/ari-40.jsonl [--rounds 3] [--json]
 */
import { fork } from 'node:child_process';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { isTrunkState, readRecording, withoutCopies, type Frame } from './support/ari-capture.js';
import { mainThreadSleeps } from './support/wakeups.js';

/** Serve `frames` (the inbound ones) to the first client, at their times (timed) or back to back. */
function serve(wss: WebSocketServer, frames: Frame[], timed: boolean): void {
  wss.once('connection', (ws) => {
    ws.on('message', () => undefined);
    const inbound = frames.filter((f) => f.d === 'i');
    const t0 = performance.now();
    let i = 0;
    const pump = () => {
      const now = performance.now() - t0;
      while (i < inbound.length && (!timed || inbound[i]!.t <= now)) ws.send(inbound[i++]!.m);
      if (i < inbound.length) setTimeout(pump, Math.max(0, inbound[i]!.t - (performance.now() - t0)));
    };
    ws.once('message', pump); // the client's "ready"
  });
}

if (process.argv[2] === '--replay-child') {
  const rec = readRecording(process.argv[3]!);
  const frames = process.argv[4] === 'without-copies' ? withoutCopies(rec.frames) : rec.frames;
  const wss: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => process.send!((wss.address() as AddressInfo).port));
  serve(wss, frames, true);
} else {
  const { values } = parseArgs({ options: { file: { type: 'string' }, rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false }, 'replay-child': { type: 'boolean', default: false } } });
  if (!values.file) throw new Error('--file: the recording to replay (npm run load -- --capture FILE) is required');
  const rounds = Number(values.rounds);
  if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error('--rounds: a whole number ≥ 1 expected');
  const rec = readRecording(values.file);

  /** Receive `frames` from the server at `port` as the ARI client does; CPU ms and wake-ups per call. */
  const receive = (port: number, frames: Frame[]) =>
    new Promise<{ cpuMsPerCall: number; wakeupsPerCall: number; frames: number }>((resolve, reject) => {
      // After the k-th inbound frame, the requests the engine sent before the next one.
      const after: string[][] = [];
      for (const f of frames) {
        if (f.d === 'i') after.push([]);
        else after[after.length - 1]?.push(f.m);
      }
      const expected = after.length;
      const ws = new WebSocket(`ws://127.0.0.1:${port}`, { generateMask: (m: Buffer) => void m.fill(0), skipUTF8Validation: true });
      const recent = new Set<string>();
      let got = 0;
      let corked: Socket | undefined;
      let c0 = process.cpuUsage();
      let w0 = mainThreadSleeps();
      let sink = 0;
      let done = false;
      // The replay's length plus a minute: a stuck replay fails instead of hanging.
      const last = frames.length ? frames[frames.length - 1]!.t : 0;
      const limit = setTimeout(() => fail(new Error(`replay not over ${Math.round(last / 1000) + 60} s after it began (${got}/${expected} frames)`)), last + 60_000);
      const fail = (err: Error) => {
        if (done) return;
        done = true;
        clearTimeout(limit);
        ws.terminate();
        reject(err);
      };
      ws.on('error', fail);
      ws.on('close', () => fail(new Error(`the replay's socket closed after ${got}/${expected} frames`)));
      ws.on('open', () => {
        c0 = process.cpuUsage();
        w0 = mainThreadSleeps();
        ws.send('ready');
      });
      ws.on('message', (data: WebSocket.RawData) => {
        const raw = data.toString();
        const k = got++;
        if (!recent.has(raw) && !isTrunkState(raw)) {
          recent.add(raw);
          if (recent.size > 256) recent.delete(recent.values().next().value!);
          const ev = JSON.parse(raw) as { type: string; message_body?: string };
          sink += ev.type.length;
          if (ev.type === 'RESTResponse' && ev.message_body) sink += Object.keys(JSON.parse(ev.message_body) as object).length;
        }
        const out = after[k];
        if (out?.length) {
          if (!corked) {
            const s = (ws as unknown as { _socket: Socket })._socket;
            s.cork();
            corked = s;
            setImmediate(() => {
              corked = undefined;
              s.uncork();
            });
          }
          for (const m of out) ws.send(m);
        }
        if (got === expected && !done) {
          const c = process.cpuUsage(c0);
          const w = mainThreadSleeps() - w0;
          done = true;
          clearTimeout(limit);
          ws.close();
          resolve({ cpuMsPerCall: round((c.user + c.system) / 1000 / rec.calls), wakeupsPerCall: round(w / rec.calls), frames: got + (sink < 0 ? 1 : 0) });
        }
      });
    });

  const viaChild = async (variant: 'as-recorded' | 'without-copies') => {
    const child = fork(fileURLToPath(import.meta.url), ['--replay-child', values.file!, variant], { execArgv: process.execArgv });
    const exited = new Promise<never>((_, rej) => child.once('exit', (code) => rej(new Error(`the replay process exited (${code}) before the replay ended`))));
    exited.catch(() => undefined);
    try {
      const port = await Promise.race([new Promise<number>((r) => child.once('message', (m) => r(Number(m)))), exited]);
      return await Promise.race([receive(port, variant === 'without-copies' ? withoutCopies(rec.frames) : rec.frames), exited]);
    } finally {
      child.kill();
    }
  };
  const inProcess = async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    serve(wss, rec.frames, false);
    try {
      return await receive((wss.address() as AddressInfo).port, rec.frames);
    } finally {
      wss.close();
    }
  };

  const results: Record<string, { cpuMsPerCall: number; wakeupsPerCall: number; frames: number }[]> = { 'as recorded': [], 'without copies': [], 'in-process': [] };
  for (let i = 0; i < rounds; i++) {
    results['as recorded']!.push(await viaChild('as-recorded'));
    results['without copies']!.push(await viaChild('without-copies'));
    results['in-process']!.push(await inProcess());
  }
  if (values.json) console.log(JSON.stringify({ file: values.file, calls: rec.calls, results }));
  else {
    console.log(`ari-floor: ${rec.calls} calls, ${rec.frames.length} frames recorded (${round(rec.frames.length / rec.calls)} per call); CPU ms per call (wake-ups per call), ${rounds} rounds:`);
    for (const [name, rs] of Object.entries(results)) console.log(`  ${name.padEnd(15)} ${rs.map((r) => `${r.cpuMsPerCall} (${r.wakeupsPerCall})`).join('  ')}`);
  }
  process.exit(0);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
