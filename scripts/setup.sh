#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine; quick when all is there.
# Debian packages need root (CI and the dev machines run as root); npm packages go to ./node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(emscripten catch2 nlohmann-json3-dev cmake g++ make python3 clang libclang-rt-14-dev)
# The scale-out gateway (issue 18): its tests, demo:cluster and soak run private instances.
APT_PACKAGES+=(redis-server haproxy postgresql)
# Chromium runs the browser end-to-end tests (SSOT_WITH_BROWSER=0 skips installing it).
[ "${SSOT_WITH_BROWSER:-1}" = 1 ] && APT_PACKAGES+=(chromium)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm: reinstall only when package.json changed since the last install.
stamp=node_modules/.ssot-install-stamp
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "setup: installing npm packages"
  # node-gyp builds better-sqlite3 from source against the system's Node headers (no download).
  npm_config_nodedir=/usr npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
