/** One tile per visible queue: waiting now, longest wait, service level, ASA, answered and abandoned today, agents by state. */
import { duration } from '../format.js';
import type { QueueInfo } from '../types.js';
import type { LiveAgent } from './agent-grid.js';

export type QueueFigures = Record<string, number>;

export function QueueTiles({ queues, figures, agents }: { queues: QueueInfo[]; figures: Map<string, QueueFigures>; agents: Map<string, LiveAgent> }) {
  if (queues.length === 0) return <p role="status">No queue to show for your profile.</p>;
  return (
    <section aria-label="Queues" class="tiles">
      {queues.map((q) => {
        const f = figures.get(q.id) ?? {};
        const byState = { ready: 0, busy: 0, paused: 0 };
        for (const a of agents.values()) {
          if (!a.state.queues.includes(q.id)) continue;
          const n = a.state.name;
          if (n === 'AgentReady') byState.ready++;
          else if (n === 'AgentOnPause') byState.paused++;
          else if (n !== 'AgentLoggedOut') byState.busy++;
        }
        const v = (k: string) => (f[k] === undefined ? '—' : String(Math.round(f[k]!)));
        return (
          <article key={q.id} class="tile" data-testid={`queue-${q.id}`} aria-labelledby={`q-${q.id}`}>
            <h3 id={`q-${q.id}`}>{q.name}</h3>
            <dl>
              <dt>Waiting</dt>
              <dd class="big" data-testid={`waiting-${q.id}`}>
                {v('WaitingCalls')}
              </dd>
              <dt>Longest wait</dt>
              <dd>{f.LongestWaitTime === undefined ? '—' : duration(f.LongestWaitTime)}</dd>
              <dt>Service level</dt>
              <dd>{f.PercentageAnsweredBefore === undefined ? '—' : `${Math.round(f.PercentageAnsweredBefore)} %`}</dd>
              <dt>Avg. speed of answer</dt>
              <dd>{f.AverageSpeedOfAnswer === undefined ? '—' : duration(f.AverageSpeedOfAnswer)}</dd>
              <dt>Answered today</dt>
              <dd data-testid={`answered-${q.id}`}>{v('TotalNumberCallsAnswered')}</dd>
              <dt>Abandoned today</dt>
              <dd>{v('TotalNumberCallsAbandonned')}</dd>
              <dt>Agents</dt>
              <dd>
                {byState.ready} ready · {byState.busy} busy · {byState.paused} paused
              </dd>
            </dl>
          </article>
        );
      })}
    </section>
  );
}
