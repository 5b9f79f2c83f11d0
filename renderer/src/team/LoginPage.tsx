// Team mode's login page: user name and password, and why a login failed (wrong name or password, or how long
// to wait after too many failures). Shown at start without a session, and again when a session ends.
import { useState, type FormEvent } from 'react';
import type { SessionInfo } from '../../../shared/roles.js';
import { logIn, type AuthFetch } from './authApi.js';

export interface LoginPageProps {
  fetch: AuthFetch;
  base: string;
  /** Why the page is shown again (e.g. the session ended); null at first start. */
  notice: string | null;
  /** The account whose session ended (filled in: they log in again to go on). */
  initialUser?: string;
  onLoggedIn: (session: SessionInfo) => void;
}

export function LoginPage({ fetch, base, notice, initialUser = '', onLoggedIn }: LoginPageProps) {
  const [user, setUser] = useState(initialUser);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await logIn(fetch, base, user.trim(), password);
    setBusy(false);
    if (r.ok) onLoggedIn(r.session);
    else {
      setError(r.reason);
      setPassword('');
    }
  };

  return (
    <div className="login-page">
      <form className="login-form" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">RetinaStudio</h1>
        {notice && (
          <p className="login-notice" id="login-notice" data-testid="login-notice">
            {notice}
          </p>
        )}
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            autoFocus={!initialUser}
            value={user}
            onChange={(e) => setUser(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            autoFocus={!!initialUser}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="login-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy || !user || !password}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </div>
  );
}
