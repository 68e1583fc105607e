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
  function canChannel(def, params, user) {
    const num = (v) => (v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined);
    return evalRecord(def.permission, {
      user,
      ownerId: num(params.userId),
      roomMembers: params.roomId === undefined ? null : () => roomMembers(num(params.roomId)),
    });
  }

  return {
    allows, can, canChannel, roomMembers,
    user: (id) => userStmt.get(id) ?? null,
    users: () => usersStmt.all(),
  };
}
