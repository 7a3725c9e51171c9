import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchChromium, logIn, seeText, type Chromium } from './support/browser.js';
import { e2eConfig } from './support/config.js';
import { webWorld, type WebWorld } from './support/web-world.js';

describe.skipIf(!HAVE_CHROMIUM)('agent desktop actions in the browser', () => {
  let chrome: Chromium;
  let world: WebWorld;
  beforeAll(async () => {
    chrome = await launchChromium();
  });
  afterAll(async () => chrome?.close());
  afterEach(async () => world?.close());

  /** Run the virtual clock until the agent is in `presence` (at most `maxMs` of virtual time). */
  async function until(agentId: string, presence: string, maxMs = 60_000): Promise<void> {
    for (let t = 0; t < maxMs && world.engine.agentSnapshot(agentId)?.presence !== presence; t += 250) await world.clock.runFor(250);
    expect(world.engine.agentSnapshot(agentId)?.presence).toBe(presence);
  }

  async function loggedInDesk() {
    await world.user('alice', { profile: 'agent', agentId: '1001' });
    const { page } = await chrome.page();
    await logIn(page, world.url, 'alice');
    await seeText(page, 'agent-state', 'Logged out');
    await page.getByLabel('Line (phone number)').fill('1001');
    await page.getByRole('button', { name: 'Log in on this line' }).click();
    await seeText(page, 'agent-state', /Ready|Paused/);
    return page;
  }

  it('offers the configured pause reasons and sends the one picked when the agent pauses', async () => {
    world = await webWorld({ ...e2eConfig(), pause_reasons: ['coaching', 'lunch'] });
    const desk = await loggedInDesk();
    if (world.engine.agentSnapshot('1001')?.presence === 'paused') await desk.getByRole('button', { name: 'Ready' }).click();
    await seeText(desk, 'agent-state', 'Ready');

    const select = desk.getByLabel('Pause reason');
    await select.locator('option', { hasText: 'coaching' }).waitFor({ state: 'attached', timeout: 5000 });
    expect(await select.locator('option').allTextContents()).toEqual(['coaching', 'lunch']);
    await select.selectOption('lunch');
    await desk.getByRole('button', { name: 'Pause', exact: true }).click();

    await seeText(desk, 'agent-state', 'Paused (lunch)');
    expect(world.engine.agentSnapshot('1001')).toMatchObject({ presence: 'paused', pauseReason: 'lunch' });
  });

  it('answers a simulated call when the agent clicks Answer while its phone rings', async () => {
    // Arrange: Alice's simulated phone does not answer by itself; a caller on number B reaches queue 1.
    world = await webWorld(e2eConfig());
    const desk = await loggedInDesk();
    if (world.engine.agentSnapshot('1001')?.presence === 'paused') await desk.getByRole('button', { name: 'Ready' }).click();
    await seeText(desk, 'agent-state', 'Ready');
    world.pbx.setPhone('1001', { behavior: 'never' });
    world.pbx.placeCall({ to: '2000', from: '+15550100' });
    await until('1001', 'ringing');
    await seeText(desk, 'agent-state', 'Ringing');
    // Ten seconds later (the queue gives up after 15 s) it still rings: nobody answered for her.
    await world.clock.runFor(10_000);
    expect(world.engine.agentSnapshot('1001')?.presence).toBe('ringing');

    // Act: the answer reaches the server before the virtual clock moves on.
    const answered = desk.waitForResponse((r) => r.url().endsWith('/agents/me/answer'));
    await desk.getByRole('button', { name: 'Answer' }).click();
    expect((await answered).status()).toBe(200);
    await until('1001', 'oncall', 2_000);

    // Assert
    await seeText(desk, 'agent-state', 'On call');
    await seeText(desk, 'call-from', '+15550100');
    expect(await desk.getByRole('button', { name: 'Answer' }).count()).toBe(0);
  });
});
