/**
 * Render the dashboard's panels as one static HTML page in Grafana's dark colours: time series as
 * SVG lines, areas or bars (stacked when the panel says so), stat panels as coloured values.
 */
export interface PanelData {
  type: 'timeseries' | 'stat' | 'row';
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  unit: string;
  custom: { drawStyle?: string; fillOpacity?: number; stacking?: { mode: string } };
  thresholds: { color: string; value: number | null }[];
  /** Legend name → one value per time (NaN when missing). */
  series: { name: string; values: number[] }[];
}

const COLORS = ['#73BF69', '#F2CC0C', '#8AB8FF', '#FF780A', '#F2495C', '#5794F2', '#B877D9', '#FADE2A', '#37872D', '#C4162A'];
const NAMED: Record<string, string> = { green: '#73BF69', orange: '#FF9830', red: '#F2495C', yellow: '#FADE2A' };
const WIDTH = 1600;
const ROW_PX = 38;

export function format(v: number, unit: string): string {
  if (!Number.isFinite(v)) return 'No data';
  if (unit === 'percentunit') return `${(v * 100).toFixed(1)}%`;
  if (unit === 's') {
    if (v === 0) return '0 s';
    if (v < 0.001) return `${(v * 1e6).toFixed(0)} µs`;
    if (v < 1) return `${(v * 1000).toFixed(v < 0.01 ? 2 : 0)} ms`;
    return `${v.toFixed(v < 10 ? 1 : 0)} s`;
  }
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The smallest 1, 2, 4 or 8 × 10^k at or above `v`, so the quarter ticks are round. */
function niceMax(v: number): number {
  const pow = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 4, 8, 10].map((m) => m * pow).find((m) => m >= v * 1.05) ?? 10 * pow;
}

/** Rows the legend takes at 7 px a character. */
const legendRows = (names: string[], w: number) => Math.max(1, Math.ceil(names.reduce((a, n) => a + n.length * 7 + 34, 0) / w));

function chart(p: PanelData, w: number, panelH: number, times: string[]): string {
  const h = panelH - 18 * legendRows(p.series.map((s) => s.name), w);
  const stacked = p.custom.stacking?.mode === 'normal';
  const n = times.length;
  const lines = p.series.map((s) => s.values.map((v) => (Number.isFinite(v) ? v : 0)));
  if (stacked) for (let i = 1; i < lines.length; i++) lines[i] = lines[i]!.map((v, j) => v + lines[i - 1]![j]!);
  const max = niceMax(Math.max(p.unit === 'short' ? 1 : 1e-6, ...lines.flat()));
  const left = 64;
  const bottom = 22;
  const plotW = w - left - 10;
  const plotH = h - bottom - 8;
  const x = (i: number) => left + (n <= 1 ? 0 : (i * plotW) / (n - 1));
  const y = (v: number) => 8 + plotH - (v / max) * plotH;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${left}" x2="${left + plotW}" y1="${y(f * max)}" y2="${y(f * max)}" stroke="#2c3235"/><text x="${left - 6}" y="${y(f * max) + 4}" text-anchor="end">${esc(format(f * max, p.unit))}</text>`)
    .join('');
  const anchors = ['start', 'middle', 'end'];
  const ticks = [0, Math.floor((n - 1) / 2), n - 1].map((i, k) => `<text x="${x(i)}" y="${h - 4}" text-anchor="${anchors[k]}">${times[i] ?? ''}</text>`).join('');
  const shapes = lines
    .map((vals, k) => {
      const color = COLORS[k % COLORS.length];
      const fill = (p.custom.fillOpacity ?? 0) / 100;
      if (p.custom.drawStyle === 'bars') {
        const bw = Math.max(2, plotW / n / (lines.length + 1));
        return vals.map((v, i) => `<rect x="${x(i) - (lines.length * bw) / 2 + k * bw}" y="${y(v)}" width="${bw}" height="${y(0) - y(v)}" fill="${color}" fill-opacity="${fill}"/>`).join('');
      }
      const pts = vals.map((v, i) => `${x(i)},${y(v)}`).join(' ');
      const base = stacked && k > 0 ? lines[k - 1]!.map((v, i) => `${x(i)},${y(v)}`).reverse().join(' ') : `${x(n - 1)},${y(0)} ${x(0)},${y(0)}`;
      return `<polygon points="${pts} ${base}" fill="${color}" fill-opacity="${fill}"/><polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`;
    })
    .join('');
  const legend = p.series.map((s, k) => `<span><i style="background:${COLORS[k % COLORS.length]}"></i>${esc(s.name)}</span>`).join('');
  return `<svg width="${w}" height="${h}">${grid}${ticks}${shapes}</svg><div class="legend">${legend}</div>`;
}

function stat(p: PanelData): string {
  const color = (v: number) => {
    let c = p.thresholds[0]?.color ?? 'green';
    for (const t of p.thresholds) if (t.value !== null && v >= t.value) c = t.color;
    return NAMED[c] ?? c;
  };
  if (p.series.length === 0) return '<div class="nodata">No data</div>';
  return `<div class="stats">${p.series
    .map((s) => {
      const v = s.values.at(-1) ?? NaN;
      return `<div class="stat" style="background:${Number.isFinite(v) ? color(v) : '#2c3235'}"><span>${esc(s.name)}</span><b>${esc(format(v, p.unit))}</b></div>`;
    })
    .join('')}</div>`;
}

export function renderPage(title: string, note: string, panels: PanelData[], times: string[]): string {
  const height = Math.max(...panels.map((p) => p.gridPos.y + p.gridPos.h)) * ROW_PX + 70;
  const body = panels
    .map((p) => {
      const { x, y, w, h } = p.gridPos;
      const box = `left:${(x * WIDTH) / 24 + 8}px;top:${y * ROW_PX + 60}px;width:${(w * WIDTH) / 24 - 8}px;height:${h * ROW_PX - 8}px`;
      if (p.type === 'row') return `<div class="row" style="${box}">${esc(p.title)}</div>`;
      const inner = p.type === 'stat' ? stat(p) : chart(p, (w * WIDTH) / 24 - 26, h * ROW_PX - 52, times);
      return `<div class="panel" style="${box}"><h3>${esc(p.title)}</h3>${inner}</div>`;
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;color:#ccccdc;font:13px Inter,Helvetica,Arial,sans-serif;width:${WIDTH + 8}px;height:${height}px;position:relative}
header{position:absolute;left:8px;top:10px;right:8px;display:flex;justify-content:space-between;align-items:baseline}
header h1{font-size:18px;margin:0;font-weight:500}header small{color:#9fa7b3}
.row{position:absolute;font-size:15px;font-weight:500;padding-top:8px}
.panel{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:2px;padding:8px;box-sizing:border-box;overflow:hidden}
.panel h3{margin:0 0 6px;font-size:13px;font-weight:500}
svg text{fill:#9fa7b3;font-size:11px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin-top:4px}.legend i{display:inline-block;width:14px;height:4px;margin-right:5px;vertical-align:middle}
.stats{display:flex;flex-direction:column;gap:4px;height:calc(100% - 24px)}
.stat{flex:1;display:flex;justify-content:space-between;align-items:center;padding:0 12px;color:#fff;border-radius:2px}.stat b{font-size:22px}
.nodata{color:#9fa7b3;text-align:center;margin-top:40px}
</style></head><body><header><h1>${esc(title)}</h1><small>${esc(note)}</small></header>
${body}
</body></html>`;
}
