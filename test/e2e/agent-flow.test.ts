import { SHOTS } from './support/screenshots.js';
import { mkdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchChromium, logIn, seeText, type Chromium } from './support/browser.js';
import { e2eConfig } from './support/config.js';
import { webWorld, type WebWorld } from './support/web-world.js';


describe.skipIf(!HAVE_CHROMIUM)('agent desktop and wallboard in the browser', () => {
  let chrome: Chromium;
  let world: WebWorld;
  beforeAll(async () => {
    chrome = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => chrome?.close());
  beforeEach(async () => {
    world = await webWorld(e2eConfig());
    await world.user('alice', { profile: 'agent', agentId: '1001' });
    await world.user('sue', { profile: 'supervisor', queues: ['q1'], groups: ['g1'] });
    await world.user('sam', { profile: 'supervisor', queues: ['q3'], groups: ['g3'] });
  });
  afterEach(async () => world?.close());

  /** Run the virtual clock until the agent is in `presence` (at most `maxMs` of virtual time). */
  async function until(agentId: string, presence: string, maxMs = 60_000): Promise<void> {
    for (let t = 0; t < maxMs && world.engine.agentSnapshot(agentId)?.presence !== presence; t += 250) await world.clock.runFor(250);
    expect(world.engine.agentSnapshot(agentId)?.presence).toBe(presence);
  }

  it('shows ringing, the call card, on call, wrap-up and ready, and the wallboard follows within a second, when a caller reaches the agent', async () => {
    // Arrange: the agent logs in on its line; a supervisor of its queue watches.
    const { page: desk } = await chrome.page();
    await logIn(desk, world.url, 'alice');
    await seeText(desk, 'agent-state', 'Logged out');
    await desk.getByLabel('Line (phone number)').fill('1001');
    await desk.getByRole('button', { name: 'Log in on this line' }).click();
    await seeText(desk, 'agent-state', /Ready|Paused/);
    if (world.engine.agentSnapshot('1001')?.presence === 'paused') await desk.getByRole('button', { name: 'Ready' }).click();
    await seeText(desk, 'agent-state', 'Ready');
    const { page: board } = await chrome.page();
    await logIn(board, world.url, 'sue');
    const row = board.locator('tr[data-agent="1001"] .state-cell');
    await row.filter({ hasText: 'Ready' }).waitFor({ timeout: 5000 });

    // Act: a caller walks the IVR (1 English, 1 sales) to Queue 1; Alice's phone answers after 3 s and talks 5 s.
    world.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 3000, talkMs: 5000 });
    world.pbx.placeCall({ to: '1000', from: '+15550100', keys: [{ afterMs: 500, digit: '1' }, { afterMs: 2500, digit: '1' }] });
    await until('1001', 'ringing');

    // Assert: ringing with the caller, number dialled, IVR path and queue on the card.
    await seeText(desk, 'agent-state', 'Ringing');
    await seeText(desk, 'call-from', '+15550100');
    await seeText(desk, 'call-dialled', '1000');
    await seeText(desk, 'call-ivr', /lang.*english/);
    await seeText(desk, 'call-queue', 'Queue 1');
    await row.filter({ hasText: 'Ringing' }).waitFor({ timeout: 1000 });

    await until('1001', 'oncall');
    const answeredAt = Date.now();
    await row.filter({ hasText: 'On call' }).waitFor({ timeout: 1000 });
    const wallboardMs = Date.now() - answeredAt;
    await seeText(desk, 'agent-state', 'On call');
    await seeText(desk, 'call-timer', /00:0\d/);
    await desk.screenshot({ path: `${SHOTS}agent-desktop.png` });
    await board.screenshot({ path: `${SHOTS}wallboard.png`, fullPage: true });

    await until('1001', 'wrapup');
    await seeText(desk, 'agent-state', 'Wrap-up');
    await seeText(desk, 'wrapup-countdown', 'Wrap-up ends in');
    await row.filter({ hasText: 'Wrap-up' }).waitFor({ timeout: 1000 });

    await until('1001', 'ready', 15_000);
    await seeText(desk, 'agent-state', 'Ready');
    await seeText(desk, 'no-call', 'No call');
    await row.filter({ hasText: 'Ready' }).waitFor({ timeout: 1000 });
    await seeText(board, 'answered-q1', '1');
    expect(wallboardMs).toBeLessThan(1000);
  });

  it('hides the queue and its agents from a supervisor outside them', async () => {
    // Arrange
    const { page: sue } = await chrome.page();
    const { page: sam } = await chrome.page();
    // Act
    await logIn(sue, world.url, 'sue');
    await logIn(sam, world.url, 'sam');
    // Assert: sue sees Queue 1 and Alice; sam sees Queue 3 and Elena, neither Queue 1 nor Alice.
    await sue.getByTestId('queue-q1').waitFor();
    await sue.locator('tr[data-agent="1001"]').waitFor();
    await sam.getByTestId('queue-q3').waitFor();
    await sam.locator('tr[data-agent="1005"]').waitFor();
    expect(await sam.getByTestId('queue-q1').count()).toBe(0);
    expect(await sam.locator('tr[data-agent="1001"]').count()).toBe(0);
    expect(await sue.locator('tr[data-agent="1005"]').count()).toBe(0);
  });
});
