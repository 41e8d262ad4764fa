#!/usr/bin/env python3
"""The scale harness (issue [6/7]): pilothouse against the simulated cluster,
measured from outside, in a pseudo-terminal of 120x40, the way a user runs it.

For each pod count it starts `pilothouse sim --pods N` (a process of its own,
so only the cockpit is measured), waits until every pod runs, then starts the
cockpit on the Pods pane and reads:

- exec to first frame: the first bytes the cockpit writes to the terminal;
- exec to first full table: until the Pods pane's title counts every pod
  (`Pods [N+7]`: the 7 kube-system pods are seeded too);
- RSS after load (/proc/PID/status VmRSS);
- CPU while idle over a fixed window (/proc/PID/stat utime+stime);
- key-to-frame latency: `j` written to the terminal until the cockpit writes
  the changed frame, repeated, median and 95th percentile;
- then, with the sim churning (`--churn RATE`: RATE pod changes a second),
  CPU over the same window and RSS at its end.

Each run prints a Markdown table and appends it, with the date and the
command, to benches/README.md.

    cargo build --release
    python3 benches/harness.py [--pods 100,1000,10000] [--window 30] [--churn 100]

Needs pyte (`pip install pyte`), a terminal emulator in Python, to read the
screen the way a terminal shows it. Nothing outside a temporary directory is
touched.
"""
import argparse
import datetime
import fcntl
import os
import pty
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "pilothouse")
COLS, ROWS = 120, 40
SEEDED_SYSTEM_PODS = 7
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Sim:
    """`pilothouse sim` in its own process, until every preloaded pod runs."""

    def __init__(self, home, pods, churn):
        self.kubeconfig = os.path.join(home, f"kubeconfig-{pods}-{churn}")
        self.socket = os.path.join(home, f"docker-{pods}-{churn}.sock")
        args = [BIN, "sim", "--pods", str(pods), "--kubeconfig", self.kubeconfig,
                "--docker-socket", self.socket, "--pod-start-ms", "100"]
        if churn:
            args += ["--churn", str(churn)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while not (os.path.exists(self.kubeconfig) and os.path.getsize(self.kubeconfig)):
            if time.time() > deadline:
                raise SystemExit("the sim wrote no kubeconfig")
            time.sleep(0.05)
        server = next(l.split()[1] for l in open(self.kubeconfig) if "server:" in l)
        while True:
            with urllib.request.urlopen(f"{server}/api/v1/namespaces/load/pods") as answer:
                if answer.read().count(b'"phase":"Running"') >= pods:
                    break
            if time.time() > deadline + 240:
                raise SystemExit("the sim's pods never all ran")
            time.sleep(0.5)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


BENCH_TOOLS = os.path.expanduser("~/.cache/pilothouse-bench-tools/bin")


def pilothouse_argv(sim):
    return [BIN, "--kubeconfig", sim.kubeconfig, "--no-mouse"]


def kdash_argv(sim):
    return [shutil.which("kdash", path=f"{BENCH_TOOLS}:{os.environ.get('PATH', '')}")]


# name, argv for a sim, keys that open the Pods view, the text that says it shows them all.
CLIENTS = {
    "pilothouse": (pilothouse_argv, b"6"),
    # kdash opens on its Pods view, all namespaces; its tab reads "Pods [N]" too.
    "kdash": (kdash_argv, b""),
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

    def key_latency(self, samples):
        """Seconds from an arrow key (down, then up) until the first byte of the frame it changes."""
        times = []
        for i in range(samples):
            self.drain(0.3)
            sent = time.monotonic()
            os.write(self.fd, b"\x1b[B" if i % 2 == 0 else b"\x1b[A")
            if self.read(2.0):
                times.append(time.monotonic() - sent)
        return times

    def stop(self):
        os.write(self.fd, b"\x1b")  # leave any view kdash opened, then quit
        time.sleep(0.2)
        os.write(self.fd, b"q")
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


def measure(home, client, pods, window, churn, samples):
    argv_for, open_pods = CLIENTS[client]
    row = {"client": client, "pods": pods}
    want = f"Pods [{pods + SEEDED_SYSTEM_PODS}]"
    sim = Sim(home, pods, 0)
    try:
        cockpit = Cockpit(home, sim, argv_for(sim))
        cockpit.until_output(30)
        row["first_frame_ms"] = cockpit.first_output * 1000
        if open_pods:
            os.write(cockpit.fd, open_pods)
        row["full_table_ms"] = cockpit.until(want, 120) * 1000
        cockpit.drain(1.0)
        row["rss_load_mb"] = rss_mb(cockpit.pid)
        row["idle_cpu"] = cpu_percent(cockpit.pid, window, cockpit)
        latencies = cockpit.key_latency(samples)
        row["key_median_ms"] = statistics.median(latencies) * 1000 if latencies else float("nan")
        row["key_p95_ms"] = sorted(latencies)[max(0, int(len(latencies) * 0.95) - 1)] * 1000 if latencies else float("nan")
        cockpit.stop()
    finally:
        sim.stop()
    sim = Sim(home, pods, churn)
    try:
        cockpit = Cockpit(home, sim, argv_for(sim))
        cockpit.until_output(30)
        if open_pods:
            os.write(cockpit.fd, open_pods)
        cockpit.until(want, 120)
        cockpit.drain(1.0)
        row["churn_cpu"] = cpu_percent(cockpit.pid, window, cockpit)
        row["rss_churn_mb"] = rss_mb(cockpit.pid)
        cockpit.stop()
    finally:
        sim.stop()
    return row


def table(rows, window, churn):
    head = ("| client | pods | first frame | first full table | RSS after load | idle CPU | "
            f"key to frame (median / p95) | CPU under {churn} changes/s | RSS after the churn window |")
    lines = [head, "| " + " | ".join(["---"] * 9) + " |"]
    for r in rows:
        lines.append(
            f"| {r['client']} | {r['pods']} | {r['first_frame_ms']:.0f} ms | {r['full_table_ms']:.0f} ms | "
            f"{r['rss_load_mb']:.1f} MB | {r['idle_cpu']:.2f} % | "
            f"{r['key_median_ms']:.1f} / {r['key_p95_ms']:.1f} ms | {r['churn_cpu']:.2f} % | "
            f"{r['rss_churn_mb']:.1f} MB |")
    ours = [r for r in rows if r["client"] == "pilothouse"]
    lines.append("")
    if len(ours) > 1:
        first, last = ours[0], ours[-1]
        lines.append(
            f"pilothouse's growth from {first['pods']} to {last['pods']} pods "
            f"(x{last['pods'] / first['pods']:.0f}): first full table "
            f"x{last['full_table_ms'] / first['full_table_ms']:.1f}, RSS "
            f"x{last['rss_load_mb'] / first['rss_load_mb']:.1f}, CPU under churn "
            f"x{max(last['churn_cpu'], 0.01) / max(first['churn_cpu'], 0.01):.1f}.")
    for r in ours:
        other = next((o for o in rows if o["client"] != "pilothouse" and o["pods"] == r["pods"]), None)
        if other:
            ratio = lambda key: r[key] / other[key] if other[key] else float("inf")
            lines.append(
                f"{r['pods']} pods, pilothouse / {other['client']}: first full table "
                f"{ratio('full_table_ms'):.2f}, RSS {ratio('rss_load_mb'):.2f}, idle CPU "
                f"{ratio('idle_cpu'):.2f}, CPU under churn {ratio('churn_cpu'):.2f}.")
    lines.append("")
    lines.append(f"CPU is a percentage of one core over {window} s windows, from /proc.")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pods", default="100,1000,10000")
    parser.add_argument("--window", type=int, default=30, help="seconds per CPU window")
    parser.add_argument("--churn", type=int, default=100, help="pod changes a second")
    parser.add_argument("--samples", type=int, default=40, help="key presses timed")
    parser.add_argument("--clients", default="pilothouse,kdash",
                        help="kdash is skipped, with a line saying so, when it is not installed")
    parser.add_argument("--no-append", action="store_true", help="print only")
    args = parser.parse_args()
    # A SIGTERM (say from `timeout`) still runs the `finally`s that stop the sims.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if not os.access(BIN, os.X_OK):
        raise SystemExit(f"build it first: cargo build --release ({BIN})")
    home = tempfile.mkdtemp(prefix="pilothouse-harness-")
    try:
        clients = []
        for client in args.clients.split(","):
            argv_for, _ = CLIENTS[client]
            if client != "pilothouse" and not argv_for(None)[0]:
                print(f"{client} is not installed (cargo install --locked --root "
                      f"~/.cache/pilothouse-bench-tools {client}): left out", file=sys.stderr)
                continue
            clients.append(client)
        rows = [measure(home, client, int(n), args.window, args.churn, args.samples)
                for n in args.pods.split(",") for client in clients]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    command = "python3 benches/harness.py " + " ".join(sys.argv[1:])
    text = table(rows, args.window, args.churn)
    print(text)
    if not args.no_append:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        with open(os.path.join(ROOT, "benches", "README.md"), "a") as readme:
            readme.write(f"\n### {stamp}, `{command.strip()}`\n\n{text}\n")


if __name__ == "__main__":
    main()
