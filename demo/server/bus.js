// The seam between "a mutation happened" and "send to sockets". Mutations and
// publishes go in with publish(topic, message); every gateway listens with
// subscribe(handler). Messages must stay plain JSON data so that a later bus
// (Redis pub/sub for several gateway processes) can carry them unchanged.
//
// Topics used: 'update' {deliveries: [...]}: streams.js deliveries, each
//                {channel, stream, seq, model, type, id, timestamp, record, mutationId?, actorId?}
//                or {channel, stream, seq, resync: true} or {rights: [userId]}
//              'event'  {channel, event, data, from, origin}
export function createInProcessBus() {
  const handlers = new Set();
  return {
    // Handed to every handler at once and in order; the promise settles when
    // they are done (a handler may be async), so a REST response is only sent
    // after its broadcast frames were handed to the sockets.
    publish(topic, message) {
      const done = [];
      for (const h of [...handlers]) {
        try {
          done.push(Promise.resolve(h(topic, message)).catch((err) => console.error('[bus] handler failed:', err)));
        } catch (err) { console.error('[bus] handler failed:', err); }
      }
      return Promise.all(done);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
