/**
 * The agent's callback requests (seed 002 callback lists): the lists of its queues with their open
 * requests, and Take / Release / Start on each. Re-read after each action and on each Callback*
 * event the CTI WebSocket brings; refusals in plain words (another agent took it first, …).
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { CtiClient } from '../cti.js';
import { describeError } from '../errors.js';
import { useCtiEvent } from '../hooks.js';
import type { CallbackList, CallbackRequest } from '../types.js';

const who = (r: CallbackRequest): string => [r.firstName, r.lastName].filter(Boolean).join(' ') || r.company || r.phoneNumber || r.mobilePhoneNumber || r.uuid;

export function CallbacksPanel({ api, cti, agentId }: { api: ApiClient; cti: CtiClient; agentId: string }) {
  const [lists, setLists] = useState<CallbackList[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [info, setInfo] = useState<string | undefined>();
  const [reload, setReload] = useState(0);
  const again = () => setReload((n) => n + 1);
  const base = `/agents/${encodeURIComponent(agentId)}/callbacks`;

  useEffect(() => {
    let live = true;
    api.request<CallbackList[]>('GET', base).then(
      (l) => live && setLists(l),
      (err: unknown) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [api, base, reload]);
  useCtiEvent(cti, 'CallbackTaken', again);
  useCtiEvent(cti, 'CallbackReleased', again);
  useCtiEvent(cti, 'CallbackClotured', again);
  useCtiEvent(cti, 'CallbackRequestUpdated', again);

  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setInfo(undefined);
    try {
      await what();
      setInfo(done);
    } catch (err) {
      setError(describeError(err));
    }
    again();
  };

  const open = lists?.flatMap((l) => l.callbacks) ?? [];
  return (
    <section class="panel" aria-labelledby="callbacks-title">
      <h2 id="callbacks-title">Callback requests</h2>
      <div class="row">
        <button type="button" onClick={again}>
          Refresh
        </button>
      </div>
      {lists === undefined && !error && <p role="status">Loading callback requests…</p>}
      {lists && open.length === 0 && <p data-testid="no-callbacks">No open callback request in your queues.</p>}
      {lists?.map((l) =>
        l.callbacks.length === 0 ? null : (
          <div key={l.uuid} data-testid={`callback-list-${l.uuid}`}>
            <h3>{l.name}</h3>
            <table class="grid">
              <thead>
                <tr>
                  <th scope="col">Who</th>
                  <th scope="col">Number</th>
                  <th scope="col">Due</th>
                  <th scope="col">Note</th>
                  <th scope="col">Held by</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {l.callbacks.map((r) => {
                  const mine = r.agentId === agentId;
                  const number = r.phoneNumber ?? r.mobilePhoneNumber;
                  return (
                    <tr key={r.uuid} data-callback={r.uuid}>
                      <td>{who(r)}</td>
                      <td>{number ?? '—'}</td>
                      <td>
                        {r.dueDate ?? '—'}
                        {r.preferredPeriod ? ` (${r.preferredPeriod.name} ${r.preferredPeriod.periodStart}–${r.preferredPeriod.periodEnd})` : ''}
                      </td>
                      <td>{r.description ?? ''}</td>
                      <td data-testid="callback-holder">{mine ? 'you' : r.agentId ? `agent ${r.agentId}` : 'nobody'}</td>
                      <td class="actions">
                        {!mine && (
                          <button type="button" onClick={() => void act(() => api.request('POST', `${base}/${encodeURIComponent(r.uuid)}/take`), `You took the callback to ${who(r)}.`)}>
                            Take
                          </button>
                        )}
                        {mine && (
                          <button type="button" onClick={() => void act(() => api.request('POST', `${base}/${encodeURIComponent(r.uuid)}/release`), `You released the callback to ${who(r)}.`)}>
                            Release
                          </button>
                        )}
                        {mine && number && (
                          <button
                            type="button"
                            onClick={() => void act(() => api.request('POST', `${base}/${encodeURIComponent(r.uuid)}/start`, { phoneNumber: number }), `Calling ${who(r)} on ${number}: your phone rings first.`)}
                          >
                            Start
                          </button>
                        )}
                        {r.message && (
                          <button
                            type="button"
                            data-testid="callback-listen"
                            onClick={() => void act(() => api.request('POST', `${base}/${encodeURIComponent(r.uuid)}/listen`), `Your phone rings to play the message of ${who(r)}.`)}
                          >
                            Listen{r.messageMs ? ` (${Math.round(r.messageMs / 1000)} s)` : ''}
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ),
      )}
      {error && (
        <p class="error" role="alert" data-testid="callback-error">
          {error}
        </p>
      )}
      {info && (
        <p class="info" role="status" data-testid="callback-info">
          {info}
        </p>
      )}
    </section>
  );
}
