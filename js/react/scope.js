// Per client (or per DataClient handed to a hook without its client): the views
// and channels the hooks share, ref-counted, and who hears that a mutation settled.
// A view or channel whose last user lets go is closed after a macrotask, so a
// StrictMode unmount + remount (or a component moving in the tree) reuses it
// instead of closing and reopening it.

// A view (closed) or a channel (status 'closed') that can no longer be shared.
const dead = (v) => v.closed === true || v.status === 'closed';

class Scope {
  #entries = new Map(); // key -> {key, value, refs, timer}
  #settled = new Map(); // model -> Set(listener)

  /** listener() after each mutation of `model` made through the hooks settles (views that are not live refetch). */
  onSettled(model, listener) {
    let set = this.#settled.get(model);
    if (!set) this.#settled.set(model, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#settled.get(model) === set) this.#settled.delete(model);
    };
  }

  /** A mutation of `model` settled (succeeded or failed). */
  settled(model) {
    for (const fn of [...(this.#settled.get(model) ?? [])]) fn();
  }

  /** The shared live value for `key`, if one is open (read during render; takes no reference). */
  peek(key) {
    const e = this.#entries.get(key);
    return e && !dead(e.value) ? e.value : undefined;
  }

  /**
   * A handle {value, release()} on the shared value for `key` (opened with open()
   * when there is none); `fresh`: always open a new one, which becomes the shared
   * one for later users (a refetch). key === null: a private value.
   */
  acquire(key, open, fresh = false) {
    let e = key === null || fresh ? undefined : this.#entries.get(key);
    if (e && dead(e.value)) e = undefined;
    if (e) {
      e.refs++;
      if (e.timer) {
        clearTimeout(e.timer);
        e.timer = null;
      }
    } else {
      e = { key, value: open(), refs: 1, timer: null };
      if (key !== null) this.#entries.set(key, e);
    }
    let released = false;
    return {
      key,
      value: e.value,
      release: () => {
        if (released) return;
        released = true;
        if (--e.refs > 0) return;
        e.timer = setTimeout(() => {
          e.timer = null;
          if (e.refs > 0) return;
          if (this.#entries.get(e.key) === e) this.#entries.delete(e.key);
          try {
            e.value.close();
          } catch {
            // closing never throws at the app
          }
        }, 0);
      },
    };
  }
}

// Shared by every copy of the package loaded in one app (ESM and CommonJS builds).
const SCOPES = Symbol.for('ssot-realtime/react scopes');
const scopes = (globalThis[SCOPES] ??= new WeakMap());

/** The scope of a client (or of a DataClient used without its client). */
export function scopeOf(owner) {
  let s = scopes.get(owner);
  if (!s) scopes.set(owner, (s = new Scope()));
  return s;
}
