// Signed out: the sign-in form. Signed in: the app, with its own client.
import { useState } from 'react';
import { clearSession, loadSession, saveSession } from './session.js';
import { Login } from './Login.jsx';
import { SignedIn } from './SignedIn.jsx';

export function App() {
  const [session, setSession] = useState(loadSession);
  if (!session) {
    return <Login onSignedIn={(s) => { saveSession(s); setSession(s); }} />;
  }
  const signOut = () => { clearSession(); setSession(null); };
  return <SignedIn key={session.token} session={session} onSignOut={signOut} />;
}
