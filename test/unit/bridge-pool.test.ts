import { afterEach, describe, expect, it, vi } from 'vitest';
import { BridgePool } from '../../src/pbx/asterisk/bridge-pool.js';
import type { BridgeId, LegId } from '../../src/pbx/port.js';

const b = (s: string) => s as BridgeId;
const l = (s: string) => s as LegId;

afterEach(() => {
  vi.useRealTimers();
});

describe('BridgePool', () => {
  it('keeps a released bridge for the next call once every leg in it has ended', () => {
    const destroyed: BridgeId[] = [];
    const pool = new BridgePool({ destroy: (x) => destroyed.push(x) });
    pool.joined(b('br1'), [l('caller'), l('agent')]);
    pool.legEnded(l('agent'));
    expect(pool.release(b('br1'))).toBe(true);
    expect(pool.take()).toBeUndefined(); // the caller is still in it
    pool.legEnded(l('caller'));
    expect(pool.take()).toBe('br1');
    expect(pool.take()).toBeUndefined();
    expect(destroyed).toEqual([]);
  });

  it('waits only for the legs of the call now in a reused bridge when legs of the previous call end again', () => {
    const pool = new BridgePool({ destroy: () => undefined });
    pool.joined(b('br1'), [l('c1'), l('a1')]);
    pool.release(b('br1'));
    pool.legEnded(l('c1'));
    pool.legEnded(l('a1'));
    const reused = pool.take()!;
    pool.joined(reused, [l('c2'), l('a2')]);
    pool.release(reused);

    pool.legEnded(l('c1'));
    pool.legEnded(l('x'));
    pool.legEnded(l('c2'));

    expect(pool.take()).toBeUndefined(); // a2 is still in it
    pool.legEnded(l('a2'));
    expect(pool.take()).toBe('br1');
  });

  it('counts a leg in the last bridge it joined when it moves to another one', () => {
    const pool = new BridgePool({ destroy: () => undefined });
    pool.joined(b('br1'), [l('c'), l('a')]);
    pool.release(b('br1'));
    pool.legEnded(l('c'));

    pool.joined(b('br2'), [l('a')]);

    expect(pool.take()).toBe('br1'); // released and left empty by the move
    pool.release(b('br2'));
    expect(pool.take()).toBeUndefined();
    pool.legEnded(l('a'));
    expect(pool.take()).toBe('br2');
  });

  it('does not keep a bridge that had music on hold, a recording or a leg taken out', () => {
    const pool = new BridgePool({ destroy: () => undefined });
    pool.joined(b('br1'), [l('a')]);
    pool.taint(b('br1'));
    pool.legEnded(l('a'));
    expect(pool.release(b('br1'))).toBe(false);
    expect(pool.size).toBe(0);
  });

  it('does not keep a bridge it never saw legs join (taken up after a restart)', () => {
    const pool = new BridgePool({ destroy: () => undefined });
    expect(pool.release(b('unknown'))).toBe(false);
  });

  it('destroys a released bridge whose legs have not ended within the drain time', () => {
    vi.useFakeTimers();
    const destroyed: BridgeId[] = [];
    const pool = new BridgePool({ destroy: (x) => destroyed.push(x), drainMs: 1000 });
    pool.joined(b('br1'), [l('stuck')]);
    expect(pool.release(b('br1'))).toBe(true);
    vi.advanceTimersByTime(1001);
    expect(destroyed).toEqual(['br1']);
    pool.legEnded(l('stuck'));
    expect(pool.take()).toBeUndefined();
  });

  it('keeps at most `max` idle bridges and hands every kept one back on drain', () => {
    const pool = new BridgePool({ destroy: () => undefined, max: 1 });
    pool.joined(b('br1'), []);
    pool.joined(b('br2'), []);
    expect(pool.release(b('br1'))).toBe(true);
    expect(pool.release(b('br2'))).toBe(false);
    expect(pool.drain()).toEqual(['br1']);
    expect(pool.size).toBe(0);
  });
});
