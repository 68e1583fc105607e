// Binds the pure rule evaluator to the database: what "owner" and "room"
// mean for a record of a model, or for a custom channel's parameters.
// The store is async; rules are evaluated synchronously (permissions.js) once
// the room they may ask about has been read.
import { evalRecord, needsRoom } from './permissions.js';
import { rowToRecord } from './schema.js';

// db: the store, or a mutation's transaction (with(tx)): inside a mutation every
// read goes through its transaction (it sees the mutation's own writes and holds
// no second pooled connection), and on Postgres the room is read FOR SHARE so a
// membership change waits for (or is seen by) the mutation that asked about it.
export function createAccess(db, { lockRooms = false } = {}) {
  const share = lockRooms && db.kind === 'postgres' ? ' FOR SHARE' : '';
  async function roomMembers(roomId) {
    if (!Number.isSafeInteger(roomId)) return null;
    const room = rowToRecord('Room', await db.get(`SELECT * FROM "Room" WHERE "id" = ?${share}`, [roomId]));
    return room ? room.memberIds : null;
  }

  // The facts a rule needs about one record of model config `mc`.
  async function recordCtx(rule, mc, user, record) {
    let members = null;
    if (mc.room === 'self') members = record.memberIds;
    else if (mc.room && user && needsRoom(rule)) members = await roomMembers(record[mc.room]);
    return { user, ownerId: mc.owner ? record[mc.owner] : undefined, roomMembers: mc.room ? () => members : null };
  }

  // A compiled rule for one record of model config `mc`.
  async function allows(rule, mc, user, record) {
    return evalRecord(rule, await recordCtx(rule, mc, user, record));
  }

  // action: 'list' | 'item' | 'create' | 'update' | 'delete'
  function can(mc, action, user, record) {
    return allows(mc.rules[action], mc, user, record);
  }

  // Custom channel: {userId} in the pattern is the owner, {roomId} the room.
  // Resolves to user => boolean; the room is read once however many users are asked.
  async function channelGate(def, params) {
    const num = (v) => (v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined);
    const members = params.roomId !== undefined && needsRoom(def.permission) ? await roomMembers(num(params.roomId)) : null;
    const ctx = { ownerId: num(params.userId), roomMembers: params.roomId === undefined ? null : () => members };
    return (user) => evalRecord(def.permission, { ...ctx, user });
  }

  const canChannel = async (def, params, user) => (await channelGate(def, params))(user);

  // The users whose room membership a mutation of `model` changed (removed,
  // added, or the room deleted): their rights on the room's records and
  // channels changed with it. A new room has no records or subscribers yet.
  function membershipChange(model, before, after) {
    if (model !== 'Room' || !before) return [];
    const was = new Set(before.memberIds ?? []);
    const is = new Set(after?.memberIds ?? []);
    return [...new Set([...was, ...is])].filter((id) => was.has(id) !== is.has(id));
  }

  return {
    allows, can, canChannel, channelGate, membershipChange, roomMembers,
    with: (tx) => createAccess(tx, { lockRooms: true }),
    user: async (id) => (await db.get('SELECT "id", "name", "role" FROM "User" WHERE "id" = ?', [id])) ?? null,
    users: () => db.all('SELECT "id", "name", "role" FROM "User" ORDER BY "id"'),
  };
}
