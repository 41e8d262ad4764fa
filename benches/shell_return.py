#!/usr/bin/env python3
"""From a shell's exit to the cockpit's next frame (benches/README.md has the results).

  benches/shell_return.py [--bin PATH] [--rounds N]

`pilothouse --demo` in a pseudo-terminal of this script's own: the sample app
built and run, then N times `S` on its container (the terminal handed over to
`docker exec -it NAME sh`), `exit`, and the cockpit back. Two numbers a round:
- inside: the time from the shell process's exit to the end of the first
  frame drawn after it, as the cockpit logs it ("first frame after the
  shell", micros) into the log file under this run's XDG_STATE_HOME;
- outside: from writing `exit` to the terminal to reading the cockpit's
  "Back from the shell" status from it (the docker CLI's own teardown
  included).
Needs the docker CLI. Everything lives in a temporary directory, removed at the end.
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


class Terminal:
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
        self.output = b""

    def read(self, wait=0.01):
        ready, _, _ = select.select([self.master], [], [], wait)
        if ready:
            try:
                self.output += os.read(self.master, 65536)
            except OSError:
                pass

    def wait_for(self, needle, since=0, within=30.0):
        end = time.monotonic() + within
        while needle.encode() not in self.output[since:]:
            if time.monotonic() > end:
                tail = self.output[-2000:].decode(errors="replace")
                self.process.terminate()
                self.process.wait()
                sys.exit(f"never saw {needle!r}; the last output: {tail!r}")
            self.read()

    def type(self, text, pause=0.3):
        os.write(self.master, text.encode())
        end = time.monotonic() + pause
        while time.monotonic() < end:
            self.read()

    def close(self):
        self.type("q", pause=0.5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait()
        os.close(self.master)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/pilothouse")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("docker") is None:
        sys.exit("the docker CLI is needed: the shell runs `docker exec -it`")
    home = tempfile.mkdtemp(prefix="pilothouse-bench-shell-")
    try:
        env = dict(os.environ, HOME=home, XDG_STATE_HOME=os.path.join(home, "state"),
                   PILOTHOUSE_CONFIG=os.path.join(home, "none.toml"), TERM="xterm-256color")
        env.pop("RUST_LOG", None)
        term = Terminal([args.bin, "--demo", "--learn", "off", "--no-mouse"], env)
        term.wait_for("Press b to build")
        term.type("b")
        term.type("\r")
        # The screen is drawn in pieces; these words come in one.
        term.wait_for("Successfully")
        term.type("", pause=1.0)
        term.type("2r")
        term.type("\x7f" * 12)  # no published port: nothing here needs one
        term.type("\r", pause=1.5)
        term.type("1")
        outside = []
        for _ in range(args.rounds):
            mark = len(term.output)
            term.type("S", pause=0)
            term.wait_for("/usr/src/app # ", since=mark)
            mark = len(term.output)
            started = time.monotonic()
            os.write(term.master, b"exit\r")
            term.wait_for("Back from the shell", since=mark)
            outside.append((time.monotonic() - started) * 1000)
            term.type("", pause=0.2)
        term.close()
        log = open(os.path.join(home, "state", "pilothouse", "pilothouse.log")).read()
        inside = [int(m) / 1000 for m in re.findall(r"first frame after the shell micros=(\d+)", log)]
        if len(inside) != args.rounds:
            sys.exit(f"{len(inside)} frame lines logged for {args.rounds} rounds; the log ends:\n{log[-1500:]}")
        for name, values in (("inside: shell exit -> frame drawn", inside),
                             ("outside: 'exit' typed -> status read", outside)):
            print(f"{name}: median {statistics.median(values):.1f} ms, "
                  f"max {max(values):.1f} ms, min {min(values):.1f} ms over {len(values)} rounds")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
