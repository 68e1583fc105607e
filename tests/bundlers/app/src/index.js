// The app each bundler builds: signs in as alice on its own origin, shows room 1's
// messages live. ?wasmUrl=U or ?wasmModule=U loads the wasm from U instead of the
// bundled file (the createClient options for apps that host it elsewhere).
// ?mode=M: createClient's mode; the page fails when another mode runs (the
// bundler did not emit a worker that starts).
import { createClient } from 'ssot-realtime';

const params = new URLSearchParams(location.search);
const list = document.getElementById('messages');

async function wasmOptions() {
  if (params.has('wasmUrl')) return { wasmUrl: params.get('wasmUrl') };
  if (params.has('wasmModule')) return { wasmModule: await WebAssembly.compileStreaming(fetch(params.get('wasmModule'))) };
  return {};
}

function render(snapshot) {
  list.replaceChildren(...snapshot.items.map((m) => Object.assign(document.createElement('li'), { textContent: m.text })));
  document.body.dataset.status = snapshot.status;
}

async function main() {
  const res = await fetch('/api/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice' }),
  });
  const { token } = await res.json();
  const client = await createClient({
    baseUrl: new URL('/api', location.href).href,
    token,
    websockets: { enabled: true, url: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`, pubsub: { models: { Message: {} } } },
    ...(await wasmOptions()),
    ...(params.has('mode') ? { mode: params.get('mode') } : {}),
  });
  if (params.has('mode') && client.mode !== params.get('mode')) {
    throw new Error(`mode ${client.mode} runs, not ${params.get('mode')}: ${client.modeFallback?.reason}`);
  }
  const showConnection = () => { document.body.dataset.connection = client.connection.state; };
  client.connection.subscribe(showConnection);
  showConnection();
  const view = client.model('Message').watch({ where: { roomId: 1 } });
  view.subscribe(render);
  render(view.getSnapshot());
}

main().catch((error) => {
  document.body.dataset.status = 'failed';
  list.textContent = String(error?.message ?? error);
});
