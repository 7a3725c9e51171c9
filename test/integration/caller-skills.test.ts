import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/calls/engine.js';
import type { CallHooks } from '../../src/calls/hooks.js';
import { silentLogger } from '../../src/infra/logger.js';
import { parseConfig, type ConfigInput } from '../../src/domain/config.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

const S = 1000;

/**
 * `sales` routes on callers' skills. Agent a (longest idle) has no Spanish, b has spanish 60,
 * c has spanish 90 and billing 40. Number 100 goes through the IVR, 200 straight to sales.
 */
const base = (): ConfigInput => ({
  numbers: [
    { id: 'ivr', number: '100', enable_ivr: true, ivr: 'm' },
    { id: 'direct', number: '200', queue: 'sales' },
  ],
  ivrs: [
    {
      id: 'm',
      root: 'top',
      nodes: [
        {
          id: 'top',
          prompts: { default: ['menu'] },
          keys: {
            '1': { action: 'queue', queue: 'sales' },
            '2': { action: 'queue', queue: 'sales', skills: { spanish: 50 } },
            '3': { action: 'node', node: 'billing', skills: { spanish: 70 } },
          },
        },
        { id: 'billing', prompts: { default: ['billing-menu'] }, keys: { '1': { action: 'queue', queue: 'sales', skills: { billing: 10, spanish: 20 } } } },
      ],
    },
  ],
  queues: [{ id: 'sales', groups: [{ group: 'g', priority: 1 }], skills: { required: true } }],
  groups: [{ id: 'g' }],
  agents: [
    { id: 'a', phone: { type: 'sip', endpoint: 'a' }, groups: ['g'], auto_login: true },
    { id: 'b', phone: { type: 'sip', endpoint: 'b' }, groups: ['g'], auto_login: true, skills: { spanish: 60 } },
    { id: 'c', phone: { type: 'sip', endpoint: 'c' }, groups: ['g'], auto_login: true, skills: { spanish: 90, billing: 40 } },
  ],
  webhooks: { timeout_ms: 1500 },
});

describe('caller skills on the simulated PBX', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());

  async function answeredBy(world: SimWorld, from: string, to: string, keys: { digit: string; afterMs: number }[] = []): Promise<string | null | undefined> {
    for (const a of ['a', 'b', 'c']) world.pbx.setPhone(a, { behavior: 'answer', answerAfterMs: 1000, talkMs: 5_000 });
    world.pbx.placeCall({ to, from, keys });
    await world.clock.runFor(60 * S);
    const cdr = world.store.cdrs.all().find((c) => c.caller === from);
    return cdr?.agentId;
  }

  it('offers the call only to agents holding the skills the lookup answer gave', async () => {
    const hooks: CallHooks = { lookup: async (req) => (req.from === '+34600' ? { skills: { spanish: 70 } } : undefined) };
    w = await simWorld(configFrom(base()), { hooks });

    expect(await answeredBy(w, '+34600', '200')).toBe('c');
  });

  it('offers the longest idle agent when the lookup gives no skills', async () => {
    w = await simWorld(configFrom(base()), { hooks: { lookup: async () => undefined } });

    expect(await answeredBy(w, '+1', '200')).toBe('a');
  });

  it('requires the skills of the IVR key the caller pressed', async () => {
    w = await simWorld(configFrom(base()));

    expect(await answeredBy(w, '+2', '100', [{ digit: '2', afterMs: 2000 }])).toBe('b');
    expect(await answeredBy(w, '+3', '100', [{ digit: '1', afterMs: 2000 }])).toBe('a');
  });

  it('keeps the higher level of each skill along the IVR path and from the lookup', async () => {
    // Key 3 needs spanish 70, then key 1 adds billing 10 (spanish 20 is lower): only c qualifies.
    w = await simWorld(configFrom(base()));
    expect(await answeredBy(w, '+4', '100', [{ digit: '3', afterMs: 2000 }, { digit: '1', afterMs: 4000 }])).toBe('c');
  });

  it('merges lookup skills with IVR skills', async () => {
    // Lookup: billing 1; key 2: spanish 50 → b (no billing) is skipped, c takes it.
    w = await simWorld(configFrom(base()), { hooks: { lookup: async () => ({ skills: { billing: 1 } }) } });

    expect(await answeredBy(w, '+5', '100', [{ digit: '2', afterMs: 2000 }])).toBe('c');
  });

  it('journals the skills of a queued caller', async () => {
    w = await simWorld(configFrom(base()));
    for (const a of ['b', 'c']) w.pbx.setPhone(a, { behavior: 'reject' });
    w.engine.router.input({ type: 'agent.logout', agentId: 'b' });
    w.engine.router.input({ type: 'agent.logout', agentId: 'c' });
    w.pbx.placeCall({ to: '100', from: '+6', keys: [{ digit: '2', afterMs: 2000 }] });
    await w.clock.runFor(10 * S);

    const [entry] = w.store.journal.all();
    expect(entry).toMatchObject({ step: 'queued', skills: { spanish: 50 } });
  });

  it('queues a caller taken up after an engine restart with the skills it had', async () => {
    w = await simWorld(configFrom(base()));
    for (const id of ['b', 'c']) w.engine.router.input({ type: 'agent.logout', agentId: id });
    w.pbx.setPhone('a', { behavior: 'answer', answerAfterMs: 1000, talkMs: 5000 });
    w.engine.router.input({ type: 'agent.logout', agentId: 'a' });
    w.pbx.placeCall({ to: '100', from: '+7', keys: [{ digit: '2', afterMs: 2000 }] });
    await w.clock.runFor(10 * S);
    const callId = w.store.journal.all()[0]!.callId;

    w.engine.halt();
    const e2 = new Engine({ pbx: w.pbx, clock: w.clock, log: silentLogger(), store: w.store, config: w.store.config.load(), newCallId: () => 'call-r1', seed: 2 });
    await e2.start();
    await w.clock.runFor(S);

    expect(e2.router.state.calls.get(callId)).toMatchObject({ state: 'waiting', skills: { spanish: 50 } });
    await e2.stop();
  });
});

describe('IVR key skills in the configuration', () => {
  it.each([
    ['a level above 100', { spanish: 101 }, 'ivrs[0].nodes[0].keys.2.skills.spanish'],
    ['a level of 0', { spanish: 0 }, 'ivrs[0].nodes[0].keys.2.skills.spanish'],
    ['a fractional level', { spanish: 2.5 }, 'ivrs[0].nodes[0].keys.2.skills.spanish'],
    ['a bad skill name', { 'no spaces': 5 }, 'ivrs[0].nodes[0].keys.2.skills'],
  ])('rejects %s naming the field', (_name, skills, path) => {
    const input = base();
    const node = (input.ivrs as { nodes: { keys: Record<string, Record<string, unknown>> }[] }[])[0]!.nodes[0]!;
    node.keys['2'] = { action: 'queue', queue: 'sales', skills };

    const parsed = parseConfig(input);

    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues.map((i) => i.path)).toContainEqual(expect.stringContaining(path));
  });
});
