// Issue 13, finding 8 (client side): the X-Client-Mutation-Id a server sees is
// 128 random bits from Web Crypto (32 hex digits), new for every mutation and
// unrelated across clients, so nobody can guess another client's next id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeServer } from '../soak/fake_server.js';
import { createClient } from '../../js/index.js';
import { requireRuntime } from './helpers.js';

let srv;
let clients = []; // held here, as an app holds its client (see the note below)
const seen = []; // X-Client-Mutation-Id of every request, as the server got it

before(async () => {
  requireRuntime();
  srv = await startFakeServer({ Product: [{ id: 1, name: 'p', price: 1, stock: 1 }] });
  srv.httpHook = (req) => {
    if (req.method !== 'GET') seen.push(req.headers['x-client-mutation-id']);
    return false; // recorded; the fake server answers as usual
  };
});
after(() => srv.close());

test('mutation ids seen by the server are 32 hex digits and all different, across clients', async () => {
  // A client referenced only by the awaiting function can be garbage-collected
  // while its request is in flight (its runtime is then freed by the
  // FinalizationRegistry and the promise never settles): keep them reachable.
  clients = await Promise.all([1, 2].map(() => createClient({ baseUrl: srv.baseUrl, requestTimeout: 3000, websockets: { enabled: false } })));
  try {
    for (const client of clients) {
      const products = client.model('Product');
      for (let i = 0; i < 5; i++) {
        const p = await products.create({ name: `n${i}`, price: i, stock: i });
        await products.update(p.id, { name: `m${i}` });
        await products.delete(p.id);
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  assert.equal(seen.length, 30);
  for (const id of seen) assert.match(id ?? '', /^[0-9a-f]{32}$/);
  assert.equal(new Set(seen).size, seen.length, 'no id repeats');
  // 128 random bits: both clients' ids use the whole alphabet, no shared prefix.
  const prefixes = new Set(seen.map((id) => id.slice(0, 8)));
  assert.ok(prefixes.size > 25, `ids share prefixes: ${[...prefixes].join(' ')}`);
});
