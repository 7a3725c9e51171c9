import { describe, expect, it } from 'vitest';
import type { RoutingConfig } from '../../src/routing/types.js';
import { aConfig, aQueue, Core } from '../support/core.js';

const S = 1000;

/** q requires callers' skills and relaxes them after `relaxMs` (0 = never); a: en 50, b: en 90 fr 30, c: none. */
function skilled(relaxMs: number, required = true): RoutingConfig {
  const cfg = aConfig([aQueue('q', { skillsRequired: required, skillsRelaxAfterMs: relaxMs })], ['a@q', 'b@q', 'c@q']);
  cfg.agents = [
    { id: 'a', skills: { en: 50 } },
    { id: 'b', skills: { en: 90, fr: 30 } },
    { id: 'c' },
  ];
  return cfg;
}

describe('routing core: skills', () => {
  it.each([
    ['no skills needed', undefined, 'a'],
    ['en 40: a (longest idle) qualifies', { en: 40 }, 'a'],
    ['en 60: only b', { en: 60 }, 'b'],
    ['en 50 exactly: a qualifies at its level', { en: 50 }, 'a'],
    ['en 1 and fr 30: only b', { en: 1, fr: 30 }, 'b'],
    ['fr 31: nobody', { fr: 31 }, undefined],
  ] as const)('offers %s', (_name, skills, agent) => {
    const core = new Core(skilled(0));
    core.login(0, 'a');
    core.login(1, 'b');
    core.login(2, 'c');
    core.input(10 * S, { type: 'call.enqueue', callId: 'x', queueId: 'q', ...(skills ? { skills } : {}) });
    expect(core.lastOffer()?.agentId).toBe(agent);
    core.checkInvariants();
  });

  it('ignores callers skills in a queue that does not require them', () => {
    const core = new Core(skilled(0, false));
    core.login(0, 'c');
    core.input(1 * S, { type: 'call.enqueue', callId: 'x', queueId: 'q', skills: { fr: 99 } });
    expect(core.lastOffer()).toEqual({ callId: 'x', agentId: 'c', at: 1 * S });
  });

  it('relaxes the requirement exactly at enter time + skills_relax_after_s, not a millisecond before', () => {
    const core = new Core(skilled(30 * S));
    core.login(0, 'c');
    const cmds = core.input(5 * S, { type: 'call.enqueue', callId: 'x', queueId: 'q', skills: { fr: 80 } });
    expect(cmds).toContainEqual({ type: 'timer.set', key: 'skills:x', at: 35 * S, gen: expect.any(Number) });
    core.runTimersUntil(35 * S - 1);
    expect(core.lastOffer()).toBeUndefined();
    core.runTimersUntil(35 * S);
    expect(core.lastOffer()).toEqual({ callId: 'x', agentId: 'c', at: 35 * S });
    core.checkInvariants();
  });

  it('lets an unskilled agent take a later call it qualifies for while an earlier skilled call waits', () => {
    const core = new Core(skilled(0));
    core.login(0, 'a');
    core.input(1 * S, { type: 'call.enqueue', callId: 'x1', queueId: 'q', skills: { fr: 10 } });
    core.input(2 * S, { type: 'call.enqueue', callId: 'x2', queueId: 'q' });
    expect(core.lastOffer()).toEqual({ callId: 'x2', agentId: 'a', at: 2 * S });
    core.login(3 * S, 'b');
    expect(core.lastOffer()).toEqual({ callId: 'x1', agentId: 'b', at: 3 * S });
    core.checkInvariants();
  });

  it('keeps the skills of a caller who asked to be called back (virtual waiter)', () => {
    const core = new Core(skilled(0));
    core.login(0, 'a');
    core.input(1 * S, { type: 'virtual.enqueue', callId: 'v', queueId: 'q', enqueuedAt: 0, offerTimeoutMs: 60 * S, skills: { en: 80 } });
    expect(core.lastOffer()).toBeUndefined();
    core.login(2 * S, 'b');
    expect(core.lastOffer()).toEqual({ callId: 'v', agentId: 'b', at: 2 * S });
  });

  it('offers a waiting skilled call at once to an agent that gains the skill live (config.apply)', () => {
    const core = new Core(skilled(0));
    core.login(0, 'a');
    core.input(1 * S, { type: 'call.enqueue', callId: 'x', queueId: 'q', skills: { de: 70 } });
    expect(core.lastOffer()).toBeUndefined();
    const next = skilled(0);
    next.agents = [{ id: 'a', skills: { en: 50, de: 69 } }, ...next.agents.slice(1)];
    core.input(2 * S, { type: 'config.apply', config: next });
    expect(core.lastOffer()).toBeUndefined();
    next.agents = [{ id: 'a', skills: { en: 50, de: 70 } }, ...next.agents.slice(1)];
    core.input(2 * S + 1, { type: 'config.apply', config: next });
    expect(core.lastOffer()).toEqual({ callId: 'x', agentId: 'a', at: 2 * S + 1 });
    core.checkInvariants();
  });

  it('stops offering skilled calls to an agent whose skill was removed live', () => {
    const core = new Core(skilled(0));
    core.login(0, 'b');
    const next = skilled(0);
    next.agents = [next.agents[0]!, { id: 'b', skills: { en: 90 } }, next.agents[2]!];
    core.input(1 * S, { type: 'config.apply', config: next });
    core.input(2 * S, { type: 'call.enqueue', callId: 'x', queueId: 'q', skills: { fr: 10 } });
    expect(core.lastOffer()).toBeUndefined();
    core.input(3 * S, { type: 'call.enqueue', callId: 'y', queueId: 'q', skills: { en: 90 } });
    expect(core.lastOffer()).toEqual({ callId: 'y', agentId: 'b', at: 3 * S });
    core.checkInvariants();
  });
});
