// The one error class of the package. Failed requests reject with it: `status`
// is the HTTP status (0 when no response came: network failure, timeout, closed
// client) and `message` the server's own message when it sent one.
export class SsotError extends Error {
  constructor(message, { status = 0, code, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SsotError';
    this.status = status;
    this.code = code ?? codeFor(status, message);
  }
}

function codeFor(status, message) {
  if (status > 0) return 'http';
  if (message === 'request timed out') return 'timeout';
  if (message === 'client closed') return 'closed';
  return 'network';
}
