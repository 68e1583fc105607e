#!/usr/bin/env bash
# The main command: installs what is missing, builds, and starts the reference
# gateway on its embedded SQLite database (REST + WebSocket), printing the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native
echo "core self-check:"
./build/native/ssot_tests --reporter compact | tail -1
exec node demo/server/main.js --port "${PORT:-3000}" "$@"
