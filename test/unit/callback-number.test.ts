import { describe, expect, it } from 'vitest';
import { numberEntrySchema } from '../../src/domain/virtual-queue.js';
import { silentLogger } from '../../src/infra/logger.js';
import { askCallbackNumber, MAX_TYPED_DIGITS, type NumberEntryIo } from '../../src/outbound/callback-number.js';

/** A caller who types `keys` in order (undefined = a time-out); records what it heard. */
function scripted(keys: (string | undefined)[], dialable = (n: string) => /^0[1-9][0-9]{8}$/.test(n)) {
  const heard: string[] = [];
  const io: NumberEntryIo = {
    log: silentLogger(),
    play: async (prompts) => void heard.push(prompts.default!.join(' ')),
    playList: async (list) => void heard.push(list.join(' ')),
    nextKey: async () => (keys.length > 0 ? keys.shift() : undefined),
    clearKeys: () => undefined,
    dialable,
  };
  return { io, heard };
}

const cfg = numberEntrySchema.parse({ attempts: 2 });
const typed = (s: string) => [...s];

describe('askCallbackNumber', () => {
  it('returns the typed number when it is confirmed with 1 after the read-back', async () => {
    const { io, heard } = scripted([...typed('0612345678#'), '1']);

    expect(await askCallbackNumber(cfg, io)).toEqual({ kind: 'typed', number: '0612345678', attempts: 1 });
    expect(heard).toEqual(['switchboard/vq-enter-number', 'switchboard/vq-number-readback', typed('0612345678').map((d) => `sound:digits/${d}`).join(' '), 'switchboard/vq-number-confirm']);
  });

  it('starts the number over on *', async () => {
    const { io } = scripted([...typed('0699*0612345678#'), '1']);

    expect(await askCallbackNumber(cfg, io)).toMatchObject({ kind: 'typed', number: '0612345678' });
  });

  it('keeps the caller id when # comes first', async () => {
    const { io } = scripted(['#']);

    expect(await askCallbackNumber(cfg, io)).toEqual({ kind: 'caller-id', reason: 'chosen', attempts: 1 });
  });

  it('asks again after 2, a refused number, or too many digits, and gives up after the attempts', async () => {
    const { io, heard } = scripted([...typed('0612345678#'), '2', ...typed('1'.repeat(MAX_TYPED_DIGITS + 1))]);

    expect(await askCallbackNumber(cfg, io)).toEqual({ kind: 'caller-id', reason: 'attempts', attempts: 2 });
    expect(heard.filter((h) => h.includes('vq-enter-number'))).toHaveLength(2);
  });

  it('says a refused number is refused and takes the next one', async () => {
    const { io, heard } = scripted([...typed('123#'), ...typed('0612345678#'), '1']);

    expect(await askCallbackNumber(cfg, io)).toEqual({ kind: 'typed', number: '0612345678', attempts: 2 });
    expect(heard).toContain('switchboard/vq-number-invalid');
  });
});
