// Sequence numbers: which stream a subscriber follows, and the update frames
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
//   List channel `M:list`: evaluate the list rule knowing only the user
//     (permissions.evalUser, three-valued):
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
//   Custom channels carry ephemeral events and have no stream.
//
// All counters live in the StreamSeq table and are bumped in the mutation's
// transaction, so they survive restarts and never go backwards. Per-user
// streams are computed by evaluating the rule for every user whose view
// depends on the record: O(users) per mutation, fine for a reference server.
import { evalUser, dependsOnRecord } from './permissions.js';
import { publicRecord } from './query.js';

export function createStreams(db, access) {
  const bumpStmt = db.prepare('INSERT INTO "StreamSeq" ("stream", "seq") VALUES (?, 1) ON CONFLICT ("stream") DO UPDATE SET "seq" = "seq" + 1 RETURNING "seq"');
  const getStmt = db.prepare('SELECT "seq" FROM "StreamSeq" WHERE "stream" = ?');

  const current = (stream) => getStmt.get(stream)?.seq ?? 0;

  // The stream `user` follows on M:list, or null if the list rule denies it.
  function listStream(mc, user) {
    const v = evalUser(mc.rules.list, user);
    if (v === true) return `${mc.name}:list`;
    if (v === false) return null;
    return `${mc.name}:list@user:${user.id}`;
  }

  function delivery(channel, stream, type, id, record, meta, extra = {}) {
    const seq = bumpStmt.get(stream).seq;
    const data = { type };
    if (type !== 'deleted') data.data = record;
    data.id = id;
    data.timestamp = meta.timestamp;
    const frame = { type: 'update', channel, data, seq };
    if (meta.mutationId !== undefined) frame.mutationId = meta.mutationId;
    return { channel, stream, seq, text: JSON.stringify(frame), ...extra };
  }

  // Must run inside the mutation's transaction. before/after: full records
  // (null for created/deleted). Returns the deliveries to publish after commit.
  function deliveries(mc, type, before, after, meta) {
    if (!mc.broadcast.has(type)) return [];
    const id = (after ?? before).id;
    const pub = after ? publicRecord(mc, after) : undefined;
    const out = [];
    const list = `${mc.name}:list`;
    out.push(delivery(list, list, type, id, pub, meta));
    if (dependsOnRecord(mc.rules.list)) {
      for (const u of access.users()) {
        if (evalUser(mc.rules.list, u) !== null) continue;
        const was = !!before && access.can(mc, 'list', u, before);
        const is = !!after && access.can(mc, 'list', u, after);
        if (!was && !is) continue;
        const t = was && is ? type : is ? 'created' : 'deleted';
        if (!mc.broadcast.has(t)) continue;
        out.push(delivery(list, `${list}@user:${u.id}`, t, id, pub, meta));
      }
    }
    // Item subscribers are re-checked at delivery against this record.
    const item = `${mc.name}:item:${id}`;
    out.push(delivery(item, item, type, id, pub, meta, { model: mc.name, record: after ?? before }));
    return out;
  }

  return { current, listStream, deliveries };
}
