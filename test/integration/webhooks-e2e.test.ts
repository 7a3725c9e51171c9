import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createWebhooks } from '../../src/integrations/webhooks.js';
import { configFrom, simWorld, type SimWorld } from '../support/sim-world.js';

/** A CRM on 127.0.0.1 whose every route is scripted by the test. */
async function crm(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push(`${req.method} ${req.url?.split('?')[0]}`);
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

const config = (base: string, down: string): ConfigInput => ({
  numbers: [{ id: 'n', number: '100', queue: 'q' }],
  queues: [{ id: 'q', groups: [{ group: 'g', priority: 1 }], agent_list_url: `${base}/agents` }],
  groups: [{ id: 'g' }],
  agents: [{ id: 'a1', phone: { type: 'sip', endpoint: 'a1' }, groups: ['g'], auto_login: true }],
  webhooks: { timeout_ms: 300, retries: 1, lookup_url: `${base}/lookup`, offering_url: `${down}/offering`, bridged_url: `${down}/bridged`, hangup_url: `${base}/hangup` },
});

/** Move virtual time while letting real sockets work. */
async function run(w: SimWorld, virtualMs: number): Promise<void> {
  for (let t = 0; t < virtualMs; t += 100) {
    await w.clock.runFor(100);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('webhooks end to end: a slow, down or broken CRM never holds a call', () => {
  let w: SimWorld | undefined;
  let servers: Server[] = [];
  afterEach(async () => {
    await w?.close();
    for (const s of servers) await new Promise((r) => s.close(r));
    servers = [];
  });

  it('routes the call when the lookup hangs, the agent list is garbage and the notification URL is down', async () => {
    const slow = await crm((req, _body, res) => {
      if (req.url?.startsWith('/lookup')) return; // never answers
      if (req.url?.startsWith('/agents')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":1,"nonsense":true');
      res.writeHead(200).end();
    });
    servers.push(slow.server);
    const closed = await crm(() => undefined);
    await new Promise((r) => closed.server.close(r)); // a port with nobody behind it
    const webhooks = createWebhooks({ getConfig: () => w!.engine.currentConfig.webhooks, log: silentLogger() });
    w = await simWorld(configFrom(config(slow.url, closed.url)), { hooks: webhooks.hooks });
    w.engine.on('call.offering', webhooks.notify.offering);
    w.engine.on('call.bridged', webhooks.notify.bridged);
    w.engine.on('call.ended', webhooks.notify.hangup);
    w.pbx.setPhone('a1', { behavior: 'answer', answerAfterMs: 1000, talkMs: 5000 });

    const t0 = w.clock.now();
    w.pbx.placeCall({ to: '100', from: '+15550100' });
    await run(w, 15_000);
    await webhooks.stop(2000);

    const [cdr] = w.store.cdrs.all();
    expect(cdr).toMatchObject({ disposition: 'answered', agentId: 'a1' });
    // Lookup deadline (300 ms) + agent list deadline (300 ms) bound the extra wait.
    expect(cdr!.enqueuedAt! - t0).toBeLessThanOrEqual(300 + 100);
    expect(cdr!.waitMs!).toBeLessThanOrEqual(300 + 1000 + 100);
    expect(slow.hits).toEqual(expect.arrayContaining(['GET /lookup', 'POST /agents', 'GET /hangup']));
  });
});
