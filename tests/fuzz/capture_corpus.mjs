// Regenerates the "real frames" part of the seed corpora from the reference
// gateway (demo/server): every frame text exactly as the server sent it, and
// the REST bodies it answers with. Run by hand: node tests/fuzz/capture_corpus.mjs
// (writes tests/fuzz/corpus/frame/gw-* and the engine_stream seeds gateway_frames and
// gateway_bodies: the frames raw after the views hydrated, the REST bodies as answers).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGateway, connectSocket } from '../support/gateway.js';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const gw = await startGateway();
const tok = {};
for (const u of ['alice', 'bob', 'admin']) tok[u] = await gw.login(u);

const raw = []; // frame texts as received by alice
const c = connectSocket(`${gw.wsUrl}?token=${encodeURIComponent(tok.alice)}`);
c.ws.on('message', (d) => raw.push(d.toString()));
await c.opened;
const b = connectSocket(`${gw.wsUrl}?token=${encodeURIComponent(tok.bob)}`);
await b.opened;

for (const ch of ['Message:list', 'Message:item:1', 'Product:list', 'chat:room:1']) c.send({ type: 'subscribe', channel: ch });
b.send({ type: 'subscribe', channel: 'chat:room:1' });
await c.barrier();
const made = await gw.request('POST', '/messages', { token: tok.alice, body: { roomId: 1, text: 'hello "fuzz" \u00e9' }, headers: { 'X-Client-Mutation-Id': 'ab12cd34-1' } });
await gw.request('PATCH', `/messages/${made.body.id}`, { token: tok.alice, body: { text: 'edited' } });
await gw.request('PATCH', '/messages/1', { token: tok.admin, body: { text: 'first, edited' } });
await gw.request('PATCH', '/products/2', { token: tok.admin, body: { stock: 41 } });
await gw.request('DELETE', `/messages/${made.body.id}`, { token: tok.alice });
b.send({ type: 'publish', channel: 'chat:room:1', event: 'typing', data: { typing: true } });
c.send({ type: 'request', requestId: '7', model: 'Message', action: 'list', params: { where: { roomId: 1 }, orderBy: { id: 'desc' }, take: 2 } });
c.send({ type: 'request', requestId: '8', model: 'Product', action: 'get', params: { id: 1 } });
c.send({ type: 'request', requestId: '9', model: 'Product', action: 'get', params: { id: 999 } });
c.send({ type: 'request', requestId: '10', model: 'Widget', action: 'list' });
c.send({ type: 'subscribe', channel: 'Notification:item:3' });
c.send({ type: 'subscribe', channel: 'Message:list', since: 0 });
c.send({ type: 'subscribe', channel: 'Product:list', since: 99999 });
c.send({ type: 'unsubscribe', channel: 'Message:item:1' });
c.send('{"type":"subscribe"');
c.send({ type: 'ping', t: 12345 });
await c.barrier();
await new Promise((r) => setTimeout(r, 200));

const rest = {
  messages: (await gw.request('GET', '/messages?where=%7B%22roomId%22%3A1%7D&orderBy=%7B%22createdAt%22%3A%22desc%22%7D&take=3', { token: tok.alice })),
  products: (await gw.request('GET', '/products', { token: tok.alice })),
  product: (await gw.request('GET', '/products/1', { token: tok.alice })),
  missing: (await gw.request('GET', '/products/999', { token: tok.alice })),
  forbidden: (await gw.request('DELETE', '/products/1', { token: tok.alice })),
};
c.close(); b.close();
await gw.stop();

const frameDir = path.join(DIR, 'corpus/frame');
fs.mkdirSync(frameDir, { recursive: true });
const uniq = [...new Set(raw)];
uniq.forEach((f, i) => fs.writeFileSync(path.join(frameDir, `gw-${String(i).padStart(2, '0')}`), f));
const engineDir = path.join(DIR, 'corpus/engine_stream');
fs.mkdirSync(engineDir, { recursive: true });
// Script lines (see fuzz_engine_stream.cpp): o = open, A = answer all, D = deliver, q = quiet point,
// e<k> <status> <body> = answer request k with that body; any other line is a raw frame.
fs.writeFileSync(path.join(engineDir, 'gateway_frames'), `o\nA\nD\n${uniq.join('\n')}\nq\n`);
const body = (r) => JSON.stringify(r.body);
fs.writeFileSync(path.join(engineDir, 'gateway_bodies'),
  `o\ne0 ${rest.messages.status} ${body(rest.messages)}\ne0 ${rest.products.status} ${body(rest.products)}\n` +
  `e0 ${rest.missing.status} ${body(rest.missing)}\ne0 ${rest.forbidden.status} ${body(rest.forbidden)}\nD\nq\n`);
console.log(`${uniq.length} frames, ${Object.keys(rest).length} REST bodies`);
