/**
 * CDR search (seed 001 reportsCDRLogs): by date range a page of 100 at a time, or one call by id;
 * filters by queue, agent and disposition; CSV export of the range (GET /cdrs.csv).
 */
import { useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { describeError } from '../errors.js';
import { dateTime, duration } from '../format.js';
import type { Cdr } from '../types.js';

/** Every disposition of the CDR type: a new one fails to compile here until listed. */
const DISPOSITIONS = ['answered', 'abandoned', 'timeout', 'refused', 'ivr-hangup', 'ivr-exit', 'interrupted', 'callback-requested', 'callback-message', 'busy', 'no-answer', 'machine', 'do-not-call', 'failed'] as const satisfies readonly Cdr['disposition'][];
type Missing = Exclude<Cdr['disposition'], (typeof DISPOSITIONS)[number]>;
const allListed: Missing extends never ? true : false = true;
void allListed;

const localInput = (t: number): string => {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

export function CdrSearch({ api }: { api: ApiClient }) {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const [from, setFrom] = useState(localInput(today.getTime()));
  const [to, setTo] = useState(localInput(Date.now() + 3600_000));
  const [callId, setCallId] = useState('');
  const [queue, setQueue] = useState('');
  const [agent, setAgent] = useState('');
  const [disposition, setDisposition] = useState('');
  const [rows, setRows] = useState<Cdr[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [playing, setPlaying] = useState<{ callId: string; url: string } | undefined>();

  const range = () => `startdate=${new Date(from).getTime()}&finishdate=${new Date(to).getTime()}`;
  const search = async (more: boolean) => {
    setError(undefined);
    try {
      const q = callId.trim() ? `activecallkey=${encodeURIComponent(callId.trim())}` : `${range()}${more && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const r = await api.request<{ CallList: Cdr[]; cursor: string | null }>('GET', `/cdrs?${q}`);
      setRows(more ? [...(rows ?? []), ...r.CallList] : r.CallList);
      setCursor(r.cursor);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const exportCsv = async () => {
    setError(undefined);
    try {
      const blob = await api.blob(`/cdrs.csv?${range()}`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `cdrs-${from.slice(0, 10)}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const play = async (callId: string) => {
    setError(undefined);
    try {
      const blob = await api.blob(`/cdrs/${encodeURIComponent(callId)}/recording`);
      if (playing) URL.revokeObjectURL(playing.url);
      setPlaying({ callId, url: URL.createObjectURL(blob) });
    } catch (err) {
      setError(describeError(err));
    }
  };
  const shown = (rows ?? []).filter((c) => (!queue || c.queueId === queue) && (!agent || c.agentId === agent) && (!disposition || c.disposition === disposition));

  return (
    <section class="panel" aria-labelledby="cdr-title">
      <h2 id="cdr-title">Calls (CDRs)</h2>
      <form
        class="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void search(false);
        }}
      >
        <label for="cdr-from">From</label>
        <input id="cdr-from" type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        <label for="cdr-to">To</label>
        <input id="cdr-to" type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        <label for="cdr-call">Call id (instead of dates)</label>
        <input id="cdr-call" value={callId} onInput={(e) => setCallId(e.currentTarget.value)} />
        <label for="cdr-queue">Queue id</label>
        <input id="cdr-queue" value={queue} onInput={(e) => setQueue(e.currentTarget.value)} />
        <label for="cdr-agent">Agent id</label>
        <input id="cdr-agent" value={agent} onInput={(e) => setAgent(e.currentTarget.value)} />
        <label for="cdr-disp">Disposition</label>
        <select id="cdr-disp" value={disposition} onChange={(e) => setDisposition(e.currentTarget.value)}>
          <option value="">any</option>
          {DISPOSITIONS.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
        <button type="submit">Search</button>
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {rows && (
        <>
          <p role="status">
            {shown.length} of {rows.length} calls loaded{cursor ? ' (more available)' : ''}.
          </p>
          <table class="grid" data-testid="cdr-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Call id</th>
                <th scope="col">Caller</th>
                <th scope="col">Dialled</th>
                <th scope="col">IVR path</th>
                <th scope="col">Queue</th>
                <th scope="col">Agent</th>
                <th scope="col">Wait</th>
                <th scope="col">Talk</th>
                <th scope="col">Disposition</th>
                <th scope="col">Recording</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr key={c.callId}>
                  <td>{dateTime(c.startedAt)}</td>
                  <th scope="row">{c.callId}</th>
                  <td>{c.caller}</td>
                  <td>{c.dialled}</td>
                  <td>{c.ivrPath ?? '—'}</td>
                  <td>{c.queueId ?? '—'}</td>
                  <td>{c.agentId ?? '—'}</td>
                  <td>{c.waitMs === null ? '—' : duration(c.waitMs / 1000)}</td>
                  <td>{c.talkMs === null ? '—' : duration(c.talkMs / 1000)}</td>
                  <td>{c.disposition}</td>
                  <td>
                    {c.recording ? (
                      <button type="button" aria-label={`Play the recording of call ${c.callId}`} onClick={() => void play(c.callId)}>
                        Play
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {playing && (
            <figure class="player">
              <figcaption>Recording of call {playing.callId}</figcaption>
              <audio controls autoplay src={playing.url} data-testid="recording-player" />
            </figure>
          )}
          {cursor && (
            <button type="button" onClick={() => void search(true)}>
              Load the next 100
            </button>
          )}
        </>
      )}
    </section>
  );
}
