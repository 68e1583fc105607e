#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) in build/fuzz and runs each.
#
#   bash scripts/fuzz.sh                 every target for FUZZ_SECONDS (default 240) each  (npm run fuzz)
#   bash scripts/fuzz.sh --short         every target from the seeds, a fixed seed and number of runs (~7 s each; the test step)
#   bash scripts/fuzz.sh frame 600       one target for 600 s
#
# Targets: frame, engine_stream, list_view, config, json_oracle. One process per target, one after the
# other (no -jobs/-workers parallelism), each bounded by -max_total_time. Long runs read the
# checked-in seeds (tests/fuzz/corpus/<target>) and keep what they find in
# build/fuzz/corpus/<target>; the short run keeps nothing. libFuzzer's log goes to
# build/fuzz/logs/<target>.log (<target>-short.log for --short); this prints one line per target, and on a crash or a
# sanitizer report the log's tail and the reproducer's path, then exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

TARGETS=(frame engine_stream list_view config json_oracle)
short=0
seconds=${FUZZ_SECONDS:-240}
if [ "${1:-}" = --short ]; then
  short=1
  seconds=${FUZZ_SHORT_SECONDS:-60}  # a cap: the short run is bounded by its executions
  shift
fi
if [ $# -gt 0 ]; then
  TARGETS=("$1")
  seconds=${2:-$seconds}
fi

B=build/fuzz
build() {  # <dir> [cmake options]: configure and build the targets there
  cmake -S tests/fuzz -B "$1" -DCMAKE_CXX_COMPILER=clang++ "${@:2}" >/dev/null
  cmake --build "$1" -j "$JOBS" >"$1/build.log" 2>&1 || { tail -40 "$1/build.log"; exit 1; }
}
build "$B"
mkdir -p "$B/logs" "$B/artifacts"

# Long runs of engine_stream explore with a build without sanitizers (build/fuzz-fast,
# about 4x the executions a second), then replay every input they kept under ASan +
# UBSan: what reached new code is checked for memory errors and UB too. Its invariants
# (the harness's own checks) hold in both builds. FUZZ_SANITIZED=1 explores sanitized.
fast_for() {
  [ $short = 0 ] && [ "$1" = engine_stream ] && [ "${FUZZ_SANITIZED:-0}" = 0 ]
}

dict_for() {
  case "$1" in
    frame | engine_stream) echo tests/fuzz/frame.dict ;;
    *) echo "tests/fuzz/$1.dict" ;;
  esac
}

# Options of one target. engine_stream without entropic's power schedule: its inputs run
# long and touch many features, and entropic's bookkeeping of them (UpdateFeatureFrequency)
# took 29% of its time; without it the target ran 2.4x the executions in the same time
# and reached more features (perf and two 30 s runs, 2026-12-04).
# Every target: -reload=0, since one process writes its corpus; libFuzzer's default
# re-read the whole directory every 10 s (13% of engine_stream's time on 11k inputs).
extra_for() {
  case "$1" in
    engine_stream) echo -entropic=0 -reload=0 ;;
    *) echo -reload=0 ;;
  esac
}

# Executions of the short run per target (about 7 s each on the 2-core machine).
short_runs() {
  case "$1" in
    frame) echo 60000 ;;
    engine_stream) echo 3000 ;;
    list_view) echo 2000 ;;
    json_oracle) echo 60000 ;;
    *) echo 80000 ;;
  esac
}

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# No allocation stacks in long runs (recording them took 4% of engine_stream): a report
# still names the error and where it happened, and a reproducer re-run shows the stacks.
if [ $short = 1 ]; then export ASAN_OPTIONS=detect_leaks=1; else export ASAN_OPTIONS=detect_leaks=1:malloc_context_size=0; fi

# Runs the inputs of corpus <dir> newer than <stamp> under the sanitized build of <target>.
replay_sanitized() {
  local dir
  dir=$(mktemp -d)
  find "$2" -type f -newer "$3" -exec ln -s "$PWD/{}" "$dir/" \;
  echo "replaying $(find "$dir" -type l | wc -l) new inputs under ASan + UBSan"
  "$B/fuzz_$1" -runs=0 -timeout=25 -artifact_prefix="$B/artifacts/$1-" "$dir"
  local rc=$?
  rm -rf "$dir"
  return $rc
}

total=0
failed=0
for t in "${TARGETS[@]}"; do
  bin="$B/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz: no target '$t' (have: frame engine_stream list_view config json_oracle)"; exit 2; }
  if fast_for "$t"; then
    build build/fuzz-fast -DFUZZ_SANITIZE=OFF
    bin=build/fuzz-fast/fuzz_$t
  fi
  log="$B/logs/$t.log"
  [ $short = 1 ] && log="$B/logs/$t-short.log"  # a long run may be writing the other
  if [ $short = 1 ]; then
    out=$(mktemp -d)
  else
    out="$B/corpus/$t"
    mkdir -p "$out"
  fi
  # The short run (npm test) replays every seed (reproducers included) and then mutates
  # from a fixed seed for a fixed number of executions (about 7 s here; capped in time on
  # a slow machine). Not bit-for-bit the same inputs on every run: libFuzzer's mutations
  # also follow the values it saw compared, and those vary from run to run.
  seed_arg=()
  [ $short = 1 ] && seed_arg=(-seed="${FUZZ_SEED:-1}" -runs="$(short_runs "$t")")
  t0=$SECONDS
  stamp=$(mktemp)  # inputs the run keeps are newer
  set +e
  # shellcheck disable=SC2046
  "$bin" "${seed_arg[@]}" $(extra_for "$t") -max_total_time="$seconds" -timeout=25 -max_len=4096 -print_final_stats=1 \
    -dict="$(dict_for "$t")" -artifact_prefix="$B/artifacts/$t-" "$out" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  [ $short = 1 ] && rm -rf "$out"
  runlog=$log
  if [ $rc -eq 0 ] && fast_for "$t"; then
    log="$B/logs/$t-replay.log"
    replay_sanitized "$t" "$out" "$stamp" >"$log" 2>&1 || rc=$?
    replayed=$(sed -n 's/^replaying \([0-9]*\).*/\1/p' "$log")
  fi
  rm -f "$stamp"
  # (|| true: a crash on a seed comes before any coverage line, and the report must still print)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$runlog" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$runlog" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$runlog" | tail -1 || true)
  if [ $rc -ne 0 ]; then
    failed=1
    echo "fuzz_$t: FAILED (exit $rc) after ${runs:-?} runs; log: $log"
    grep -E 'invariant failed|ERROR: |runtime error|SUMMARY' "$log" | head -5
    tail -30 "$log"
    ls -t "$B"/artifacts/"$t"-* 2>/dev/null | head -1 | sed 's/^/reproducer: /'
    continue
  fi
  total=$((total + ${runs:-0}))
  printf 'fuzz_%-14s %10s runs in %4s s (%s/s), %s\n' "$t" "${runs:-?}" "$((SECONDS - t0))" "${rate:-?}" "${cov:-}"
  fast_for "$t" && echo "  (explored without sanitizers; the $replayed inputs it kept passed under ASan + UBSan)"
  [ $short = 1 ] || echo "$(date -u +%FT%TZ) $t runs=${runs:-0} seconds=$seconds exec_per_sec=${rate:-0} ${cov:-}" >>"$B/logs/history.txt"
done
[ $failed = 0 ] || { echo "fuzz: FAILED"; exit 1; }
echo "fuzz: $total executions in total, no crash, no sanitizer report"
