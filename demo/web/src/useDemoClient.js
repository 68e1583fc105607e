// One client per signed-in session: created on mount, closed on unmount.
// window.ssotDemo.client is there for the curious (and the end-to-end tests).
import { useEffect, useState } from 'react';
import { createClient } from 'ssot-realtime';
import { clientConfig } from './config.js';

export function useDemoClient(token) {
  const [state, setState] = useState({ client: null, error: null });
  useEffect(() => {
    let live = true;
    const pending = createClient(clientConfig(token));
    pending.then(
      (client) => {
        if (!live) return;
        window.ssotDemo = { ...window.ssotDemo, client };
        setState({ client, error: null });
      },
      (error) => { if (live) setState({ client: null, error }); },
    );
    return () => {
      live = false;
      pending.then((client) => client.close(), () => {});
      if (window.ssotDemo?.client) window.ssotDemo = { ...window.ssotDemo, client: undefined };
    };
  }, [token]);
  return state;
}
