/**
 * Routing core benchmark: decisions per second and heap bytes per waiting call.
 * Run: npm run bench:routing [-- --json]
 *
 * For each size, every agent logs in and is put on a call, then `waiting` calls queue across
 * 50 queues. The timed loop repeats a realistic cycle against that full state:
 * a call ends (the agent frees and takes the best waiting call across its queues), the agent
 * answers, a new caller joins; one cycle in twenty a waiting caller abandons instead.
 * The `virtual` row fills the waiting list with virtual-queue waiters (seed 004: callers who
 * hung up and keep their place) instead, and counts their routing entries together with the
 * waiter records the virtual-queue service keeps in memory for them.
 */
import { createRoutingState, decide } from '../src/routing/decide.js';
import type { RoutingConfig, RoutingInput, RoutingQueueConfig, RoutingState } from '../src/routing/types.js';
import { seededRandom } from '../src/domain/random.js';
import type { VirtualWaiter } from '../src/domain/virtual-queue.js';

interface Row {
  kind: 'calls' | 'virtual';
  agents: number;
  queues: number;
  waiting: number;
  decisionsPerSec: number;
  bytesPerWaitingCall: number;
}

const json = process.argv.includes('--json');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('run with node --expose-gc (npm run bench:routing does)\n');
  process.exit(2);
}

function queue(id: string, weight: number): RoutingQueueConfig {
  return { id, strategy: 'longest-idle', weight, overflowDelayMs: 0, answerTimeoutMs: 15_000, maxNoAnswer: 3, retryMs: 5000, wrapupMs: 0, maxWaitMs: 0, joinEmpty: 'join', exit: { action: 'hangup' } };
}

function config(agents: number, queues: number, random: () => number): RoutingConfig {
  const qs = Array.from({ length: queues }, (_, i) => queue(`q${i}`, i % 5 === 0 ? 10 : 0));
  const members: RoutingConfig['members'] = [];
  for (let a = 0; a < agents; a++) {
    // Every agent serves two to three queues, in one of two tiers, with a penalty 0–2.
    const n = 2 + (random() < 0.5 ? 1 : 0);
    const picked = new Set<number>();
    while (picked.size < n) picked.add(Math.floor(random() * queues));
    for (const q of picked) members.push({ agentId: `a${a}`, queueId: `q${q}`, tier: 1 + (random() < 0.2 ? 1 : 0), penalty: Math.floor(random() * 3) });
  }
  return { queues: qs, agents: Array.from({ length: agents }, (_, a) => ({ id: `a${a}` })), members };
}

/** A waiter record as the virtual-queue service holds it for a caller who pressed the key. */
function waiterRecord(id: string, lineId: string, now: number, i: number): VirtualWaiter {
  return {
    id, lineId, phone: `+3361${String(i).padStart(7, '0')}`, channel: 'CallBack', source: 'Phone', lang: 'en', skills: [], properties: {},
    state: 'Waiting', serviceState: null, priority: 0, enqueuedAt: now, parentCallId: `p${i}`, attempts: 0, nextAttemptAt: null,
    ewtS: null, estimatedUpAt: null, notifiedAt: null, connectedAt: null, agentId: null, waitTimeWhenUp: null, createdAt: now, updatedAt: now,
  };
}

function run(agents: number, queues: number, waiting: number, kind: Row['kind'] = 'calls'): Row {
  const waiters = new Map<string, VirtualWaiter>();
  const random = seededRandom(agents * 31 + waiting);
  const state: RoutingState = createRoutingState(7);
  let now = 0;
  const apply = (input: RoutingInput) => decide(state, input, now).commands;
  apply({ type: 'config.apply', config: config(agents, queues, random) });
  for (let a = 0; a < agents; a++) apply({ type: 'agent.login', agentId: `a${a}` });

  // Put every agent on a call: enqueue calls until nobody is free, answering each offer.
  let seq = 0;
  const connected: string[] = [];
  const answerOffers = (cmds: ReturnType<typeof apply>) => {
    for (const c of cmds) {
      if (c.type === 'offer') {
        apply({ type: 'offer.answered', callId: c.callId, agentId: c.agentId });
        connected.push(c.callId);
      }
    }
  };
  while (connected.length < agents && seq < agents * 4) answerOffers(apply({ type: 'call.enqueue', callId: `c${++seq}`, queueId: `q${Math.floor(random() * queues)}` }));

  // Fill the waiting list and measure what it costs on the heap.
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  const waitingIds: string[] = [];
  for (let i = 0; i < waiting; i++) {
    const callId = `c${++seq}`;
    now += 1;
    const queueId = `q${Math.floor(random() * queues)}`;
    if (kind === 'virtual') {
      apply({ type: 'virtual.enqueue', callId, queueId, enqueuedAt: now, offerTimeoutMs: 75_000 });
      waiters.set(callId, waiterRecord(callId, queueId, now, i));
    } else apply({ type: 'call.enqueue', callId, queueId, priority: random() < 0.1 ? 5 : 0 });
    waitingIds.push(callId);
  }
  gc!();
  gc!();
  const after = process.memoryUsage().heapUsed;
  const bytesPerWaitingCall = Math.round((after - before - waitingIds.length * 8) / waiting);

  // Timed steady state.
  const cycles = 60_000;
  let decisions = 0;
  const t0 = performance.now();
  for (let i = 0; i < cycles; i++) {
    now += 10;
    if (i % 20 === 19) {
      const idx = Math.floor(random() * waitingIds.length);
      const victim = waitingIds[idx]!;
      waitingIds[idx] = waitingIds[waitingIds.length - 1]!;
      waitingIds.pop();
      if (state.calls.get(victim)?.state === 'waiting') {
        apply({ type: kind === 'virtual' && waiters.delete(victim) ? 'call.leave' : 'call.abandon', callId: victim });
        decisions++;
      }
    } else {
      const k = Math.floor(random() * connected.length);
      const ending = connected[k]!;
      connected[k] = connected[connected.length - 1]!;
      connected.pop();
      const cmds = apply({ type: 'call.end', callId: ending, side: random() < 0.5 ? 'caller' : 'agent' });
      decisions++;
      for (const c of cmds) {
        if (c.type === 'offer') {
          apply({ type: 'offer.answered', callId: c.callId, agentId: c.agentId });
          decisions++;
          connected.push(c.callId);
        }
      }
    }
    const callId = `c${++seq}`;
    const cmds = apply({ type: 'call.enqueue', callId, queueId: `q${Math.floor(random() * queues)}`, priority: random() < 0.1 ? 5 : 0 });
    decisions++;
    waitingIds.push(callId);
    answerOffers(cmds);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { kind, agents, queues, waiting, decisionsPerSec: Math.round(decisions / seconds), bytesPerWaitingCall };
}

const rows: Row[] = [];
for (const agents of [1000, 10_000]) for (const waiting of [10_000, 100_000]) rows.push(run(agents, 50, waiting));
rows.push(run(1000, 50, 100_000, 'virtual'));

if (json) process.stdout.write(`${JSON.stringify(rows)}\n`);
else {
  const head = ['waiting are', 'agents', 'queues', 'waiting', 'decisions/s', 'bytes/waiting call'];
  const lines = rows.map((r) => [r.kind, ...[r.agents, r.queues, r.waiting, r.decisionsPerSec, r.bytesPerWaitingCall].map((x) => x.toLocaleString('en-US'))]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write(`${[fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n')}\n`);
}
