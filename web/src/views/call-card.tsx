/** The incoming call card: caller, number dialled, IVR path, queue, wait, variables; the call timer and recording control. */
import { duration } from '../format.js';
import type { AgentCall, AgentState } from '../types.js';

export function CallCard({ call, state, queueName, now, onRecording }: { call: AgentCall; state: AgentState; queueName: string; now: number; onRecording: (pause: boolean) => void }) {
  const vars = Object.entries(call.variables);
  const onCall = state.name === 'AgentOnCall' && call.phase === 'connected';
  const phaseLabel = call.phase === 'ringing' ? 'Incoming call' : call.phase === 'connected' ? 'On the call' : 'Call ended';
  return (
    <div class={`call-card phase-${call.phase}`} data-testid="call-card">
      <p class="phase">{phaseLabel}</p>
      <dl>
        <dt>Caller</dt>
        <dd data-testid="call-from">{call.from}</dd>
        <dt>Number dialled</dt>
        <dd data-testid="call-dialled">{call.dialled}</dd>
        <dt>IVR path</dt>
        <dd data-testid="call-ivr">{call.ivrPath.length > 0 ? call.ivrPath.join(' → ') : 'none'}</dd>
        <dt>Queue</dt>
        <dd data-testid="call-queue">{queueName}</dd>
        <dt>Waited</dt>
        <dd>{call.waitS === null ? '—' : duration(call.waitS)}</dd>
        {onCall && (
          <>
            <dt>Talking for</dt>
            <dd data-testid="call-timer">{duration((now - call.at) / 1000)}</dd>
          </>
        )}
      </dl>
      {vars.length > 0 && (
        <table class="vars">
          <caption>Call variables</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {vars.map(([k, v]) => (
              <tr key={k}>
                <td>{k}</td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {onCall && state.monitorState && state.monitorState !== 'DISABLED' && (
        <p class="row">
          Recording: <strong data-testid="recording-state">{state.monitorState === 'ACTIVE' ? 'on' : 'paused'}</strong>
          <button type="button" onClick={() => onRecording(state.monitorState === 'ACTIVE')}>
            {state.monitorState === 'ACTIVE' ? 'Pause recording' : 'Resume recording'}
          </button>
        </p>
      )}
    </div>
  );
}
