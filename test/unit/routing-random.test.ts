import { describe, expect, it } from 'vitest';
import type { RoutingInput } from '../../src/routing/types.js';
import { aConfig, aQueue, Core } from '../support/core.js';
import { seededRandom } from '../../src/domain/random.js';
import { runRoutingFuzz } from '../support/routing-fuzz/run.js';

/** A small deterministic generator so a failing seed can be replayed. */
function build(seed: number, overflowDelayMs: number) {
  const queues = [
    aQueue('q1', { wrapupMs: 3000, answerTimeoutMs: 8000, maxWaitMs: 120_000, strategy: 'longest-idle' }),
    aQueue('q2', { wrapupMs: 0, answerTimeoutMs: 5000, overflowDelayMs, strategy: 'round-robin', weight: 5 }),
    aQueue('q3', { wrapupMs: 10_000, answerTimeoutMs: 6000, maxNoAnswer: 2, retryMs: 1000, strategy: 'random', joinEmpty: 'refuse' }),
    aQueue('q4', { strategy: 'fewest-calls', maxWaitMs: 30_000, exit: { action: 'queue', queue: 'q1' } }),
  ];
  const members: string[] = [];
  const agents = Array.from({ length: 8 }, (_, i) => `a${i}`);
  const r = seededRandom(seed ^ 0x5eed);
  for (const a of agents) {
    for (const q of queues) if (r() < 0.45) members.push(`${a}@${q.id}:${1 + Math.floor(r() * 2)}/${Math.floor(r() * 3)}`);
  }
  return { core: new Core(aConfig(queues, members), seed), agents, queues: queues.map((q) => q.id) };
}

describe('routing core under random inputs', () => {
  it.each([
    [1, 0],
    [2, 0],
    [3, 20_000],
    [4, 20_000],
    [5, 0],
    ...(process.env.ROUTING_FUZZ_SEEDS ? Array.from({ length: Number(process.env.ROUTING_FUZZ_SEEDS) }, (_, i) => [100 + i, i % 2 ? 20_000 : 0] as [number, number]) : []),
  ])('keeps every invariant through 4,000 random inputs (seed %i, overflow delay %i ms)', (seed, overflowDelayMs) => {
    const { core, agents, queues } = build(seed, overflowDelayMs);
    const r = seededRandom(seed);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
    let t = 0;
    let callSeq = 0;
    const outbound = () => [...core.state.agents.values()].filter((a) => a.outbound);
    for (let step = 0; step < 4000; step++) {
      t += Math.floor(r() * 3000);
      const calls = [...core.state.calls.values()];
      const offered = calls.filter((c) => c.state === 'offered');
      const connected = calls.filter((c) => c.state === 'connected');
      const roll = r();
      let input: RoutingInput;
      if (roll < 0.22) input = { type: 'call.enqueue', callId: `c${++callSeq}`, queueId: pick(queues), priority: r() < 0.2 ? 5 : 0 };
      else if (roll < 0.38 && offered.length) input = { type: 'offer.answered', callId: pick(offered).id, agentId: pick(offered).agentId! };
      else if (roll < 0.45 && offered.length) {
        const c = pick(offered);
        input = { type: 'offer.failed', callId: c.id, agentId: c.agentId!, cause: pick(['busy', 'rejected', 'failed']) };
      } else if (roll < 0.6 && connected.length) input = { type: 'call.end', callId: pick(connected).id, side: r() < 0.5 ? 'caller' : 'agent' };
      else if (roll < 0.68 && calls.length) input = { type: 'call.abandon', callId: pick(calls).id };
      else if (roll < 0.74) input = { type: 'agent.login', agentId: pick(agents) };
      else if (roll < 0.77) input = { type: 'agent.logout', agentId: pick(agents) };
      else if (roll < 0.82) input = { type: 'agent.pause', agentId: pick(agents), reason: 'break' };
      else if (roll < 0.9) input = { type: 'agent.unpause', agentId: pick(agents) };
      else if (roll < 0.93) input = { type: 'agent.reachable', agentId: pick(agents), reachable: r() < 0.7 };
      else if (roll < 0.95) input = { type: 'call.leave', callId: calls.length ? pick(calls).id : 'none' };
      else if (roll < 0.965) input = { type: 'agent.outbound', agentId: pick(agents), callId: `out${step}` };
      else if (roll < 0.98 && outbound().length) {
        const a = pick(outbound());
        input = a.activity === 'dialing' && r() < 0.7 ? { type: 'agent.outbound.connected', agentId: a.id, callId: a.callId! } : { type: 'agent.outbound.end', agentId: a.id, callId: a.callId! };
      }
      else input = { type: 'offer.answered', callId: `c${Math.floor(r() * (callSeq + 1))}`, agentId: pick(agents) }; // often stale
      core.input(t, input);
      try {
        core.checkInvariants(); // the shared set: src/routing/invariants.ts and decision-checker.ts
      } catch (err) {
        throw new Error(`${(err as Error).message}\nafter ${JSON.stringify(input)} at step ${step}`);
      }
    }

    // Wind down: every caller leaves, every agent comes back; then nobody may be left busy.
    t += 1000;
    for (const a of outbound()) core.input(t, { type: 'agent.outbound.end', agentId: a.id, callId: a.callId! });
    for (const c of [...core.state.calls.values()]) {
      if (c.state === 'connected') core.input(t, { type: 'call.end', callId: c.id, side: 'agent' });
      else core.input(t, { type: 'call.abandon', callId: c.id });
    }
    core.runTimersUntil(t + 3_600_000);
    core.checkInvariants();
    expect(core.state.calls.size).toBe(0);
    for (const a of core.state.agents.values()) {
      expect(a.activity, `agent ${a.id}`).toBe('idle');
      expect(['ready', 'paused', 'loggedout']).toContain(a.presence);
    }
    for (const q of core.state.queues.values()) expect(q.calls.size).toBe(0);
    expect(core.queueLog('CONNECT').length).toBeGreaterThan(50);
  });
});

describe('routing fuzzer (npm run fuzz:routing) in CI', () => {
  it.each([1, 2, 3])('breaks no invariant in 20,000 random inputs with live config changes (seed %i)', (seed) => {
    const report = runRoutingFuzz({ seed, inputs: 20_000, segmentInputs: 10_000 });

    expect(report.examples.map((e) => ({ seed: e.segmentSeed, step: e.step, input: e.input, messages: e.messages }))).toEqual([]);
    expect(report.violations).toBe(0);
    expect(report.inputs).toBe(20_000);
    // The run exercised the core, not just its ignore paths.
    expect(report.connects).toBeGreaterThan(500);
    expect(report.byType['config.apply']?.sent).toBeGreaterThan(100);
    expect(report.timerFires).toBeGreaterThan(1000);
  });
});
