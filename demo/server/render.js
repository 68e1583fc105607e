// A delivery (streams.js) -> the frame text one subscriber receives: the
// record in the form that user may see (visibility.project), and `mutationId`
// only for sockets of the user who made the mutation (anyone else could pass
// it off as theirs). The seq is the same for everyone. Texts are cached per
// delivery and variant, so a broadcast stringifies once per variant.
export function createRenderer(config, visibility) {
  const cache = new WeakMap(); // delivery -> Map<variant, text>

  return async function render(d, user) {
    if (d.resync) return JSON.stringify({ type: 'resync', channel: d.channel });
    const mc = config.models[d.model];
    const mine = d.mutationId !== undefined && d.actorId === user.id;
    const hidden = d.type === 'deleted' ? [] : await visibility.hiddenFields(mc, user, d.record);
    const variant = `${mine ? 1 : 0}:${hidden.join(',')}`;
    let texts = cache.get(d);
    if (!texts) cache.set(d, (texts = new Map()));
    let text = texts.get(variant);
    if (text === undefined) {
      const data = { type: d.type };
      if (d.type !== 'deleted') data.data = await visibility.project(mc, user, d.record, hidden);
      data.id = d.id;
      // A delete is one more write of the record: its version orders it (PROTOCOL ext).
      if (d.version !== undefined) data.version = d.version;
      data.timestamp = d.timestamp;
      const frame = { type: 'update', channel: d.channel, data, seq: d.seq };
      if (mine) frame.mutationId = d.mutationId;
      texts.set(variant, (text = JSON.stringify(frame)));
    }
    return text;
  };
}
