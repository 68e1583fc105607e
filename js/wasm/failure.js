// An Error naming where the wasm came from and why it did not load (Emscripten's
// abort text trimmed); loadRuntime wraps it in an SsotError.
export function failure(where, error, hint = '') {
  const reason = String(error?.message ?? error).replace(/^Aborted\((.*)\)\. Build with .*$/s, '$1');
  return new Error(`${where}: ${reason}${hint}`, { cause: error });
}
