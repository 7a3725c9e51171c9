/** Today's own figures: time ready, paused and in wrap-up (AgentStatistics), and calls answered today (the agent's own CDRs). */
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { duration } from '../format.js';
import type { Cdr, Statistic } from '../types.js';

const startOfDay = (): number => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.getTime();
};

export function MyStats({ api, stats, agentId, refresh }: { api: ApiClient; stats: Statistic[]; agentId: string; refresh: number }) {
  const [calls, setCalls] = useState<{ count: number; talkS: number } | undefined>();
  useEffect(() => {
    let live = true;
    api
      .request<{ CallList: Cdr[] }>('GET', `/cdrs?startdate=${startOfDay()}&finishdate=${Date.now() + 60_000}`)
      .then((r) => {
        const mine = r.CallList.filter((c) => c.agentId === agentId && c.connectedAt !== null);
        if (live) setCalls({ count: mine.length, talkS: mine.reduce((s, c) => s + (c.talkMs ?? 0), 0) / 1000 });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, agentId, refresh]);
  const value = (name: string) => stats.find((s) => s.name === name)?.value;
  const secs = (name: string) => {
    const v = value(name);
    return typeof v === 'number' ? duration(v) : '—';
  };
  const login = value('LoginDateTime');
  return (
    <section class="panel" aria-labelledby="my-stats">
      <h2 id="my-stats">Today</h2>
      <dl class="stats">
        <dt>Calls answered</dt>
        <dd data-testid="my-calls">{calls ? calls.count : '—'}</dd>
        <dt>Talk time</dt>
        <dd>{calls ? duration(calls.talkS) : '—'}</dd>
        <dt>Ready</dt>
        <dd>{secs('AgentReadyTotalTime')}</dd>
        <dt>Paused</dt>
        <dd>{secs('AgentPausedTotalTime')}</dd>
        <dt>Wrap-up</dt>
        <dd>{secs('AgentWrapupTotalTime')}</dd>
        <dt>Logged in at</dt>
        <dd>{typeof login === 'string' ? new Date(login).toLocaleTimeString() : '—'}</dd>
      </dl>
    </section>
  );
}
