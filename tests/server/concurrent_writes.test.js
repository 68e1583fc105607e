// Many writes at once on one gateway: every one succeeds. On Postgres each
// mutation holds a pooled connection for its transaction; the reads it makes
// (user, room, permission checks) must go through that transaction, not the
// pool, or a burst larger than the pool waits on itself forever.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../support/gateway.js';

let gw;
let tok;
before(async () => {
  gw = await startGateway();
  tok = await gw.tokens();
});
after(() => gw?.stop());

test('40 concurrent message creates all succeed, each delivered once', { timeout: 90000 }, async () => {
  const s = await gw.socket(tok.bob);
  s.send({ type: 'subscribe', channel: 'Message:list' });
  const sub = await s.next({ type: 'subscribed', channel: 'Message:list' });
  const n = 40;
  const writes = Array.from({ length: n }, (_, k) => gw.request('POST', '/messages', { token: k % 2 ? tok.alice : tok.bob, body: { roomId: 1, text: `burst ${k}` } }));
  const res = await Promise.all(writes);
  assert.deepEqual(res.map((r) => r.status), Array(n).fill(201));
  const seqs = [];
  for (let k = 0; k < n; k++) seqs.push((await s.next({ type: 'update', channel: 'Message:list' }, 30000)).seq);
  assert.deepEqual(seqs, Array.from({ length: n }, (_, k) => sub.seq + 1 + k));
  s.close();
});
