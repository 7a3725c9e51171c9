import { describe, expect, it } from 'vitest';
import { evaluate, parse, parseExposition, type Scrape } from '../../scripts/grafana-preview/promql.js';

const scrape = (t: number, lines: string[]): Scrape => parseExposition(`# HELP x\n${lines.join('\n')}\n`, t);
const byLabel = (result: ReturnType<typeof evaluate>, label: string) =>
  Object.fromEntries((result as { labels: Record<string, string>; value: number }[]).map((s) => [s.labels[label] ?? '', s.value]));

describe('grafana preview PromQL subset', () => {
  const history = [
    scrape(0, ['calls_total{queue="q1",disposition="answered"} 0', 'calls_total{queue="q1",disposition="abandoned"} 0', 'calls_total{queue="q2",disposition="answered"} 4']),
    scrape(10, ['calls_total{queue="q1",disposition="answered"} 3', 'calls_total{queue="q1",disposition="abandoned"} 1', 'calls_total{queue="q2",disposition="answered"} 6']),
    scrape(20, ['calls_total{queue="q1",disposition="answered"} 6', 'calls_total{queue="q1",disposition="abandoned"} 2', 'calls_total{queue="q2",disposition="answered"} 8']),
  ];

  it('computes rate and increase per series over the scrapes inside the range', () => {
    expect(byLabel(evaluate(parse('rate(calls_total{disposition="answered"}[20s])'), history, 2), 'queue')).toEqual({ q1: 0.3, q2: 0.2 });
    expect(byLabel(evaluate(parse('increase(calls_total{queue="q1",disposition="answered"}[10s])'), history, 2), 'queue')).toEqual({ q1: 3 });
  });

  it('aggregates by labels and divides matching series, as the abandon-rate panel does', () => {
    const abandon = parse('sum by (queue) (increase(calls_total{disposition="abandoned"}[20s])) / sum by (queue) (increase(calls_total{queue!="none"}[20s]))');
    expect(byLabel(evaluate(abandon, history, 2), 'queue')).toEqual({ q1: 0.25 });
    expect(byLabel(evaluate(parse('sum by (queue) (calls_total{disposition=~"answered|abandoned"})'), history, 2), 'queue')).toEqual({ q1: 8, q2: 8 });
  });

  it('interpolates histogram_quantile inside the bucket holding the rank', () => {
    const h = [
      scrape(0, ['d_bucket{le="0.1",op="a"} 0', 'd_bucket{le="0.5",op="a"} 0', 'd_bucket{le="+Inf",op="a"} 0']),
      scrape(10, ['d_bucket{le="0.1",op="a"} 50', 'd_bucket{le="0.5",op="a"} 100', 'd_bucket{le="+Inf",op="a"} 100']),
    ];
    const p = evaluate(parse('histogram_quantile(0.75, sum by (le, op) (rate(d_bucket[10s])))'), h, 1);
    expect(byLabel(p, 'op').a).toBeCloseTo(0.3);
  });

  it('rejects PromQL outside the subset with the expression in the message', () => {
    expect(() => parse('topk(3, calls_total)')).toThrow(/topk|calls_total/);
  });
});
