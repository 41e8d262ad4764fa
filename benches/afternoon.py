#!/usr/bin/env python3
"""An afternoon of use, compressed (benches/README.md has the results).

  python3 benches/afternoon.py [--minutes 30] [--warmup 120] [--check-flat] [--no-append]

One `pilothouse sim` (a process of its own) with 1,000 pods churning at 100
changes a second (`--churn`), the first 20 of them writing 50 numbered log
lines a second each (`--log-rate 50 --log-pods 20`); and the cockpit against
it in a pseudo-terminal of 120x40, started as a developer does, in an app's
directory with `--watch`, where the app's pilothouse.toml keeps 10
port-forwards (one to each preloaded Deployment, `deploy/load-00N`). Then, for
--minutes:

- the Logs pane follows `:logs app=load-000 -n load` (the 20 writing pods
  among its 100);
- a key every 100 ms: `?` opens help over the Logs pane and `esc` closes it;
  each `?` is timed from the key until help's title arrives (key to frame);
- a request a second through each forward (10 a second in all), each of which
  must be answered;
- a save in the app every 10 s (a file rewritten, as an editor does), each of
  which must give one dev-loop build (counted by the sim engine's `dev-` tags).

Once a minute: the cockpit's CPU over that minute (% of one core), its RSS,
its open file descriptors (the fewest of five looks over half a second, so a
forward's connection in flight is not counted as a leak), the key-to-frame
p95 of that minute, forwards that failed, builds. At the end `:save` writes
the Logs pane out: every writing pod's numbered lines in it must run without
a gap, and the newest must be close to what the sim has written.

--check-flat exits 1 when, after the warm-up, RSS grew more than 5 MB or the
open descriptors grew, a minute's CPU reached 5 % of a core or its key p95
16 ms, a forward request failed, a save gave no build, or a log line was
lost. Everything lives in a temporary directory, removed at the end.
"""

import argparse
import os
import select
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import logs_many  # noqa: E402
from dev_loop import free_port  # noqa: E402

HELP = "Keys · type to filter"
HELP_BYTES = "type to filter".encode()
DEPLOYMENT_SIZE = 100  # the sim's preloaded Deployments have up to 100 replicas


def app_directory(home, forwards):
    """A FROM scratch app whose pilothouse.toml keeps a forward to each Deployment."""
    app = os.path.join(home, "app")
    os.makedirs(os.path.join(app, "www"))
    with open(os.path.join(app, "Dockerfile"), "w") as f:
        f.write("FROM scratch\nCOPY www /www\nEXPOSE 8000\nCMD [\"/bin/httpd\"]\n")
    with open(os.path.join(app, "www", "index.html"), "w") as f:
        f.write("save 0\n")
    ports = [free_port() for _ in range(forwards)]
    with open(os.path.join(app, "pilothouse.toml"), "w") as f:
        for i, port in enumerate(ports):
            f.write(f'[[forward]]\ntarget = "deploy/load-{i:03}"\nnamespace = "load"\n'
                    f"local = {port}\nremote = 8000\n\n")
    return app, ports


def save(app, n):
    # As an editor saves: write a new file, then rename it over the old one.
    path = os.path.join(app, "www", "index.html")
    with open(path + ".new", "w") as f:
        f.write(f"save {n}\n")
    os.replace(path + ".new", path)


def dev_builds(socket_path):
    """Images the dev loop built: each build is tagged `REPO:dev-HASH`."""
    import http.client
    import json

    class Unix(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.connect(socket_path)

    connection = Unix("localhost", timeout=10)
    connection.request("GET", "/images/json")
    images = json.loads(connection.getresponse().read())
    connection.close()
    return sum(1 for image in images for tag in image.get("RepoTags") or [] if ":dev-" in tag)


class Background(threading.Thread):
    """Requests through every forward each second, and a save every `every` seconds."""

    def __init__(self, ports, app, every):
        super().__init__(daemon=True)
        self.ports, self.app, self.every = ports, app, every
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.requests = self.failures = self.saves = 0
        self.failed = []

    def run(self):
        next_save = time.monotonic() + self.every
        while not self.stopping.wait(1.0):
            for port in self.ports:
                ok, why = False, "an empty answer"
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                        ok = answer.status == 200 and bool(answer.read())
                except Exception as e:  # noqa: BLE001 - every failure is counted and named
                    why = str(e)
                with self.lock:
                    self.requests += 1
                    if not ok:
                        self.failures += 1
                        self.failed.append(f"127.0.0.1:{port}: {why}")
            if time.monotonic() >= next_save:
                self.saves += 1
                save(self.app, self.saves)
                next_save += self.every


def key_to_frame(cockpit, opening):
    """`?` opens help over the Logs pane: seconds from the key until the bytes
    of help's title arrive (timed before the Python terminal emulator parses
    them, which would add its own milliseconds). `esc` closes it again,
    waited for on the emulated screen and not timed. None: no frame in 2 s."""
    sent = time.monotonic()
    os.write(cockpit.fd, b"?" if opening else b"\x1b")
    deadline = sent + 2.0
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([cockpit.fd], [], [], 0.01)
        if not ready:
            continue
        try:
            data = os.read(cockpit.fd, 1 << 16)
        except OSError:
            return None
        arrived = time.monotonic()
        cockpit.stream.feed(data)
        seen = seen[-64:] + data
        if opening and HELP_BYTES in seen:
            return arrived - sent
        if not opening and not cockpit.shows(HELP):
            return arrived - sent
    return None


def open_descriptors(cockpit):
    """The fewest open descriptors over half a second: a forward's connection
    in flight at the moment of one look is not a leak."""
    looks = []
    for _ in range(5):
        looks.append(len(os.listdir(f"/proc/{cockpit.pid}/fd")))
        cockpit.read(0.1)
    return min(looks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=120, help="seconds before flatness is judged")
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--churn", type=int, default=100)
    parser.add_argument("--forwards", type=int, default=10)
    parser.add_argument("--log-pods", type=int, default=20)
    parser.add_argument("--log-rate", type=int, default=50)
    parser.add_argument("--save-every", type=float, default=10)
    parser.add_argument("--key-every", type=float, default=0.1)
    parser.add_argument("--check-flat", action="store_true")
    parser.add_argument("--no-append", action="store_true", help="print only")
    args = parser.parse_args()
    if args.forwards > args.pods // DEPLOYMENT_SIZE:
        raise SystemExit(f"--forwards {args.forwards}: the sim has only {args.pods // DEPLOYMENT_SIZE} Deployments")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    home = tempfile.mkdtemp(prefix="pilothouse-afternoon-")
    sim = cockpit = background = None
    minutes = []
    try:
        sim = harness.Sim(home, pods=args.pods, churn=args.churn,
                          extra=["--log-rate", str(args.log_rate), "--log-pods", str(args.log_pods)])
        pods_ready = time.monotonic()
        app, ports = app_directory(home, args.forwards)
        os.chdir(app)  # the cockpit's app directory: its pilothouse.toml and what --watch watches
        cockpit = harness.Cockpit(home, sim, [harness.BIN, "--kubeconfig", sim.kubeconfig, "--no-mouse",
                                              "--learn", "off", "--watch"])
        cockpit.until("1 node", 60)
        os.write(cockpit.fd, b":logs app=load-000 -n load\r")
        cockpit.until("GET /recipes/", 60)
        background = Background(ports, app, args.save_every)
        background.start()
        started = time.monotonic()
        end = started + args.minutes * 60
        builds_before = dev_builds(sim.socket)
        opening, lost_keys = True, 0
        while time.monotonic() < end:
            minute_end = min(end, time.monotonic() + 60)
            cpu_before, window_start, keys = harness.cpu_ticks(cockpit.pid), time.monotonic(), []
            while time.monotonic() < minute_end:
                next_key = time.monotonic() + args.key_every
                took = key_to_frame(cockpit, opening)
                if took is None:
                    lost_keys += 1
                elif opening:
                    keys.append(took)
                opening = not opening
                while time.monotonic() < next_key:
                    cockpit.read(max(0.0, next_key - time.monotonic()))
            window = time.monotonic() - window_start
            with background.lock:
                requests, failures, saves = background.requests, background.failures, background.saves
            minutes.append({
                "at": time.monotonic() - started,
                "cpu": (harness.cpu_ticks(cockpit.pid) - cpu_before) / harness.TICKS / window * 100,
                "rss": harness.rss_mb(cockpit.pid),
                "fds": open_descriptors(cockpit),
                "keys": len(keys), "requests": requests, "failures": failures, "saves": saves,
                "builds": dev_builds(sim.socket) - builds_before,
            })
            m = minutes[-1]
            harness.latency_stats(m, "key", keys)  # key_median_ms, key_p95_ms
            print(f"minute {len(minutes)}: CPU {m['cpu']:.2f} %, RSS {m['rss']:.1f} MB, {m['fds']} fds, "
                  f"key p50/p95 {m['key_median_ms']:.1f}/{m['key_p95_ms']:.1f} ms ({m['keys']} keys), "
                  f"forwards {m['requests'] - m['failures']}/{m['requests']} answered, "
                  f"{m['builds']} builds of {m['saves']} saves", flush=True)
        background.stopping.set()
        background.join()
        if opening is False:  # help is open: close it before saving the Logs pane
            key_to_frame(cockpit, False)
        saved = os.path.join(home, "saved.log")
        os.write(cockpit.fd, f":save {saved}\r".encode())
        deadline = time.monotonic() + 30
        while not (os.path.exists(saved) and os.path.getsize(saved)):
            if time.monotonic() > deadline:
                raise SystemExit(f"{saved} was never written; the screen:\n" + "\n".join(cockpit.screen.display))
            cockpit.read(0.05)
        time.sleep(0.5)  # written whole in one go; give it a moment
        logs = logs_many.check_saved(saved, args.log_pods, args.log_rate, time.monotonic() - pods_ready)
        time.sleep(args.save_every)  # the last save's build
        final_builds = dev_builds(sim.socket) - builds_before
    finally:
        if background:
            background.stopping.set()
        if cockpit:
            cockpit.stop()
        if sim:
            sim.stop()
        os.chdir("/")
        shutil.rmtree(home, ignore_errors=True)

    judged = [m for m in minutes if m["at"] >= args.warmup] or minutes[-1:]
    rss_growth = judged[-1]["rss"] - judged[0]["rss"]
    fd_growth = judged[-1]["fds"] - judged[0]["fds"]
    worst_cpu = max(m["cpu"] for m in judged)
    worst_key = max(m["key_p95_ms"] for m in judged)
    last = minutes[-1]
    lines = [
        f"{args.pods} pods churning at {args.churn}/s, {args.forwards} forwards, logs of {args.log_pods} pods "
        f"at {args.log_rate} lines/s, a save every {args.save_every:g} s, a key every {args.key_every * 1000:g} ms, "
        f"for {args.minutes:g} min (judged after {args.warmup:g} s of warm-up)",
        "",
        "| measure | after warm-up | target | met |",
        "| --- | --- | --- | --- |",
        f"| RSS | {judged[0]['rss']:.1f} -> {judged[-1]['rss']:.1f} MB ({rss_growth:+.1f} MB) | within 5 MB | "
        f"{'yes' if rss_growth <= 5 else 'no'} |",
        f"| open descriptors | {judged[0]['fds']} -> {judged[-1]['fds']} | flat | {'yes' if fd_growth <= 0 else 'no'} |",
        f"| CPU per minute | median {statistics.median(m['cpu'] for m in judged):.2f} %, max {worst_cpu:.2f} % "
        f"| under 5 % | {'yes' if worst_cpu < 5 else 'no'} |",
        f"| key to frame p95 per minute | worst {worst_key:.1f} ms ({lost_keys} keys unanswered in 2 s) | under 16 ms | "
        f"{'yes' if worst_key < 16 and not lost_keys else 'no'} |",
        f"| forward requests | {last['requests'] - last['failures']} of {last['requests']} answered | all | "
        f"{'yes' if not last['failures'] else 'no'} |",
        f"| dev-loop builds | {final_builds} for {last['saves']} saves | one each | "
        f"{'yes' if final_builds >= last['saves'] else 'no'} |",
        f"| log lines | {logs['lines_in_buffer']} in the saved buffer from {logs['pods_in_buffer']} pods, "
        f"{logs['gaps']} gaps, newest request={logs['newest']} (at least ~{logs['expected_newest_at_least']}) "
        f"| none lost | {'yes' if not logs['gaps'] and logs['newest'] >= logs['expected_newest_at_least'] and logs['pods_in_buffer'] == args.log_pods else 'no'} |",
    ]
    text = "\n".join(lines)
    print()
    print(text)
    if background.failed:
        print("failed forward requests (first 5):", *background.failed[:5], sep="\n  ")
    if not args.no_append:
        harness.record("afternoon.py", sys.argv[1:], "Release build, a 120x40 pseudo-terminal.", text)
    if args.check_flat and "| no |" in text:
        raise SystemExit("FAILED: " + "; ".join(line.split("|")[1].strip() for line in lines if "| no |" in line))


if __name__ == "__main__":
    main()
