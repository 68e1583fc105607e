#!/usr/bin/env bash
# npm run demo:cluster: the demo page served by three gateways on Postgres and
# Redis behind HAProxy (README "Scale-out"). Installs what is missing
# (redis-server, postgresql, haproxy are in scripts/setup.sh), builds the wasm
# runtime and the page, then runs scripts/demo-cluster.js. PORT=3000 HOST=127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

DEMO_LABEL=demo:cluster
source scripts/lib/demo-prepare.sh
exec node scripts/demo-cluster.js
