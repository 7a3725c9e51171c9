import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigFileError, loadConfigFile } from '../../src/infra/config-file.js';

const VALID = `
groups:
  - id: g1
queues:
  - id: sales
    groups:
      - group: g1
numbers:
  - id: main
    number: "+15550100"
    queue: sales
agents:
  - id: alice
    phone: { type: sip, endpoint: alice }
    groups: [g1]
memberships:
  - { agent: alice, queue: sales, penalty: 2 }
`;

describe('loadConfigFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function aFile(text: string): string {
    const path = join(dir, 'switchboard.yaml');
    writeFileSync(path, text);
    return path;
  }

  function errorOf(path: string): ConfigFileError {
    try {
      loadConfigFile(path);
    } catch (err) {
      if (err instanceof ConfigFileError) return err;
      throw err;
    }
    throw new Error('expected ConfigFileError');
  }

  it('returns the config with defaults applied when the file is valid', () => {
    const path = aFile(VALID);

    const config = loadConfigFile(path);

    expect(config.queues[0]).toMatchObject({ id: 'sales', strategy: 'longest-idle', groups: [{ group: 'g1', priority: 1 }] });
    expect(config.numbers[0]).toMatchObject({ id: 'main', number: '+15550100', language: 'en', enable_ivr: false });
    expect(config.memberships).toEqual([{ agent: 'alice', queue: 'sales', penalty: 2 }]);
    expect(config.ivrs).toEqual([]);
  });

  it('returns an empty config when the file is empty', () => {
    const config = loadConfigFile(aFile(''));

    expect(config).toEqual({
      numbers: [],
      ivrs: [],
      queues: [],
      groups: [],
      agents: [],
      memberships: [],
      lines: [],
      webhooks: { timeout_ms: 2000, retries: 3, project_id: 0 },
      click_to_call: { allow: '^\\+?[0-9]{3,15}$', answer_timeout_s: 30 },
      phone_policies: [],
      pause_reasons: ['break', 'lunch', 'training', 'meeting'],
    });
  });

  it.each([
    {
      problem: 'an unknown group reference',
      text: VALID.replace('- group: g1', '- group: g9'),
      path: 'queues[0].groups[0].group',
      message: 'unknown group "g9"',
    },
    {
      problem: 'a wrong type',
      text: VALID.replace('penalty: 2', 'penalty: high'),
      path: 'memberships[0].penalty',
      message: 'expected number',
    },
    {
      problem: 'a missing required field',
      text: VALID.replace('    number: "+15550100"\n', ''),
      path: 'numbers[0].number',
      message: 'expected string',
    },
  ])('throws ConfigFileError naming the file and field path when the file has $problem', ({ text, path, message }) => {
    const file = aFile(text);

    const err = errorOf(file);

    expect(err.issues).toEqual([{ path, message: expect.stringContaining(message) }]);
    expect(err.message).toContain(`${file}: ${path}: `);
    expect(err.message).toContain(message);
  });

  it('throws ConfigFileError naming the line and column when the YAML is malformed', () => {
    const file = aFile('queues:\n  - id: sales\n    name: [unclosed\n');

    const err = errorOf(file);

    expect(err.issues.length).toBeGreaterThan(0);
    expect(err.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: YAML syntax error at line \\d+, column \\d+: `));
  });

  it('lists every issue when the file has several', () => {
    const file = aFile(VALID.replace('- group: g1', '- group: g9').replace('groups: [g1]', 'groups: [g8]'));

    const err = errorOf(file);

    expect(err.issues.map((i) => i.path)).toEqual(['queues[0].groups[0].group', 'agents[0].groups[0]']);
    expect(err.message.split('\n')).toHaveLength(2);
  });
});

describe('queue exits', () => {
  it('refuses exits that loop between queues, naming the field', async () => {
    const { parseConfig } = await import('../../src/domain/config.js');
    const result = parseConfig({
      queues: [
        { id: 'a', exit: { action: 'queue', queue: 'b' } },
        { id: 'b', exit: { action: 'queue', queue: 'a' } },
        { id: 'c', exit: { action: 'queue', queue: 'a' } },
      ],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues).toEqual([
        { path: 'queues[0].exit.queue', message: 'exits loop back to queue "a"' },
        { path: 'queues[1].exit.queue', message: 'exits loop back to queue "b"' },
      ]);
    }
  });
});
