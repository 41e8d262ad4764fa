#!/usr/bin/env python3
"""The simulated cluster alone at a size (issue [8/8], item 2): how long
`pilothouse sim --pods N` takes until every pod runs, how much memory it
holds them in, how long a full list of them takes over loopback, and how
long `kubectl get pods -A` takes on the same cluster (the floor a client
needs just to list and print them).

    cargo build --release
    python3 benches/sim_size.py --pods 10000,50000

Prints a Markdown table and appends it, with the date and the command, to
benches/README.md (unless --no-record). Uses benches/harness.py's `Sim`.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Sim, namespaces_for, record, rss_mb  # noqa: E402


def timed(action, runs):
    times = []
    for _ in range(runs):
        started = time.monotonic()
        action()
        times.append(time.monotonic() - started)
    return statistics.median(times)


def measure(pods, runs, per_namespace):
    with tempfile.TemporaryDirectory(prefix="pilothouse-sim-size-") as home:
        started = time.monotonic()
        sim = Sim(home, pods=pods, namespaces=namespaces_for(pods, per_namespace))
        ready = time.monotonic() - started
        try:
            rss = rss_mb(sim.process.pid)
            size = 0

            def list_all():
                nonlocal size
                with urllib.request.urlopen(f"{sim.server}/api/v1/pods") as answer:
                    size = len(answer.read())

            listing = timed(list_all, runs)
            kubectl = sim.kubectl_seconds(home, runs)
            rss_after = rss_mb(sim.process.pid)
        finally:
            sim.stop()
    return ready, rss, rss_after, listing, size, kubectl


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pods", default="10000,50000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-namespace", type=int, default=1000,
                        help="preloaded pods a namespace (50,000 pods: 50 namespaces)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    lines = [
        "| pods | start until all run | RSS when ready / after the lists | full list (JSON) | `kubectl get pods -A` |",
        "| --- | --- | --- | --- | --- |",
    ]
    for pods in [int(p) for p in args.pods.split(",")]:
        ready, rss, rss_after, listing, size, kubectl = measure(pods, args.runs, args.per_namespace)
        lines.append(f"| {pods:,} | {ready:.1f} s | {rss:.0f} / {rss_after:.0f} MB "
                     f"| {listing * 1000:.0f} ms ({size / 1e6:.1f} MB) | {kubectl:.2f} s |")
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        record("sim_size.py", sys.argv[1:], f"Release build. Medians of {args.runs} lists each.", text)

if __name__ == "__main__":
    main()
