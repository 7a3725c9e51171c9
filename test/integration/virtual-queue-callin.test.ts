/**
 * Virtual queue CallIn on the simulated PBX (seed 004): the notification is POSTed, signed, to a
 * real HTTP server on 127.0.0.1 when the waiter's turn comes; a call from the same number within
 * the window is served first; after the window the waiter ends TimeOut and a new call is normal.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import { sign } from '../../src/integrations/http-client.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';
import { virtualQueue } from '../support/vq-world.js';

const S = 1000;
const SECRET = 'a-secret-of-sixteen-chars';
const A = '+33611111111';
const B = '+33622222222';
const C = '+33633333333';

interface Hit {
  body: Record<string, unknown>;
  signature: string | undefined;
  timestamp: string | undefined;
  raw: string;
}

async function smsGateway(): Promise<{ url: string; server: Server; hits: Hit[]; next: () => Promise<Hit> }> {
  const hits: Hit[] = [];
  let waiter: ((h: Hit) => void) | undefined;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const hit = { body: JSON.parse(raw) as Record<string, unknown>, signature: req.headers['x-switchboard-signature'] as string | undefined, timestamp: req.headers['x-switchboard-timestamp'] as string | undefined, raw };
      hits.push(hit);
      waiter?.(hit);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const next = () =>
    new Promise<Hit>((resolve, reject) => {
      if (hits.length > 0) return resolve(hits[hits.length - 1]!);
      const t = setTimeout(() => reject(new Error('no notification within 5 s')), 5000);
      waiter = (h) => {
        clearTimeout(t);
        resolve(h);
      };
    });
  return { url: `http://127.0.0.1:${port}/sms`, server, hits, next };
}

const config = (notifyUrl: string, windowS: number): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'sales', priority: 1 }], virtual_queue: { key: '1', channel: 'CallIn', notify_url: notifyUrl, callin_window_s: windowS } }],
  groups: [{ id: 'sales' }],
  agents: [{ id: 'a1', phone: { type: 'sip', endpoint: '1001' }, groups: ['sales'] }],
  webhooks: { secret: SECRET },
});

describe('virtual queue CallIn (simulated PBX)', () => {
  let w: SimWorld;
  let gw: Awaited<ReturnType<typeof smsGateway>> | undefined;
  afterEach(async () => {
    await w?.close();
    await new Promise((r) => gw?.server.close(r) ?? r(undefined));
  });
  const connects = () => w.store.queueLog.list().filter((e) => e.event === 'CONNECT').map((e) => e.callId);
  const callOf = (from: string, nth = 0) => w.store.cdrs.all().filter((c) => c.caller === from)[nth]?.callId ?? [...w.pbx.legs.values()].filter((l) => l.kind === 'caller' && l.from === from)[nth]?.callId;

  it('notifies the caller (signed POST) when its turn comes and serves its call-in first within the window', async () => {
    gw = await smsGateway();
    w = await simWorld(configFrom(config(gw.url, 300)));
    virtualQueue(w.engine, w.store);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 30 * S });
    w.pbx.placeCall({ to: '100', from: A, keys: [{ afterMs: 3 * S, digit: '1' }] });
    w.pbx.placeCall({ to: '100', from: B, at: w.clock.now() + 5 * S, patienceMs: 900 * S });
    w.pbx.placeCall({ to: '100', from: C, at: w.clock.now() + 6 * S, patienceMs: 900 * S });
    await w.clock.runFor(10 * S);
    w.engine.loginAgent('a1');
    await w.clock.runFor(1);

    const hit = await gw.next();
    expect(hit.body).toMatchObject({ Event: 'CallerUp', LineId: 'q', Phone: A, Channel: 'CallIn', VirtualQCallerState: 'Notified', Source: 'Phone' });
    expect(hit.signature).toBe(sign(SECRET, hit.timestamp!, hit.raw));
    const waiter = w.store.virtualWaiters.latest('q', A)!;
    expect(waiter).toMatchObject({ state: 'Notified' });
    // The agent is not held for the notified caller: B (next in line) is offered.
    await w.clock.runFor(5 * S);
    expect(w.engine.agentSnapshot('a1')?.presence).toBe('oncall');

    // A calls again while B talks and C waits (C has waited longer): A is served first.
    w.pbx.placeCall({ to: '100', from: A, patienceMs: 900 * S, talkMs: 5 * S });
    await w.clock.runFor(120 * S);
    expect(w.store.virtualWaiters.get(waiter.id)).toMatchObject({ state: 'Connected', serviceState: 'Connected' });
    expect(connects()).toEqual([callOf(B), callOf(A, 1), callOf(C)]);
    expect(w.store.queueLog.list().filter((e) => e.event === 'CALLBACKNOTIFY').map((e) => e.callId)).toEqual([waiter.id]);
  });

  it('ends the waiter TimeOut after the window and treats a later call from the number normally', async () => {
    gw = await smsGateway();
    w = await simWorld(configFrom(config(gw.url, 30)));
    virtualQueue(w.engine, w.store);
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 1 * S, talkMs: 60 * S });
    w.pbx.placeCall({ to: '100', from: A, keys: [{ afterMs: 3 * S, digit: '1' }] });
    w.pbx.placeCall({ to: '100', from: B, at: w.clock.now() + 5 * S, patienceMs: 900 * S });
    await w.clock.runFor(10 * S);
    w.engine.loginAgent('a1');
    await w.clock.runFor(1);
    await gw.next();
    await w.clock.runFor(40 * S);
    const waiter = w.store.virtualWaiters.latest('q', A)!;
    expect(waiter).toMatchObject({ state: 'TimeOut', serviceState: 'Canceled' });
    w.pbx.placeCall({ to: '100', from: C, patienceMs: 900 * S });
    w.pbx.placeCall({ to: '100', from: A, at: w.clock.now() + 1 * S, patienceMs: 900 * S });
    await w.clock.runFor(200 * S);
    expect(connects()).toEqual([callOf(B), callOf(C), callOf(A, 1)]);
  });
});
