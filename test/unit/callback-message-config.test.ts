import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/domain/config.js';
import { openStore } from '../../src/store/store.js';

const queue = (extra: Record<string, unknown>) => ({ queues: [{ id: 'q', ...extra }] });

describe('queue callback_message configuration', () => {
  it('fills the defaults (key 2, 60 s, 5 s of silence, the leave-a-message and saved prompts) and survives the config store', () => {
    const parsed = parseConfig(queue({ callback_message: { list: 'l1' } }));
    expect(parsed.ok && parsed.config.queues[0]!.callback_message).toEqual({
      key: '2', list: 'l1', max_s: 60, silence_s: 5,
      prompt: { default: ['switchboard/vq-leave-message'] }, confirm: { default: ['switchboard/cb-message-saved'] },
    });
    const store = openStore(':memory:');
    if (parsed.ok) store.config.replaceAll(parsed.config);
    expect(store.config.load().queues[0]!.callback_message).toMatchObject({ key: '2', list: 'l1' });
    store.close();
  });

  it.each([
    ['a missing list', { callback_message: {} }, 'queues[0].callback_message.list'],
    ['# as the key (it ends a message)', { callback_message: { list: 'l1', key: '#' } }, 'queues[0].callback_message.key'],
    ['a message longer than 600 s', { callback_message: { list: 'l1', max_s: 601 } }, 'queues[0].callback_message.max_s'],
    ['the virtual_queue key', { callback_message: { list: 'l1', key: '1' }, virtual_queue: { key: '1' } }, 'queues[0].callback_message.key'],
  ])('refuses %s naming the field', (_name, extra, path) => {
    const parsed = parseConfig(queue(extra));
    expect(parsed.ok ? [] : parsed.issues.map((i) => i.path)).toEqual([path]);
  });
});
