// Which rows and fields a user may see: the one decision behind every read
// path (REST list and get, socket requests, list and item fan-out, replay,
// `total`).
//
// Rows: a row is listed only when the model's list rule AND its item rule
// allow it, so a list never shows (or counts) a row its GET would refuse,
// whatever the config's list rule says. Lists filter in SQL (listFilter), single
// records and fan-out per record (canList, canRead).
// Fields: private fields never leave the server; a field with a rule in the
// model's `fieldRules` (e.g. Room.memberIds: 'isParticipant || isAdmin') is
// sent only to users for whom the rule holds on that record.
import { evalUser, dependsOnRecord, toSql } from './permissions.js';
import { publicRecord } from './query.js';

const ROOM_ATOMS = new Set(['isParticipant', 'isRoomMember']);
const mentions = (node, atoms) => (node.atom ? atoms.has(node.atom) : mentions(node.a, atoms) || mentions(node.b, atoms));

export function createVisibility(config, access, dialect) {
  const rules = new Map(); // model name -> the row rule: list && item
  for (const mc of Object.values(config.models)) rules.set(mc.name, { op: '&&', a: mc.rules.list, b: mc.rules.item });
  const rowRule = (mc) => rules.get(mc.name);

  // 'all' | 'some' | 'none': the rows `user` may list, knowing only the user.
  function scope(mc, user) {
    const v = evalUser(rowRule(mc), user);
    return v === true ? 'all' : v === false ? 'none' : 'some';
  }

  // Field rules that hide something from `user` on this record.
  async function hiddenFields(mc, user, record) {
    const out = [];
    for (const [name, rule] of mc.fieldRules) if (!(await access.allows(rule, mc, user, record))) out.push(name);
    return out;
  }

  // The wire form of `record` for `user` (hidden: hiddenFields, when known already).
  async function project(mc, user, record, hidden) {
    hidden ??= await hiddenFields(mc, user, record);
    const out = publicRecord(mc, record);
    for (const name of hidden) delete out[name];
    return out;
  }

  return {
    access,
    // The same decisions read through a mutation's transaction (access.with).
    with: (tx) => createVisibility(config, access.with(tx), dialect),
    scope,
    // Whose view of mc depends on the record (then each user has a stream of their own).
    byRecord: (mc) => dependsOnRecord(rowRule(mc)),
    // SQL {sql, params}: the rows `user` may list (and count).
    listFilter: (mc, user) => toSql(rowRule(mc), user, mc.name, mc, dialect),
    canList: (mc, user, record) => access.allows(rowRule(mc), mc, user, record),
    canRead: (mc, user, record) => access.can(mc, 'item', user, record),
    hiddenFields,
    project,
    // SQL true where `user` sees field `name` (null: the field has no rule), so
    // a `where` on a hidden field never matches (and so never reveals) it.
    fieldFilter(mc, user, name) {
      const rule = mc.fieldRules.get(name);
      return rule ? toSql(rule, user, mc.name, mc, dialect) : null;
    },
    // Sorting reveals values: only by fields the user sees on every row.
    seesField(mc, user, name) {
      const rule = mc.fieldRules.get(name);
      return !rule || evalUser(rule, user) === true;
    },
    // Models whose rows are shown by room through a field (Message.roomId): a
    // membership change moves their rows in or out of view with no mutation of them.
    byMembership: Object.values(config.models).filter((mc) => mc.room && mc.room !== 'self' && mentions(rowRule(mc), ROOM_ATOMS)),
  };
}
