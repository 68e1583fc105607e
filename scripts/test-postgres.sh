#!/usr/bin/env bash
# The gateway suite (or the test files given) against the Postgres store: one
# private Postgres for the whole run (a temp dir, a free port), a fresh database
# per gateway (tests/support/postgres.js), stopped at the end. With --redis,
# also one private Redis, and every gateway runs with --redis (the cluster mode).
#   bash scripts/test-postgres.sh [--redis] [tests/server/x.test.js ...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/ssot-pgrun-XXXXXX)
export SSOT_PG_FAST=1
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT

# Starts scripts/lib/$1-serve.js in the background (in this shell, so the trap
# stops it) and sets URL to the address it reports.
serve() {
  local out="$dir/$1.url"
  node "scripts/lib/$1-serve.js" "$dir/$1" > "$out" &
  pids+=($!)
  for _ in $(seq 300); do
    if [ -s "$out" ]; then URL=$(head -n1 "$out"); return; fi
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "test-postgres: $1 did not start" >&2
  exit 1
}

serve postgres
pg_url=$URL
if [ "${1:-}" = --redis ]; then
  shift
  serve redis
  export SSOT_TEST_REDIS_URL=$URL
fi
[ $# -gt 0 ] || set -- tests/server/*.test.js
SSOT_TEST_STORE=postgres SSOT_TEST_PG_URL="$pg_url" node --test --test-concurrency=2 --test-timeout=600000 "$@"
