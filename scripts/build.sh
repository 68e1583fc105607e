#!/usr/bin/env bash
# Builds the native core + tests (build/native) and the wasm tests + runtime (build/wasm).
#   build.sh [all|native|wasm|runtime] [cmake targets...]
#   runtime = only the npm package's wasm runtime (what the demo needs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
what=${1:-all}
shift || true
targets=()
for t in "$@"; do targets+=(--target "$t"); done

if [ "$what" = all ] || [ "$what" = native ]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build/native -j "$JOBS" "${targets[@]}"
fi
if [ "$what" = all ] || [ "$what" = wasm ] || [ "$what" = runtime ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
  [ "$what" = runtime ] && targets=(--target ssot_runtime)
  cmake --build build/wasm -j "$JOBS" "${targets[@]}"
  # The npm package ships the runtime beside its loader, as small as we can make it
  # (README "Size"): a second wasm-opt pass after emcc's own (wasm/runtime.cmake) and
  # the glue minified (Closure is not in Debian's emscripten).
  cp build/wasm/ssot_runtime.wasm js/wasm/ssot_runtime.wasm
  [ -x node_modules/.bin/esbuild ] || { echo "build: node_modules/.bin/esbuild is missing (run npm install)" >&2; exit 1; }
  node_modules/.bin/esbuild build/wasm/ssot_runtime.mjs --minify --log-level=warning --outfile=js/wasm/ssot_runtime.mjs
fi
