// The outbox: how a record written to the database is published exactly once.
//
// A mutation's deliveries (numbered by the database's StreamSeq, streams.js)
// are written to the Outbox table in the mutation's own transaction, so they
// exist iff the record changed. Any gateway relays: it claims the oldest rows
// (Postgres: FOR UPDATE SKIP LOCKED, so two relays never hold the same row),
// runs the publish script for each (publish.lua: it skips deliveries whose seq
// Redis already has, so a row published by a relay that died before deleting
// it is not published twice), and deletes them in the same transaction that
// claimed them. Each gateway relays after its own commits and polls every
// pollMs for rows left by a gateway that died.
//
// A row waits while an earlier seq of one of its streams is not published:
// normally for milliseconds (its row is being relayed elsewhere). One that
// waits longer than forceMs has a hole that will not fill (a gateway without
// --redis wrote to the same database): it is published anyway, and the stream's
// subscribers get resync for the hole.
export function createOutbox({ db, redis, log = () => {}, pollMs = 250, batch = 200, forceMs = 10000, now = Date.now }) {
  const lock = db.kind === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  let running = false;
  let again = false;
  let closed = false;
  let timer = null;
  const stats = { relayed: 0, waits: 0, failures: 0, passes: 0, forced: 0 };
  const waiting = new Map(); // row id -> since when it waits for an earlier seq
  if (process.env.SSOT_DEBUG_OUTBOX) setInterval(() => log(`outbox ${JSON.stringify(stats)}`), 5000).unref();

  async function add(tx, deliveries) {
    await tx.run('INSERT INTO "Outbox" ("body") VALUES (?)', [JSON.stringify(deliveries)]);
  }

  // One pass: returns true when it may have left rows (run again soon).
  async function pass() {
    stats.passes += 1;
    return db.transaction(async (tx) => {
      const rows = await tx.all(`SELECT "id", "body" FROM "Outbox" ORDER BY "id" LIMIT ?${lock}`, [batch]);
      const ids = new Set(rows.map((r) => r.id));
      for (const id of waiting.keys()) if (!ids.has(id) && id < (rows[0]?.id ?? Infinity)) waiting.delete(id); // relayed elsewhere
      const done = [];
      let blocked = false;
      for (const row of rows) {
        const deliveries = JSON.parse(row.body);
        const [status] = await redis.publishRow(deliveries);
        if (status !== 'ok') {
          const since = waiting.get(row.id) ?? now();
          waiting.set(row.id, since);
          if (now() - since < forceMs) { blocked = true; stats.waits += 1; break; }
          log(`outbox: row ${row.id} waited ${forceMs} ms for an earlier seq; publishing past the hole`);
          await redis.publishRow(deliveries, true);
          stats.forced += 1;
        }
        waiting.delete(row.id);
        done.push(row.id);
      }
      if (done.length) await tx.run(`DELETE FROM "Outbox" WHERE "id" IN (${done.map(() => '?').join(', ')})`, done);
      stats.relayed += done.length;
      return blocked || rows.length === batch;
    });
  }

  async function relay() {
    if (running) { again = true; return; }
    running = true;
    let tries = 0;
    try {
      do {
        again = false;
        // Blocked for long (an earlier row held by a relay that hangs): leave it to the poll.
        if (++tries > 50) break;
        try {
          if (await pass()) again = true;
        } catch (err) {
          // Redis or the database is away: the rows stay; the poll tries again.
          stats.failures += 1;
          log(`outbox relay: ${err.message}`);
          break;
        }
        if (again) await new Promise((r) => setTimeout(r, 5));
      } while (again && !closed);
    } finally {
      running = false;
    }
  }

  function start() {
    const tick = () => {
      if (closed) return;
      relay().finally(() => { if (!closed) timer = setTimeout(tick, pollMs); });
    };
    timer = setTimeout(tick, 0);
  }

  return {
    add,
    kick: () => { relay(); },
    start,
    stats,
    async close() {
      closed = true;
      clearTimeout(timer);
      while (running) await new Promise((r) => setTimeout(r, 10));
    },
  };
}
