/** The agent grid: state and time in state for every visible agent, with listen / whisper / barge and queue membership. */
import { Component } from 'preact';
import { duration, STATE_LABEL } from '../format.js';
import { useNow } from '../hooks.js';
import type { AgentInfo, AgentState } from '../types.js';

export interface LiveAgent {
  state: AgentState;
  /** Browser ms when the state began. */
  stateAt: number;
}

type Mode = 'listen' | 'whisper' | 'barge';

interface RowProps {
  agent: LiveAgent;
  name: string;
  /** Whole seconds in state: a row re-renders only when its state or its seconds change. */
  seconds: number;
  onListen: (agentId: string, mode: Mode) => void;
  onEdit: (agentId: string) => void;
}

class AgentRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    return next.agent !== this.props.agent || next.seconds !== this.props.seconds || next.name !== this.props.name;
  }
  override render() {
    const { agent, name, seconds, onListen, onEdit } = this.props;
    const s = agent.state;
    const onCall = s.name === 'AgentOnCall';
    return (
      <tr data-agent={s.agentId} class={`st-${s.name}`}>
        <th scope="row">{name}</th>
        <td class="state-cell">{STATE_LABEL[s.name]}</td>
        <td>{duration(seconds)}</td>
        <td class="cause">{s.name === 'AgentOnPause' || s.name === 'AgentLoggedOut' ? (s.cause ?? '') : ''}</td>
        <td>{s.phoneNb || '—'}</td>
        <td>{s.queues.join(', ') || '—'}</td>
        <td class="actions">
          {(['listen', 'whisper', 'barge'] as const).map((mode) => (
            <button key={mode} type="button" disabled={!onCall} aria-label={`${mode[0]!.toUpperCase()}${mode.slice(1)} to ${name}`} onClick={() => onListen(s.agentId, mode)}>
              {mode === 'listen' ? 'Listen' : mode === 'whisper' ? 'Whisper' : 'Barge'}
            </button>
          ))}
          <button type="button" aria-label={`Queues of ${name}`} onClick={() => onEdit(s.agentId)}>
            Queues…
          </button>
        </td>
      </tr>
    );
  }
}

export function AgentGrid({ agents, names, onListen, onEdit }: { agents: Map<string, LiveAgent>; names: Map<string, AgentInfo>; onListen: (agentId: string, mode: Mode) => void; onEdit: (agentId: string) => void }) {
  const now = useNow(1000);
  const rows = [...agents.values()].sort((a, b) => a.state.agentId.localeCompare(b.state.agentId, undefined, { numeric: true }));
  const label = (id: string) => {
    const n = names.get(id);
    const full = n ? `${n.firstName} ${n.lastName}`.trim() : '';
    return full ? `${full} (${id})` : id;
  };
  return (
    <section aria-labelledby="agents-title">
      <h2 id="agents-title">Agents ({rows.length})</h2>
      <table class="grid" data-testid="agent-grid">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">State</th>
            <th scope="col">Time in state</th>
            <th scope="col">Reason</th>
            <th scope="col">Line</th>
            <th scope="col">Queues</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <AgentRow key={a.state.agentId} agent={a} name={label(a.state.agentId)} seconds={Math.max(0, Math.floor((now - a.stateAt) / 1000))} onListen={onListen} onEdit={onEdit} />
          ))}
        </tbody>
      </table>
    </section>
  );
}
