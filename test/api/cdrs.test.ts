import { afterEach, describe, expect, it } from 'vitest';
import type { Cdr } from '../../src/domain/cdr.js';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);

function aCdr(n: number, over: Partial<Cdr> = {}): Cdr {
  const startedAt = T0 + n * 60_000;
  return {
    callId: `c-${String(n).padStart(4, '0')}`, legId: `leg-${n}`, direction: 'inbound', numberId: 'B', dialled: '2000',
    caller: `555${n}`, callerName: null, startedAt, answeredAt: startedAt, endedAt: startedAt + 30_000, ivrPath: null,
    language: 'en', queueId: 'q1', enqueuedAt: startedAt, waitMs: 5000, agentId: '1001', agentLegId: `al-${n}`,
    connectedAt: startedAt + 5000, talkMs: 25_000, holdMs: 0, hangupSide: 'caller', hangupCause: 'normal', recording: null,
    disposition: 'answered', variables: {}, segments: [], ...over,
  };
}

describe('CDR query (reportsCDRLogs)', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('pages 250 records by 100 with a cursor, then null', async () => {
    w = await apiWorld();
    for (let n = 0; n < 250; n++) w.store.cdrs.insert(aCdr(n));
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const qs = new URLSearchParams({ startdate: new Date(T0).toISOString(), finishdate: '2026-11-02', ...(cursor ? { cursor } : {}) });
      const res = await w.request('GET', `/cdrs?${qs}`, { token: w.adminKey });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { cursor: string | null; CallList: Cdr[] };
      sizes.push(body.CallList.length);
      seen.push(...body.CallList.map((c) => c.callId));
      cursor = body.cursor;
    } while (cursor);
    expect(sizes).toEqual([100, 100, 50]);
    expect(new Set(seen).size).toBe(250);
    expect(seen[0]).toBe('c-0000');
  });

  it('accepts epoch milliseconds, with finishdate inclusive', async () => {
    w = await apiWorld();
    for (let n = 0; n < 5; n++) w.store.cdrs.insert(aCdr(n));
    const res = await w.request('GET', `/cdrs?startdate=${T0 + 60_000}&finishdate=${T0 + 3 * 60_000}`, { token: w.adminKey });
    expect(res.json().CallList.map((c: Cdr) => c.callId)).toEqual(['c-0001', 'c-0002', 'c-0003']);
    expect(res.json().cursor).toBeNull();
  });

  it('finds one call by activecallkey, or an empty list', async () => {
    w = await apiWorld();
    w.store.cdrs.insert(aCdr(1));
    const hit = await w.request('GET', '/cdrs?activecallkey=c-0001', { token: w.adminKey });
    expect(hit.json()).toEqual({ cursor: null, CallList: [aCdr(1)] });
    const miss = await w.request('GET', '/cdrs?activecallkey=c-9999', { token: w.adminKey });
    expect(miss.json()).toEqual({ cursor: null, CallList: [] });
  });

  it('refuses missing or bad dates and a forged cursor with 400 naming the parameter', async () => {
    w = await apiWorld();
    const missing = await w.request('GET', '/cdrs', { token: w.adminKey });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['query.startdate', 'query.finishdate']);
    const bad = await w.request('GET', '/cdrs?startdate=yesterday&finishdate=2026-11-02', { token: w.adminKey });
    expect(bad.json().error.issues).toEqual([{ path: 'query.startdate', message: 'an ISO 8601 date or epoch milliseconds' }]);
    const forged = await w.request('GET', '/cdrs?startdate=0&finishdate=1&cursor=abc', { token: w.adminKey });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.issues).toEqual([{ path: 'query.cursor', message: 'invalid cursor' }]);
  });

  it('shows a supervisor only the CDRs of its queues, across pages', async () => {
    w = await apiWorld();
    for (let n = 0; n < 250; n++) w.store.cdrs.insert(aCdr(n, { queueId: n % 5 === 0 ? 'q2' : 'q1' }));
    const token = await w.userSession('sup', 'supervisor', { queues: ['q2'] });
    const res = await w.request('GET', `/cdrs?startdate=${T0}&finishdate=2026-11-02`, { token });
    const body = res.json();
    expect(body.CallList).toHaveLength(50);
    expect(body.CallList.every((c: Cdr) => c.queueId === 'q2')).toBe(true);
    expect(body.cursor).toBeNull();
    expect((await w.request('GET', '/cdrs?activecallkey=c-0001', { token })).json().CallList).toEqual([]);
  });

  it('shows an agent only its own calls', async () => {
    w = await apiWorld();
    for (let n = 0; n < 10; n++) w.store.cdrs.insert(aCdr(n, { agentId: n < 3 ? '1002' : '1001' }));
    const token = await w.userSession('bob', 'agent', { agentId: '1002' });
    const res = await w.request('GET', `/cdrs?startdate=${T0}&finishdate=2026-11-02`, { token });
    expect(res.json().CallList.map((c: Cdr) => c.callId)).toEqual(['c-0000', 'c-0001', 'c-0002']);
  });

  it('returns the CDR of a simulated call', async () => {
    w = await apiWorld();
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1000, talkMs: 30_000 });
    w.pbx.placeCall({ to: '2000', from: '5550' });
    await w.clock.runFor(60_000);
    const res = await w.request('GET', '/cdrs?activecallkey=call-1', { token: w.adminKey });
    expect(res.json().CallList[0]).toMatchObject({ callId: 'call-1', queueId: 'q1', agentId: '1001', disposition: 'answered' });
  });
});

describe('CDR CSV export', () => {
  let w: ApiWorld;
  afterEach(async () => w?.close());

  it('streams a header and one RFC 4180 row per CDR of the range', async () => {
    w = await apiWorld();
    for (let n = 0; n < 150; n++) w.store.cdrs.insert(aCdr(n));
    w.store.cdrs.insert(aCdr(200, { callerName: 'Doe, "JJ"\nJr', variables: { USR_a: 'x' } }));
    const res = await w.request('GET', `/cdrs.csv?startdate=${T0}&finishdate=2026-11-02`, { token: w.adminKey });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe('callId,legId,direction,numberId,dialled,caller,callerName,startedAt,answeredAt,endedAt,ivrPath,language,queueId,enqueuedAt,waitMs,agentId,agentLegId,connectedAt,talkMs,holdMs,hangupSide,hangupCause,recording,disposition,variables,segments');
    expect(lines[1]).toBe('c-0000,leg-0,inbound,B,2000,5550,,2026-11-02T00:00:00.000Z,2026-11-02T00:00:00.000Z,2026-11-02T00:00:30.000Z,,en,q1,2026-11-02T00:00:00.000Z,5000,1001,al-0,2026-11-02T00:00:05.000Z,25000,0,caller,normal,,answered,{},[]');
    expect(res.body).toContain('"Doe, ""JJ""\nJr"');
    expect(res.body).toContain('"{""USR_a"":""x""}"');
    expect(res.body.endsWith('\r\n')).toBe(true);
    expect(res.body.match(/^c-\d{4},/gm)).toHaveLength(151);
  });

  it('requires the date range', async () => {
    w = await apiWorld();
    const res = await w.request('GET', '/cdrs.csv', { token: w.adminKey });
    expect(res.statusCode).toBe(400);
  });
});
