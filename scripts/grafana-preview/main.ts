/**
 * `npm run grafana:preview [-- --seconds 180 --step 5 --out docs/grafana-preview.png]`: a preview
 * of grafana/switchboard.json without Grafana. It runs the engine on the simulated PBX in real time
 * with random traffic (and a CRM that fails a quarter of its hang-up webhooks), scrapes /metrics
 * every `step` seconds, evaluates each panel's PromQL on those scrapes (promql.ts), renders the
 * panels as HTML (render.ts) and screenshots them with Debian's chromium (`apt-get install chromium`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createAuthService } from '../../src/api/auth.js';
import { buildServer } from '../../src/api/server.js';
import { Engine } from '../../src/calls/engine.js';
import { seededRandom } from '../../src/domain/random.js';
import { createSystemClock } from '../../src/infra/clock.js';
import { loadConfigFile } from '../../src/infra/config-file.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createWebhooks } from '../../src/integrations/webhooks.js';
import { instrumentPbx } from '../../src/pbx/instrumented.js';
import { SimPbx } from '../../src/pbx/sim/sim-pbx.js';
import { createLiveStats } from '../../src/stats/live-stats.js';
import { createMetrics } from '../../src/stats/metrics.js';
import { createAuthRepo } from '../../src/store/repos/auth-repo.js';
import { openStore } from '../../src/store/store.js';
import { evaluate, parse, parseExposition, type Scrape } from './promql.js';
import { renderPage, type PanelData } from './render.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    step: { type: 'string', default: '5' },
    out: { type: 'string', default: 'docs/grafana-preview.png' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const seconds = Number(args.seconds);
const step = Number(args.step);
const root = new URL('../../', import.meta.url);
const random = seededRandom(7);
const between = (lo: number, hi: number) => lo + random() * (hi - lo);

// A CRM whose hang-up endpoint fails one request in four.
const crm = createServer((_req, res) => res.writeHead(random() < 0.25 ? 500 : 200).end());
await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
const crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;

// The engine, wired as src/app.ts wires it, on the simulated PBX and the system clock.
const log = silentLogger();
const clock = createSystemClock();
const config = { ...loadConfigFile(new URL('config/example.yaml', root).pathname) };
config.webhooks = { ...config.webhooks, hangup_url: `${crmUrl}/hangup`, retries: 1, timeout_ms: 1000 };
const store = openStore(':memory:');
store.config.replaceAll(config);
const metrics = createMetrics({ defaultMetrics: true });
const sim = new SimPbx(clock, { defaultPromptMs: 1500 });
const engine: Engine = new Engine({ pbx: instrumentPbx(sim, metrics), clock, log, store, config: store.config.load() });
const webhooks = createWebhooks({ getConfig: () => engine.currentConfig.webhooks, log, metrics });
engine.on('call.ended', webhooks.notify.hangup);
const detach = metrics.attach(engine);
await engine.start();
const server = await buildServer({ engine, store, log, clock, auth: createAuthService({ repo: createAuthRepo(store.db), clock }), metrics, stats: createLiveStats(engine), sessionTtlMs: 3600_000 });
await server.listen({ port: 0, host: '127.0.0.1' });
const metricsUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/metrics`;

// Traffic: agents answer after 1–4 s (5 % never do) and talk 4–12 s; a call every ~3.5 s, patience 15–60 s.
const phoneOf = (a: (typeof config.agents)[number]) => (a.phone.type === 'sip' ? a.phone.endpoint : a.phone.number);
const rescript = () => {
  for (const a of config.agents) sim.setPhone(phoneOf(a), random() < 0.05 ? { behavior: 'never' } : { behavior: 'answer', answerAfterMs: between(1000, 4000), talkMs: between(4000, 12_000) });
};
rescript();
engine.on('queue.log', (e) => {
  if (e.event === 'CONNECT' || e.event === 'RINGNOANSWER') rescript();
});
engine.on('agent.state', (e) => {
  if (e.presence === 'paused' && e.reason === 'no-answer') clock.schedule(clock.now() + 15_000, () => engine.unpauseAgent(e.agentId));
});
let calls = 0;
const arrive = () => {
  calls++;
  const from = `+1555${String(1_000_000 + calls).slice(1)}`;
  const patienceMs = between(15_000, 60_000);
  if (random() < 0.2) sim.placeCall({ to: '2000', from, patienceMs });
  else {
    const english = random() < 0.7;
    const keys = english ? [{ afterMs: 1000, digit: '1' }, { afterMs: 4000, digit: random() < 0.5 ? '1' : '2' }] : [{ afterMs: 1000, digit: '2' }, { afterMs: 4000, digit: '1' }];
    sim.placeCall({ to: '1000', from, keys, patienceMs });
  }
  arrival = setTimeout(arrive, -Math.log(1 - random()) * 3500);
};
let arrival = setTimeout(arrive, 0);

// Scrape like Prometheus would.
const history: Scrape[] = [];
const started = Date.now();
for (let i = 0; i * step <= seconds; i++) {
  await new Promise((r) => setTimeout(r, Math.max(0, started + i * step * 1000 - Date.now())));
  history.push(parseExposition(await (await fetch(metricsUrl)).text(), (Date.now() - started) / 1000));
  process.stdout.write(`\rscrape ${i + 1}, ${calls} calls`);
}
process.stdout.write('\n');
clearTimeout(arrival);

// Evaluate every panel: time series at each scrape, stat panels once over the whole range.
interface GrafanaPanel {
  type: PanelData['type'];
  title: string;
  gridPos: PanelData['gridPos'];
  targets?: { expr: string; legendFormat: string; instant?: boolean }[];
  fieldConfig?: { defaults: { unit?: string; custom?: PanelData['custom']; thresholds?: { steps: PanelData['thresholds'] } } };
}
const dashboard = JSON.parse(readFileSync(new URL('grafana/switchboard.json', root), 'utf8')) as { title: string; panels: GrafanaPanel[] };
const rateInterval = `${Math.max(4 * step, 15)}s`;
const range = `${Math.round(history.at(-1)!.t)}s`;
const first = history.findIndex((s) => s.t >= Math.max(4 * step, 15) - 1e-9);
const times = history.slice(first).map((s) => `${Math.round(s.t)} s`);
const panels: PanelData[] = dashboard.panels.map((p) => {
  const series = new Map<string, number[]>();
  const at = p.type === 'stat' ? [history.length - 1] : history.slice(first).map((_, i) => first + i);
  for (const t of p.targets ?? []) {
    const ast = parse(t.expr.replaceAll('$__rate_interval', rateInterval).replaceAll('$__range', range));
    at.forEach((idx, j) => {
      const result = evaluate(ast, history, idx);
      for (const s of typeof result === 'number' ? [{ labels: {}, value: result }] : result) {
        const name = t.legendFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l: string) => s.labels[l] ?? '');
        if (!series.has(name)) series.set(name, new Array<number>(at.length).fill(NaN));
        series.get(name)![j] = s.value;
      }
    });
  }
  const d = p.fieldConfig?.defaults;
  return { type: p.type, title: p.title, gridPos: p.gridPos, unit: d?.unit ?? 'short', custom: d?.custom ?? {}, thresholds: d?.thresholds?.steps ?? [], series: [...series].sort(([a], [b]) => a.localeCompare(b)).map(([name, values]) => ({ name, values })) };
});
for (const p of panels.filter((x) => x.type !== 'row')) {
  process.stdout.write(`${p.title}: ${p.series.map((s) => `${s.name || '-'}=${s.values.at(-1)?.toPrecision(3)}`).join(' ')}\n`);
}

const note = `Preview rendered from grafana/switchboard.json's panels by scripts/grafana-preview (not Grafana): ${calls} simulated calls, ${history.length} scrapes of /metrics ${step} s apart`;
const html = renderPage(dashboard.title, note, panels, times);
const htmlFile = join(tmpdir(), 'switchboard-grafana-preview.html');
writeFileSync(htmlFile, html);
const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1616, height: 900 } });
  await page.setContent(html);
  await page.screenshot({ path: new URL(args.out, root).pathname, fullPage: true });
} finally {
  await browser.close();
}
process.stdout.write(`wrote ${args.out} (HTML: ${htmlFile})\n`);

await server.close();
detach();
await engine.stop(0);
await webhooks.stop(1000);
store.close();
crm.close();
