// Binds the pure rule evaluator to the database: what "owner" and "room"
// mean for a record of a model, or for a custom channel's parameters.
import { evalRecord } from './permissions.js';
import { rowToRecord } from './schema.js';

export function createAccess(db) {
  const roomStmt = db.prepare('SELECT * FROM "Room" WHERE "id" = ?');
  const userStmt = db.prepare('SELECT "id", "name", "role" FROM "User" WHERE "id" = ?');
  const usersStmt = db.prepare('SELECT "id", "name", "role" FROM "User" ORDER BY "id"');

  function roomMembers(roomId) {
    if (!Number.isSafeInteger(roomId)) return null;
    const room = rowToRecord('Room', roomStmt.get(roomId));
    return room ? room.memberIds : null;
  }

  // The facts a rule needs about one record of model config `mc`.
  function recordCtx(mc, user, record) {
    return {
      user,
      ownerId: mc.owner ? record[mc.owner] : undefined,
      roomMembers: !mc.room ? null
        : mc.room === 'self' ? () => record.memberIds
          : () => roomMembers(record[mc.room]),
    };
  }

  // A compiled rule for one record of model config `mc`.
  function allows(rule, mc, user, record) {
    return evalRecord(rule, recordCtx(mc, user, record));
  }

  // action: 'list' | 'item' | 'create' | 'update' | 'delete'
  function can(mc, action, user, record) {
    return allows(mc.rules[action], mc, user, record);
  }

  // Custom channel: {userId} in the pattern is the owner, {roomId} the room.
  // Returns user => boolean; the room is read once however many users are asked.
  function channelGate(def, params) {
    const num = (v) => (v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined);
    let members;
    const ctx = {
      ownerId: num(params.userId),
      roomMembers: params.roomId === undefined ? null : () => (members ??= { ids: roomMembers(num(params.roomId)) }).ids,
    };
    return (user) => evalRecord(def.permission, { ...ctx, user });
  }

  const canChannel = (def, params, user) => channelGate(def, params)(user);

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
    user: (id) => userStmt.get(id) ?? null,
    users: () => usersStmt.all(),
  };
}
