#!/usr/bin/env bash
# Every test: the native core suite (plain and under ASan+UBSan), the same suite
# compiled to wasm and run under node, then the JS suites (node --test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

step() { printf '\n== %s\n' "$*"; }

step "native core tests"
bash scripts/build.sh native ssot_tests
./build/native/ssot_tests

step "native core tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DSSOT_SANITIZE=ON >/dev/null
cmake --build build/asan -j "$JOBS" --target ssot_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./build/asan/ssot_tests

step "core tests compiled to wasm, under node"
bash scripts/build.sh wasm ssot_tests ssot_runtime ssot_frame_scan
node build/wasm/ssot_tests.js

step "JS tests (node --test)"
suites=()
for d in tests/server tests/js tests/react tests/package tests/e2e tests/bundlers tests/soak tests/bench tests/cluster; do
  compgen -G "$d/*.test.js" >/dev/null && suites+=("$d/*.test.js")
done
# A test that hangs fails after 10 minutes, not at CI's limit.
# shellcheck disable=SC2068
node --test --test-concurrency=2 --test-timeout=600000 ${suites[@]}

step "gateway tests on the Postgres store, then on Postgres + Redis (the cluster mode)"
bash scripts/test-postgres.sh
bash scripts/test-postgres.sh --redis

step "fuzz targets (libFuzzer + ASan + UBSan, clang), ~7 s each"
bash scripts/fuzz.sh --short
