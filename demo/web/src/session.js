// Sign-in: POST /api/login, and the {token, user} kept for this tab (sessionStorage).
const KEY = 'ssot-demo-session';

function tokenExpired(token) {
  try {
    const b64 = token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(b64));
    return typeof exp !== 'number' || exp * 1000 <= Date.now();
  } catch {
    return true;
  }
}

export function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY));
    return s && typeof s.token === 'string' && s.user && !tokenExpired(s.token) ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

export async function login(username, password) {
  const res = await fetch(`${window.location.origin}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `sign-in failed (${res.status})`);
  return { token: body.token, user: body.user };
}
