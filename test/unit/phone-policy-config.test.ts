import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../../src/domain/config.js';
import { checkNumber, policyFor } from '../../src/outbound/phone-call.js';
import { configFrom } from '../support/sim-world.js';

const base = (phone_policies: unknown): ConfigInput =>
  ({
    groups: [{ id: 'g' }],
    agents: [
      { id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['g'] },
      { id: 'a2', phone: { type: 'sip', endpoint: '1002' } },
    ],
    phone_policies,
  }) as ConfigInput;

describe('phone_policies configuration', () => {
  it('names the field of an unknown agent or group, an empty policy, a bad pattern and a duplicate id', () => {
    const parsed = parseConfig(
      base([
        { id: 'p1', agents: ['ghost'], allow: ['^0'] },
        { id: 'p2', groups: ['nope'], allow: ['^0'] },
        { id: 'p3', allow: ['^0'] },
        { id: 'p4', agents: ['a1'], allow: ['(unclosed'] },
        { id: 'p1', agents: ['a1'], allow: ['^0'] },
      ]),
    );

    expect(parsed.ok).toBe(false);
    const issues = parsed.ok ? [] : parsed.issues.map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'phone_policies[0].agents[0]: unknown agent "ghost"',
        'phone_policies[1].groups[0]: unknown group "nope"',
        'phone_policies[2].agents: name at least one agent or group',
        'phone_policies[3].allow[0]: a valid regular expression',
        'phone_policies[4].id: duplicate id "p1"',
      ]),
    );
  });

  it("picks an agent's own policy before its group's, and none for an agent without either", () => {
    const config = configFrom(base([{ id: 'group', groups: ['g'], allow: ['^0[1-9]'] }, { id: 'own', agents: ['a1'], allow: ['^\\+'] }]));
    const [a1, a2] = config.agents;

    expect(policyFor(config, a1!)?.id).toBe('own');
    expect(policyFor(config, a2!)).toBeUndefined();
    expect(checkNumber(config, a1!, '+4420')).toMatchObject({ ok: true });
    expect(checkNumber(config, a1!, '0612')).toEqual({ ok: false, reason: 'forbidden-number' });
    expect(checkNumber(config, a2!, '0612')).toEqual({ ok: false, reason: 'no-policy' });
  });

  it('refuses a number matching deny even when allow matches', () => {
    const config = configFrom(base([{ id: 'p', groups: ['g'], allow: ['^0'], deny: ['^089'] }]));

    expect(checkNumber(config, config.agents[0]!, '0891234567')).toEqual({ ok: false, reason: 'forbidden-number' });
    expect(checkNumber(config, config.agents[0]!, '0612345678')).toMatchObject({ ok: true });
  });
});
