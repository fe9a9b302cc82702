"""Helpers for the tests that run real processes inside a private network namespace.

Each test re-executes itself under `unshare -n`: the namespace has nothing but its own loopback, so whatever the
processes inside send (iptux broadcasts at start) cannot leave it, and nft rules made inside affect only it. The
namespace disappears with the last process in it. A namespace that cannot be made is a failure, never a skip.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

INSIDE = "PIGEON_TEST_IN_NETNS"


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def enter_private_namespace():
    """Re-runs this script in a new network namespace with only `lo`, up; returns inside it."""
    if os.environ.get(INSIDE) != "1":
        if shutil.which("unshare") is None:
            fail("unshare (util-linux) is not installed: the private network namespace could not be made")
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            fail(f"the private network namespace could not be made (`unshare -n` needs root or CAP_SYS_ADMIN): "
                 f"{probe.stderr.strip()}")
        env = dict(os.environ, **{INSIDE: "1"})
        result = subprocess.run(["unshare", "-n", "--", sys.executable, *sys.argv], env=env)
        sys.exit(result.returncode)
    run(["ip", "link", "set", "lo", "up"])
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    names = [line.split(":")[1].strip() for line in links.splitlines()]
    if names != ["lo"]:
        fail(f"the namespace has interfaces other than lo ({names}); refusing to run anything that broadcasts")


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(argv)} exited with {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def require(*programs):
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        fail(f"missing programs: {', '.join(missing)} (TEST_PACKAGES in pigeon.sh installs them)")


def wait_for(what, condition, timeout, interval=0.1):
    """Polls until condition() is true; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    fail(f"timed out after {timeout} s waiting for {what}")


class Console:
    """A `pigeon --console` process: lines typed into its stdin, its stdout collected line by line."""

    def __init__(self, pigeon, profile, bind, port, nick, log_path, wire_log=False, extra=()):
        env = dict(os.environ, NO_COLOR="1", QT_QPA_PLATFORM="offscreen")
        if wire_log:
            env["QT_LOGGING_RULES"] = "pigeon.wire.debug=true"
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [pigeon, "--console", "--profile", profile, "--bind", bind, "--port", str(port), "--name", nick, *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, env=env)
        self.lines = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.process.stdout:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def type(self, *lines):
        self.process.stdin.write("".join(line + "\n" for line in lines).encode("utf-8"))
        self.process.stdin.flush()

    def saw(self, text):
        return any(text in line for line in self.lines)

    def quit(self, timeout):
        """Closes stdin (which makes the console leave once its messages are out) and waits for the exit code."""
        self.process.stdin.close()
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            fail(f"pigeon did not leave within {timeout} s after its input closed")
        self._reader.join(5)
        self._log.close()
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def history_rows(profile, peer):
    """(direction, text, state) of a conversation in display order, from the profile's history database; empty while
    the database or its schema does not exist yet (Pigeon creates the file, then the tables in one transaction)."""
    path = os.path.join(profile, "history.sqlite")
    if not os.path.exists(path):
        return []
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages'").fetchone():
            return []
        return db.execute("SELECT m.direction, m.text, m.state FROM messages m JOIN conversations c "
                          "ON c.id = m.conversation WHERE c.peer = ? ORDER BY m.sort_key, m.packet_no",
                          (peer,)).fetchall()


INCOMING, OUTGOING = 0, 1
SENT, DELIVERED, RECEIVED = 2, 3, 6
