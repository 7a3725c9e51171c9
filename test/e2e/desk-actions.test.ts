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
});
