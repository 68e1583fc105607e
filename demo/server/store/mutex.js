// A FIFO lock for async work: run(fn) starts fn when every earlier fn has settled.
export function createMutex() {
  let tail = Promise.resolve();
  return function run(fn) {
    const result = tail.then(fn);
    tail = result.catch(() => {});
    return result;
  };
}
