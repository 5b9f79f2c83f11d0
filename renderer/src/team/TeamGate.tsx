// Browser mode without a token in the address: a team server. Asks who is logged in; shows the login page until
// someone is, then the app over a cookie-authenticated client. A request refused as 'unauthenticated' (the
// session expired or was ended elsewhere) brings the login page back.
import { useEffect, useMemo, useState } from 'react';
import type { SessionInfo } from '../../../shared/roles.js';
import { App } from '../App.js';
import { createTeamClient } from '../client.js';
import { LoginPage } from './LoginPage.js';
import { logOut, probeSession, type AuthFetch } from './authApi.js';

type GateState =
  | { kind: 'checking' }
  | { kind: 'single-user' }
  | { kind: 'login'; notice: string | null }
  | { kind: 'in'; session: SessionInfo };

const NO_TOKEN =
  'No access token: open RetinaStudio with the URL printed by `retina serve` (it ends in #token=…).';

export function TeamGate() {
  const [state, setState] = useState<GateState>({ kind: 'checking' });
  const authFetch = useMemo(() => window.fetch.bind(window) as unknown as AuthFetch, []);
  const base = location.origin;
  const client = useMemo(
    () =>
      createTeamClient(() =>
        setState((s) =>
          s.kind === 'in' ? { kind: 'login', notice: 'Your session has ended: log in again.' } : s,
        ),
      ),
    [],
  );
  useEffect(() => () => client.close(), [client]);

  useEffect(() => {
    probeSession(authFetch, base).then(
      (p) =>
        setState(
          !p.team
            ? { kind: 'single-user' }
            : p.session
              ? { kind: 'in', session: p.session }
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
          onLoggedIn={(session) => setState({ kind: 'in', session })}
        />
      );
    case 'in':
      return (
        <App
          // A new login is a new app: nothing of the previous user's screens survives it.
          key={`${state.session.name}@${state.session.expiresAt}`}
          client={client}
          onLogout={() =>
            void logOut(authFetch, base).finally(() => setState({ kind: 'login', notice: 'Logged out.' }))
          }
        />
      );
  }
}
