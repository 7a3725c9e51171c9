/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium (installed by .ci/run),
 * driven by playwright-core. Never downloads a browser. Tests skip, saying why, without it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD } from './web-world.js';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`e2e: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN); the browser tests are skipped`);

export interface Chromium {
  browser: Browser;
  /** A fresh browser context (own storage) with a page. */
  page(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** `extraArgs`: more Chromium switches (fake audio devices for the browser-phone test). */
export async function launchChromium(extraArgs: string[] = []): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async page() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      return { context, page: await context.newPage() };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Open the app and log in through the form. */
export async function logIn(page: Page, url: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Wait until the element with `testId` contains `text`. */
export async function seeText(page: Page, testId: string, text: string | RegExp, timeout = 5000): Promise<void> {
  await page.getByTestId(testId).filter({ hasText: text }).first().waitFor({ timeout });
}
