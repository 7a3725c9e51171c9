import { describe, expect, it } from 'vitest';
import { DEFAULT_PAUSE_REASONS, parseConfig } from '../../src/domain/config.js';

describe('pause_reasons configuration', () => {
  it('defaults to break, lunch, training and meeting when the file names none', () => {
    const parsed = parseConfig({});
    expect(parsed.ok && parsed.config.pause_reasons).toEqual(['break', 'lunch', 'training', 'meeting']);
    expect(DEFAULT_PAUSE_REASONS).toEqual(['break', 'lunch', 'training', 'meeting']);
  });

  it('keeps the configured reasons in order, trimmed', () => {
    const parsed = parseConfig({ pause_reasons: [' coaching ', 'lunch'] });
    expect(parsed.ok && parsed.config.pause_reasons).toEqual(['coaching', 'lunch']);
  });

  it('names the field of an empty list, an empty reason and a reason listed twice', () => {
    const empty = parseConfig({ pause_reasons: [] });
    expect(empty.ok ? [] : empty.issues).toEqual([{ path: 'pause_reasons', message: 'list at least one reason' }]);
    const blank = parseConfig({ pause_reasons: ['lunch', '  '] });
    expect(blank.ok ? [] : blank.issues).toEqual([{ path: 'pause_reasons[1]', message: 'a reason cannot be empty' }]);
    const twice = parseConfig({ pause_reasons: ['lunch', 'lunch'] });
    expect(twice.ok ? [] : twice.issues).toEqual([{ path: 'pause_reasons', message: 'each reason once' }]);
  });
});
