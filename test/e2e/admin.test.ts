import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe.js';
import { HAVE_CHROMIUM, launchChromium, logIn, seeText, type Chromium } from './support/browser.js';
import { e2eConfig } from './support/config.js';
import { webWorld, type WebWorld } from './support/web-world.js';

const SHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname;

describe.skipIf(!HAVE_CHROMIUM)('admin view and accessibility in the browser', () => {
  let chrome: Chromium;
  let world: WebWorld;
  beforeAll(async () => {
    chrome = await launchChromium();
  });
  afterAll(async () => chrome?.close());
  beforeEach(async () => {
    world = await webWorld(e2eConfig());
    await world.user('root', { profile: 'admin' });
    await world.user('alice', { profile: 'agent', agentId: '1001' });
    await world.user('sue', { profile: 'supervisor', queues: ['q1', 'q2'], groups: ['g1', 'g2'] });
  });
  afterEach(async () => world?.close());

  it('shows the field path and keeps the text when an admin saves a broken configuration', async () => {
    // Arrange
    const { page } = await chrome.page();
    await logIn(page, world.url, 'root');
    await page.getByRole('button', { name: 'Administration' }).click();
    const editor = page.getByLabel('Configuration (YAML)');
    await page.waitForFunction(() => ((globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('#config-yaml')?.value ?? '').includes('queues'));
    const yaml = await editor.inputValue();
    expect(yaml).toMatch(/wrapup_s: 10/);
    const broken = yaml.replace(/wrapup_s: 10/, 'wrapup_s: -5');

    // Act
    await editor.fill(broken);
    await page.getByRole('button', { name: 'Save and apply' }).click();

    // Assert: the issue names the field; the typed text is still there; the engine kept its configuration.
    await seeText(page, 'config-issues', /queues\[0\]\.wrapup_s/);
    await seeText(page, 'config-message', 'Not saved');
    expect(await editor.inputValue()).toBe(broken);
    expect(world.engine.queueConfig('q1')?.wrapup_s).toBe(10);
    await page.screenshot({ path: `${SHOTS}admin-config.png` });
  });

  it('applies a valid configuration live when an admin saves it', async () => {
    const { page } = await chrome.page();
    await logIn(page, world.url, 'root');
    await page.getByRole('button', { name: 'Administration' }).click();
    const editor = page.getByLabel('Configuration (YAML)');
    await page.waitForFunction(() => ((globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('#config-yaml')?.value ?? '').includes('queues'));
    await editor.fill((await editor.inputValue()).replace(/wrapup_s: 10/, 'wrapup_s: 25'));
    await page.getByRole('button', { name: 'Save and apply' }).click();
    await seeText(page, 'config-message', 'Saved and applied');
    expect(world.engine.queueConfig('q1')?.wrapup_s).toBe(25);
  });

  it('lets a person log in with the keyboard alone when using Tab and Enter', async () => {
    const { page } = await chrome.page();
    await page.goto(world.url);
    await page.getByLabel('Username').focus();
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type('password-123');
    await page.keyboard.press('Enter');
    await seeText(page, 'agent-state', 'Logged out');
    // Tab from the line field reaches its button.
    await page.getByLabel('Line (phone number)').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent)).toBe('Log in on this line');
  });

  it.each([
    ['the login form', 'none'],
    ['the agent desktop', 'alice'],
    ['the wallboard', 'sue'],
    ['the admin configuration', 'root'],
  ])('passes the axe-core WCAG 2 A/AA check on %s', async (_name, who) => {
    const { page } = await chrome.page();
    if (who === 'none') await page.goto(world.url);
    else await logIn(page, world.url, who);
    if (who === 'alice') await seeText(page, 'agent-state', 'Logged out');
    if (who === 'sue') await page.locator('tr[data-agent="1001"]').waitFor();
    if (who === 'root') {
      await page.getByRole('button', { name: 'Administration' }).click();
      await page.getByLabel('Configuration (YAML)').waitFor();
    }
    expect(await axeViolations(page)).toEqual([]);
  });
});
