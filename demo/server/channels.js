// Channel names -> what they are: `{Model}:list`, `{Model}:item:{id}` for a
// known model (and a kind the config lets clients subscribe to), or one of the
// configured custom patterns such as `chat:room:{roomId}`. Anything else is unknown.
import { parseId } from './rest.js';
import { lookup } from './input.js';

export function createChannelResolver(config) {
  return function resolve(name) {
    let m = /^([A-Za-z][A-Za-z0-9]*):list$/.exec(name);
    if (m) {
      const mc = lookup(config.models, m[1]);
      return mc && mc.subscribe.has('list') ? { kind: 'list', mc } : null;
    }
    m = /^([A-Za-z][A-Za-z0-9]*):item:(.*)$/.exec(name);
    if (m) {
      const mc = lookup(config.models, m[1]);
      const id = parseId(m[2]);
      return mc && id !== null && mc.subscribe.has('item') ? { kind: 'item', mc, id } : null;
    }
    for (const def of config.channels) {
      const hit = def.regex.exec(name);
      if (hit) return { kind: 'custom', def, params: Object.fromEntries(def.params.map((p, i) => [p, hit[i + 1]])) };
    }
    return null;
  };
}
