#!/usr/bin/env bash
# npm run soak: the full soaks (the test command runs their short versions).
#   chaos: 10,000 mutations, ~20 gateway kills+restarts, server-side cuts; views = database
#   leak:  1,000,000 updates through views opened and closed; heap at most 5% above warm-up, no Runtime left
#   cluster: 10,000 writes on 3 gateways behind HAProxy, 20 gateway kills, Redis and Postgres
#          killed once each; every client view = Postgres (tests/cluster/faults.js)
#   model: the randomized model test of the core, 1000 seeds x 5000 steps (5M steps; npm test
#          runs 12 x 1500); SSOT_MODEL_SEEDS / SSOT_MODEL_STEPS / SSOT_MODEL_FIRST_SEED override
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f js/wasm/ssot_runtime.mjs ]; then bash scripts/setup.sh && bash scripts/build.sh wasm; fi
status=0
node tests/soak/chaos.js "$@" || status=1
node tests/soak/leak.js "$@" || status=1
node tests/cluster/faults.js --writes 10000 --kills 20 || status=1
bash scripts/build.sh native ssot_tests >/dev/null
SSOT_MODEL_SEEDS=${SSOT_MODEL_SEEDS:-1000} SSOT_MODEL_STEPS=${SSOT_MODEL_STEPS:-5000} \
  build/native/ssot_tests "[model]" || status=1
exit $status
