#!/usr/bin/env bash
# The cockpit at scale (issue [3/7] part 7). Starts `pilothouse sim --pods N`
# on its own, waits until every preloaded pod runs, then starts the cockpit
# against it in tmux (120x40) on the Pods pane, and measures the cockpit
# process alone: time from exec until the Pods pane's title counts all pods (the first
# full table), then RSS and CPU over an idle window.
# Usage: benches/demo_scale.sh [PODS] [IDLE_SECONDS]   (defaults 10000, 30)
set -euo pipefail
cd "$(dirname "$0")/.."
pods=${1:-10000}
idle=${2:-30}
cargo build --release -q
bin=$PWD/target/release/pilothouse
session=pilothouse-scale-$$
state=$(mktemp -d)
"$bin" sim --plain-http --pods "$pods" --kubeconfig "$state/kubeconfig" --docker-socket "$state/docker.sock" > "$state/sim.out" &
sim=$!
trap 'tmux kill-session -t "$session" 2>/dev/null || true; kill $sim 2>/dev/null || true; rm -rf "$state"' EXIT
until [ -s "$state/kubeconfig" ]; do sleep 0.1; done
server=$(awk '/server:/ {print $2}' "$state/kubeconfig")
until [ "$(curl -s "$server/api/v1/namespaces/load/pods" | grep -o '"phase":"Running"' | wc -l)" -ge "$pods" ]; do sleep 0.5; done
# 7 kube-system pods are seeded besides the preloaded ones.
want=$((pods + 7))
start=$(date +%s%N)
tmux new-session -d -s "$session" -x 120 -y 40 \
  "PILOTHOUSE_CONFIG=$state/config.toml XDG_STATE_HOME=$state DOCKER_HOST=unix://$state/docker.sock $bin --kubeconfig $state/kubeconfig"
tmux send-keys -t "$session" 6
until tmux capture-pane -p -t "$session" | grep -q "Pods \[$want\]"; do
  sleep 0.02
  if [ $(( ($(date +%s%N) - start) / 1000000000 )) -gt 120 ]; then echo "the Pods table never reached $want rows"; exit 1; fi
done
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
pid=$(tmux display-message -p -t "$session" '#{pane_pid}')
pid=$(pgrep -P "$pid" || echo "$pid")
sleep 5
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(cpu)
sleep "$idle"
after=$(cpu)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
awk -v f="$full_ms" -v b="$before" -v a="$after" -v t="$ticks" -v w="$idle" -v r="$rss_kb" -v n="$pods" 'BEGIN {
  printf "pods %d: first full Pods table %d ms after exec; idle %ss: CPU %.2f%% of one core; cockpit RSS %.1f MB\n", n, f, w, (a - b) / t / w * 100, r / 1024
}'
