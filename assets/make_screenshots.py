#!/usr/bin/env python3
"""Drive the real binary through the demo walkthrough and record it.

Runs `pilothouse --demo` under `asciinema rec` inside a detached tmux session,
sends the walkthrough's keys, and along the way captures each main pane
(`tmux capture-pane -e`) and renders it to assets/screenshots/*.png with
render_screenshot.py. The recording lands in assets/demo.cast.

    cargo build --release
    python3 assets/make_screenshots.py target/release/pilothouse

Needs tmux, asciinema 2 (pip install asciinema), Pillow and DejaVu Sans Mono;
gcloud on PATH for the Cloud Run step (skipped without it). Nothing outside a
temporary directory is touched: the config and state live there.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import render_screenshot  # noqa: E402

ASSETS = os.path.dirname(os.path.abspath(__file__))
SESSION = "pilothouse-record"
COLS, ROWS = 120, 36


def tmux(*args, capture=False):
    result = subprocess.run(["tmux", *args], check=True, capture_output=capture, text=True)
    return result.stdout if capture else None


def screen(styled=False):
    return tmux("capture-pane", "-p", *(["-e", "-N"] if styled else []), "-t", SESSION, capture=True)


def wait_for(text, within=30):
    deadline = time.time() + within
    while time.time() < deadline:
        if text in screen():
            time.sleep(0.4)  # let the frame settle before a capture
            return
        time.sleep(0.1)
    raise SystemExit(f"'{text}' did not appear; the screen:\n{screen()}")


def keys(*names, pause=0.6):
    for name in names:
        tmux("send-keys", "-t", SESSION, name)
        time.sleep(pause)


def typed(text, pause=0.6):
    tmux("send-keys", "-t", SESSION, "-l", text)
    time.sleep(pause)


def shot(name):
    out = os.path.join(ASSETS, "screenshots", f"{name}.png")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as capture:
        capture.write(screen(styled=True))
    render_screenshot.main(capture.name, out)
    os.unlink(capture.name)
    print("wrote", os.path.relpath(out))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(binary):
    binary = os.path.abspath(binary)
    home = tempfile.mkdtemp(prefix="pilothouse-record-")
    os.makedirs(os.path.join(ASSETS, "screenshots"), exist_ok=True)
    cast = os.path.join(ASSETS, "demo.cast")
    env = (
        f"PILOTHOUSE_CONFIG={home}/config.toml XDG_CONFIG_HOME={home}/config "
        f"XDG_STATE_HOME={home} BROWSER=true"
    )
    command = f"env {env} {binary} --demo --tour"
    tmux(
        "new-session", "-d", "-s", SESSION, "-x", str(COLS), "-y", str(ROWS),
        f"asciinema rec --overwrite --quiet --idle-time-limit 1.5 --cols {COLS} --rows {ROWS} "
        f"-c '{command}' {cast}",
    )
    try:
        walkthrough()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], check=False)
        shutil.rmtree(home, ignore_errors=True)
    print("wrote", os.path.relpath(cast))


def walkthrough():
    # The tour opens beside the pane; the engine step is done by itself.
    wait_for("$ cat Dockerfile")
    shot("tour")
    # Build in learn mode: the command line first, y runs it.
    keys("b")
    wait_for("Build an image")
    keys("Enter")
    wait_for("Learn mode: build")
    shot("learn-mode")
    keys("y")
    # The tour's own line follows the job's in the status bar; the output says it is built.
    wait_for("Successfully tagged cookbook:latest")
    shot("jobs")
    keys("2")
    wait_for("│cookbook")
    shot("images")
    keys("r")
    wait_for("Run a container")
    for _ in range(12):
        keys("BSpace", pause=0.05)
    typed(f"{free_port()}:8000")
    keys("Enter")
    wait_for("Learn mode: run")
    keys("y")
    wait_for("The container done")
    keys("1")
    wait_for("Up ")
    time.sleep(2.5)  # a few stats samples for the sparklines
    shot("containers")
    keys("l")
    wait_for("┌ Logs")
    shot("logs")
    # Kubernetes: apply, READY, expose, scale to three.
    keys("5", "a")
    wait_for("apply --server-side -f cookbook-deployment.yaml")
    keys("Enter")
    wait_for("Learn mode: apply")
    keys("y")
    keys("5")
    wait_for("│cookbook-recipe")
    keys("x")
    wait_for("Expose a deployment")
    keys("Enter")
    wait_for("Learn mode: expose")
    keys("y")
    wait_for("The Service done")
    keys("5", "s")
    wait_for("Scale a deployment")
    keys("BSpace")
    typed("3")
    keys("Enter")
    wait_for("Learn mode: scale")
    keys("y")
    wait_for("3/3")
    shot("deployments")
    keys("6")
    wait_for("┌ Pods")
    time.sleep(1)
    shot("pods")
    keys("7")
    wait_for("LoadBalancer")
    keys("o")
    wait_for("$ xdg-open http://127.0.0.1:")
    shot("services")
    keys("8")
    wait_for("ScalingReplicaSet")
    shot("events")
    if shutil.which("gcloud"):
        keys("9")
        wait_for("learner@pilothouse.sim", within=60)
        keys("D")
        wait_for("Confirm")
        keys("y")
        wait_for("serving at http", within=120)
        keys("9")
        time.sleep(1)
        shot("cloud-run")
        keys("W")
        wait_for("GitHub Actions workflow")
        keys("Enter")
        wait_for("Learn mode:")
        keys("y")
        wait_for("Tour: complete", within=30)
        shot("tour-complete")
    else:
        print("gcloud is not on PATH: the Cloud Run step is left out")
    keys("0")
    wait_for("History [")
    shot("history")
    keys(":")
    typed("theme light")
    keys("Enter")
    keys("5")
    wait_for("Theme: light")
    shot("theme-light")
    keys("?")
    wait_for("Keys (any key closes)")
    shot("help")
    keys("Escape", "q")
    time.sleep(1.5)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/release/pilothouse")
