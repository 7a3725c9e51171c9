/** Durations and times as people read them. */
export function duration(totalS: number): string {
  const s = Math.max(0, Math.floor(totalS));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export const clockTime = (epochMs: number): string => new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const dateTime = (epochMs: number): string => new Date(epochMs).toLocaleString();

/** Human names of the seed 002 agent states. */
export const STATE_LABEL = {
  AgentLoggedOut: 'Logged out',
  AgentReady: 'Ready',
  AgentOnPause: 'Paused',
  AgentRinging: 'Ringing',
  AgentDialing: 'Dialling',
  AgentOnCall: 'On call',
  AgentOnWrapup: 'Wrap-up',
} as const;
