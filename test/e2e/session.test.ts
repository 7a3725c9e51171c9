import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchChromium, logIn, seeText, type Chromium } from './support/browser.js';
import { e2eConfig } from './support/config.js';
import { webWorld, type WebWorld } from './support/web-world.js';

interface Stored {
  token: string;
}

describe.skipIf(!HAVE_CHROMIUM)('login session in the browser', () => {
  let chrome: Chromium;
  let world: WebWorld;
  beforeAll(async () => {
    chrome = await launchChromium();
  });
  afterAll(async () => chrome?.close());
  afterEach(async () => world?.close());

  it('renews the session token before it expires and keeps working with the new one', async () => {
    // Arrange: 6-second sessions; the page renews at 80 % of the lifetime (at least 5 s after the grant).
    world = await webWorld(e2eConfig(), { sessionTtlMs: 6000 });
    await world.user('alice', { profile: 'agent', agentId: '1001' });
    const { page } = await chrome.page();
    await logIn(page, world.url, 'alice');
    await seeText(page, 'agent-state', 'Logged out');
    const stored = () => page.evaluate(() => JSON.parse((globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('switchboard.session') ?? 'null') as Stored | null);
    const first = (await stored())!.token;

    // Act: wait for the renewal.
    await page.waitForFunction((old) => !(globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('switchboard.session')?.includes(old), first, { timeout: 10_000 });
    const second = (await stored())!.token;

    // Assert: the old token is revoked, the new one works, the page still acts.
    expect(second).not.toBe(first);
    expect(world.auth.check(first).ok).toBe(false);
    expect(world.auth.check(second).ok).toBe(true);
    await page.getByLabel('Line (phone number)').fill('1001');
    await page.getByRole('button', { name: 'Log in on this line' }).click();
    await seeText(page, 'agent-state', /Ready|Paused/);
  });
});
