#!/usr/bin/env python3
"""A newcomer's first run (issue [8/8], item 4): from a fresh clone to the
demo's first frame, on this machine, for one or more build profiles.

For each profile it clones the repository's HEAD into a temporary folder,
builds it there with a target folder of its own (`cargo build --profile P`,
timed; crates come from cargo's local registry cache, as on a machine that
has fetched them once: downloading is not measured), then runs
`pilothouse --demo` in a 120x40 pseudo-terminal several times and reads:

- exec to first output, and exec to the first full frame (the tab bar and
  the footer both on screen);
- RSS 3 s after the first frame (/proc/PID/status VmRSS);
- key to frame: `2` and `1` in turn (Images, Containers), from the key
  until the first byte of the changed frame, median and 95th percentile;
- the binary's size.

    python3 -m pip install pyte
    python3 benches/first_run.py --profiles release,release-thin --runs 5

Prints a Markdown table and appends it, with the date and the command, to
benches/README.md (unless --no-record). Nothing outside a temporary folder
is touched.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import COLS, ROOT, ROWS, AnsweringScreen, Cockpit, record, rss_mb  # noqa: E402

import fcntl  # noqa: E402
import pty  # noqa: E402
import struct  # noqa: E402
import termios  # noqa: E402

import pyte  # noqa: E402


class Demo(Cockpit):
    """`pilothouse --demo` in a pseudo-terminal, its screen read as it comes
    (the harness's `Cockpit`, started without a sim of its own)."""

    # Its own start: Cockpit.__init__ points the client at a sim; reading is Cockpit's.
    def __init__(self, binary, home):
        env = dict(os.environ, TERM="xterm-256color", HOME=home, TMPDIR=home,
                   XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_STATE_HOME=home,
                   PILOTHOUSE_CONFIG=os.path.join(home, "config.toml"))
        self.started = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(binary, [binary, "--demo"], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.screen = AnsweringScreen(COLS, ROWS, self.fd)
        self.stream = pyte.ByteStream(self.screen)
        self.first_output = None

    def until_all(self, texts, timeout=30):
        deadline = time.monotonic() + timeout
        while not all(any(t in line for line in self.screen.display) for t in texts):
            if time.monotonic() > deadline:
                raise SystemExit(f"never saw {texts!r}:\n" + "\n".join(self.screen.display))
            self.read(0.02)
        return time.monotonic() - self.started

    def stop(self):
        os.kill(self.pid, signal.SIGTERM)
        self.reap()

def build(profile, work):
    clone = os.path.join(work, "clone")
    subprocess.run(["git", "clone", "-q", ROOT, clone], check=True)
    target = os.path.join(work, "target")
    started = time.monotonic()
    subprocess.run(["cargo", "build", "--quiet", "--profile", profile],
                   cwd=clone, env=dict(os.environ, CARGO_TARGET_DIR=target), check=True)
    seconds = time.monotonic() - started
    folder = "release" if profile == "release" else profile
    binary = os.path.join(target, folder, "pilothouse")
    return seconds, binary


def run_once(binary, work, keys):
    home = tempfile.mkdtemp(dir=work)
    demo = Demo(binary, home)
    try:
        frame = demo.until_all(["1 Containers", "q quit"])
        time.sleep(3)
        demo.drain(0.1)
        rss = rss_mb(demo.pid)
        latencies = demo.key_latency(keys, (b"2", b"1"))  # Images, Containers
        return demo.first_output, frame, rss, latencies
    finally:
        demo.stop()
        shutil.rmtree(home, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", default="release")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    rows = []
    for profile in args.profiles.split(","):
        with tempfile.TemporaryDirectory(prefix="pilothouse-first-run-") as work:
            print(f"building with --profile {profile} from a fresh clone…", file=sys.stderr)
            seconds, binary = build(profile, work)
            size = os.path.getsize(binary) / 1e6
            runs = [run_once(binary, work, args.keys) for _ in range(args.runs)]
        first = statistics.median(r[0] for r in runs)
        frame = statistics.median(r[1] for r in runs)
        rss = statistics.median(r[2] for r in runs)
        keys = sorted(k for r in runs for k in r[3])
        p50 = statistics.median(keys)
        p95 = keys[int(len(keys) * 0.95) - 1]
        rows.append((profile, seconds, size, first, frame, rss, p50, p95))
    lines = [
        "| profile | fresh build | binary | exec to first output | exec to first full frame | build + first frame | RSS | key to frame p50 / p95 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for profile, seconds, size, first, frame, rss, p50, p95 in rows:
        lines.append(
            f"| {profile} | {seconds:.0f} s | {size:.1f} MB | {first * 1000:.0f} ms | {frame * 1000:.0f} ms "
            f"| {seconds + frame:.0f} s | {rss:.1f} MB | {p50 * 1000:.1f} / {p95 * 1000:.1f} ms |"
        )
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        record("first_run.py", sys.argv[1:],
               f"Medians of {args.runs} runs each; key latency over all runs' keys.", text)

if __name__ == "__main__":
    main()
