import { describe, expect, it } from 'vitest';
import { createRoutingState, decide } from '../../src/routing/decide.js';
import { DecisionChecker } from '../../src/routing/decision-checker.js';
import { stateViolations } from '../../src/routing/invariants.js';
import type { RoutingInput, RoutingState } from '../../src/routing/types.js';
import { aConfig, aQueue } from '../support/core.js';

/** A core driven through the shared checker, as the fuzzer drives it. */
function world(members: string[], overflowDelayMs = 0) {
  const state: RoutingState = createRoutingState(1);
  const checker = new DecisionChecker();
  let now = 0;
  const step = (t: number, input: RoutingInput) => {
    now = t;
    return checker.check(input, decide(state, input, t), state, t);
  };
  step(0, { type: 'config.apply', config: aConfig([aQueue('q', { overflowDelayMs })], members) });
  return { state, checker, step, now: () => now };
}

describe('routing invariants', () => {
  it('finds no violation in an ordinary call flow', () => {
    const w = world(['a@q', 'b@q']);
    const inputs: RoutingInput[] = [
      { type: 'agent.login', agentId: 'a' },
      { type: 'call.enqueue', callId: 'c1', queueId: 'q' },
      { type: 'call.enqueue', callId: 'c2', queueId: 'q' },
      { type: 'offer.answered', callId: 'c1', agentId: 'a' },
      { type: 'agent.login', agentId: 'b' },
      { type: 'offer.failed', callId: 'c2', agentId: 'b', cause: 'busy' },
      { type: 'call.end', callId: 'c1', side: 'agent' },
    ];
    const found = inputs.flatMap((input, i) => w.step(1000 * (i + 1), input));
    expect(found).toEqual([]);
  });

  it('reports a waiting call as stuck when an available member could take it', () => {
    // Arrange: a is paused while c1 waits; then its flags are flipped behind the core's back.
    const w = world(['a@q']);
    w.step(1, { type: 'agent.login', agentId: 'a' });
    w.step(2, { type: 'agent.pause', agentId: 'a', reason: 'break' });
    w.step(3, { type: 'call.enqueue', callId: 'c1', queueId: 'q' });
    const a = w.state.agents.get('a')!;
    const q = w.state.queues.get('q')!;
    a.status = 'ready';
    a.presence = 'ready';
    a.staffed = true;
    a.available = true;
    q.available.add(q.members.get('a')!);
    q.staffedByRank[0] = 1;

    // Act
    const found = stateViolations(w.state, 3);

    // Assert
    expect(found).toEqual(['call c1 waits in q while a (tier rank 0) is available for it']);
  });

  it('reports an agent ringing a call that does not point back', () => {
    const w = world(['a@q']);
    w.step(1, { type: 'agent.login', agentId: 'a' });
    w.step(2, { type: 'call.enqueue', callId: 'c1', queueId: 'q' });
    w.state.calls.get('c1')!.agentId = 'someone';

    const found = stateViolations(w.state, 2);

    expect(found).toContain('ringing agent a points at call c1 which is offered with someone');
  });

  it('reports an offer dropped without offer.cancel and a call that vanished without call.exit', () => {
    // Arrange: c1 rings a; then the core "forgets" it.
    const w = world(['a@q']);
    w.step(1, { type: 'agent.login', agentId: 'a' });
    w.step(2, { type: 'call.enqueue', callId: 'c1', queueId: 'q' });
    const q = w.state.queues.get('q')!;
    q.calls.clear();
    q.levelCounts.clear();
    w.state.calls.delete('c1');
    w.state.timers.clear();
    const a = w.state.agents.get('a')!;
    a.activity = 'idle';
    a.callId = undefined;

    // Act: any later input is checked against what the driver was told.
    const found = w.checker.check({ type: 'agent.unpause', agentId: 'a' }, { state: w.state, commands: [], events: [] }, w.state, 3);

    // Assert
    expect(found).toEqual(
      expect.arrayContaining([
        'call c1 vanished after agent.unpause without call.exit',
        'offer c1→a outstanding for a call the core dropped (after agent.unpause)',
        'driver sees 1 timers, core holds 0 (after agent.unpause)',
        'agent a shows ringing, is ready',
      ]),
    );
  });

  it('reports an offer that skips an earlier call of the same priority', () => {
    // Arrange: c1 and c2 wait with nobody logged in; the decision under test offers c2 first.
    const w = world(['a@q']);
    w.step(1, { type: 'call.enqueue', callId: 'c1', queueId: 'q' });
    w.step(2, { type: 'call.enqueue', callId: 'c2', queueId: 'q' });
    const before = w.step(3, { type: 'agent.login', agentId: 'b' }); // unknown agent: ignored
    expect(before).toEqual([]);
    const a = w.state.agents.get('a')!;
    const c2 = w.state.calls.get('c2')!;
    a.status = 'ready';
    a.activity = 'ringing';
    a.callId = 'c2';
    c2.state = 'offered';
    c2.agentId = 'a';

    // Act
    const found = w.checker.check(
      { type: 'agent.login', agentId: 'a' },
      { state: w.state, commands: [{ type: 'offer', callId: 'c2', agentId: 'a', queueId: 'q', timeoutMs: 15_000 }], events: [] },
      w.state,
      4,
    );

    // Assert
    expect(found).toContain('FIFO: c2 (seq 2) offered to a before earlier c1 (seq 1) in q');
  });

  it('reports a live timer fire the core ignored, and acting on a stale one', () => {
    const w = world(['a@q']);
    w.step(1, { type: 'agent.login', agentId: 'a' });
    w.step(2, { type: 'call.enqueue', callId: 'c1', queueId: 'q' });
    const gen = w.state.timers.get('noanswer:c1')!;

    const ignoredLive = w.checker.check(
      { type: 'timer.fired', key: 'noanswer:c1', gen },
      { state: w.state, commands: [], events: [{ type: 'ignored', input: 'timer.fired', reason: 'stale timer' }] },
      w.state,
      3,
    );
    const actedStale = new DecisionChecker().check({ type: 'timer.fired', key: 'noanswer:c9', gen: 1 }, { state: createRoutingState(), commands: [], events: [] }, createRoutingState(), 3);

    expect(ignoredLive).toContain(`live timer noanswer:c1 (gen ${gen}) was ignored`);
    expect(actedStale).toContain('stale or unknown timer noanswer:c9 gen 1 was acted on');
  });
});
