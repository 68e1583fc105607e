#!/usr/bin/env bash
# npm run soak: the full soaks (the test command runs their short versions).
#   chaos: 10,000 mutations, ~20 gateway kills+restarts, server-side cuts; views = database
#   leak:  1,000,000 updates through views opened and closed; heap within 5%, no Runtime left
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f js/wasm/ssot_runtime.mjs ]; then bash scripts/setup.sh && bash scripts/build.sh wasm; fi
status=0
node tests/soak/chaos.js "$@" || status=1
node tests/soak/leak.js "$@" || status=1
exit $status
