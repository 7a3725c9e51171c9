/**
 * CTI fan-out: latency from one agent state change to its AgentStateEvent arriving at each of
 * 1,000 connected WebSocket clients on 127.0.0.1. The clients run in a worker thread (the
 * machine's other core), so the figures measure the server's fan-out plus loopback delivery.
 * Run: npm run bench:cti [-- --json] [--clients N] [--changes N]
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { startCtiBenchServer } from './support/cti-server.js';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, clients: { type: 'string', default: '1000' }, changes: { type: 'string', default: '100' } } });
const CLIENTS = Number(values.clients);
const CHANGES = Number(values.changes);

const { engine, auth, cti, port, close } = await startCtiBenchServer({
  queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }] }],
  groups: [{ id: 'g' }],
  agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['g'], auto_login: true }],
});
const key = auth.createApiKey('bench').key;

// Clients live in a worker thread (the second core), as real desktops live on other machines.
const worker = new Worker(new URL('./cti-clients.mjs', import.meta.url), { workerData: { url: `ws://127.0.0.1:${port}/cti?token=${key}`, clients: CLIENTS } });
const messages: { type: string; stamps?: number[] }[] = [];
let wake: (() => void) | undefined;
worker.on('message', (m: { type: string; stamps?: number[] }) => {
  messages.push(m);
  wake?.();
});
const nextMessage = async (type: string) => {
  for (;;) {
    const i = messages.findIndex((m) => m.type === type);
    if (i >= 0) return messages.splice(i, 1)[0]!;
    await new Promise<void>((resolve) => (wake = resolve));
  }
};
await nextMessage('ready');
while (cti.clients < CLIENTS) await new Promise((r) => setTimeout(r, 10));

const sentAt: number[] = [];
for (let i = 0; i < CHANGES; i++) {
  sentAt.push(performance.timeOrigin + performance.now());
  if (i % 2 === 0) engine.pauseAgent('a1', 'bench');
  else engine.unpauseAgent('a1');
  await nextMessage('round');
}
worker.postMessage({ type: 'finish' });
const stamps = (await nextMessage('stamps')).stamps!;
const latencies = stamps.map((t, k) => t - sentAt[Math.floor(k / CLIENTS)]!);
await worker.terminate();

latencies.sort((a, b) => a - b);
const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! * 100) / 100;
const result = { clients: CLIENTS, changes: CHANGES, deliveries: latencies.length, p50Ms: pct(50), p95Ms: pct(95), p99Ms: pct(99), maxMs: pct(100) };
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  process.stdout.write(`CTI fan-out: ${result.clients} clients, ${result.changes} agent state changes, ${result.deliveries} deliveries\n`);
  process.stdout.write(`latency  p50 ${result.p50Ms} ms   p95 ${result.p95Ms} ms   p99 ${result.p99Ms} ms   max ${result.maxMs} ms\n`);
}
await close();
