# Sourced by the build scripts: the environment Emscripten 3.1.6 on Debian needs (TOOLCHAIN.md).
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
export EM_CACHE=${EM_CACHE:-}
JOBS=$(nproc 2>/dev/null || echo 2)
