import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../asterisk/tcp-proxy.js';
import { HAVE_CHROMIUM, launchChromium, logIn, seeText, type Chromium } from './support/browser.js';
import { e2eConfig } from './support/config.js';
import { PASSWORD, webWorld, type WebWorld } from './support/web-world.js';

describe.skipIf(!HAVE_CHROMIUM)('bad input and faults shown in the browser', () => {
  let chrome: Chromium;
  let world: WebWorld;
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    chrome = await launchChromium();
  });
  afterAll(async () => chrome?.close());
  beforeEach(async () => {
    world = await webWorld(e2eConfig());
    await world.user('root', { profile: 'admin' });
    await world.user('alice', { profile: 'agent', agentId: '1001' });
    await world.user('sue', { profile: 'supervisor', queues: ['q1'], groups: ['g1'] });
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await world?.close();
  });

  it('says the username or password is wrong and keeps the username when the password is wrong', async () => {
    const { page } = await chrome.page();
    await logIn(page, world.url, 'alice', 'not-the-password');
    await seeText(page, 'login-error', 'Wrong username or password.');
    expect(await page.getByLabel('Username').inputValue()).toBe('alice');
  });

  it('clears the screen and says the session expired when the server refuses the expired token', async () => {
    // Arrange
    const { page } = await chrome.page();
    await logIn(page, world.url, 'root');
    await page.getByRole('button', { name: 'Administration' }).waitFor();
    // Act: the server's clock passes the session's end; the next request is refused.
    world.expireSessions();
    // Opening the admin view reads the configuration: refused. (The wallboard's chart may ask first and be refused first.)
    await page.getByRole('button', { name: 'Administration' }).click({ timeout: 2000 }).catch(() => undefined);
    // Assert
    await seeText(page, 'login-notice', 'Your session has expired. Please log in again.');
    expect(await page.getByRole('button', { name: 'Administration' }).count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length)).toBe(0);
  });

  it('explains an unknown line, a forbidden destination and a refused call in plain words when the agent asks for them', async () => {
    const { page } = await chrome.page();
    await logIn(page, world.url, 'alice');
    await seeText(page, 'agent-state', 'Logged out');

    // Seed 002 PhoneNumberUnknown.
    await page.getByLabel('Line (phone number)').fill('9999');
    await page.getByRole('button', { name: 'Log in on this line' }).click();
    await seeText(page, 'desk-error', 'This line is not known');
    expect(await page.getByLabel('Line (phone number)').inputValue()).toBe('9999');

    // 409: click-to-call while logged out.
    await page.getByLabel('Call a number').fill('5550199');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await seeText(page, 'desk-error', /Refused, the agent is not in a state that allows it/);

    // 403: a destination outside the allowed pattern.
    await page.getByLabel('Call a number').fill('12');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await seeText(page, 'desk-error', /This number may not be dialled \(destination does not match/);
  });

  it('shows 409 and 403 refusals in plain words when a supervisor changes queue memberships', async () => {
    // Arrange
    const { page } = await chrome.page();
    await logIn(page, world.url, 'sue');
    await page.getByRole('button', { name: 'Queues of Alice (1001)' }).click();
    const editor = page.getByTestId('member-editor');
    await editor.waitFor();

    // 409: Alice serves Queue 1 through her group; a direct removal is refused.
    await editor.getByRole('button', { name: /Remove from Queue 1/ }).click();
    await seeText(page, 'wallboard-message', /Refused: agent 1001 serves queue q1 through group g1/);

    // 403: the supervisor loses Queue 1 while the page is open; the next change is refused.
    await world.auth.updateUser('sue', { password: PASSWORD, profile: 'supervisor', queues: ['q3'], groups: ['g1'] });
    await editor.getByLabel('Penalty').fill('3');
    await editor.getByRole('button', { name: 'Add or change' }).click();
    await seeText(page, 'wallboard-message', /Not allowed for your profile \(queue q1 is outside your profile\)/);
    expect(await editor.getByLabel('Penalty').inputValue()).toBe('3');
  });

  it('shows a banner while the WebSocket is lost, then the fresh state when it reconnects', async () => {
    // Arrange: the page reaches the engine through a proxy that can cut it.
    proxy = await startTcpProxy(Number(new URL(world.url).port));
    const { page } = await chrome.page();
    await logIn(page, `http://127.0.0.1:${proxy.port}/`, 'sue');
    const row = page.locator('tr[data-agent="1001"] .state-cell');
    await row.filter({ hasText: 'Logged out' }).waitFor();
    expect(await page.getByTestId('link-banner').count()).toBe(0);

    // Act: cut every connection and refuse the WebSocket; Alice logs in meanwhile.
    proxy.refuse((chunk) => /^GET \/cti[?\s]/.test(chunk));
    proxy.dropAll();
    await seeText(page, 'link-banner', 'Connection to the server lost');
    world.engine.loginAgent('1001');
    await world.clock.runFor(100);
    expect(await row.textContent()).toBe('Logged out');
    proxy.allowAll();

    // Assert: the banner goes and the grid shows the state of now (from the new Snapshot).
    await page.getByTestId('link-banner').waitFor({ state: 'detached', timeout: 10_000 });
    await row.filter({ hasText: /Ready|Paused/ }).waitFor({ timeout: 2000 });
  });
});
