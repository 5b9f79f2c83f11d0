// Browser mode without a token in the address: a team server. Asks who is logged in; shows the login page until
// someone is, then the app over a cookie-authenticated client made for that login. A request refused as
// 'unauthenticated' (the session expired or was ended elsewhere: a password changed, an account disabled) brings
// the login form up over the app, which stays as it was: the same person logging in again goes on where they
// were, an edit that could not be saved meanwhile is saved then (useAutosave), nothing on screen is lost.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { HttpClient } from '../transport/httpClient.js';
import type { SessionInfo } from '../../../shared/roles.js';
import { App } from '../App.js';
import { createTeamClient, pageFolder } from '../client.js';
import { mainRegion } from '../focusHandOff.js';
import { forgetOpenImage } from '../imageRoute.js';
import { LoginPage } from './LoginPage.js';
import { logOut, probeSession, type AuthFetch } from './authApi.js';

type GateState =
  | { kind: 'checking' }
  | { kind: 'single-user' }
  | { kind: 'login'; notice: string | null }
  /** `ended`: the session ended under the app (why, shown over it until someone logs in again). */
  | { kind: 'in'; session: SessionInfo; ended: string | null };

const SESSION_ENDED = 'Your session has ended: log in again to go on where you were.';

const NO_TOKEN =
  'No access token: open RetinaStudio with the URL printed by `retina serve` (it ends in ?token=…).';

export function TeamGate() {
  const [state, setState] = useState<GateState>({ kind: 'checking' });
  const authFetch = useMemo(() => window.fetch.bind(window) as unknown as AuthFetch, []);
  const base = pageFolder();
  // One client per account, made once its login succeeded: its event socket then opens with the session cookie. A
  // socket opened before the login is refused and retries on a timer, and every event sent until it gets in (a
  // reviewer's own assignment, right after logging in) would be lost. The same account logging in again keeps the
  // client: its socket gets in at its next retry, and the app reads everything again (resync).
  const sessionKey = state.kind === 'in' ? state.session.name : null;
  const [client, setClient] = useState<{ key: string; client: HttpClient } | null>(null);
  useEffect(() => {
    if (sessionKey === null) return;
    const c = createTeamClient(() => {
      focusBeforeEnd.current ??= document.activeElement;
      setState((s) => (s.kind === 'in' && s.ended === null ? { ...s, ended: SESSION_ENDED } : s));
    });
    setClient({ key: sessionKey, client: c });
    return () => {
      c.close();
      setClient(null);
    };
  }, [sessionKey]);

  // Where focus was when the session ended (the app then turns inert and the login takes it): given back once
  // someone logs in again, else focus stayed on the page's body and the viewer's keys did nothing until a click.
  const focusBeforeEnd = useRef<Element | null>(null);
  const ended = state.kind === 'in' && state.ended !== null;
  useEffect(() => {
    if (ended) return;
    const before = focusBeforeEnd.current;
    focusBeforeEnd.current = null;
    if (!before) return;
    const target = before instanceof HTMLElement && before.isConnected ? before : mainRegion();
    target?.focus();
  }, [ended]);

  useEffect(() => {
    probeSession(authFetch, base).then(
      (p) =>
        setState(
          !p.team
            ? { kind: 'single-user' }
            : p.session
              ? { kind: 'in', session: p.session, ended: null }
              : { kind: 'login', notice: null },
        ),
      () => setState({ kind: 'single-user' }),
    );
  }, [authFetch, base]);

  switch (state.kind) {
    case 'checking':
      return <div className="loading">Connecting…</div>;
    case 'single-user':
      return <div className="fatal">{NO_TOKEN}</div>;
    case 'login':
      return (
        <LoginPage
          fetch={authFetch}
          base={base}
          notice={state.notice}
          onLoggedIn={(session) => setState({ kind: 'in', session, ended: null })}
        />
      );
    case 'in':
      if (client?.key !== sessionKey) return <div className="loading">Connecting…</div>;
      return (
        <>
          <div className="team-app" inert={state.ended !== null}>
            <App
              // Another account's login is a new app: nothing of the previous user's screens survives it.
              key={sessionKey}
              user={sessionKey}
              client={client.client}
              onLogout={() =>
                void logOut(authFetch, base).finally(() => {
                  forgetOpenImage(location, history);
                  setState({ kind: 'login', notice: 'Logged out.' });
                })
              }
            />
          </div>
          {state.ended !== null && (
            // The app's keys stay with it: typing here must not reach the viewer's shortcuts.
            // A modal dialog to screen readers, named by the login's title and described by why it is shown.
            <div
              className="login-overlay"
              role="dialog"
              aria-modal="true"
              aria-labelledby="login-title"
              aria-describedby="login-notice"
              onKeyDown={(e) => e.stopPropagation()}
            >
              <LoginPage
                fetch={authFetch}
                base={base}
                notice={state.ended}
                initialUser={state.session.name}
                onLoggedIn={(session) => {
                  // The same account again: the app and its client stay, the client's events come anew.
                  if (session.name === state.session.name) client.client.reconnect();
                  else forgetOpenImage(location, history);
                  setState({ kind: 'in', session, ended: null });
                }}
              />
            </div>
          )}
        </>
      );
  }
}
