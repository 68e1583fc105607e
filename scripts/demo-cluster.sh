#!/usr/bin/env bash
# npm run demo:cluster: the demo page served by three gateways on Postgres and
# Redis behind HAProxy (README "Scale-out"). Installs what is missing
# (redis-server, postgresql, haproxy are in scripts/setup.sh), builds the wasm
# runtime and the page, then runs scripts/demo-cluster.js. PORT=3000 HOST=127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

SSOT_WITH_BROWSER=${SSOT_WITH_BROWSER:-0} bash scripts/setup.sh
mkdir -p build data
echo "demo:cluster: building the wasm runtime (log: build/demo-wasm.log)"
if ! bash scripts/build.sh runtime > build/demo-wasm.log 2>&1; then
  tail -n 40 build/demo-wasm.log
  echo "demo:cluster: the wasm build failed (full log: build/demo-wasm.log)" >&2
  exit 1
fi
node demo/web/build.mjs

# One signing secret for all three gateways (and across restarts).
if [ -z "${SSOT_SECRET:-}" ]; then
  [ -s data/.demo-secret ] || (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))" > data/.demo-secret)
  SSOT_SECRET=$(cat data/.demo-secret)
fi
export SSOT_SECRET
exec node scripts/demo-cluster.js
