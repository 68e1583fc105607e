// The outbox: how a record written to the database is published exactly once.
//
// A mutation's deliveries (numbered by the database's StreamSeq, streams.js)
// are written to the Outbox table in the mutation's own transaction, so they
// exist iff the record changed. Any gateway relays: it reads the oldest rows
// (no transaction, no lock: nothing of the database is held while Redis is
// slow or away), runs the publish script for each, then deletes the rows it
// published. Two relays may publish the same row, and a relay may die between
// its publish and its delete: publish.lua skips every delivery whose seq Redis
// already has, so each numbered delivery goes out once (an unnumbered one, a
// {rights} re-check, may go out twice: re-checking is idempotent). Each
// gateway relays after its own commits and polls every pollMs for rows left
// by a gateway that died.
//
// A row waits while an earlier seq of one of its streams is not published and
// that seq's row is still in the Outbox (being relayed, maybe slowly). When it
// is not there, the hole will never fill (a gateway without --redis wrote to the
// same database; a transaction that numbered it and committed nothing cannot
// exist: the StreamSeq row lock orders them): the row is published past it, and
// the stream's subscribers get resync for the hole.
export function createOutbox({ db, redis, log = () => {}, pollMs = 250, batch = 200 }) {
  let running = false;
  let again = false;
  let closed = false;
  let timer = null;
  const stats = { relayed: 0, waits: 0, failures: 0, passes: 0, forced: 0 };
  if (process.env.SSOT_DEBUG_OUTBOX) setInterval(() => log(`outbox ${JSON.stringify(stats)}`), 5000).unref();

  async function add(tx, deliveries) {
    await tx.run('INSERT INTO "Outbox" ("body") VALUES (?)', [JSON.stringify(deliveries)]);
  }

  // Whether the row holding (stream, seq) is still waiting in the Outbox. The
  // delivery JSON starts {"channel":...,"stream":...,"seq":N, (streams.js).
  async function pending(stream, seq) {
    const needle = `${JSON.stringify({ stream, seq }).slice(1, -1)},`;
    return !!(await db.get(`SELECT 1 AS x FROM "Outbox" WHERE ${db.dialect.strContains('"body"')} LIMIT 1`, [needle]));
  }

  // One pass: returns true when it may have left rows (run again soon).
  async function pass() {
    stats.passes += 1;
    const rows = await db.all('SELECT "id", "body" FROM "Outbox" ORDER BY "id" LIMIT ?', [batch]);
    const done = [];
    let blocked = false;
    try {
      for (const row of rows) {
        const deliveries = JSON.parse(row.body);
        const [status, stream, last] = await redis.publishRow(deliveries);
        if (status !== 'ok') {
          if (await pending(stream, Number(last) + 1)) { blocked = true; stats.waits += 1; break; }
          log(`outbox: row ${row.id}: ${stream} seq ${Number(last) + 1} is in no outbox row; publishing past the hole`);
          await redis.publishRow(deliveries, true);
          stats.forced += 1;
        }
        done.push(row.id);
      }
    } finally {
      if (done.length) await db.run(`DELETE FROM "Outbox" WHERE "id" IN (${done.map(() => '?').join(', ')})`, done);
      stats.relayed += done.length;
    }
    return blocked || rows.length === batch;
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
