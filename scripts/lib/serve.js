// Shared by the *-serve.js scripts: print the started service's URL on one line,
// stop it on SIGTERM/SIGINT or (with SSOT_WATCH_STDIN=1) when stdin closes.
export function serveUntilStopped(url, stopService) {
  process.stdout.write(`${url}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stopService();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (process.env.SSOT_WATCH_STDIN === '1') {
    process.stdin.on('end', stop);
    process.stdin.resume();
  }
}
