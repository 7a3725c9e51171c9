/**
 * The page: a login form, then the views the profile allows (agent: desktop; supervisor:
 * wallboard; admin: wallboard and administration). The session is renewed before it expires;
 * when the server says it has expired, everything is cleared and the login form says so.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi, type ApiFailure } from './api.js';
import { connectCti } from './cti.js';
import { describeError } from './errors.js';
import { useLinkStatus } from './hooks.js';
import { loadSession, logout, renew, renewDelayMs, saveSession, type Session } from './session.js';
import { AdminView } from './views/admin.js';
import { AgentDesktop } from './views/agent-desktop.js';
import { LoginForm } from './views/login.js';
import { Wallboard } from './views/wallboard.js';

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [notice, setNotice] = useState<string | undefined>();

  const end = (message: string | undefined) => {
    saveSession(undefined);
    setSession(undefined);
    setNotice(message);
  };

  // Renew at 80 % of the lifetime; a refusal means the session is over.
  useEffect(() => {
    if (!session) return;
    const t = setTimeout(() => {
      renew(session)
        .then((s) => {
          saveSession(s);
          setSession(s);
        })
        .catch((err: unknown) => end(describeError(err)));
    }, renewDelayMs(session));
    return () => clearTimeout(t);
  }, [session]);

  if (!session) {
    return (
      <LoginForm
        notice={notice}
        onLogin={(s) => {
          saveSession(s);
          setNotice(undefined);
          setSession(s);
        }}
      />
    );
  }
  return <Signed key={session.username} session={session} onEnd={end} />;
}

function Signed({ session, onEnd }: { session: Session; onEnd: (message: string | undefined) => void }) {
  const tokenRef = useMemo(() => ({ current: session.token }), []);
  tokenRef.current = session.token;
  const expired = (f: ApiFailure) => onEnd(f.message === 'session expired' ? 'Your session has expired. Please log in again.' : 'You have been logged out. Please log in again.');
  const api = useMemo(() => createApi(() => tokenRef.current, expired), []);
  const cti = useMemo(
    () =>
      connectCti({
        token: () => tokenRef.current,
        // The socket was refused: ask the API why (a 401 ends the session through `expired`).
        onRefused: () => void api.request('GET', '/lists/queues').catch(() => undefined),
      }),
    [],
  );
  // Children's effects (their subscriptions) run before this one: only then connect.
  useEffect(() => {
    cti.start();
    return () => cti.close();
  }, [cti]);
  const status = useLinkStatus(cti);
  const views = session.profile === 'agent' ? (['desktop'] as const) : session.profile === 'supervisor' ? (['wallboard'] as const) : (['wallboard', 'admin'] as const);
  const [view, setView] = useState<string>(() => {
    const fromHash = location.hash.replace(/^#\/?/, '');
    return (views as readonly string[]).includes(fromHash) ? fromHash : views[0];
  });
  useEffect(() => {
    location.hash = `/${view}`;
  }, [view]);

  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">Switchboard</span>
        {views.length > 1 && (
          <nav aria-label="Views">
            {views.map((v) => (
              <button key={v} type="button" class={v === view ? 'tab active' : 'tab'} aria-current={v === view ? 'page' : undefined} onClick={() => setView(v)}>
                {v === 'wallboard' ? 'Wallboard' : v === 'admin' ? 'Administration' : 'Desktop'}
              </button>
            ))}
          </nav>
        )}
        <span class="who">
          {session.username} · {session.profile}
        </span>
        <button
          type="button"
          onClick={() => {
            void logout(session);
            onEnd('You have logged out.');
          }}
        >
          Log out
        </button>
      </header>
      {status !== 'open' && (
        <div class="banner" role="alert" data-testid="link-banner">
          {status === 'lost' ? 'Connection to the server lost. Reconnecting… (what you see may be out of date)' : 'Connecting to the server…'}
        </div>
      )}
      <main>
        {view === 'desktop' && <AgentDesktop api={api} cti={cti} />}
        {view === 'wallboard' && <Wallboard api={api} cti={cti} profile={session.profile} />}
        {view === 'admin' && <AdminView api={api} />}
      </main>
    </div>
  );
}
