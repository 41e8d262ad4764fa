#!/usr/bin/env bash
# The long soak: pilothouse on 10,000 simulated pods changing 200 times a
# second for 10 minutes (`pilothouse sim --pods 10000 --churn 200`, its own
# process). RSS is read each minute and key-to-frame latency before and at
# the end; the run fails unless memory stays flat (< 10 % growth) and the
# latency does not grow (p95 within 2x + 2 ms). Results are appended to
# benches/README.md. About 20 minutes with the release build; not in CI.
#
#   bash benches/soak.sh            # 600 s
#   bash benches/soak.sh 120        # a shorter look
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
cargo build --release --quiet
python3 benches/harness.py --pods 10000 --containers '' --clients pilothouse \
  --churn 200 --soak "$seconds" --window 10 --samples 30 --benches '' --check-flat
