// Permission rules: strings like 'isOwner || (isParticipant && authenticated)'.
// Parsed once at config load into a small tree, then evaluated three ways:
//   evalUser   - knowing only the user (true / false / null = depends on the record)
//   evalRecord - for one record or one custom channel
//   toSql      - as a WHERE fragment, so lists are filtered (and counted) in SQL

import { SQLITE_DIALECT } from './store/sqlite.js';

export const ATOMS = ['true', 'false', 'authenticated', 'isOwner', 'isAdmin', 'isParticipant', 'isRoomMember'];
// Atoms whose value depends on the record (or channel), not only on the user.
const RECORD_ATOMS = new Set(['isOwner', 'isParticipant', 'isRoomMember']);

export function parseRule(text) {
  if (typeof text !== 'string') throw new Error('a rule must be a string');
  const tokens = text.match(/\|\||&&|[()]|[A-Za-z_][A-Za-z0-9_]*|\S/g) || [];
  let i = 0;
  const peek = () => tokens[i];
  const take = () => tokens[i++];
  function primary() {
    const t = take();
    if (t === '(') {
      const e = or();
      if (take() !== ')') throw new Error(`missing ')' in '${text}'`);
      return e;
    }
    if (t === undefined) throw new Error(`unexpected end of rule '${text}'`);
    if (!ATOMS.includes(t)) throw new Error(`unknown term '${t}' in '${text}'`);
    return { atom: t };
  }
  function and() {
    let e = primary();
    while (peek() === '&&') { take(); e = { op: '&&', a: e, b: primary() }; }
    return e;
  }
  function or() {
    let e = and();
    while (peek() === '||') { take(); e = { op: '||', a: e, b: and() }; }
    return e;
  }
  const tree = or();
  if (i !== tokens.length) throw new Error(`unexpected '${tokens[i]}' in '${text}'`);
  return tree;
}

const isAdmin = (user) => !!user && user.role === 'admin';

// Three-valued: true/false when the user alone decides, null when the record does.
export function evalUser(node, user) {
  if (node.atom) {
    if (node.atom === 'true') return true;
    if (node.atom === 'false') return false;
    if (node.atom === 'authenticated') return !!user;
    if (node.atom === 'isAdmin') return isAdmin(user);
    return user ? null : false;
  }
  const a = evalUser(node.a, user);
  const b = evalUser(node.b, user);
  if (node.op === '&&') {
    if (a === false || b === false) return false;
    return a === true && b === true ? true : null;
  }
  if (a === true || b === true) return true;
  return a === false && b === false ? false : null;
}

export function dependsOnRecord(node) {
  return node.atom ? RECORD_ATOMS.has(node.atom) : dependsOnRecord(node.a) || dependsOnRecord(node.b);
}

// ctx: { user, ownerId, roomMembers: () => number[] | null }
// ownerId / roomMembers describe the record or channel; either may be absent.
export function evalRecord(node, ctx) {
  if (node.atom) {
    const { user } = ctx;
    switch (node.atom) {
      case 'true': return true;
      case 'false': return false;
      case 'authenticated': return !!user;
      case 'isAdmin': return isAdmin(user);
      case 'isOwner': return !!user && ctx.ownerId !== undefined && ctx.ownerId === user.id;
      default: {
        if (!user || !ctx.roomMembers) return false;
        const members = ctx.roomMembers();
        return Array.isArray(members) && members.includes(user.id);
      }
    }
  }
  const a = evalRecord(node.a, ctx);
  if (node.op === '&&') return a && evalRecord(node.b, ctx);
  return a || evalRecord(node.b, ctx);
}

// A SQL boolean expression over table `model` (quoted), with placeholders.
// shape: { owner?: field, room?: field }; room 'self' means the row is a Room.
// dialect: the store's SQL fragments (store/*.js); SQLite's by default.
export function toSql(node, user, model, shape, dialect = SQLITE_DIALECT) {
  const params = [];
  const { elements, element } = dialect;
  function walk(n) {
    if (n.op) return `(${walk(n.a)} ${n.op === '&&' ? 'AND' : 'OR'} ${walk(n.b)})`;
    switch (n.atom) {
      case 'true': return dialect.true;
      case 'false': return dialect.false;
      case 'authenticated': return user ? dialect.true : dialect.false;
      case 'isAdmin': return isAdmin(user) ? dialect.true : dialect.false;
      case 'isOwner':
        if (!user || !shape.owner) return dialect.false;
        params.push(user.id);
        return `"${model}"."${shape.owner}" = ?`;
      default:
        if (!user || !shape.room) return dialect.false;
        params.push(user.id);
        if (shape.room === 'self') return `EXISTS (SELECT 1 FROM ${elements(`"${model}"."memberIds"`)} WHERE ${element} = ?)`;
        return `EXISTS (SELECT 1 FROM "Room" r, ${elements('r."memberIds"')} WHERE r."id" = "${model}"."${shape.room}" AND ${element} = ?)`;
    }
  }
  return { sql: walk(node), params };
}

// Whether evaluating the rule may need the room's members (so they are read first).
export const needsRoom = (node) => (node.atom ? node.atom === 'isParticipant' || node.atom === 'isRoomMember' : needsRoom(node.a) || needsRoom(node.b));
