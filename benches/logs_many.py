#!/usr/bin/env python3
"""The logs of many pods, followed for a long while (benches/README.md has the results).

  python3 benches/logs_many.py [--bin PATH] [--pods 20] [--rate 50] [--minutes 10] [--check-flat]

`pilothouse sim --pods N --log-rate R` in a process of its own (one Deployment,
`load-000`, of N pods, each writing R numbered lines a second), and the cockpit
against it in a pseudo-terminal of 120x40, following `:logs app=load-000 -n load`
(every pod's lines in one stream, as `l` on the Deployment does). After 30 s of
warm-up, once a minute: the cockpit's CPU over that minute (a percentage of one
core, /proc/PID/stat) and its RSS (/proc/PID/status). At the end `:save` writes
the buffer out; every pod's numbered lines in it must run without a gap (none
lost or reordered), and the newest must be close to what the sim has written.

--check-flat exits 1 when RSS grew more than 5 MB from the first sample to the
last, or the CPU of any minute passed 5 % of a core. Everything lives in a
temporary directory, removed at the end.
"""

import argparse
import os
import pty
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TICKS = os.sysconf("SC_CLK_TCK")
KEEP = 1 << 16  # bytes of the terminal's output kept, to look for a word in


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Terminal:
    """A program in a pseudo-terminal of 120x40 whose output is read as it
    comes (a terminal that is not read stalls the program writing to it)."""

    def __init__(self, argv, env):
        self.master, slave = pty.openpty()
        os.set_blocking(self.master, False)
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.tail = b""
        self.total = 0

    def read(self, wait=0.05):
        ready, _, _ = select.select([self.master], [], [], wait)
        if ready:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                return
            self.total += len(data)
            self.tail = (self.tail + data)[-KEEP:]

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.read()

    def wait_for(self, needle, within=60.0):
        end = time.monotonic() + within
        while needle.encode() not in self.tail:
            if time.monotonic() > end:
                self.close()
                sys.exit(f"never saw {needle!r}; the last output: {self.tail[-1500:]!r}")
            self.read()

    def type(self, text, pause=0.3):
        os.write(self.master, text.encode())
        self.pump(pause)

    def close(self):
        try:
            os.write(self.master, b"q")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def start_sim(binary, home, pods, rate):
    kubeconfig = os.path.join(home, "kubeconfig")
    socket = os.path.join(home, "docker.sock")
    process = subprocess.Popen(
        [binary, "sim", "--plain-http", "--pods", str(pods), "--log-rate", str(rate), "--kubeconfig", kubeconfig,
         "--docker-socket", socket, "--pod-start-ms", "100"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not (os.path.exists(kubeconfig) and os.path.getsize(kubeconfig)):
        if time.time() > deadline:
            sys.exit("the sim wrote no kubeconfig")
        time.sleep(0.05)
    server = next(l.split()[1] for l in open(kubeconfig) if "server:" in l)
    while True:
        with urllib.request.urlopen(f"{server}/api/v1/namespaces/load/pods") as answer:
            if answer.read().count(b'"phase":"Running"') >= pods:
                return process, kubeconfig, socket
        if time.time() > deadline:
            sys.exit("the sim's pods never all ran")
        time.sleep(0.2)


def check_saved(path, pods, rate, followed_for):
    """Per pod, the request numbers in the saved buffer: consecutive, and the newest."""
    numbers = {}
    for line in open(path):
        found = re.match(r"(\S+) │ \S+ GET /recipes/\d+ 200 request=(\d+)$", line.rstrip("\n"))
        if found:
            numbers.setdefault(found.group(1), []).append(int(found.group(2)))
    gaps = sum(1 for seen in numbers.values() for a, b in zip(seen, seen[1:]) if b != a + 1)
    return {
        "pods_in_buffer": len(numbers),
        "lines_in_buffer": sum(len(v) for v in numbers.values()),
        "gaps": gaps,
        "newest": max((v[-1] for v in numbers.values()), default=0),
        "expected_newest_at_least": int(rate * followed_for * 0.9),
        "pods": pods,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/pilothouse")
    parser.add_argument("--pods", type=int, default=20)
    parser.add_argument("--rate", type=int, default=50, help="lines a second per pod")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--check-flat", action="store_true")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    home = tempfile.mkdtemp(prefix="pilothouse-bench-logs-")
    sim = None
    try:
        sim, kubeconfig, socket = start_sim(binary, home, args.pods, args.rate)
        pods_started = time.monotonic()
        env = dict(os.environ, HOME=home, XDG_STATE_HOME=os.path.join(home, "state"),
                   XDG_CONFIG_HOME=os.path.join(home, "config"),
                   PILOTHOUSE_CONFIG=os.path.join(home, "none.toml"), TERM="xterm-256color",
                   KUBECONFIG=kubeconfig, DOCKER_HOST=f"unix://{socket}")
        env.pop("RUST_LOG", None)
        cockpit = Terminal([binary, "--kubeconfig", kubeconfig, "--learn", "off", "--no-mouse"], env)
        pid = cockpit.process.pid
        cockpit.wait_for("1 node")  # the header: the cluster is connected
        cockpit.type(":logs app=load-000 -n load\r")
        cockpit.wait_for("GET /recipes/")
        followed = time.monotonic()
        cockpit.pump(30)  # warm-up: the buffer fills (5,000 lines) and stays full
        samples = []
        for _ in range(max(1, round(args.minutes))):
            cpu, started = cpu_seconds(pid), time.monotonic()
            bytes_before = cockpit.total
            cockpit.pump(60 * min(1.0, args.minutes))
            window = time.monotonic() - started
            samples.append({
                "cpu": (cpu_seconds(pid) - cpu) / window * 100,
                "rss": rss_mb(pid),
                "terminal_kb_s": (cockpit.total - bytes_before) / window / 1024,
            })
            print(f"minute {len(samples)}: CPU {samples[-1]['cpu']:.2f} %, RSS {samples[-1]['rss']:.1f} MB, "
                  f"terminal {samples[-1]['terminal_kb_s']:.0f} KB/s", flush=True)
        saved = os.path.join(home, "saved.log")
        cockpit.type(f":save {saved}\r", pause=0.5)
        deadline = time.monotonic() + 30
        while not (os.path.exists(saved) and os.path.getsize(saved)):
            if time.monotonic() > deadline:
                sys.exit(f"{saved} was never written; the last output: {cockpit.tail[-1500:]!r}")
            cockpit.read()
        cockpit.pump(0.5)  # the file is written whole in one go; give it a moment
        result = check_saved(saved, args.pods, args.rate, time.monotonic() - pods_started)
        followed_for = time.monotonic() - followed
        cockpit.close()
    finally:
        if sim:
            sim.terminate()
            sim.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)

    cpus = [s["cpu"] for s in samples]
    rss = [s["rss"] for s in samples]
    growth = rss[-1] - rss[0]
    print()
    print(f"{args.pods} pods x {args.rate} lines/s followed for {followed_for / 60:.1f} min "
          f"({args.pods * args.rate} lines/s into the cockpit)")
    print(f"| CPU per minute (% of a core) | median {statistics.median(cpus):.2f}, max {max(cpus):.2f} |")
    print(f"| RSS | first {rss[0]:.1f} MB, last {rss[-1]:.1f} MB, max {max(rss):.1f} MB (growth {growth:+.1f} MB) |")
    print(f"| saved buffer | {result['lines_in_buffer']} numbered lines of {result['pods_in_buffer']} pods, "
          f"{result['gaps']} gaps; newest request={result['newest']} "
          f"(the sim had written at least ~{result['expected_newest_at_least']}) |")
    failures = []
    if result["gaps"]:
        failures.append(f"{result['gaps']} gaps in the saved buffer")
    if result["pods_in_buffer"] != args.pods:
        failures.append(f"{result['pods_in_buffer']} pods in the buffer, not {args.pods}")
    if result["newest"] < result["expected_newest_at_least"]:
        failures.append("the stream fell behind the sim")
    if args.check_flat:
        if growth > 5:
            failures.append(f"RSS grew {growth:.1f} MB")
        if max(cpus) >= 5:
            failures.append(f"CPU reached {max(cpus):.2f} % of a core")
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
