import { describe, expect, it } from 'vitest';
import { aConfig, aQueue, Core } from '../support/core.js';

const S = 1000;

/** Bugs the routing fuzzer (npm run fuzz:routing) found, each pinned by the smallest case. */
describe('routing core: fuzzer findings', () => {
  it('opens the next configured tier after one overflow delay when a membership names an unknown agent', () => {
    // Arrange: tier 2 exists only through a membership of an agent that is not configured.
    const cfg = aConfig([aQueue('q', { overflowDelayMs: 30 * S })], ['hi@q:1', 'ghost@q:2', 'lo@q:3']);
    cfg.agents = cfg.agents.filter((a) => a.id !== 'ghost');
    const core = new Core(cfg);
    core.login(0, 'hi', 'lo');
    core.enqueue(0, 'c0', 'q');
    core.answer(1 * S, 'c0'); // hi is busy from now on

    // Act
    core.enqueue(10 * S, 'c1', 'q');
    core.runTimersUntil(45 * S);

    // Assert: lo is the second tier that exists, so it opens at 10 s + 30 s, not 10 s + 60 s.
    expect(core.offerLog.filter((o) => o.callId === 'c1')).toEqual([{ callId: 'c1', agentId: 'lo', at: 40 * S }]);
    expect(core.state.queues.get('q')?.staffedByRank).toEqual([1, 1]);
    core.checkInvariants();
  });

  it('offers the call that rang unanswered before later calls when the auto-pause opens a lower tier', () => {
    // Arrange: hi rings c1, c2 waits behind it for the closed lower tier.
    const core = new Core(aConfig([aQueue('q', { overflowDelayMs: 60 * S, answerTimeoutMs: 10 * S, maxNoAnswer: 1 })], ['hi@q:1', 'lo@q:2']));
    core.login(0, 'hi', 'lo');
    core.enqueue(0, 'c1', 'q');
    core.enqueue(1 * S, 'c2', 'q');
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'hi', at: 0 });

    // Act: hi does not answer and is paused, so no first-tier agent is staffed any more.
    core.runTimersUntil(10 * S);

    // Assert: the lower tier takes c1 first (first come, first served), c2 keeps waiting.
    expect(core.presence('hi')).toBe('paused');
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'lo', at: 10 * S });
    expect(core.state.calls.get('c2')?.state).toBe('waiting');
    core.checkInvariants();
  });

  it('offers the older waiting call first when the logout of a ringing agent opens a lower tier', () => {
    // Arrange: c1 waits (declined by hi, lower tier closed while hi is staffed), c2 rings hi.
    const core = new Core(aConfig([aQueue('q', { overflowDelayMs: 60 * S, retryMs: 600 * S })], ['hi@q:1', 'lo@q:2']));
    core.login(0, 'hi', 'lo');
    core.enqueue(0, 'c1', 'q');
    core.enqueue(1 * S, 'c2', 'q');
    core.input(2 * S, { type: 'offer.failed', callId: 'c1', agentId: 'hi', cause: 'rejected' });
    expect(core.lastOffer()).toEqual({ callId: 'c2', agentId: 'hi', at: 2 * S });

    // Act: hi logs out while c2 rings; the first tier is empty now.
    core.input(3 * S, { type: 'agent.logout', agentId: 'hi' });

    // Assert: lo takes c1, which waited longest; c2 goes back behind it.
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'lo', at: 3 * S });
    expect(core.state.calls.get('c2')?.state).toBe('waiting');
    core.checkInvariants();
  });

  it('opens the lower tier on time for a call that was ringing when an overflow delay was configured', () => {
    // Arrange: no overflow delay; c1 rings hi, lo is not logged in yet.
    const cfg = (overflowDelayMs: number) => aConfig([aQueue('q', { overflowDelayMs, retryMs: 600 * S })], ['hi@q:1', 'lo@q:2']);
    const core = new Core(cfg(0));
    core.login(0, 'hi');
    core.enqueue(0, 'c1', 'q');
    core.input(1 * S, { type: 'config.apply', config: cfg(30 * S) });
    core.login(2 * S, 'lo');

    // Act: hi declines; c1 waits for the lower tier, which opens 30 s after c1 arrived.
    core.input(3 * S, { type: 'offer.failed', callId: 'c1', agentId: 'hi', cause: 'rejected' });
    core.runTimersUntil(31 * S);

    // Assert
    expect(core.offerLog).toEqual([
      { callId: 'c1', agentId: 'hi', at: 0 },
      { callId: 'c1', agentId: 'lo', at: 30 * S },
    ]);
    core.checkInvariants();
  });

  it('gives the agent a paused colleague frees up to the higher-priority call, not the call that rang unanswered', () => {
    // Arrange: X rang hi for 70 s (its own wait opened the lower tier); Y, priority 5, waits 20 s.
    const core = new Core(aConfig([aQueue('q', { overflowDelayMs: 60 * S, answerTimeoutMs: 70 * S, maxNoAnswer: 1, retryMs: 600 * S })], ['hi@q:1', 'lo@q:2']));
    core.login(0, 'hi', 'lo');
    core.enqueue(0, 'x', 'q', 0);
    core.enqueue(50 * S, 'y', 'q', 5);

    // Act: hi does not answer and is paused, which opens the lower tier for y too.
    core.runTimersUntil(70 * S);

    // Assert
    expect(core.presence('hi')).toBe('paused');
    expect(core.lastOffer()).toEqual({ callId: 'y', agentId: 'lo', at: 70 * S });
    expect(core.state.calls.get('x')?.state).toBe('waiting');
    core.checkInvariants();
  });

  it('offers the higher-priority call first when the overflow delay opens a tier for two calls at the same instant', () => {
    // Arrange: hi is busy; c1 (priority 0) and c2 (priority 5) arrive in the same millisecond.
    const core = new Core(aConfig([aQueue('q', { overflowDelayMs: 10 * S })], ['hi@q:1', 'lo@q:2']));
    core.login(0, 'hi', 'lo');
    core.enqueue(0, 'c0', 'q');
    core.answer(0, 'c0');
    core.enqueue(1 * S, 'c1', 'q', 0);
    core.enqueue(1 * S, 'c2', 'q', 5);

    // Act: both overflow timers are due at 11 s; c1's fires first.
    core.runTimersUntil(11 * S);

    // Assert
    expect(core.lastOffer()).toEqual({ callId: 'c2', agentId: 'lo', at: 11 * S });
    expect(core.state.calls.get('c1')?.state).toBe('waiting');
    core.checkInvariants();
  });

  it('lets the agent of a heavier queue take the call put back there, not a lighter queue call a reopened tier offers', () => {
    // Arrange: heavy (weight 5): a5 first, then a1. light (overflow 60 s): a5 first tier, a1 and a8 second.
    const core = new Core(
      aConfig(
        [aQueue('heavy', { weight: 5, answerTimeoutMs: 10 * S, maxNoAnswer: 1, retryMs: 600 * S }), aQueue('light', { overflowDelayMs: 60 * S })],
        ['a5@heavy:1/0', 'a1@heavy:1/1', 'a5@light:1/0', 'a1@light:2/0', 'a8@light:2/1'],
      ),
    );
    core.login(0, 'a8', 'a5', 'a1');
    core.enqueue(1 * S, 'cA', 'heavy');
    core.enqueue(2 * S, 'cB', 'light'); // waits: a5 (first tier) is staffed
    expect(core.lastOffer()).toEqual({ callId: 'cA', agentId: 'a5', at: 1 * S });

    // Act: a5 does not answer and is paused, which opens light's second tier.
    core.runTimersUntil(11 * S);

    // Assert: a1 takes cA (heavier queue, only a1 can take it now), a8 takes cB.
    expect(core.presence('a5')).toBe('paused');
    expect(core.offerLog.slice(1)).toEqual([
      { callId: 'cA', agentId: 'a1', at: 11 * S },
      { callId: 'cB', agentId: 'a8', at: 11 * S },
    ]);
    core.checkInvariants();
  });
});
