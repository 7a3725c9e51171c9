import { describe, expect, it } from 'vitest';
import { PbxError } from '../../src/pbx/port.js';
import { RequestGuard } from '../../src/pbx/asterisk/request-guard.js';
import { RequestSlots } from '../../src/pbx/asterisk/request-slots.js';

describe('RequestGuard', () => {
  it('is cancelled by its time-out, and tells the waiter once', async () => {
    const live = new Set<RequestGuard>();
    const g = new RequestGuard(10, live, undefined);
    let told = 0;
    g.onCancel = () => told++;
    expect(live.has(g)).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    expect(g.cancelled).toBe('timeout');
    expect(g.timedOut).toBe(true);
    g.cancel('aborted');
    expect(g.cancelled).toBe('timeout');
    expect(told).toBe(1);
    g.dispose();
    expect(live.size).toBe(0);
  });

  it("is cancelled by the caller's signal (only its own) and by a cut with the cut's reason", () => {
    const live = new Set<RequestGuard>();
    const caller = new AbortController();
    const a = new RequestGuard(1000, live, caller.signal);
    const b = new RequestGuard(1000, live, undefined);
    caller.abort();
    expect(a.cancelled).toBe('aborted');
    expect(b.cancelled).toBeUndefined();
    const lost = new PbxError('DISCONNECTED', 'Asterisk lost');
    for (const g of live) g.cancel(lost);
    expect(b.cancelled).toBe(lost);
    expect(a.cancelled).toBe('aborted');
    expect(a.timedOut || b.timedOut).toBe(false);
    a.dispose();
    b.dispose();
  });

  it('is cancelled at once when the caller had aborted already', () => {
    const caller = new AbortController();
    caller.abort();
    const g = new RequestGuard(1000, new Set(), caller.signal);
    expect(g.cancelled).toBe('aborted');
    g.dispose();
  });

  it('once disposed, neither its time-out nor the caller cancel it', async () => {
    const caller = new AbortController();
    const g = new RequestGuard(10, new Set(), caller.signal);
    g.dispose();
    caller.abort();
    await new Promise((r) => setTimeout(r, 30));
    expect(g.cancelled).toBeUndefined();
  });
});

describe('RequestSlots', () => {
  it('queues past its bound in arrival order; a cancelled waiter leaves the line', async () => {
    const slots = new RequestSlots(1);
    const live = new Set<RequestGuard>();
    const [a, b, c] = [new RequestGuard(1000, live, undefined), new RequestGuard(1000, live, undefined), new RequestGuard(1000, live, undefined)];
    await slots.acquire(a);
    const order: string[] = [];
    const pb = slots.acquire(b).then(() => order.push('b'), () => order.push('b cancelled'));
    const pc = slots.acquire(c).then(() => order.push('c'));
    expect(slots.load).toEqual({ inFlight: 1, waiting: 2 });
    b.cancel('aborted');
    await pb;
    expect(slots.load.waiting).toBe(1);
    slots.release();
    await pc;
    expect(order).toEqual(['b cancelled', 'c']);
    for (const g of live) g.dispose();
  });
});
