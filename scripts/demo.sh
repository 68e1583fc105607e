#!/usr/bin/env bash
# The main command (npm run demo): installs what is missing, builds the wasm
# runtime and the demo page, and starts the reference gateway (REST + WebSocket
# + the page at /) on its embedded SQLite database, data/demo.sqlite.
#   PORT=3000 HOST=127.0.0.1 by default; extra arguments go to demo/server/main.js.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-3000}
HOST=${HOST:-127.0.0.1}

# The browser tests' Chromium is not needed to run the demo.
SSOT_WITH_BROWSER=${SSOT_WITH_BROWSER:-0} bash scripts/setup.sh
mkdir -p build
echo "demo: building the wasm runtime (log: build/demo-wasm.log)"
if ! bash scripts/build.sh runtime > build/demo-wasm.log 2>&1; then
  tail -n 40 build/demo-wasm.log
  echo "demo: the wasm build failed (full log: build/demo-wasm.log)" >&2
  exit 1
fi
node demo/web/build.mjs

# One signing secret kept across restarts, so signed-in tabs survive a restart.
mkdir -p data
if [ -z "${SSOT_SECRET:-}" ]; then
  [ -s data/.demo-secret ] || (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))" > data/.demo-secret)
  SSOT_SECRET=$(cat data/.demo-secret)
fi
export SSOT_SECRET

node demo/server/main.js --port "$PORT" --host "$HOST" --db data/demo.sqlite "$@" | while IFS= read -r line; do
  echo "$line"
  case "$line" in
    "ssot gateway listening on "*)
      url=${line#ssot gateway listening on }
      echo
      echo "  Demo: open $url/ and sign in as alice, bob or admin (password = user name)."
      echo "  Open a second window as another user to watch changes arrive live. Ctrl-C stops."
      echo ;;
  esac
done
