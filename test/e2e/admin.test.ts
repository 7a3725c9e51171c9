import { SHOTS } from './support/screenshots.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe.js';
import { HAVE_CHROMIUM, launchChromium, logIn, seeText, type Chromium } from './support/browser.js';
import { cdrStart } from '../../src/domain/cdr.js';
import { e2eConfig } from './support/config.js';
import { webWorld, type WebWorld } from './support/web-world.js';


/** One second of a 440 Hz tone: 8 kHz, 16-bit mono PCM WAV. */
function toneWav(): Buffer {
  const rate = 8000;
  const data = Buffer.alloc(rate * 2);
  for (let i = 0; i < rate; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

describe.skipIf(!HAVE_CHROMIUM)('admin view and accessibility in the browser', () => {
  let chrome: Chromium;
  let world: WebWorld;
  let recordings: string;
  beforeAll(async () => {
    chrome = await launchChromium();
    recordings = mkdtempSync(join(tmpdir(), 'sb-e2e-rec-'));
    writeFileSync(join(recordings, 'rec-e2e.wav'), toneWav());
  });
  afterAll(async () => {
    await chrome?.close();
    rmSync(recordings, { recursive: true, force: true });
  });
  beforeEach(async () => {
    world = await webWorld(e2eConfig(), { recordingsDir: recordings });
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

  it('finds a call by id and plays its recording in the page when an admin searches the CDRs', async () => {
    // Arrange: a recorded call in the store, its file in the recordings folder.
    const startedAt = Date.now() - 60_000;
    world.store.cdrs.insert({
      ...cdrStart({ callId: 'call-rec', legId: 'leg-rec', direction: 'inbound', numberId: 'A', dialled: '1000', caller: '+15550042', callerName: null, startedAt }),
      endedAt: startedAt + 30_000,
      disposition: 'answered',
      queueId: 'q1',
      agentId: '1001',
      connectedAt: startedAt + 5000,
      talkMs: 25_000,
      recording: 'rec-e2e',
    });
    const { page } = await chrome.page();
    await logIn(page, world.url, 'root');
    await page.getByRole('button', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Calls (CDRs)' }).click();

    // Act
    await page.getByLabel('Call id (instead of dates)').fill('call-rec');
    await page.getByRole('button', { name: 'Search' }).click();
    await seeText(page, 'cdr-table', '+15550042');
    await page.getByRole('button', { name: 'Play the recording of call call-rec' }).click();

    // Assert: the player has loaded one second of audio.
    const player = page.getByTestId('recording-player');
    await player.waitFor();
    await page.waitForFunction(() => {
      const a = (globalThis as unknown as { document: { querySelector(s: string): { duration: number } | null } }).document.querySelector('[data-testid="recording-player"]');
      return a !== null && Number.isFinite(a.duration) && a.duration > 0.9;
    }, undefined, { timeout: 5000 });
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
