/**
 * Today's calls per hour (answered and abandoned) and the share answered within each queue's
 * service-level threshold (`service_level_s`), from the
 * CDRs the profile may see. Re-read when the live counters say a call finished (debounced), never polled.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { Cdr, Profile, QueueInfo } from '../types.js';

interface HourBin {
  answered: number;
  abandoned: number;
  fast: number;
}

const MAX_PAGES = 50;

async function todaysCdrs(api: ApiClient): Promise<Cdr[]> {
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  const out: Cdr[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const q: string = `/cdrs?startdate=${start.getTime()}&finishdate=${Date.now() + 60_000}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r: { CallList: Cdr[]; cursor: string | null } = await api.request('GET', q);
    out.push(...r.CallList);
    cursor = r.cursor;
    if (!cursor) break;
  }
  return out;
}

/** `thresholdS`: each shown queue's service-level threshold in seconds. */
export function binByHour(cdrs: Cdr[], thresholdS: Map<string, number>): HourBin[] {
  const bins: HourBin[] = Array.from({ length: 24 }, () => ({ answered: 0, abandoned: 0, fast: 0 }));
  for (const c of cdrs) {
    const slS = c.queueId ? thresholdS.get(c.queueId) : undefined;
    if (slS === undefined) continue;
    const bin = bins[new Date(c.startedAt).getHours()]!;
    if (c.connectedAt !== null) {
      bin.answered++;
      if ((c.waitMs ?? 0) <= slS * 1000) bin.fast++;
    } else bin.abandoned++;
  }
  return bins;
}

export function CallsChart({ api, queues, changes, profile }: { api: ApiClient; queues: QueueInfo[]; changes: number; profile: Profile }) {
  const [bins, setBins] = useState<HourBin[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const ids = queues.map((q) => `${q.id}:${q.serviceLevelS}`).join(',');
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      todaysCdrs(api)
        .then((cdrs) => live && (setBins(binByHour(cdrs, new Map(queues.map((q) => [q.id, q.serviceLevelS])))), setError(undefined)))
        .catch(() => live && setError('Could not read today’s calls.'));
    }, bins ? 3000 : 0);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, changes, ids]);

  const shown = (bins ?? []).map((b, hour) => ({ ...b, hour })).filter((b, i, all) => b.answered + b.abandoned > 0 || (i >= 8 && i <= 18) || i === new Date().getHours() || all.length === 0);
  const max = Math.max(1, ...shown.map((b) => b.answered + b.abandoned));
  const w = 28;
  const h = 120;
  const total = shown.reduce((s, b) => s + b.answered + b.abandoned, 0);
  return (
    <section class="panel" aria-labelledby="chart-title">
      <h2 id="chart-title">Today's calls per hour{profile === 'supervisor' ? ' (your queues)' : ''}</h2>
      {error && <p class="error">{error}</p>}
      {bins && (
        <svg class="chart" role="img" aria-label={`${total} calls today; bars per hour, answered and abandoned; the line is the share answered within each queue's service-level time`} width={shown.length * w + 40} height={h + 40} data-testid="calls-chart">
          {shown.map((b, i) => {
            const x = 30 + i * w;
            const ah = (b.answered / max) * h;
            const bh = (b.abandoned / max) * h;
            const sl = b.answered + b.abandoned > 0 ? b.fast / (b.answered + b.abandoned) : undefined;
            return (
              <g key={b.hour}>
                <rect class="answered" x={x} y={10 + h - ah - bh} width={w - 6} height={ah}>
                  <title>{`${b.hour}:00 — ${b.answered} answered`}</title>
                </rect>
                <rect class="abandoned" x={x} y={10 + h - bh} width={w - 6} height={bh}>
                  <title>{`${b.hour}:00 — ${b.abandoned} abandoned`}</title>
                </rect>
                {sl !== undefined && <circle class="sl" cx={x + (w - 6) / 2} cy={10 + h - sl * h} r={3}><title>{`${b.hour}:00 — ${Math.round(sl * 100)} % within the service-level time`}</title></circle>}
                <text x={x + (w - 6) / 2} y={h + 28} text-anchor="middle">
                  {b.hour}
                </text>
              </g>
            );
          })}
        </svg>
      )}
      <p class="legend">
        <span class="key answered" /> answered <span class="key abandoned" /> abandoned <span class="key sl" /> % in service level ({[...new Set(queues.map((q) => q.serviceLevelS))].join(' / ')} s; dot, top = 100 %)
      </p>
    </section>
  );
}
