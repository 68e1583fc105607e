// The client's config for this page: REST and the socket on the page's own origin.
export const ROOM_CHANNEL = 'chat:room:{roomId}';

// One engine for every tab of the browser (README "One engine per browser");
// ?mode=main (or ?mode=worker) switches it.
export function demoMode(loc = window.location) {
  const asked = new URLSearchParams(loc.search).get('mode');
  return asked === 'main' || asked === 'worker' ? asked : 'shared-worker';
}

export function clientConfig(token, loc = window.location) {
  const wsScheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return {
    baseUrl: `${loc.origin}/api`,
    token,
    mode: demoMode(loc),
    websockets: {
      enabled: true,
      url: `${wsScheme}://${loc.host}/ws`,
      pubsub: {
        models: { Message: {}, Notification: {}, Product: {}, ActivityLog: {}, Room: {} },
        channels: { [ROOM_CHANNEL]: { events: ['message', 'typing', 'join', 'leave'] } },
      },
      // maxAttempts 0: a demo left open keeps trying until the gateway is back.
      reconnect: { backoff: 'exponential', baseDelay: 1000, maxDelay: 8000, maxAttempts: 0 },
      batching: { enabled: true, flushInterval: 50, maxBatchSize: 100 },
      heartbeat: { enabled: true, interval: 15000, timeout: 5000 },
    },
  };
}
