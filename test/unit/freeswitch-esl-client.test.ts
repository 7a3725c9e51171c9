/**
 * EslClient against a small fake event socket on 127.0.0.1 (port 0) speaking FreeSWITCH's
 * framing: auth, in-order api replies, bgapi jobs finished by BACKGROUND_JOB events, drops.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EslClient } from '../../src/pbx/freeswitch/esl-client.js';
import { isPbxError } from '../../src/pbx/port.js';

interface Fake {
  server: Server;
  port: number;
  sockets: Socket[];
  commands: string[];
  /** How the fake answers one command (after auth); default +OK. */
  onCommand: (cmd: string, s: Socket) => void;
  close(): Promise<void>;
}

const frame = (headers: Record<string, string>, body = '') =>
  Object.entries({ ...headers, ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n') + '\n\n' + body;

async function fakeEsl(password: string): Promise<Fake> {
  const fake = { sockets: [] as Socket[], commands: [] as string[] } as unknown as Fake;
  fake.onCommand = (cmd, s) => {
    if (cmd.startsWith('api ')) s.write(frame({ 'Content-Type': 'api/response' }, `result of ${cmd.slice(4)}`));
    else s.write(frame({ 'Content-Type': 'command/reply', 'Reply-Text': '+OK' }));
  };
  fake.server = createServer((s) => {
    fake.sockets.push(s);
    let buf = '';
    let authed = false;
    s.write(frame({ 'Content-Type': 'auth/request' }));
    s.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const cmd = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (!authed) {
          authed = cmd === `auth ${password}`;
          s.write(frame({ 'Content-Type': 'command/reply', 'Reply-Text': authed ? '+OK accepted' : '-ERR invalid' }));
          if (!authed) s.end();
          continue;
        }
        fake.commands.push(cmd);
        fake.onCommand(cmd, s);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
  fake.port = (fake.server.address() as AddressInfo).port;
  fake.close = () =>
    new Promise<void>((r) => {
      for (const s of fake.sockets) s.destroy();
      fake.server.close(() => r());
    });
  return fake;
}

const clients: EslClient[] = [];
const fakes: Fake[] = [];
function client(port: number, password: string): EslClient {
  const c = new EslClient({ host: '127.0.0.1', port, password, logger: pino({ level: 'silent' }), events: ['CHANNEL_PARK'], filters: [['variable_sb_app', 'switchboard']], reconnect: { initialDelayMs: 20, maxDelayMs: 50 }, requestTimeoutMs: 1000 });
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const f of fakes.splice(0)) await f.close();
});

describe('EslClient', () => {
  it('subscribes to JSON events and sets its filters when the password is accepted', async () => {
    const fake = await fakeEsl('pw');
    fakes.push(fake);
    const c = client(fake.port, 'pw');

    c.connect();
    await c.waitConnected(2000);

    expect(fake.commands).toEqual(['event json CHANNEL_PARK', 'filter variable_sb_app switchboard']);
  });

  it('fails waitConnected with an error naming ESL_PASSWORD when the password is refused, and keeps retrying', async () => {
    const fake = await fakeEsl('right');
    fakes.push(fake);
    const c = client(fake.port, 'wrong');

    c.connect();
    const err = await c.waitConnected(400).catch((e: unknown) => e);

    expect(isPbxError(err, 'REJECTED')).toBe(true);
    expect((err as Error).message).toContain('ESL_PASSWORD');
    expect(fake.sockets.length).toBeGreaterThan(1);
  });

  it('fails waitConnected with an error naming ESL_HOST/ESL_PORT when nothing listens', async () => {
    const fake = await fakeEsl('pw');
    const port = fake.port;
    await fake.close();
    const c = client(port, 'pw');

    c.connect();
    const err = await c.waitConnected(300).catch((e: unknown) => e);

    expect(isPbxError(err, 'DISCONNECTED')).toBe(true);
    expect((err as Error).message).toMatch(/ESL_HOST\/ESL_PORT 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('gives each api call its own reply, in the order sent', async () => {
    const fake = await fakeEsl('pw');
    fakes.push(fake);
    const c = client(fake.port, 'pw');
    c.connect();
    await c.waitConnected(2000);

    const results = await Promise.all([c.api('status'), c.api('uptime'), c.api('version')]);

    expect(results).toEqual(['result of status', 'result of uptime', 'result of version']);
  });

  it('resolves a bgapi job with the BACKGROUND_JOB body carrying its Job-UUID, whatever other jobs finish first', async () => {
    const fake = await fakeEsl('pw');
    fakes.push(fake);
    fake.onCommand = (cmd, s) => {
      const job = /Job-UUID: (\S+)/.exec(cmd)?.[1];
      s.write(frame({ 'Content-Type': 'command/reply', 'Reply-Text': `+OK Job-UUID: ${job}`, 'Job-UUID': job ?? '' }));
      if (job) {
        const other = JSON.stringify({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': 'someone-else', _body: '-ERR other' });
        const mine = JSON.stringify({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': job, _body: '+OK leg-1\n' });
        setTimeout(() => s.write(frame({ 'Content-Type': 'text/event-json' }, other) + frame({ 'Content-Type': 'text/event-json' }, mine)), 20);
      }
    };
    const c = client(fake.port, 'pw');
    c.connect();
    await c.waitConnected(2000);

    const { result } = await c.bgapi('originate user/1001 &park()');

    expect(await result).toBe('+OK leg-1\n');
  });

  it('rejects commands in flight with DISCONNECTED when the socket drops, then reconnects', async () => {
    const fake = await fakeEsl('pw');
    fakes.push(fake);
    const c = client(fake.port, 'pw');
    c.connect();
    await c.waitConnected(2000);
    const ups: boolean[] = [];
    c.onConnection((up) => ups.push(up));
    fake.onCommand = (cmd, s) => {
      if (cmd === 'api hang') s.destroy();
    };

    const err = await c.api('hang').catch((e: unknown) => e);
    fake.onCommand = (cmd, s) => s.write(frame({ 'Content-Type': 'command/reply', 'Reply-Text': '+OK' }));
    await new Promise((r) => setTimeout(r, 300));

    expect(isPbxError(err, 'DISCONNECTED')).toBe(true);
    expect(ups).toEqual([false, true]);
    expect(c.connected).toBe(true);
  });

  it('rejects an api output starting with -ERR as REJECTED', async () => {
    const fake = await fakeEsl('pw');
    fakes.push(fake);
    fake.onCommand = (cmd, s) => s.write(cmd.startsWith('api') ? frame({ 'Content-Type': 'api/response' }, '-ERR No such channel!\n') : frame({ 'Content-Type': 'command/reply', 'Reply-Text': '+OK' }));
    const c = client(fake.port, 'pw');
    c.connect();
    await c.waitConnected(2000);

    const err = await c.api('uuid_kill nope').catch((e: unknown) => e);

    expect(isPbxError(err, 'REJECTED')).toBe(true);
  });
});
