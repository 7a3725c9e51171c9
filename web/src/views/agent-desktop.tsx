/**
 * The agent desktop: log in on a line, ready / pause with a reason / log out, the state and the
 * time in it, Answer while ringing (simulated PBX), the call card while ringing and on the call, the call timer, recording pause and
 * resume, the wrap-up countdown, click-to-call, the agent's callback requests and today's own figures. Live from the CTI WebSocket.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import type { CtiClient } from '../cti.js';
import { describeError } from '../errors.js';
import { duration, STATE_LABEL } from '../format.js';
import { useCtiEvent, useNow } from '../hooks.js';
import type { AgentCall, AgentState, QueueInfo, Statistic } from '../types.js';
import { BrowserPhone } from './browser-phone.js';
import { CallbacksPanel } from './callbacks-panel.js';
import { CallCard } from './call-card.js';
import { MyStats } from './my-stats.js';

interface Mine {
  state: AgentState;
  /** Browser ms when the state began. */
  stateAt: number;
}

export function AgentDesktop({ api, cti }: { api: ApiClient; cti: CtiClient }) {
  const [mine, setMine] = useState<Mine | undefined>();
  const [call, setCall] = useState<AgentCall | undefined>();
  const [queues, setQueues] = useState<QueueInfo[]>([]);
  const [stats, setStats] = useState<Statistic[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [info, setInfo] = useState<string | undefined>();
  const [line, setLine] = useState('');
  const [reasons, setReasons] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [destination, setDestination] = useState('');
  const [callsEnded, setCallsEnded] = useState(0);
  // Answering from the page works on the simulated PBX only; a real PBX's phone answers by itself.
  const [simulated, setSimulated] = useState(false);
  const now = useNow(1000);
  const me = mine?.state.agentId;

  const track = (state: AgentState) => setMine({ state, stateAt: Date.now() - state.since * 1000 });

  useCtiEvent(cti, 'Snapshot', (s) => {
    const first = s.agents[0];
    if (first) track(first);
    setCall(undefined);
  });
  useCtiEvent(
    cti,
    'AgentStateEvent',
    (s) => {
      if (me !== undefined && s.agentId !== me) return;
      track(s);
      if (s.name === 'AgentReady' || s.name === 'AgentOnPause' || s.name === 'AgentLoggedOut') setCall(undefined);
    },
    [me],
  );
  useCtiEvent(cti, 'AgentCall', (c) => {
    setCall(c);
    if (c.phase === 'ended') setCallsEnded((n) => n + 1);
  });
  useCtiEvent(cti, 'QueueList', setQueues);
  useCtiEvent(cti, 'AgentStatistics', (s) => setStats(s.statistics));
  useEffect(
    () =>
      cti.onOpen(() => {
        cti.send({ command: 'getList', objectType: 'queue' });
        cti.send({ command: 'subscribeToAgentStats' });
      }),
    [cti],
  );

  useEffect(() => {
    api.request<{ pbx: { driver?: string } }>('GET', '/health').then(
      (h) => setSimulated(h.pbx.driver === 'sim'),
      () => setSimulated(false),
    );
  }, [api]);

  useEffect(() => {
    // The configured pause reasons (config `pause_reasons`); the first is picked until the agent chooses.
    api.request<{ reasons: string[] }>('GET', '/pause-reasons').then(
      (r) => {
        setReasons(r.reasons);
        setReason((cur) => cur || (r.reasons[0] ?? ''));
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, [api]);

  const run = async (what: () => Promise<unknown>, done?: string) => {
    setError(undefined);
    setInfo(undefined);
    try {
      await what();
      if (done) setInfo(done);
    } catch (err) {
      setError(describeError(err));
    }
  };

  if (!mine) return <p role="status">Loading your desk…</p>;
  const { state } = mine;
  const inState = (now - mine.stateAt) / 1000;
  const loggedIn = state.name !== 'AgentLoggedOut';
  const queueName = (id: string | null) => (id ? (queues.find((q) => q.id === id)?.name ?? id) : '—');
  const wrapLeft = state.name === 'AgentOnWrapup' && call?.wrapupS != null ? Math.max(0, call.wrapupS - inState) : undefined;

  return (
    <div class="desktop">
      <section class="panel state-panel" aria-labelledby="my-state">
        <h2 id="my-state">My state</h2>
        <p class={`state state-${state.name}`} data-testid="agent-state" aria-live="polite">
          {STATE_LABEL[state.name]}
          {state.name === 'AgentOnPause' && state.cause ? ` (${state.cause})` : ''}
        </p>
        <p>
          Time in state: <span data-testid="time-in-state">{duration(inState)}</span>
        </p>
        {wrapLeft !== undefined && (
          <p class="countdown" data-testid="wrapup-countdown">
            Wrap-up ends in {duration(wrapLeft)}
          </p>
        )}
        <p>
          Agent {state.agentId}
          {state.phoneNb ? ` · line ${state.phoneNb}` : ''} · phone {state.online ? 'registered' : 'not registered'}
        </p>
        <p>Queues: {state.queues.length > 0 ? state.queues.map(queueName).join(', ') : 'none'}</p>

        {!loggedIn && (
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => cti.command({ command: 'loginAgent', agentPhoneNumber: line.trim() }));
            }}
          >
            <label for="line">Line (phone number)</label>
            <input id="line" inputMode="tel" required pattern="\+?[0-9*#]{1,32}" value={line} onInput={(e) => setLine(e.currentTarget.value)} />
            <button type="submit">Log in on this line</button>
          </form>
        )}
        {simulated && state.name === 'AgentRinging' && (
          <div class="row">
            <button type="button" class="answer" onClick={() => void run(() => api.request('POST', '/agents/me/answer'))}>
              Answer
            </button>
          </div>
        )}
        {loggedIn && (
          <div class="row">
            <button type="button" disabled={state.name !== 'AgentOnPause'} onClick={() => void run(() => cti.command({ command: 'unpauseAgent' }))}>
              Ready
            </button>
            <label for="reason">Pause reason</label>
            <select id="reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
              {reasons.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <button type="button" disabled={state.name === 'AgentOnPause' || !reason} onClick={() => void run(() => cti.command({ command: 'pauseAgent', reason }))}>
              Pause
            </button>
            <button type="button" onClick={() => void run(() => cti.command({ command: 'logoutAgent' }))}>
              Log out of the line
            </button>
          </div>
        )}
        {error && (
          <p class="error" role="alert" data-testid="desk-error">
            {error}
          </p>
        )}
        {info && (
          <p class="info" role="status">
            {info}
          </p>
        )}
      </section>

      <section class="panel" aria-labelledby="call-title">
        <h2 id="call-title">Call</h2>
        {call ? (
          <CallCard call={call} state={state} queueName={queueName(call.queueId)} now={now} onRecording={(pause) => run(() => cti.command({ command: pause ? 'monitorPause' : 'monitorUnpause' }))} />
        ) : (
          <p data-testid="no-call">No call.</p>
        )}
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const r = (await cti.command({ command: 'click2call', destination: destination.trim() })) as { callId?: string };
              setInfo(`Calling ${destination.trim()}: your phone rings first (call ${r.callId ?? ''}).`);
            });
          }}
        >
          <label for="destination">Call a number</label>
          <input id="destination" inputMode="tel" required pattern="\+?[0-9*#]{1,32}" value={destination} onInput={(e) => setDestination(e.currentTarget.value)} />
          <button type="submit">Call</button>
        </form>
      </section>

      <CallbacksPanel api={api} cti={cti} agentId={state.agentId} />
      <MyStats api={api} stats={stats} agentId={state.agentId} refresh={callsEnded} />
      <BrowserPhone agentId={state.agentId} />
    </div>
  );
}
