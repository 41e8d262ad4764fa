#!/usr/bin/env bash
# Run every fuzz target (or those named) for SECONDS each, one after another,
# on the corpora kept in fuzz/corpus; new inputs go to a scratch corpus, so the
# kept ones stay small (`cargo fuzz cmin` before adding any). Each run's
# libFuzzer summary is appended to fuzz/RUNS.md; a crash leaves its input in
# fuzz/artifacts/<target>/, the other targets still run, and the script fails.
#
#   bash fuzz/run.sh 600                 # ten minutes each, every target
#   bash fuzz/run.sh 30 manifest theme   # a quick look at two
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?usage: run.sh SECONDS [TARGET...]}
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
# Built once, then each target's binary is run as `cargo fuzz run` would run
# it: a source edit meanwhile does not start a rebuild between targets.
# FUZZ_BUILT=1 uses the binaries already built (the targets' code unchanged since).
[ "${FUZZ_BUILT:-0}" = 1 ] || cargo +nightly fuzz build -O >/dev/null
bin=target/x86_64-unknown-linux-gnu/release
crashed=0
mkdir -p logs
for target in "${targets[@]}"; do
  scratch=$(mktemp -d)
  log="logs/$target.log"
  started=$(date -u +%Y-%m-%dT%H:%MZ)
  status=0
  mkdir -p "artifacts/$target"
  ASAN_OPTIONS=detect_odr_violation=0 "$bin/$target" -artifact_prefix="artifacts/$target/" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
    "$scratch" "corpus/$target" >"$log" 2>&1 || status=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | awk '{print $2}')
  found=$(ls "$scratch" | wc -l)
  rm -rf "$scratch"
  verdict=$([ "$status" -eq 0 ] && echo "no crash" || echo "CRASH (exit $status), see fuzz/$log")
  line="| $started | $target | ${seconds} s | ${execs:-?} | ${cov:-?} | $found | $verdict |"
  echo "$line"
  echo "$line" >> RUNS.md
  [ "$status" -eq 0 ] || crashed=1
done
exit "$crashed"
