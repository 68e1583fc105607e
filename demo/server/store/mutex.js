// A FIFO lock for async work: run(fn) starts fn when every earlier fn has settled.
export function createMutex() {
  let tail = Promise.resolve();
  return function run(fn) {
    const result = tail.then(fn);
    tail = result.catch(() => {});
    return result;
  };
}

// One such lock per key; a key is forgotten once its last fn has settled.
export function createKeyedMutex() {
  const tails = new Map();
  return function run(key, fn) {
    const result = (tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = result.catch(() => {});
    tails.set(key, tail);
    tail.then(() => { if (tails.get(key) === tail) tails.delete(key); });
    return result;
  };
}
