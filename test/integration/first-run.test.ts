import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../src/app.js';
import { createAuthService } from '../../src/api/auth.js';
import { ensureFirstAdmin } from '../../src/api/first-admin.js';
import { startSimTraffic } from '../../src/demo/sim-traffic.js';
import { createLogger } from '../../src/infra/logger.js';
import { createAuthRepo } from '../../src/store/repos/auth-repo.js';
import { openStore } from '../../src/store/store.js';
import { exampleConfig, simWorld, type SimWorld } from '../support/sim-world.js';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines };
}

describe('ensureFirstAdmin', () => {
  it('creates admin with a generated password, stored hashed and printed once, when the database has no user', async () => {
    // Arrange
    const store = openStore(':memory:');
    const repo = createAuthRepo(store.db);
    const auth = createAuthService({ repo, clock: { now: () => 0 } as never, scryptCost: 1024 });
    const { log, lines } = capturedLogger();

    // Act
    const first = await ensureFirstAdmin(auth, log, 'http://127.0.0.1:8080/');
    const again = await ensureFirstAdmin(auth, log, 'http://127.0.0.1:8080/');

    // Assert
    expect(first?.username).toBe('admin');
    expect(first!.password.length).toBeGreaterThanOrEqual(16);
    expect(again).toBeUndefined();
    const printed = lines.filter((l) => 'generatedPassword' in l);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatchObject({ url: 'http://127.0.0.1:8080/', username: 'admin', generatedPassword: first!.password });
    const record = repo.user('admin')!;
    expect(record.passwordHash).toMatch(/^scrypt\$/);
    expect(record.passwordHash).not.toContain(first!.password);
    expect(await auth.login('admin', first!.password, 1000)).toMatchObject({ profile: 'admin' });
    store.close();
  });

  it('generates a different password on each new database', async () => {
    const passwords = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const store = openStore(':memory:');
      const auth = createAuthService({ repo: createAuthRepo(store.db), clock: { now: () => 0 } as never, scryptCost: 1024 });
      passwords.add((await ensureFirstAdmin(auth, createLogger({ level: 'silent' }), 'http://x/'))!.password);
      store.close();
    }
    expect(passwords.size).toBe(3);
  });
});

describe('SWITCHBOARD_SIM_TRAFFIC', () => {
  it.each([
    [{}, 120],
    [{ SWITCHBOARD_SIM_TRAFFIC: '0' }, 0],
    [{ SWITCHBOARD_SIM_TRAFFIC: '600' }, 600],
  ])('reads %j as %i calls per hour on the simulated PBX', (env, perHour) => {
    expect(settingsFromEnv(env).simTraffic).toBe(perHour);
  });

  it.each(['-1', '1.5', 'lots', ''])('refuses SWITCHBOARD_SIM_TRAFFIC=%j naming the variable', (v) => {
    expect(() => settingsFromEnv({ SWITCHBOARD_SIM_TRAFFIC: v })).toThrow(/SWITCHBOARD_SIM_TRAFFIC/);
  });

  it('is not set when the PBX is Asterisk', () => {
    expect(settingsFromEnv({ SWITCHBOARD_PBX: 'asterisk', ARI_PASSWORD: 'x' }).simTraffic).toBeUndefined();
  });
});

describe('startSimTraffic', () => {
  let w: SimWorld;
  afterEach(async () => w?.close());

  it('brings callers through the IVR to agents who answer, and stops placing calls when stopped', async () => {
    // Arrange
    w = await simWorld(exampleConfig());
    const traffic = startSimTraffic({ pbx: w.pbx, engine: w.engine, clock: w.clock, callsPerHour: 600, seed: 7, meanTalkMs: 20_000 });

    // Act: half an hour of virtual time.
    await w.clock.runFor(30 * 60_000);
    traffic.stop();
    const placed = traffic.placed;
    await w.clock.runFor(10 * 60_000);

    // Assert: ~300 callers; most answered by agents, some through the IVR; none after stop.
    expect(placed).toBeGreaterThan(200);
    expect(placed).toBeLessThan(400);
    expect(traffic.placed).toBe(placed);
    const cdrs = w.store.cdrs.all();
    expect(cdrs.length).toBe(placed);
    expect(cdrs.filter((c) => c.disposition === 'answered').length).toBeGreaterThan(placed / 2);
    expect(cdrs.some((c) => c.ivrPath?.startsWith('lang:'))).toBe(true);
    expect(new Set(cdrs.map((c) => c.agentId).filter(Boolean)).size).toBeGreaterThan(3);
  });

  it('leaves the phone of an agent worked at the desktop ringing until the person answers', async () => {
    // Arrange: a person has agent 1001's desktop open; nobody clicks Answer for the first half hour.
    w = await simWorld(exampleConfig());
    let answering = false;
    const rang: string[] = [];
    w.engine.on('agent.state', (e) => {
      if (e.agentId !== '1001' || e.presence !== 'ringing') return;
      rang.push(e.agentId);
      // The person clicks Answer after 2 s, once answering.
      if (answering) w.clock.schedule(w.clock.now() + 2000, () => w.pbx.answerRinging('1001'));
    });
    const traffic = startSimTraffic({ pbx: w.pbx, engine: w.engine, clock: w.clock, callsPerHour: 600, seed: 7, meanTalkMs: 20_000, atDesk: (id) => id === '1001' });

    // Act
    await w.clock.runFor(30 * 60_000);
    const ringsBefore = rang.length;
    const answeredBy1001 = () => w.store.cdrs.all().filter((c) => c.agentId === '1001' && c.disposition === 'answered').length;
    const before = answeredBy1001();
    answering = true;
    if (w.engine.agentSnapshot('1001')?.presence === 'paused') w.engine.unpauseAgent('1001');
    await w.clock.runFor(30 * 60_000);
    traffic.stop();

    // Assert: it rang but never answered by itself; once the person answers, calls connect to it.
    expect(ringsBefore).toBeGreaterThan(0);
    expect(before).toBe(0);
    expect(w.engine.agentSnapshot('1001')?.presence).not.toBe('loggedout');
    expect(answeredBy1001() + (w.engine.agentSnapshot('1001')?.presence === 'oncall' ? 1 : 0)).toBeGreaterThan(0);
  });
});
