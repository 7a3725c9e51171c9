import { describe, expect, it } from 'vitest';
import { aConfig, aQueue, Core } from '../support/core.js';

const S = 1000;

describe('routing core: do-not-disturb', () => {
  it('offers no call to an agent in do-not-disturb, keeps its presence, and offers the waiting call when it ends', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');

    core.input(1 * S, { type: 'agent.dnd', agentId: 'a', dnd: true });
    core.input(2 * S, { type: 'agent.dnd', agentId: 'a', dnd: true });
    core.enqueue(3 * S, 'c1', 'q');

    expect(core.events.filter((e) => e.type === 'agent.dnd')).toEqual([{ type: 'agent.dnd', agentId: 'a', dnd: true, at: 1 * S }]);
    expect(core.presence('a')).toBe('ready');
    expect(core.lastOffer()).toBeUndefined();
    expect(core.state.queues.get('q')?.available.size).toBe(0);
    core.checkInvariants();

    core.input(4 * S, { type: 'agent.dnd', agentId: 'a', dnd: false });
    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'a', at: 4 * S });
    core.checkInvariants();
  });

  it('sends a call to the next agent of the queue when the first is in do-not-disturb', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q', 'b@q']));
    core.login(0, 'a');
    core.login(1 * S, 'b');
    core.input(2 * S, { type: 'agent.dnd', agentId: 'b', dnd: true });

    core.enqueue(3 * S, 'c1', 'q');

    expect(core.lastOffer()).toEqual({ callId: 'c1', agentId: 'a', at: 3 * S });
  });

  it('keeps do-not-disturb across a logout and a login, and ignores an unknown agent', () => {
    const core = new Core(aConfig([aQueue('q')], ['a@q']));
    core.login(0, 'a');
    core.input(1 * S, { type: 'agent.dnd', agentId: 'a', dnd: true });
    core.input(2 * S, { type: 'agent.logout', agentId: 'a' });
    core.login(3 * S, 'a');
    core.enqueue(4 * S, 'c1', 'q');
    core.input(5 * S, { type: 'agent.dnd', agentId: 'ghost', dnd: true });

    expect(core.lastOffer()).toBeUndefined();
    expect(core.events.at(-1)).toEqual({ type: 'ignored', input: 'agent.dnd', reason: 'unknown agent' });
  });
});
