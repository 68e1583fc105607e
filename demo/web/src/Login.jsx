// Sign in as one of the demo users (each one's password is its name).
import { useState } from 'react';
import { login } from './session.js';

const DEMO_USERS = ['alice', 'bob', 'admin'];

export function Login({ onSignedIn }) {
  const [username, setUsername] = useState('alice');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function signIn(name, pass) {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await login(name, pass));
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <h1>ssot-realtime</h1>
      <p className="tagline">A realtime data client for React, with a C++/WebAssembly engine.</p>
      <div className="quick">
        {DEMO_USERS.map((name) => (
          <button key={name} type="button" disabled={busy} onClick={() => signIn(name, name)}>
            Sign in as {name}
          </button>
        ))}
      </div>
      <form onSubmit={(e) => { e.preventDefault(); signIn(username, password); }}>
        <label>User <input name="username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" /></label>
        <label>Password <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" /></label>
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      <p className="hint">Demo users: alice, bob, admin; each password is the user name. Open two windows to see changes move live.</p>
    </main>
  );
}
