/**
 * Wallboard under load, measured in a real browser: 500 agents in 50 queues on one admin
 * wallboard (headless Debian chromium, playwright-core), 20 agent state changes a second.
 * Each change is a pause whose reason carries the engine's send time; a MutationObserver in
 * the page sees the row change and a requestAnimationFrame callback stamps the frame that
 * paints it. Latency = paint time − send time (same machine clock): engine → CTI WebSocket →
 * page state → DOM → frame. The grid's once-a-second "time in state" tick runs as in real use.
 * Run: npm run bench:ui [-- --json] [--agents 500] [--queues 50] [--rate 20] [--seconds 20]
 */
import { parseArgs } from 'node:util';
import { parseConfig, type ConfigInput } from '../src/domain/config.js';
import { HAVE_CHROMIUM, CHROMIUM, launchChromium, logIn } from '../test/e2e/support/browser.js';
import { webWorld } from '../test/e2e/support/web-world.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    agents: { type: 'string', default: '500' },
    queues: { type: 'string', default: '50' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
  },
});
const AGENTS = Number(values.agents);
const QUEUES = Number(values.queues);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
if (!HAVE_CHROMIUM) {
  console.error(`bench:ui: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN)`);
  process.exit(2);
}

const input: ConfigInput = {
  numbers: [],
  queues: Array.from({ length: QUEUES }, (_, q) => ({ id: `q${q + 1}`, name: `Queue ${q + 1}`, groups: [{ group: `g${q + 1}`, priority: 1 }] })),
  groups: Array.from({ length: QUEUES }, (_, q) => ({ id: `g${q + 1}`, name: `Group ${q + 1}` })),
  agents: Array.from({ length: AGENTS }, (_, i) => ({ id: `a${i + 1}`, name: `Agent ${i + 1}`, phone: { type: 'sip' as const, endpoint: `${10_000 + i}` }, groups: [`g${(i % QUEUES) + 1}`], auto_login: true })),
};
const parsed = parseConfig(input);
if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));

const world = await webWorld(parsed.config);
await world.user('bench', { profile: 'admin' });
const chrome = await launchChromium();
const { page } = await chrome.page();
await logIn(page, world.url, 'bench');
await page.locator(`tr[data-agent="a${AGENTS}"]`).waitFor({ timeout: 30_000 });
await page.getByTestId(`queue-q${QUEUES}`).waitFor({ timeout: 30_000 });

// In the page: stamp the frame that paints each row whose reason cell shows a new "b<sentAt>".
await page.evaluate(() => {
  const g = globalThis as unknown as {
    document: { querySelector(s: string): unknown };
    MutationObserver: new (cb: (records: { target: { textContent: string | null; parentElement?: unknown } }[]) => void) => { observe(node: unknown, opts: unknown): void };
    requestAnimationFrame(cb: () => void): void;
    __latencies: number[];
  };
  g.__latencies = [];
  const seen = new Set<string>();
  const tbody = g.document.querySelector('[data-testid="agent-grid"] tbody');
  new g.MutationObserver((records) => {
    const fresh: number[] = [];
    for (const r of records) {
      const text = r.target.textContent ?? '';
      for (const m of text.matchAll(/b(\d{13})/g)) {
        if (seen.has(m[0])) continue;
        seen.add(m[0]);
        fresh.push(Number(m[1]));
      }
    }
    if (fresh.length > 0) g.requestAnimationFrame(() => {
      const now = Date.now();
      for (const t of fresh) g.__latencies.push(now - t);
    });
  }).observe(tbody, { subtree: true, childList: true, characterData: true });
});

// 20 changes a second: pause the next agent with its send time as the reason, unpause the one paused a round before.
const total = RATE * SECONDS;
let sent = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const i = sent % AGENTS;
    const id = `a${i + 1}`;
    if (world.engine.agentSnapshot(id)?.presence === 'paused') world.engine.unpauseAgent(id);
    world.engine.pauseAgent(id, `b${Date.now()}`);
    sent += 1;
    if (sent >= total) {
      clearInterval(timer);
      resolve();
    }
  }, 1000 / RATE);
});
await new Promise((r) => setTimeout(r, 1500));
const latencies = (await page.evaluate(() => (globalThis as unknown as { __latencies: number[] }).__latencies)).sort((a, b) => a - b);
await chrome.close();
await world.close();

const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
const result = { agents: AGENTS, queues: QUEUES, eventsPerSec: RATE, p95Ms: pct(95) };
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(`wallboard: ${AGENTS} agents, ${QUEUES} queues, ${RATE} state changes/s for ${SECONDS} s (${sent} changes, ${latencies.length} painted)`);
  console.log(`CTI event → painted frame: p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)} ms`);
}
if (latencies.length < sent) console.error(`bench:ui: ${sent - latencies.length} changes never reached the screen`);
