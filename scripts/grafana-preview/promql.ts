/**
 * Just enough PromQL to preview the dashboard's panels from a few scrapes of /metrics: selectors
 * with matchers, rate/increase over a range, sum/max/min/avg by, histogram_quantile, and binary
 * operators between one-to-one vectors or a vector and a number. No staleness, no offset; rate is
 * taken from the first and last scrape in the range (counter resets handled), increase is that rate
 * times the range, without Prometheus's boundary rules. It is a preview tool, not Prometheus.
 */
export type Labels = Record<string, string>;
export interface Series {
  labels: Labels;
  value: number;
}
/** One scrape: time in seconds and every sample, keyed by name and labels. */
export interface Scrape {
  t: number;
  samples: Map<string, { name: string; labels: Labels; value: number }>;
}

type Matcher = { label: string; op: '=' | '!=' | '=~' | '!~'; value: string };
type Node =
  | { kind: 'num'; value: number }
  | { kind: 'sel'; name: string; matchers: Matcher[]; rangeS?: number }
  | { kind: 'call'; fn: 'rate' | 'increase' | 'histogram_quantile'; args: Node[] }
  | { kind: 'agg'; op: 'sum' | 'max' | 'min' | 'avg'; by: string[]; expr: Node }
  | { kind: 'bin'; op: '/' | '*' | '+' | '-'; lhs: Node; rhs: Node };

/** Parse the Prometheus text exposition format (no timestamps, as prom-client writes it). */
export function parseExposition(text: string, t: number): Scrape {
  const samples: Scrape['samples'] = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Labels = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.set(line.slice(0, line.lastIndexOf(' ')), { name: m[1]!, labels, value: Number(m[3]) });
  }
  return { t, samples };
}

const DURATION: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

export function parse(expr: string): Node {
  const tokens = [...expr.matchAll(/\s*(\d+(?:\.\d+)?(?:ms|s|m|h|d)\b|\d+(?:\.\d+)?|[a-zA-Z_:][a-zA-Z0-9_:]*|"(?:[^"\\]|\\.)*"|=~|!~|!=|[(){}[\],=/*+-])/gy)].map((m) => m[1]!);
  if (tokens.join('').replace(/\s/g, '') !== expr.replace(/\s/g, '')) throw new Error(`unsupported PromQL: ${expr}`);
  let i = 0;
  const peek = () => tokens[i];
  const take = (want?: string) => {
    const t = tokens[i++];
    if (t === undefined || (want !== undefined && t !== want)) throw new Error(`PromQL: expected ${want ?? 'a token'} at "${tokens.slice(i - 1).join(' ')}" in ${expr}`);
    return t;
  };
  const list = (open: string, close: string, item: () => string) => {
    const out: string[] = [];
    take(open);
    while (peek() !== close) {
      out.push(item());
      if (peek() === ',') take(',');
    }
    take(close);
    return out;
  };
  const binary = (ops: string[], next: () => Node) => () => {
    let lhs = next();
    while (ops.includes(peek() ?? '')) lhs = { kind: 'bin', op: take() as '/', lhs, rhs: next() };
    return lhs;
  };
  const primary = (): Node => {
    const t = take();
    if (t === '(') {
      const inner = sum();
      take(')');
      return inner;
    }
    if (/^\d/.test(t)) return { kind: 'num', value: Number(t) };
    if (t === 'sum' || t === 'max' || t === 'min' || t === 'avg') {
      const by = peek() === 'by' ? (take(), list('(', ')', () => take())) : [];
      take('(');
      const inner = sum();
      take(')');
      return { kind: 'agg', op: t, by, expr: inner };
    }
    if (t === 'rate' || t === 'increase' || t === 'histogram_quantile') {
      const args: Node[] = [];
      take('(');
      while (peek() !== ')') {
        args.push(sum());
        if (peek() === ',') take(',');
      }
      take(')');
      return { kind: 'call', fn: t, args };
    }
    const matchers: Matcher[] = [];
    if (peek() === '{') {
      take('{');
      while (peek() !== '}') {
        const label = take();
        const op = take() as Matcher['op'];
        matchers.push({ label, op, value: JSON.parse(take()) as string });
        if (peek() === ',') take(',');
      }
      take('}');
    }
    const sel: Node = { kind: 'sel', name: t, matchers };
    if (peek() === '[') {
      take('[');
      const d = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(take())!;
      take(']');
      sel.rangeS = Number(d[1]) * DURATION[d[2]!]!;
    }
    return sel;
  };
  const product = binary(['*', '/'], primary);
  const sum = binary(['+', '-'], product);
  const node = sum();
  if (i !== tokens.length) throw new Error(`PromQL: unexpected "${tokens[i]}" in ${expr}`);
  return node;
}

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const matches = (labels: Labels, ms: Matcher[]) =>
  ms.every(({ label, op, value }) => {
    const v = labels[label] ?? '';
    if (op === '=') return v === value;
    if (op === '!=') return v !== value;
    const re = new RegExp(`^(?:${value})$`);
    return op === '=~' ? re.test(v) : !re.test(v);
  });

/** Evaluate at scrape `at` of `history` (oldest first). */
export function evaluate(node: Node, history: Scrape[], at: number): Series[] | number {
  const now = history[at]!;
  switch (node.kind) {
    case 'num':
      return node.value;
    case 'sel':
      return [...now.samples.values()].filter((s) => s.name === node.name && matches(s.labels, node.matchers)).map((s) => ({ labels: s.labels, value: s.value }));
    case 'call': {
      if (node.fn === 'histogram_quantile') return quantile(evaluate(node.args[0]!, history, at) as number, evaluate(node.args[1]!, history, at) as Series[]);
      const sel = node.args[0]!;
      if (sel.kind !== 'sel' || sel.rangeS === undefined) throw new Error(`${node.fn} needs a range selector`);
      const window = history.slice(0, at + 1).filter((s) => s.t > now.t - sel.rangeS! - 1e-9);
      const out: Series[] = [];
      for (const [k, s] of now.samples) {
        if (s.name !== sel.name || !matches(s.labels, sel.matchers)) continue;
        const points = window.flatMap((w) => (w.samples.has(k) ? [{ t: w.t, v: w.samples.get(k)!.value }] : []));
        if (points.length < 2) continue;
        let delta = 0;
        for (let j = 1; j < points.length; j++) delta += points[j]!.v >= points[j - 1]!.v ? points[j]!.v - points[j - 1]!.v : points[j]!.v;
        const perSecond = delta / (points.at(-1)!.t - points[0]!.t);
        out.push({ labels: s.labels, value: node.fn === 'rate' ? perSecond : perSecond * sel.rangeS });
      }
      return out;
    }
    case 'agg': {
      const groups = new Map<string, { labels: Labels; values: number[] }>();
      for (const s of evaluate(node.expr, history, at) as Series[]) {
        const labels = Object.fromEntries(node.by.filter((l) => l in s.labels).map((l) => [l, s.labels[l]!]));
        const g = groups.get(key(labels)) ?? { labels, values: [] };
        g.values.push(s.value);
        groups.set(key(labels), g);
      }
      const reduce = { sum: (v: number[]) => v.reduce((a, b) => a + b, 0), max: (v: number[]) => Math.max(...v), min: (v: number[]) => Math.min(...v), avg: (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length }[node.op];
      return [...groups.values()].map((g) => ({ labels: g.labels, value: reduce(g.values) }));
    }
    case 'bin': {
      const apply = (a: number, b: number) => ({ '/': a / b, '*': a * b, '+': a + b, '-': a - b })[node.op];
      const lhs = evaluate(node.lhs, history, at);
      const rhs = evaluate(node.rhs, history, at);
      if (typeof lhs === 'number' && typeof rhs === 'number') return apply(lhs, rhs);
      if (typeof lhs === 'number') return (rhs as Series[]).map((s) => ({ labels: s.labels, value: apply(lhs, s.value) }));
      if (typeof rhs === 'number') return lhs.map((s) => ({ labels: s.labels, value: apply(s.value, rhs) }));
      const right = new Map(rhs.map((s) => [key(s.labels), s.value]));
      return lhs.flatMap((s) => (right.has(key(s.labels)) ? [{ labels: s.labels, value: apply(s.value, right.get(key(s.labels))!) }] : []));
    }
  }
}

/** Prometheus's histogram_quantile: linear interpolation inside the bucket holding the rank. */
function quantile(q: number, buckets: Series[]): Series[] {
  const groups = new Map<string, { labels: Labels; buckets: { le: number; count: number }[] }>();
  for (const b of buckets) {
    const { le, ...labels } = b.labels;
    const g = groups.get(key(labels)) ?? { labels, buckets: [] };
    g.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: b.value });
    groups.set(key(labels), g);
  }
  const out: Series[] = [];
  for (const g of groups.values()) {
    const bs = g.buckets.sort((a, b) => a.le - b.le);
    const total = bs.at(-1)?.count ?? 0;
    if (total === 0 || bs.at(-1)!.le !== Infinity) continue;
    const rank = q * total;
    const i = bs.findIndex((b) => b.count >= rank);
    const b = bs[i]!;
    if (b.le === Infinity) {
      out.push({ labels: g.labels, value: bs[i - 1]?.le ?? 0 });
      continue;
    }
    const lower = i === 0 ? 0 : bs[i - 1]!.le;
    const below = i === 0 ? 0 : bs[i - 1]!.count;
    out.push({ labels: g.labels, value: lower + ((b.le - lower) * (rank - below)) / (b.count - below) });
  }
  return out;
}
