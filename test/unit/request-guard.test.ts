import { describe, expect, it } from 'vitest';
import { RequestGuard } from '../../src/pbx/asterisk/request-guard.js';

describe('RequestGuard', () => {
  it('aborts with timedOut when the time-out passes', async () => {
    const g = new RequestGuard(10, new AbortController().signal, undefined);
    await new Promise((r) => setTimeout(r, 30));
    expect(g.signal.aborted).toBe(true);
    expect(g.timedOut).toBe(true);
    g.dispose();
  });

  it('aborts without timedOut when the cut or the caller aborts', () => {
    const cut = new AbortController();
    const caller = new AbortController();
    const a = new RequestGuard(1000, cut.signal, caller.signal);
    const b = new RequestGuard(1000, cut.signal, undefined);
    caller.abort();
    expect(a.signal.aborted).toBe(true);
    expect(b.signal.aborted).toBe(false);
    cut.abort();
    expect(b.signal.aborted).toBe(true);
    expect(a.timedOut || b.timedOut).toBe(false);
    a.dispose();
    b.dispose();
  });

  it('is aborted at once when the caller had aborted already', () => {
    const caller = new AbortController();
    caller.abort();
    const g = new RequestGuard(1000, new AbortController().signal, caller.signal);
    expect(g.signal.aborted).toBe(true);
    g.dispose();
  });

  it('stops listening once disposed when the cut aborts later', async () => {
    const cut = new AbortController();
    const g = new RequestGuard(10, cut.signal, undefined);
    g.dispose();
    cut.abort();
    await new Promise((r) => setTimeout(r, 30));
    expect(g.signal.aborted).toBe(false);
    expect(g.timedOut).toBe(false);
  });
});
