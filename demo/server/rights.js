// Whether a user may follow a channel now: asked at subscribe, and again for
// every subscription of a user whose rights changed (room membership), so a
// subscription never outlives the right that allowed it.
import { getRecord } from './db.js';

export function createRights({ db, access, visibility, streams }) {
  // target: a resolved channel (channels.js). Returns null when allowed, else
  // the error code: 'not_found' (no such record) or 'unauthorized'.
  async function refusal(user, target) {
    if (target.kind === 'list') return streams.listStream(target.mc, user) ? null : 'unauthorized';
    if (target.kind === 'item') {
      const rec = await getRecord(db, target.mc.name, target.id);
      if (!rec) return 'not_found';
      return (await visibility.canRead(target.mc, user, rec)) ? null : 'unauthorized';
    }
    return (await access.canChannel(target.def, target.params, user)) ? null : 'unauthorized';
  }

  return { refusal };
}
