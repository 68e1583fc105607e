# Sourced from the project root by scripts/demo.sh and scripts/demo-cluster.sh:
# installs what is missing, builds the wasm runtime and the demo page, and exports
# SSOT_SECRET (one signing secret kept in data/, shared by every gateway of the
# cluster and kept across restarts, so signed-in tabs survive a restart).
# DEMO_LABEL names the command in its messages.

# The browser tests' Chromium is not needed to run the demo.
SSOT_WITH_BROWSER=${SSOT_WITH_BROWSER:-0} bash scripts/setup.sh
mkdir -p build data
echo "$DEMO_LABEL: building the wasm runtime (log: build/demo-wasm.log)"
if ! bash scripts/build.sh runtime > build/demo-wasm.log 2>&1; then
  tail -n 40 build/demo-wasm.log
  echo "$DEMO_LABEL: the wasm build failed (full log: build/demo-wasm.log)" >&2
  exit 1
fi
node demo/web/build.mjs

if [ -z "${SSOT_SECRET:-}" ]; then
  [ -s data/.demo-secret ] || (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))" > data/.demo-secret)
  SSOT_SECRET=$(cat data/.demo-secret)
fi
export SSOT_SECRET
