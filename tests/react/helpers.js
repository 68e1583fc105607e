// Shared by the React suites (imported after 'global-jsdom/register'): a provider
// wrapper, clients closed at the end of a test, and REST calls to the gateway.
import assert from 'node:assert/strict';
import React from 'react';
import { ClientProvider } from '../../js/react/index.js';
import { clientFor, tokenFor } from '../js/helpers.js';

export const h = React.createElement;

/** renderHook / render wrapper: <ClientProvider client> (inside <StrictMode> when strict). */
export function wrapperFor(client, { strict = false } = {}) {
  return function Wrapper({ children }) {
    const provided = h(ClientProvider, { client }, children);
    return strict ? h(React.StrictMode, null, provided) : provided;
  };
}

/** A client for `user`, closed when the test ends (the gateway allows 5 sockets per user). */
export async function openClient(t, gw, user, extra) {
  const c = await clientFor(gw, user, extra);
  t.after(() => c.close());
  return c;
}

/** A REST call as `user` that must succeed; resolves the body. */
export async function rest(gw, method, path, user, body) {
  const res = await gw.request(method, path, { token: await tokenFor(gw, user), body });
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Holds the runtime's mutation requests (its HTTP goes through XMLHttpRequest) until
 * the returned release() sends them, so what shows "before the server answered" is
 * certain, not a race with a fast local gateway. Released at the test's end anyway.
 */
export function holdMutations(t) {
  const Base = globalThis.XMLHttpRequest;
  const held = [];
  let holding = true;
  globalThis.XMLHttpRequest = class extends Base {
    open(method, ...rest) {
      this.heldMethod = String(method).toUpperCase();
      return super.open(method, ...rest);
    }

    send(body) {
      if (holding && MUTATING.has(this.heldMethod)) held.push(() => super.send(body));
      else super.send(body);
    }
  };
  const release = () => {
    holding = false;
    globalThis.XMLHttpRequest = Base;
    for (const send of held.splice(0)) send();
  };
  t.after(release);
  return release;
}
