// The fake server the runtime hydrates from in the Node benchmarks: node http + ws on
// 127.0.0.1. The list endpoint answers with state.body (the hydration records), the
// socket answers `subscribe` with `subscribed` seq 0 and `ping` with `pong`; the
// frames themselves go straight into the runtime (see runtime_vs_js.js).
import http from 'node:http';
import { WebSocketServer } from 'ws';

export async function startServer() {
  const state = { body: '{"items":[],"total":0,"seq":0}', subscribed: 0, lists: 0 };
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url.startsWith('/api/messages')) {
      state.lists++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(state.body);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      let msg;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      if (msg.type === 'subscribe') {
        ws.send(JSON.stringify({ type: 'subscribed', channel: msg.channel, seq: 0 }));
        state.subscribed++;
      } else if (msg.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong', t: msg.t }));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    state,
    baseUrl: `http://127.0.0.1:${port}/api`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    close: () => new Promise((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.close(resolve);
    }),
  };
}
