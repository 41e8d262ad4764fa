#!/usr/bin/env python3
"""The scale harness (issue [6/7]): pilothouse measured from outside, in a
pseudo-terminal of 120x40, the way a user runs it, side by side with kdash
(pods) and oxker (containers) on the same simulated cluster and engine.

For each load (100, 1,000, 10,000 pods; 10, 100, 1,000 containers) it starts
`pilothouse sim --pods N` or `--containers N` (a process of its own, so only
the client is measured), waits until every pod runs, then starts each client
and reads:

- exec to first frame: the first bytes the client writes to the terminal;
- exec to first full table: until the screen counts every row (pilothouse's
  `Pods [N+7]`, the 7 kube-system pods being seeded too, or `Containers
  (running) [N]`; kdash's `Pods [N+7]`; oxker's `Containers 1/N`);
- RSS after load (/proc/PID/status VmRSS);
- CPU while idle over a fixed window (/proc/PID/stat utime+stime);
- key-to-frame latency: an arrow key written to the terminal until the client
  writes the changed frame, repeated, median and 95th percentile;
- for pods, with the sim churning (`--churn RATE`: RATE pod changes a
  second), CPU over the same window and RSS at its end; with `--soak 600`,
  ten minutes of churn at 10,000 pods: RSS each minute and key latency at the
  end;
- for pods, pilothouse's `/` filter: a digit typed and erased over every row,
  key to frame as above;
- for pods, the floor: `kubectl get pods -A` on the same cluster, timed just
  before the client starts, beside the client's first full table;
- then the criterion benches of benches/table.rs: the draw time of a frame
  and the model's update time per watch event.

The pods are dealt 1,000 to a namespace (`--per-namespace`), so 50,000 pods
are 500 Deployments over 50 namespaces; at 50,000 and more the report says
which targets are met (benches/harness_report.py).

Each run prints a Markdown table and appends it, with the date and the
command, to benches/README.md.

    cargo build --release
    cargo install --locked --root ~/.cache/pilothouse-bench-tools kdash oxker
    python3 benches/harness.py --soak 600
    python3 benches/harness.py --pods 50000 --containers '' --clients pilothouse,kdash

Needs pyte (`pip install pyte`), a terminal emulator in Python, to read the
screen the way a terminal shows it (it also answers kdash's cursor query).
kdash and oxker are only run, never copied. Nothing outside a temporary
directory is touched.
"""
import argparse
import datetime
import fcntl
import json
import math
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request

import pyte

import harness_report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "pilothouse")
COLS, ROWS = 120, 40
SEEDED_SYSTEM_PODS = 7
TICKS = os.sysconf("SC_CLK_TCK")


def record(script, argv, detail, text):
    """Append a run's table to benches/README.md under a heading with the date and command."""
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = f"python3 benches/{script} " + " ".join(argv)
    with open(os.path.join(ROOT, "benches", "README.md"), "a") as readme:
        readme.write(f"\n### {when}, {os.cpu_count()} cores, `{command}`\n\n{detail}\n\n{text}\n")


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def rss_mb(pid, field="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Sim:
    """`pilothouse sim` in its own process, until every preloaded pod runs."""

    def __init__(self, home, pods=0, churn=0, containers=0, namespaces=1, extra=()):
        tag = f"{pods}-{churn}-{containers}-{namespaces}"
        self.kubeconfig = os.path.join(home, f"kubeconfig-{tag}")
        self.socket = os.path.join(home, f"docker-{tag}.sock")
        args = [BIN, "sim", "--plain-http", "--pods", str(pods), "--kubeconfig", self.kubeconfig,
                "--docker-socket", self.socket, "--pod-start-ms", "100",
                "--containers", str(containers)]
        if pods:
            args += ["--namespaces", str(namespaces)]
        if churn:
            args += ["--churn", str(churn)]
        args += list(extra)
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while not (os.path.exists(self.kubeconfig) and os.path.getsize(self.kubeconfig)):
            if time.time() > deadline:
                raise SystemExit("the sim wrote no kubeconfig")
            time.sleep(0.05)
        self.server = next(l.split()[1] for l in open(self.kubeconfig) if "server:" in l)
        # Ready when the preloaded Deployments count every replica ready: a small
        # list to poll, where the pods' own would be tens of megabytes.
        while pods:
            with urllib.request.urlopen(f"{self.server}/apis/apps/v1/deployments") as answer:
                ready = sum(d.get("status", {}).get("readyReplicas", 0)
                            for d in json.load(answer)["items"]
                            if d["metadata"]["name"].startswith("load-"))
            if ready >= pods:
                break
            if time.time() > deadline + 240:
                raise SystemExit("the sim's pods never all ran")
            time.sleep(0.5)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def kubectl_seconds(self, home, runs=1):
        """`kubectl get pods -A` on this cluster, the median of `runs`: the floor, the
        time a client needs just to list and print every pod."""
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, KUBECACHEDIR=os.path.join(home, "kubectl-cache"))
        times = []
        for _ in range(runs):
            started = time.monotonic()
            subprocess.run(["kubectl", "get", "pods", "-A", "--no-headers"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            times.append(time.monotonic() - started)
        return statistics.median(times)


def namespaces_for(pods, per_namespace):
    """How many namespaces the preloaded pods are dealt over: 50 for 50,000 at 1,000 each."""
    return max(1, math.ceil(pods / per_namespace)) if pods else 1


BENCH_TOOLS = os.path.expanduser("~/.cache/pilothouse-bench-tools/bin")


def installed(name):
    return shutil.which(name, path=f"{BENCH_TOOLS}:{os.environ.get('PATH', '')}")


def pilothouse_argv(sim):
    return [BIN, "--kubeconfig", sim.kubeconfig, "--no-mouse"]


def kdash_argv(sim):
    return [installed("kdash")]


def oxker_argv(sim):
    return [installed("oxker"), "--host", f"unix://{sim.socket}"]


# For each client: its argv for a sim, and per workload the keys that open its
# view and the text on screen that says the view holds every row.
# pilothouse's `/` filters the pane as each key is typed: FILTER_KEYS type a
# digit (the rows holding it stay) and erase it (every row is back).
FILTER_OPEN, FILTER_KEYS, FILTER_CLOSE = b"/", (b"7", b"\x7f"), b"\x1b"
CLIENTS = {
    "pilothouse": (pilothouse_argv, {
        "pods": (b"6", lambda n: f"Pods [{n + SEEDED_SYSTEM_PODS}]"),
        "containers": (b"", lambda n: f"Containers (running) [{n}]"),
    }),
    # kdash opens on its Pods view, all namespaces; its tab reads "Pods [N]" too.
    "kdash": (kdash_argv, {"pods": (b"", lambda n: f"Pods [{n + SEEDED_SYSTEM_PODS}]")}),
    # oxker opens on its containers; the title counts them: "Containers 1/N".
    "oxker": (oxker_argv, {"containers": (b"", lambda n: f"Containers 1/{n}")}),
}


class AnsweringScreen(pyte.Screen):
    """A screen that answers the terminal's queries (kdash asks where the cursor is)."""

    def __init__(self, columns, lines, fd):
        super().__init__(columns, lines)
        self.fd = fd

    def write_process_input(self, data):
        os.write(self.fd, data.encode())


class Cockpit:
    """A terminal client in a pseudo-terminal; what it writes is read as it comes."""

    def __init__(self, home, sim, argv):
        env = dict(os.environ, TERM="xterm-256color", HOME=home,
                   PILOTHOUSE_CONFIG=os.path.join(home, "config.toml"),
                   XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_STATE_HOME=home,
                   KUBECONFIG=sim.kubeconfig, DOCKER_HOST=f"unix://{sim.socket}")
        self.started = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.screen = AnsweringScreen(COLS, ROWS, self.fd)
        self.stream = pyte.ByteStream(self.screen)
        self.first_output = None

    def read(self, timeout):
        """Bytes written within `timeout` seconds (b"" if none)."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:
            return b""
        if data and self.first_output is None:
            self.first_output = time.monotonic() - self.started
        self.stream.feed(data)
        return data

    def until_output(self, timeout):
        deadline = time.monotonic() + timeout
        while self.first_output is None:
            if time.monotonic() > deadline:
                raise SystemExit("nothing was drawn")
            self.read(0.05)

    def shows(self, text):
        return any(text in line for line in self.screen.display)

    def until(self, text, timeout):
        """Seconds from exec until the screen shows `text`."""
        deadline = time.monotonic() + timeout
        while not self.shows(text):
            if time.monotonic() > deadline:
                raise SystemExit(f"never saw {text!r}; the screen:\n" + "\n".join(self.screen.display))
            self.read(0.05)
        return time.monotonic() - self.started

    def drain(self, quiet=0.5, longest=5.0):
        """Read until nothing comes for `quiet` seconds (or `longest` has passed: under
        churn the frames never stop)."""
        end = time.monotonic() + longest
        while self.read(quiet) and time.monotonic() < end:
            pass

    def key_latency(self, samples, keys=(b"\x1b[B", b"\x1b[A")):
        """Seconds from a key (in turn: down, then up arrow by default) until the first
        byte of the frame it changes."""
        times = []
        for i in range(samples):
            self.drain(0.3)
            sent = time.monotonic()
            os.write(self.fd, keys[i % 2])
            if self.read(2.0):
                times.append(time.monotonic() - sent)
        return times

    def stop(self):
        os.write(self.fd, b"\x1b")  # leave any view kdash opened, then quit
        time.sleep(0.2)
        os.write(self.fd, b"q")
        self.reap()

    def reap(self):
        """Wait up to 5 s for the client to end (reading what it still writes), then kill it."""
        deadline = time.time() + 5
        while time.time() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                return
            self.read(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def cpu_percent(pid, window, cockpit):
    before = cpu_ticks(pid)
    end = time.monotonic() + window
    while time.monotonic() < end:
        cockpit.read(0.2)  # keep the terminal drained, as a real one is
    return (cpu_ticks(pid) - before) / TICKS / window * 100


def latency_stats(row, prefix, latencies):
    ordered = sorted(latencies)
    row[f"{prefix}_median_ms"] = statistics.median(ordered) * 1000 if ordered else float("nan")
    row[f"{prefix}_p95_ms"] = ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000 if ordered else float("nan")


def start(home, sim, client, workload, count):
    argv_for, views = CLIENTS[client]
    open_view, full = views[workload]
    cockpit = Cockpit(home, sim, argv_for(sim))
    cockpit.until_output(30)
    if open_view:
        os.write(cockpit.fd, open_view)
    elapsed = cockpit.until(full(count), 120)
    cockpit.drain(1.0)
    return cockpit, elapsed


def measure(home, client, workload, count, args):
    row = {"client": client, "workload": workload, "count": count}
    pods = count if workload == "pods" else 0
    containers = count if workload == "containers" else 0
    namespaces = namespaces_for(pods, args.per_namespace)
    sim = Sim(home, pods=pods, containers=containers, namespaces=namespaces)
    try:
        if pods:
            row["namespaces"] = namespaces
            row["kubectl_s"] = sim.kubectl_seconds(home)
        cockpit, elapsed = start(home, sim, client, workload, count)
        row["first_frame_ms"] = cockpit.first_output * 1000
        row["full_table_ms"] = elapsed * 1000
        row["rss_load_mb"] = rss_mb(cockpit.pid)
        # The part of RSS that is the program's own memory, not its code read from disk.
        row["anon_load_mb"] = rss_mb(cockpit.pid, "RssAnon")
        row["idle_cpu"] = cpu_percent(cockpit.pid, args.window, cockpit)
        latency_stats(row, "key", cockpit.key_latency(args.samples))
        if client == "pilothouse" and pods:
            os.write(cockpit.fd, FILTER_OPEN)
            latency_stats(row, "filter", cockpit.key_latency(args.samples, FILTER_KEYS))
            os.write(cockpit.fd, FILTER_CLOSE)
        cockpit.stop()
    finally:
        sim.stop()
    if workload != "pods":
        return row
    sim = Sim(home, pods=pods, churn=args.churn, namespaces=namespaces)
    try:
        cockpit, _ = start(home, sim, client, workload, count)
        row["churn_cpu"] = cpu_percent(cockpit.pid, args.window, cockpit)
        row["rss_churn_mb"] = rss_mb(cockpit.pid)
        if args.soak and count == args.soak_pods:
            # The long run: RSS each minute, and key latency again at the end.
            row["soak_rss_mb"] = [row["rss_churn_mb"]]
            end = time.monotonic() + args.soak - args.window
            while time.monotonic() < end:
                cpu_percent(cockpit.pid, min(60, max(1, end - time.monotonic())), cockpit)
                row["soak_rss_mb"].append(rss_mb(cockpit.pid))
            latency_stats(row, "soak_key", cockpit.key_latency(args.samples))
        cockpit.stop()
    finally:
        sim.stop()
    return row


def criterion(filter_):
    """The criterion benches in benches/table.rs: frame draw and update per watch event."""
    # bench-quick builds into target/bench-quick: the release binary measured above stays.
    run = subprocess.run(["cargo", "bench", "--profile", "bench-quick", "--bench", "table", "--", filter_], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    found = re.findall(r"^(\S+)\s+time:\s+\[\S+ \S+ (\S+ \S+) \S+ \S+\]", run.stdout, re.M)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pods", default="100,1000,10000", help="pod counts ('' for none)")
    parser.add_argument("--containers", default="10,100,1000", help="container counts ('' for none)")
    parser.add_argument("--window", type=int, default=30, help="seconds per CPU window")
    parser.add_argument("--churn", type=int, default=100, help="pod changes a second")
    parser.add_argument("--samples", type=int, default=40, help="key presses timed")
    parser.add_argument("--soak", type=int, default=0,
                        help="seconds of churn at --soak-pods (600 for the 10-minute run; 0: none)")
    parser.add_argument("--soak-pods", type=int, default=10000)
    parser.add_argument("--per-namespace", type=int, default=1000,
                        help="preloaded pods a namespace (50,000 pods: 500 Deployments over 50 namespaces)")
    parser.add_argument("--benches", default="frame_120x40|per_event",
                        help="criterion filter for benches/table.rs ('' for none)")
    parser.add_argument("--clients", default="pilothouse,kdash,oxker",
                        help="kdash and oxker are left out, with a line saying so, when not installed")
    parser.add_argument("--no-append", action="store_true", help="print only")
    parser.add_argument("--check-flat", action="store_true",
                        help="after --soak: fail unless pilothouse's RSS grew less than 10 %% "
                             "and its key-to-frame p95 at the end is within 2x (+2 ms) of the start")
    args = parser.parse_args()
    # A SIGTERM (say from `timeout`) still runs the `finally`s that stop the sims.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if not os.access(BIN, os.X_OK):
        raise SystemExit(f"build it first: cargo build --release ({BIN})")
    clients = []
    for client in args.clients.split(","):
        argv_for, _ = CLIENTS[client]
        if client != "pilothouse" and not installed(client):
            print(f"{client} is not installed (cargo install --locked --root "
                  f"~/.cache/pilothouse-bench-tools {client}): left out", file=sys.stderr)
            continue
        clients.append(client)
    plan = [(workload, int(n), client)
            for workload in ("pods", "containers")
            for n in filter(None, getattr(args, workload).split(","))
            for client in clients if workload in CLIENTS[client][1]]
    home = tempfile.mkdtemp(prefix="pilothouse-harness-")
    rows = []
    try:
        for workload, n, client in plan:
            print(f"{client}, {n} {workload}…", file=sys.stderr, flush=True)
            rows.append(measure(home, client, workload, n, args))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    text = harness_report.table(rows, args, criterion(args.benches) if args.benches else [])
    print(text)
    if not args.no_append:
        record("harness.py", sys.argv[1:], "Release build, a 120x40 pseudo-terminal.", text)
    if args.check_flat:
        harness_report.check_flat(rows)


if __name__ == "__main__":
    main()
