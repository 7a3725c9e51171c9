/**
 * The supervisor wallboard, live from the CTI WebSocket (no polling): per-queue figures, agents by
 * state, the agent grid with listen / whisper / barge and queue membership, and today's calls per
 * hour. The server filters every event by profile: a supervisor sees only its queues and groups.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { CtiClient } from '../cti.js';
import { describeError } from '../errors.js';
import { useCtiEvent } from '../hooks.js';
import type { AgentInfo, AgentState, Profile, QueueInfo, QueueMember } from '../types.js';
import { AgentGrid, type LiveAgent } from './agent-grid.js';
import { CallsChart } from './calls-chart.js';
import { MemberEditor } from './member-editor.js';
import { QueueTiles, type QueueFigures } from './queue-tiles.js';

const memberPath = (agentId: string, queueId: string) => `/agents/${encodeURIComponent(agentId)}/queues/${encodeURIComponent(queueId)}`;

export function Wallboard({ api, cti, profile }: { api: ApiClient; cti: CtiClient; profile: Profile }) {
  const [agents, setAgents] = useState<Map<string, LiveAgent>>(new Map());
  const [names, setNames] = useState<Map<string, AgentInfo>>(new Map());
  const [queues, setQueues] = useState<QueueInfo[]>([]);
  const [figures, setFigures] = useState<Map<string, QueueFigures>>(new Map());
  const [members, setMembers] = useState<QueueMember[]>([]);
  const [editing, setEditing] = useState<string | undefined>();
  const [listenLine, setListenLine] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | undefined>();

  const upsert = (map: Map<string, LiveAgent>, s: AgentState) => map.set(s.agentId, { state: s, stateAt: Date.now() - s.since * 1000 });

  useCtiEvent(cti, 'Snapshot', (s) => {
    const next = new Map<string, LiveAgent>();
    for (const a of s.agents) upsert(next, a);
    setAgents(next);
  });
  useCtiEvent(cti, 'AgentStateEvent', (s) => setAgents((prev) => upsert(new Map(prev), s)));
  useCtiEvent(cti, 'AgentList', (list) => setNames(new Map(list.map((a) => [a.id, a]))));
  useCtiEvent(cti, 'QueueList', setQueues);
  useCtiEvent(cti, 'QueueMemberList', setMembers);
  useCtiEvent(cti, 'QueueMember', (m) =>
    setMembers((prev) => {
      const rest = prev.filter((x) => !(x.agentId === m.agentId && x.queueId === m.queueId));
      return m.penalty < 0 ? rest : [...rest, m];
    }),
  );
  useCtiEvent(cti, 'QueueStatistics', (q) =>
    setFigures((prev) => {
      const next = new Map(prev);
      const f: QueueFigures = {};
      for (const c of q.counters) f[c.statName] = c.value;
      next.set(q.queueId, f);
      return next;
    }),
  );
  // On every (re)connection: the lists and the live feeds again, from the state of now.
  useEffect(
    () =>
      cti.onOpen(() => {
        setFigures(new Map());
        for (const objectType of ['queue', 'agent', 'queuemember'] as const) cti.send({ command: 'getList', objectType });
        cti.send({ command: 'subscribeToQueueStats' });
        // A view opened after the connection's Snapshot (switching tabs) gets every agent's state now.
        cti.send({ command: 'getAgentStates' });
      }),
    [cti],
  );

  const act = async (what: () => Promise<unknown>, done: string) => {
    setMessage(undefined);
    try {
      await what();
      setMessage({ error: false, text: done });
    } catch (err) {
      setMessage({ error: true, text: describeError(err) });
    }
  };
  const listen = (agentId: string, mode: 'listen' | 'whisper' | 'barge') =>
    act(
      () => cti.command({ command: 'listenAgent', agentId, mode, ...(listenLine.trim() ? { phoneNumber: listenLine.trim() } : {}) }),
      `${mode === 'listen' ? 'Listening to' : mode === 'whisper' ? 'Whispering to' : 'Barged in on'} agent ${agentId}: your phone rings.`,
    );

  const answeredTotal = useMemo(() => [...figures.values()].reduce((s, f) => s + (f.TotalNumberCallsAnswered ?? 0) + (f.TotalNumberCallsAbandonned ?? 0), 0), [figures]);

  return (
    <div class="wallboard">
      <QueueTiles queues={queues} figures={figures} agents={agents} />
      <div class="row toolbar">
        <label for="listen-line">My phone for listening</label>
        <input id="listen-line" inputMode="tel" placeholder="e.g. 1001" value={listenLine} onInput={(e) => setListenLine(e.currentTarget.value)} />
        {message && (
          <span class={message.error ? 'error' : 'info'} role={message.error ? 'alert' : 'status'} data-testid="wallboard-message">
            {message.text}
          </span>
        )}
      </div>
      <AgentGrid agents={agents} names={names} onListen={listen} onEdit={setEditing} />
      {editing && (
        <MemberEditor
          agentId={editing}
          name={names.get(editing)}
          queues={queues}
          members={members.filter((m) => m.agentId === editing)}
          onClose={() => setEditing(undefined)}
          // Over REST: each request is checked against the user's profile as it is now (the socket's is fixed at connection).
          onSet={(queueId, penalty) => act(() => api.request('PUT', memberPath(editing, queueId), { penalty }), `Agent ${editing} now serves ${queueId} with penalty ${penalty}.`)}
          onRemove={(queueId) => act(() => api.request('DELETE', memberPath(editing, queueId)), `Agent ${editing} removed from ${queueId}.`)}
        />
      )}
      <CallsChart api={api} queues={queues} changes={answeredTotal} profile={profile} />
    </div>
  );
}
