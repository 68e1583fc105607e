#!/usr/bin/env bash
# The main command (npm run demo): installs what is missing, builds the wasm
# runtime and the demo page, and starts the reference gateway (REST + WebSocket
# + the page at /) on its embedded SQLite database, data/demo.sqlite.
#   PORT=3000 HOST=127.0.0.1 by default; extra arguments go to demo/server/main.js.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-3000}
HOST=${HOST:-127.0.0.1}

DEMO_LABEL=demo
source scripts/lib/demo-prepare.sh

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
