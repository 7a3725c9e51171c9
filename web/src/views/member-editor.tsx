/** Change an agent's queues and penalties (setAgentQueue / removeAgentFromQueue); QueueMember events update the list. */
import { useState } from 'preact/hooks';
import type { AgentInfo, QueueInfo, QueueMember } from '../types.js';

export function MemberEditor(props: {
  agentId: string;
  name: AgentInfo | undefined;
  queues: QueueInfo[];
  members: QueueMember[];
  onSet: (queueId: string, penalty: number) => void;
  onRemove: (queueId: string) => void;
  onClose: () => void;
}) {
  const { agentId, queues, members } = props;
  const [queueId, setQueueId] = useState(queues[0]?.id ?? '');
  const [penalty, setPenalty] = useState('0');
  const title = props.name ? `${props.name.firstName} ${props.name.lastName}`.trim() || agentId : agentId;
  const qName = (id: string) => queues.find((q) => q.id === id)?.name ?? id;
  return (
    <section class="panel editor" aria-labelledby="member-title" data-testid="member-editor">
      <h2 id="member-title">Queues of {title}</h2>
      {members.length === 0 ? (
        <p>Not a direct member of any queue you can see (it may still serve queues through its groups).</p>
      ) : (
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Penalty</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.queueId}>
                <th scope="row">{qName(m.queueId)}</th>
                <td>{m.penalty}</td>
                <td>
                  <button type="button" onClick={() => props.onRemove(m.queueId)} aria-label={`Remove from ${qName(m.queueId)}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSet(queueId, Number(penalty));
        }}
      >
        <label for="member-queue">Queue</label>
        <select id="member-queue" value={queueId} onChange={(e) => setQueueId(e.currentTarget.value)}>
          {queues.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name}
            </option>
          ))}
        </select>
        <label for="member-penalty">Penalty</label>
        <input id="member-penalty" type="number" min={0} max={1000} required value={penalty} onInput={(e) => setPenalty(e.currentTarget.value)} />
        <button type="submit">Add or change</button>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </form>
    </section>
  );
}
