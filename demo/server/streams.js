// Sequence numbers: which stream a subscriber follows, and the deliveries
// (one per stream) that a mutation produces.
//
// The client detects a gap when an update's seq is not last + 1, so a
// subscriber's stream must count exactly the updates that subscriber receives.
// The scheme, decided per (channel, user) from the channel's rule:
//
//   Item channel `M:item:{id}`: one stream, the channel itself. Whoever may see
//     the record sees all of its updates; a subscriber that loses the right
//     (e.g. removed from the room) is unsubscribed with an Unauthorized error
//     instead of being skipped, so it never sees a hole.
//   List channel `M:list`: evaluate the row rule (visibility.scope) knowing
//     only the user (three-valued):
//     - true  (e.g. 'authenticated', or 'isOwner || isAdmin' for an admin):
//       the user sees every record -> the whole-channel stream `M:list`,
//       bumped by every broadcast mutation of M.
//     - false -> the subscription is refused.
//     - depends on the record (e.g. 'isOwner' for anyone): a per-user stream
//       `M:list@user:{id}`, bumped only by mutations of records that user may
//       see before or after the change. For 'isOwner' that is exactly "bob's
//       Notification:list stream counts only bob's notifications". Updates
//       that move a record into or out of the user's view are sent to that
//       user as `created` / `deleted`.
//   Room membership changes move records of other models (Message, shown by
//     room) into or out of a user's view with no mutation of them. Each user
//     whose membership changed gets, on those models' per-user streams, one
//     numbered `resync` (the client re-reads the list; a replay across it
//     resyncs too), and the gateway re-checks their subscriptions ({rights}).
//   Custom channels carry ephemeral events and have no stream.
//
// Which rows a user may see is decided by visibility.js; here it is only
// turned into streams. A delivery is plain JSON (it crosses the bus): the
// stream and seq, the change, the full record and who made it; the gateway
// renders it per subscriber (render.js).
//
// All counters live in the StreamSeq table and are bumped in the mutation's
// transaction, all at once at its end (number(): one statement, streams in
// sorted order, so that the row locks that order writers across gateways are
// held briefly and always taken in the same order), so they survive restarts
// and never go backwards. Per-user streams are computed by evaluating the rule
// for every user whose view depends on the record: O(users) per mutation, fine
// for a reference server.

// With Redis (cluster/), the counters stay here, in the database, and Redis
// holds what was published of them; `current` then reads Redis.
const bumpSql = (n) => `INSERT INTO "StreamSeq" ("stream", "seq") VALUES ${Array(n).fill('(?, ?)').join(', ')}
  ON CONFLICT ("stream") DO UPDATE SET "seq" = "StreamSeq"."seq" + excluded."seq" RETURNING "stream", "seq"`;

export function createStreams(db, access, visibility, { published } = {}) {
  const epoch = db.epoch; // names this database's numbering (PROTOCOL ext)
  const counted = async (stream) => (await db.get('SELECT "seq" FROM "StreamSeq" WHERE "stream" = ?', [stream]))?.seq ?? 0;
  // With Redis: what it published; when it knows nothing of the stream (it lost
  // its data), the database's count, which every committed record is within
  // (deliveries still in the outbox up to it are then skipped: the snapshot has them).
  const current = published ? async (stream) => (await published(stream)) ?? counted(stream) : counted;

  // Gives each numbered delivery its seq, in the order of `list`.
  async function number(tx, list) {
    const counts = new Map();
    for (const d of list) if (d.stream) counts.set(d.stream, (counts.get(d.stream) ?? 0) + 1);
    if (counts.size === 0) return list;
    const streams = [...counts.keys()].sort();
    const rows = await tx.all(bumpSql(streams.length), streams.flatMap((s) => [s, counts.get(s)]));
    const next = new Map(rows.map((r) => [r.stream, Number(r.seq) - counts.get(r.stream) + 1]));
    for (const d of list) {
      if (!d.stream) continue;
      d.seq = next.get(d.stream);
      next.set(d.stream, d.seq + 1);
    }
    return list;
  }
  const userStream = (mc, userId) => `${mc.name}:list@user:${userId}`;

  // The stream `user` follows on M:list, or null if they may list nothing.
  function listStream(mc, user) {
    const scope = visibility.scope(mc, user);
    if (scope === 'all') return `${mc.name}:list`;
    if (scope === 'none') return null;
    return userStream(mc, user.id);
  }

  // record: the full record (after, or before for a delete), for rendering
  // and for re-checking rights at delivery; meta.actorId made the mutation.
  // A 'deleted' carries its version: one more than the record's for a real delete,
  // the update's own when the record only left this stream's view (it may come back
  // with its next write, which must be newer than this).
  async function delivery(tx, channel, stream, type, mc, record, meta, left = false) {
    const d = { channel, stream, seq: undefined, model: mc.name, type, id: record.id, timestamp: meta.timestamp, record };
    if (type === 'deleted' && Number.isSafeInteger(record.version)) d.version = left ? record.version : record.version + 1;
    if (meta.mutationId !== undefined) Object.assign(d, { mutationId: meta.mutationId, actorId: meta.actorId });
    return d;
  }

  // Rights changed with a room's membership; see the header.
  async function membershipDeliveries(tx, mc, before, after) {
    const users = access.membershipChange(mc.name, before, after);
    const inTx = visibility.with(tx);
    if (users.length === 0) return [];
    const out = [{ rights: users }];
    for (const m of visibility.byMembership) {
      for (const id of users) {
        const u = await inTx.access.user(id);
        if (!u || visibility.scope(m, u) !== 'some') continue;
        const stream = userStream(m, id);
        out.push({ channel: `${m.name}:list`, stream, seq: undefined, resync: true });
      }
    }
    return out;
  }

  // Must run inside the mutation's transaction. before/after: full records
  // (null for created/deleted). Returns the deliveries to number (number())
  // and publish after commit.
  async function deliveries(tx, mc, type, before, after, meta) {
    const out = await membershipDeliveries(tx, mc, before, after);
    if (!mc.broadcast.has(type)) return out;
    const inTx = visibility.with(tx); // reads through the transaction (access.js)
    const record = after ?? before;
    const list = `${mc.name}:list`;
    out.push(await delivery(tx, list, list, type, mc, record, meta));
    if (visibility.byRecord(mc)) {
      for (const u of await inTx.access.users()) {
        if (visibility.scope(mc, u) !== 'some') continue;
        const was = !!before && await inTx.canList(mc, u, before);
        const is = !!after && await inTx.canList(mc, u, after);
        if (!was && !is) continue;
        const t = was && is ? type : is ? 'created' : 'deleted';
        if (!mc.broadcast.has(t)) continue;
        out.push(await delivery(tx, list, userStream(mc, u.id), t, mc, record, meta, !!after));
      }
    }
    // Item subscribers are re-checked at delivery against this record.
    const item = `${mc.name}:item:${record.id}`;
    out.push(await delivery(tx, item, item, type, mc, record, meta));
    return out;
  }

  return { current, listStream, deliveries, number, epoch };
}
