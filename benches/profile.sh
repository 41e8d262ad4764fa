#!/usr/bin/env bash
# Where pilothouse's time goes, where benches/harness.py shows a target missed
# (issue [6/7]): `perf record` with call graphs on the release binary in two
# scenes, each summarised as the share of CPU samples per process and the top
# symbols of pilothouse's own threads.
#   start:  exec until the Pods table holds 10,000 pods (+7 seeded), 4 s;
#   churn:  100 pods changing 100 times a second, on the Pods pane, 20 s;
#   memory: what is resident, by mapping, with 10 containers (no perf).
# Usage: benches/profile.sh [OUT_DIR]   (default benches/profiles; needs perf)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-benches/profiles}
mkdir -p "$out"
command -v perf >/dev/null || { echo "perf is not installed"; exit 1; }
bin=$PWD/target/release/pilothouse
[ -x "$bin" ] || { echo "build it first: cargo build --release"; exit 1; }
state=$(mktemp -d)
session=pilothouse-profile-$$
sims=()
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  for sim in "${sims[@]}"; do kill "$sim" 2>/dev/null || true; done
  [ -n "${KEEP_PERF:-}" ] || rm -rf "$state"
}
trap cleanup EXIT

# Starts a sim; waits until its pods run.
sim() { # NAME PODS [ARGS…]
  local name=$1 pods=$2; shift 2
  "$bin" sim --plain-http --pods "$pods" --kubeconfig "$state/$name.kubeconfig" \
    --docker-socket "$state/$name.sock" --pod-start-ms 100 "$@" > /dev/null 2>&1 &
  sims+=($!)
  until [ -s "$state/$name.kubeconfig" ]; do sleep 0.1; done
  local server
  server=$(awk '/server:/ {print $2}' "$state/$name.kubeconfig")
  until [ "$(curl -s "$server/api/v1/namespaces/load/pods" | grep -o '"phase":"Running"' | wc -l)" -ge "$pods" ]; do sleep 0.5; done
}

# Runs the cockpit on a sim's Pods pane under `perf record`, for SECONDS.
record() { # NAME SECONDS
  local name=$1 seconds=$2
  tmux new-session -d -s "$session" -x 120 -y 40 \
    "PILOTHOUSE_CONFIG=$state/none.toml XDG_STATE_HOME=$state DOCKER_HOST=unix://$state/$name.sock \
     perf record -F 1999 -g -o $state/$name.data $bin --kubeconfig $state/$name.kubeconfig --no-mouse 2>/dev/null"
  sleep 0.2
  tmux send-keys -t "$session" 6
  sleep "$seconds"
  tmux send-keys -t "$session" q
  while tmux has-session -t "$session" 2>/dev/null; do sleep 0.2; done
  {
    echo "# $name: share of CPU samples by process, and the samples"
    perf report -i "$state/$name.data" --no-children --sort comm -n --stdio 2>/dev/null | grep -E '^ +[0-9]'
    echo
    echo "# $name: top symbols of pilothouse's own threads (self time, share of their samples)"
    perf report -i "$state/$name.data" --no-children --comms pilothouse,tokio-rt-worker --percentage relative \
      --sort dso,sym --percent-limit 1 --stdio -g none 2>/dev/null | grep -E '^ +[0-9]'
  } > "$out/$name.txt"
  echo "wrote $out/$name.txt"
}

# Where the resident memory is, by mapping (the binary's code read from disk, or the heap).
memory() { # NAME
  local name=$1
  tmux new-session -d -s "$session" -x 120 -y 40 \
    "PILOTHOUSE_CONFIG=$state/none.toml XDG_STATE_HOME=$state DOCKER_HOST=unix://$state/$name.sock \
     $bin --kubeconfig $state/$name.kubeconfig --no-mouse"
  sleep 5
  local pid
  pid=$(pgrep -f "^$bin --kubeconfig $state/$name.kubeconfig")
  {
    echo "# $name: resident kB by mapping (over 300 kB), then the totals"
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anonymous]" : $6) " " $2 }
         /^Rss:/ { if ($2 > 300) printf "%8d kB  %s\n", $2, name }' "/proc/$pid/smaps"
    grep -E '^(Rss|Anonymous|Shared_Clean|Private_Clean):' "/proc/$pid/smaps_rollup"
    echo "binary: $(stat -c %s "$bin") bytes"
  } > "$out/$name.txt"
  tmux send-keys -t "$session" q
  while tmux has-session -t "$session" 2>/dev/null; do sleep 0.2; done
  echo "wrote $out/$name.txt"
}

sim start 10000
record start 4
sim churn 100 --churn 100
record churn 20
sim memory-10-containers 0 --containers 10
memory memory-10-containers
