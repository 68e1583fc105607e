// The one error class of the package. Failed requests reject with it: `status`
// is the HTTP status (0 when no response came: network failure, timeout, closed
// client) and `message` the server's own message when it sent one.
// `instanceof SsotError` holds for errors from either build of the package (ESM
// and CommonJS can both be loaded in one app): a shared symbol marks them.
const BRAND = Symbol.for('ssot-realtime SsotError');

export class SsotError extends Error {
  constructor(message, { status = 0, code, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SsotError';
    this.status = status;
    this.code = code ?? codeFor(status, message);
    Object.defineProperty(this, BRAND, { value: true });
  }

  static [Symbol.hasInstance](x) {
    return this === SsotError ? x !== null && typeof x === 'object' && x[BRAND] === true : Function.prototype[Symbol.hasInstance].call(this, x);
  }
}

function codeFor(status, message) {
  if (status > 0) return 'http';
  if (message === 'request timed out') return 'timeout';
  if (message === 'client closed') return 'closed';
  return 'network';
}
