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
coproc PG { node scripts/lib/postgres-serve.js "$dir"; }
read -r url <&"${PG[0]}"
trap 'kill "$PG_PID" 2>/dev/null; wait "$PG_PID" 2>/dev/null; rm -rf "$dir"' EXIT
if [ "${1:-}" = --redis ]; then
  shift
  coproc RD { node scripts/lib/redis-serve.js "$dir/redis"; }
  read -r redis_url <&"${RD[0]}"
  export SSOT_TEST_REDIS_URL="$redis_url"
  trap 'kill "$PG_PID" "$RD_PID" 2>/dev/null; wait "$PG_PID" "$RD_PID" 2>/dev/null; rm -rf "$dir"' EXIT
fi
[ $# -gt 0 ] || set -- tests/server/*.test.js
SSOT_TEST_STORE=postgres SSOT_TEST_PG_URL="$url" node --test --test-concurrency=2 "$@"
