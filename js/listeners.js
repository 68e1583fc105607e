// A set of listeners where one that throws cannot stop the others: its error
// goes to `report` (the client's onError hook, else console.error).
export class Listeners {
  constructor(report) {
    this.report = report;
    this.set = new Set();
  }

  add(fn) {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    // A wrapper per registration: the same function added twice is called twice
    // and each returned unsubscribe removes only its own registration.
    const entry = { fn };
    this.set.add(entry);
    return () => { this.set.delete(entry); };
  }

  get size() { return this.set.size; }

  emit(...args) {
    for (const entry of [...this.set]) {
      if (!this.set.has(entry)) continue; // removed by an earlier listener
      try {
        entry.fn(...args);
      } catch (err) {
        this.report(err);
      }
    }
  }

  clear() { this.set.clear(); }
}

export function defaultReport(err) {
  console.error('[ssot-realtime]', err);
}
