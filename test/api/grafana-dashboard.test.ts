import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { apiWorld, type ApiWorld } from '../support/api-world.js';

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  __requires: { type: string; id: string }[];
  panels: Panel[];
}

const dashboard = JSON.parse(readFileSync(new URL('../../grafana/switchboard.json', import.meta.url), 'utf8')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/** Metric names a PromQL expression selects: identifiers outside strings, matchers, ranges and grouping clauses that are not function calls. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)].filter((m) => m[2] === undefined && !KEYWORDS.has(m[1]!)).map((m) => m[1]!);
  return [...new Set(names)];
}

/** Sample names /metrics exposes: every family of a `# TYPE` line, with a histogram's _bucket/_sum/_count and a summary's _sum/_count. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

describe('Grafana dashboard', () => {
  let w: ApiWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('finds metric names in PromQL expressions, skipping functions, matchers, ranges and grouping labels', () => {
    expect(metricNames('histogram_quantile(0.95, sum by (le, op) (rate(pbx_request_duration_seconds_bucket{op!="play"}[$__rate_interval])))')).toEqual(['pbx_request_duration_seconds_bucket']);
    expect(metricNames('sum by (queue) (increase(a_total[$__range])) / sum by (queue) (increase(calls_total{disposition=~"answered|x"}[5m]))')).toEqual(['a_total', 'calls_total']);
  });

  it('queries only metrics that /metrics exposes when the engine runs on the simulated PBX', async () => {
    w = await apiWorld(undefined, { defaultMetrics: true });
    w.pbx.setPhone('1001', { behavior: 'answer', answerAfterMs: 2000, talkMs: 30_000 });
    w.pbx.placeCall({ to: '2000', from: '5550' });
    await w.clock.runFor(60_000);
    const res = await w.request('GET', '/metrics');
    expect(res.statusCode).toBe(200);
    const exposed = exposedNames(res.body);

    const referenced = queryPanels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr).map((name) => ({ panel: p.title, name }))));
    expect(referenced.length).toBeGreaterThanOrEqual(queryPanels.length);
    expect(referenced.filter((r) => !exposed.has(r.name))).toEqual([]);
  });

  it('is importable: a Prometheus datasource input used by every panel and query, and one query at least per panel', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    expect(dashboard.__requires.map((r) => r.id)).toEqual(expect.arrayContaining(['grafana', 'prometheus', ...new Set(queryPanels.map((p) => p.type))]));
    for (const p of queryPanels) {
      expect(p.datasource?.uid, p.title).toBe('${DS_PROMETHEUS}');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe('${DS_PROMETHEUS}');
    }
    expect(queryPanels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Calls waiting', 'Longest wait', 'Service level', 'Abandon rate', 'Agents by state', 'Webhook failures', 'PBX request latency (p95)', 'Engine CPU', 'Event-loop lag']),
    );
  });
});
