/** The desktop's browser phone panel: register the agent's WebRTC endpoint, answer and hang up in the page. */
import { useEffect, useRef, useState } from 'preact/hooks';
// JsSIP is loaded only when the agent turns the browser phone on.
import type { CallStatus, Phone, PhoneSettings, PhoneStatus } from '../phone.js';

const KEY = 'switchboard.phone';

function saved(agentId: string): PhoneSettings {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<PhoneSettings> | null;
    return { wsUrl: s?.wsUrl ?? `ws://${location.hostname}:8088/ws`, user: s?.user ?? `web${agentId}`, password: '' };
  } catch {
    return { wsUrl: `ws://${location.hostname}:8088/ws`, user: `web${agentId}`, password: '' };
  }
}

export function BrowserPhone({ agentId }: { agentId: string }) {
  const [settings, setSettings] = useState<PhoneSettings>(() => saved(agentId));
  const [status, setStatus] = useState<PhoneStatus>('off');
  const [detail, setDetail] = useState<string | undefined>();
  const [call, setCall] = useState<{ status: CallStatus; from?: string | undefined }>({ status: 'idle' });
  const phone = useRef<Phone | undefined>(undefined);
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => () => phone.current?.stop(), []);

  const start = async (e: Event) => {
    e.preventDefault();
    phone.current?.stop();
    localStorage.setItem(KEY, JSON.stringify({ wsUrl: settings.wsUrl, user: settings.user }));
    const { startPhone } = await import('../phone.js');
    phone.current = startPhone(settings, audio.current!, {
      status: (s, d) => {
        setStatus(s);
        setDetail(d);
      },
      call: (s, from) => setCall({ status: s, from }),
    });
  };
  const set = (k: keyof PhoneSettings) => (e: Event) => setSettings({ ...settings, [k]: (e.currentTarget as HTMLInputElement).value });
  const label = { off: 'off', registering: 'registering…', registered: 'registered', failed: `registration failed${detail ? ` (${detail})` : ''}` }[status];

  return (
    <section class="panel" aria-labelledby="phone-title">
      <h2 id="phone-title">Browser phone</h2>
      <p>
        Status: <strong data-testid="phone-status">{label}</strong>
      </p>
      <form class="form-grid" onSubmit={(e) => void start(e)}>
        <label for="phone-ws">PBX WebSocket</label>
        <input id="phone-ws" value={settings.wsUrl} onInput={set('wsUrl')} />
        <label for="phone-user">SIP user</label>
        <input id="phone-user" value={settings.user} onInput={set('user')} />
        <label for="phone-pass">SIP password</label>
        <input id="phone-pass" type="password" autocomplete="current-password" value={settings.password} onInput={set('password')} />
        <button type="submit">{status === 'off' ? 'Use the browser as my phone' : 'Register again'}</button>
      </form>
      {call.status !== 'idle' && (
        <p class="row" data-testid="phone-call">
          {call.status === 'ringing' ? `Ringing: ${call.from ?? 'unknown'}` : 'Connected'}
          {call.status === 'ringing' && (
            <button type="button" onClick={() => phone.current?.answer()}>
              Answer
            </button>
          )}
          <button type="button" onClick={() => phone.current?.hangup()}>
            Hang up
          </button>
        </p>
      )}
      <audio ref={audio} autoplay data-testid="phone-audio" />
    </section>
  );
}
