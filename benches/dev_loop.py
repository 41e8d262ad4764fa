#!/usr/bin/env python3
"""The dev loop, measured on the real binary (benches/README.md has the results).

  benches/dev_loop.py [--bin PATH] [--cycles N] [--demo-cycles N] [--window S]
                      [--only real|demo|idle ...]

1. Real Docker engine, a FROM scratch busybox httpd whose page is a file of
   the context: save -> the new page served (HTTP on 127.0.0.1), N cycles of
   the bare CLI (docker build, docker rm -f, docker run, then poll the port),
   N more of the same CLI watched from the save by a concurrent poller (the
   observer the cockpit's cycles need), then N cycles of `pilothouse --watch`
   rebuilding, then N of its sync path ([dev] sync of www/ into the container).
2. `pilothouse --demo --watch`: the sample app built and applied with 3
   replicas behind a NodePort; save run.py -> all 3 pods answer with the new
   build. The simulated pod start time is the demo's (600 ms).
3. Watching a tree of 10,000 files: CPU and RSS of the process over a window
   with nothing changing, against the same tree without --watch.

Everything it creates carries the label pilothouse.test=1 or lives in its own
temporary directory, and is removed at the end.
"""

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

LABEL = "pilothouse.test=1"


def sh(*args, env=None, check=True):
    return subprocess.run(args, capture_output=True, text=True, env=env, check=check)


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path="/", timeout=1.0):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.read().decode(errors="replace")
    except Exception:
        return ""


def wait_for(predicate, within=60.0, every=0.005):
    end = time.monotonic() + within
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError("waited too long")


def summary(name, times):
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return f"{name}: n={len(times)} median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, min {times[0] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"


class Observer:
    """Polls the page from the moment of the save until it shows `text`."""

    def __init__(self, port, text, started):
        import threading

        self.port, self.text, self.started, self.took = port, text, started, None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        wait_for(lambda: self.text in get(self.port, "/index.html"), within=120)
        self.took = time.monotonic() - self.started

    def seen(self):
        self.thread.join()
        if self.took is None:
            raise TimeoutError(f"127.0.0.1:{self.port} never served {self.text!r}")
        return self.took


class Tmux:
    def __init__(self, name, command, cwd, env):
        self.name = name
        full = " ".join(f"{k}={v}" for k, v in env.items())
        sh("tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", "-c", cwd,
           f"exec env {full} {command}")

    def pid(self):
        return int(sh("tmux", "display-message", "-p", "-t", self.name, "#{pane_pid}").stdout.strip())

    def screen(self):
        return sh("tmux", "capture-pane", "-p", "-t", self.name, check=False).stdout

    def close(self):
        sh("tmux", "kill-session", "-t", self.name, check=False)


def busybox_context(root):
    os.makedirs(os.path.join(root, "www"), exist_ok=True)
    shutil.copy("/bin/busybox", os.path.join(root, "busybox"))
    with open(os.path.join(root, "www/index.html"), "w") as f:
        f.write("v0\n")
    with open(os.path.join(root, "Dockerfile"), "w") as f:
        f.write("FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nLABEL pilothouse.test=1\n"
                "EXPOSE 8000\nCMD [\"/bin/busybox\",\"httpd\",\"-f\",\"-p\",\"8000\",\"-h\",\"/www\"]\n")


def save_page(root, text):
    # As an editor saves: write a new file, then rename it over the old one.
    path = os.path.join(root, "www/index.html")
    with open(path + ".new", "w") as f:
        f.write(text)
    os.replace(path + ".new", path)


def real_engine(binary, cycles, state):
    root = tempfile.mkdtemp(prefix="phbench-")
    app = os.path.join(root, "phbench-dev")
    os.makedirs(app)
    busybox_context(app)
    image, name, port = "phbench-dev:latest", "phbench-dev-web", free_port()
    env = dict(os.environ, DOCKER_BUILDKIT="0")
    results = {}
    try:
        sh("docker", "build", "-q", "-t", image, app, env=env)
        run = ["docker", "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8000", "--label", LABEL, image]
        sh(*run)
        wait_for(lambda: "v0" in get(port, "/index.html"))

        # The bare CLI twice: polled only once `docker run` has returned, and
        # watched from the save on by the same observer the cockpit's cycles have.
        bare, bare_observed = [], []
        for i in range(1, 2 * cycles + 1):
            text = f"bare {i}\n"
            save_page(app, text)
            started = time.monotonic()
            observer = Observer(port, text, started) if i % 2 == 0 else None
            sh("docker", "build", "-q", "-t", image, app, env=env)
            sh("docker", "rm", "-f", name)
            sh(*run)
            if observer:
                bare_observed.append(observer.seen())
            else:
                wait_for(lambda: text in get(port, "/index.html"))
                bare.append(time.monotonic() - started)
        results["bare CLI (build, rm -f, run, then poll)"] = bare
        results["bare CLI, watched from the save"] = bare_observed

        def cockpit_cycles(label, prefix):
            times = []
            for i in range(1, cycles + 1):
                text = f"{prefix} {i}\n"
                save_page(app, text)
                times.append(Observer(port, text, time.monotonic()).seen())
                # The next save after this cycle has ended, as a developer's would.
                time.sleep(0.5)
            results[label] = times

        session = Tmux("phbench-dev", f"{binary} --watch", app,
                       {"XDG_STATE_HOME": state, "PILOTHOUSE_CONFIG": f"{state}/config.toml",
                        "KUBECONFIG": f"{state}/no-kubeconfig"})
        try:
            wait_for(lambda: "Dev: watching" in session.screen(), within=30, every=0.1)
            time.sleep(1)
            cockpit_cycles("pilothouse rebuild path (save -> served)", "rebuilt")
            with open(os.path.join(app, "pilothouse.toml"), "w") as f:
                f.write('[dev]\nsync = [{ from = "www/", to = "/www/" }]\n')
            time.sleep(1)
            cockpit_cycles("pilothouse sync path (save -> served)", "synced")
            print(session.screen())
        finally:
            session.close()
    finally:
        ids = sh("docker", "ps", "-aq", "--filter", f"label={LABEL}", "--filter", f"name={name}").stdout.split()
        if ids:
            sh("docker", "rm", "-f", *ids, check=False)
        tags = sh("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", "phbench-dev").stdout.split()
        if tags:
            sh("docker", "rmi", "-f", *tags, check=False)
        shutil.rmtree(root, ignore_errors=True)
    return results


def demo(binary, cycles, state):
    before = set(glob.glob("/tmp/pilothouse-sim-*"))
    session = Tmux("phbench-demo", f"{binary} --demo --watch --learn off", "/tmp",
                   {"XDG_STATE_HOME": state, "PILOTHOUSE_CONFIG": f"{state}/config.toml"})
    try:
        sim = wait_for(lambda: [d for d in glob.glob("/tmp/pilothouse-sim-*") if d not in before
                                and os.path.exists(os.path.join(d, "kubeconfig"))], within=30, every=0.1)[0]
        app = os.path.join(sim, "cookbook")
        env = dict(os.environ, DOCKER_HOST=f"unix://{sim}/docker.sock", KUBECONFIG=f"{sim}/kubeconfig",
                   DOCKER_BUILDKIT="0")
        wait_for(lambda: "Dev: watching" in session.screen(), within=30, every=0.1)
        sh("docker", "build", "-q", "-t", "cookbook:latest", app, env=env)
        manifest = open(os.path.join(app, "cookbook-deployment.yaml")).read().replace("replicas: 1", "replicas: 3")
        subprocess.run(["kubectl", "apply", "-f", "-"], input=manifest, text=True, env=env, check=True,
                       capture_output=True)
        sh("kubectl", "expose", "deployment", "cookbook-recipe", "--type=NodePort", "--port=8000", env=env)
        port = int(wait_for(lambda: sh("kubectl", "get", "svc", "cookbook-recipe", "-o",
                                       "jsonpath={.spec.ports[0].nodePort}", env=env).stdout, every=0.1))

        def serving():
            seen = {}
            for _ in range(9):
                answer = get(port, "/", timeout=0.5).strip()
                if answer.startswith("Hello from "):
                    pod, _, image = answer[len("Hello from "):].partition(" running ")
                    seen[pod] = image
            return seen

        wait_for(lambda: len(serving()) == 3, within=60, every=0.1)
        times = []
        previous = set(serving().values())
        for i in range(1, cycles + 1):
            with open(os.path.join(app, "run.py"), "a") as f:
                f.write(f"# edit {i}\n")
            started = time.monotonic()

            def all_new():
                seen = serving()
                images = set(seen.values())
                return len(seen) == 3 and len(images) == 1 and not images & previous and images
            images = wait_for(all_new, within=120, every=0.02)
            times.append(time.monotonic() - started)
            previous = images
            time.sleep(0.5)
        print(session.screen())
        return {"demo: save -> 3 of 3 replicas serving the new build (pod start 600 ms)": times}
    finally:
        session.close()


def watch_idle(binary, window, state):
    root = tempfile.mkdtemp(prefix="phbench-tree-")
    for d in range(100):
        os.makedirs(os.path.join(root, f"pkg{d}"))
        for f in range(100):
            with open(os.path.join(root, f"pkg{d}", f"mod{f}.py"), "w") as out:
                out.write("x = 1\n")
    ticks = os.sysconf("SC_CLK_TCK")
    lines = []
    try:
        for label, flags in (("without --watch", ""), ("with --watch", "--watch")):
            session = Tmux("phbench-idle", f"{binary} {flags}", root,
                           {"XDG_STATE_HOME": state, "PILOTHOUSE_CONFIG": f"{state}/config.toml",
                            "KUBECONFIG": f"{state}/no-kubeconfig"})
            try:
                time.sleep(5)
                pid = session.pid()

                def cpu():
                    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
                    return int(fields[11]) + int(fields[12])

                def rss():
                    for line in open(f"/proc/{pid}/status"):
                        if line.startswith("VmRSS"):
                            return int(line.split()[1]) / 1024
                start_cpu, start_rss = cpu(), rss()
                time.sleep(window)
                used = (cpu() - start_cpu) / ticks / window * 100
                lines.append(f"10,000 files {label}: CPU {used:.3f}% of a core over {window} s, "
                             f"RSS {start_rss:.1f} MB -> {rss():.1f} MB")
            finally:
                session.close()
                time.sleep(1)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "../target/release/pilothouse"))
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--demo-cycles", type=int, default=10)
    parser.add_argument("--window", type=int, default=30)
    parser.add_argument("--only", choices=["real", "demo", "idle"], action="append",
                        help="run only these parts (default: all)")
    args = parser.parse_args()
    parts = set(args.only or ["real", "demo", "idle"])
    binary = os.path.abspath(args.bin)
    state = tempfile.mkdtemp(prefix="phbench-state-")
    try:
        print(f"machine: {os.cpu_count()} cores, {sh('uname', '-srm').stdout.strip()}, "
              f"docker {sh('docker', 'version', '--format', '{{.Server.Version}}').stdout.strip()}")
        results = {}
        if "real" in parts:
            results.update(real_engine(binary, args.cycles, state))
        if "demo" in parts:
            results.update(demo(binary, args.demo_cycles, state))
        for name, times in results.items():
            print(summary(name, times))
        if "real" in parts:
            rebuilt = statistics.median(results["pilothouse rebuild path (save -> served)"])
            for bare_name in ("bare CLI (build, rm -f, run, then poll)", "bare CLI, watched from the save"):
                bare = statistics.median(results[bare_name])
                print(f"rebuild path / {bare_name} (medians): {rebuilt / bare:.2f}x")
        if "idle" in parts:
            for line in watch_idle(binary, args.window, state):
                print(line)
    finally:
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
