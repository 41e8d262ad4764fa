#!/usr/bin/env bash
# Idle cost of the real binary: start it in tmux (120x40) against the local
# Docker engine, let it settle, then read its CPU time and RSS from /proc over
# a fixed window. Usage: benches/idle.sh [WINDOW_SECONDS] (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
window=${1:-30}
cargo build --release -q
bin=$PWD/target/release/pilothouse
session=pilothouse-idle-$$
state=$(mktemp -d)
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$state"' EXIT
tmux new-session -d -s "$session" -x 120 -y 40 "PILOTHOUSE_CONFIG=$state/config.toml XDG_STATE_HOME=$state $bin"
sleep 5
pid=$(pgrep -P "$(tmux display-message -p -t "$session" '#{pane_pid}')" || tmux display-message -p -t "$session" '#{pane_pid}')
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(cpu)
sleep "$window"
after=$(cpu)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
awk -v b="$before" -v a="$after" -v t="$ticks" -v w="$window" -v r="$rss_kb" 'BEGIN {
  printf "idle window %ss: CPU %.3f%% of one core (%d ticks), RSS %.1f MB\n", w, (a - b) / t / w * 100, a - b, r / 1024
}'
