/**
 * CTI QueueStatistics push: each round is a burst of agent changes in one event-loop turn (all
 * agents of the queue pause, or all unpause); the gateway coalesces it into one QueueStatistics per
 * subscribed client. Measures the latency from the burst to the message at each of N WebSocket
 * clients (in a worker thread), and checks that each client got exactly one message per round.
 * The clients are supervisors of the queue outside the agents' group, so they receive the queue's
 * statistics only; with --admin they are admins and also receive every AgentStateEvent of the burst.
 * Run: npm run bench:cti-stats [-- --json] [--admin] [--clients N] [--agents N] [--rounds N]
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { startCtiBenchServer } from './support/cti-server.js';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, admin: { type: 'boolean', default: false }, clients: { type: 'string', default: '1000' }, agents: { type: 'string', default: '50' }, rounds: { type: 'string', default: '50' } } });
const CLIENTS = Number(values.clients);
const AGENTS = Number(values.agents);
const ROUNDS = Number(values.rounds);

const agentIds = Array.from({ length: AGENTS }, (_, i) => `a${i + 1}`);
const { engine, auth, port, close } = await startCtiBenchServer({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }] }],
  groups: [{ id: 'g' }, { id: 'wallboard' }],
  agents: agentIds.map((id, i) => ({ id, phone: { type: 'sip', endpoint: `${1001 + i}` }, groups: ['g'], auto_login: true })),
});
await auth.createUser('wall', { password: 'bench-password', profile: 'supervisor', queues: ['q'], groups: ['wallboard'] });
const key = values.admin ? auth.createApiKey('bench').key : (await auth.login('wall', 'bench-password', 3600_000))!.session;

const worker = new Worker(new URL('./cti-clients.mjs', import.meta.url), {
  workerData: { url: `ws://127.0.0.1:${port}/cti?token=${key}`, clients: CLIENTS, msgType: 'QueueStatistics', subscribe: { command: 'subscribeToQueueStats' } },
});
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
await nextMessage('round'); // the snapshot each client gets on subscribing

const sentAt: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  sentAt.push(performance.timeOrigin + performance.now());
  for (const id of agentIds) {
    if (r % 2 === 0) engine.pauseAgent(id, 'bench');
    else engine.unpauseAgent(id);
  }
  await nextMessage('round');
}
// Room for any extra message a round might have caused (there should be none).
await new Promise((r) => setTimeout(r, 200));
worker.postMessage({ type: 'finish' });
const stamps = (await nextMessage('stamps')).stamps!.slice(CLIENTS);
await worker.terminate();

const latencies = stamps.slice(0, ROUNDS * CLIENTS).map((t, k) => t - sentAt[Math.floor(k / CLIENTS)]!);
latencies.sort((a, b) => a - b);
const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! * 100) / 100;
const result = { profile: values.admin ? 'admin' : 'supervisor', clients: CLIENTS, agents: AGENTS, rounds: ROUNDS, changes: AGENTS * ROUNDS, messages: stamps.length, messagesPerClientPerRound: stamps.length / CLIENTS / ROUNDS, p50Ms: pct(50), p95Ms: pct(95), p99Ms: pct(99), maxMs: pct(100) };
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  process.stdout.write(`CTI QueueStatistics: ${result.clients} ${result.profile} clients, ${result.rounds} bursts of ${result.agents} agent changes (${result.changes} changes)\n`);
  process.stdout.write(`messages ${result.messages} (${result.messagesPerClientPerRound} per client per burst)\n`);
  process.stdout.write(`latency  p50 ${result.p50Ms} ms   p95 ${result.p95Ms} ms   p99 ${result.p99Ms} ms   max ${result.maxMs} ms\n`);
}
await close();
