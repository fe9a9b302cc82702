#!/usr/bin/env python3
"""Files between two `pigeon --console` processes over links this script builds (issue 10's targets and its
end-to-end test through a lossy link). Each subcommand prints one line of key=value pairs (run.sh collects them).

  files_bench.py lossy PIGEON MIB     two network namespaces joined by a veth pair, each side's egress shaped to
                                      100 Mbit/s (tc tbf) and dropping 1 % of its packets (nft numgen random): a
                                      file of MIB MiB by a TCP stream (the reference), then by Pigeon
  files_bench.py resume PIGEON MIB    one namespace with only loopback: the receiver is killed with SIGKILL half way
                                      through a MIB MiB file and started again; the file must complete whole, and
                                      the sender's UDP bytes (an nft counter, IP headers included) are compared with
                                      the file's size
  files_bench.py memory PIGEON MIB    the same namespace: the VmRSS of both processes while MIB MiB move, against
                                      their VmRSS when idle
  files_bench.py check PIGEON         (ctest, label netns) a 3 MiB file through the lossy link and a 12 MiB file
                                      resumed after a SIGKILL of the receiver, each whole: asserts, measures nothing

Every namespace, link and rule is made by this script and removed when it leaves, also on failure or a signal;
nothing is sent anywhere else. Every wait is bounded. Root (or CAP_NET_ADMIN and CAP_SYS_ADMIN) is needed.
"""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netns"))
from nsutil import fail, require, run, wait_for  # noqa: E402

PORT = 2425
TCP_PORT = 5001
DEADLINE = 240  # seconds any one transfer may take
LINK_LOSS_PERCENT = 1
LINK_RATE = "100mbit"
# tbf: the bucket holds 64 KiB (at least rate / HZ); a packet waits at most 20 ms in the queue.
LINK_SHAPE = ["burst", "64kb", "latency", "20ms"]


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def random_file(path, mib):
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(1 << 20))


class Namespaces:
    """Network namespaces made here and removed in close() (also on failure): `names` maps a role to its name."""

    def __init__(self):
        self.names = {}
        self.made = []
        tag = f"{os.getpid() % 100000}"
        self.tag = tag

    def add(self, role):
        name = f"pigeon-{role}-{self.tag}"
        run(["ip", "netns", "add", name])
        self.made.append(name)
        self.names[role] = name
        run(["ip", "-n", name, "link", "set", "lo", "up"])
        return name

    def exec(self, role):
        return ["ip", "netns", "exec", self.names[role]]

    def nft(self, role, *args):
        return run(self.exec(role) + ["nft", *args])

    def close(self):
        for name in reversed(self.made):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
        self.made.clear()


def lossy_link(ns):
    """Two namespaces, a and b, joined by a veth pair: 10.77.0.1 and 10.77.0.2, each way 100 Mbit/s and 1 % loss."""
    a, b = ns.add("a"), ns.add("b")
    va, vb = f"pga{ns.tag}", f"pgb{ns.tag}"
    run(["ip", "link", "add", va, "netns", a, "type", "veth", "peer", "name", vb, "netns", b])
    for role, dev, address in (("a", va, "10.77.0.1/24"), ("b", vb, "10.77.0.2/24")):
        name = ns.names[role]
        run(["ip", "-n", name, "addr", "add", address, "dev", dev])
        run(["ip", "-n", name, "link", "set", dev, "up"])
        run(["tc", "-n", name, "qdisc", "add", "dev", dev, "root", "tbf", "rate", LINK_RATE, *LINK_SHAPE])
        ns.nft(role, "add", "table", "inet", "pigeonbench")
        ns.nft(role, "add", "chain", "inet", "pigeonbench", "out",
               "{ type filter hook output priority 0; policy accept; }")
        ns.nft(role, "add", "rule", "inet", "pigeonbench", "out", "oifname", dev, "numgen", "random", "mod", "100",
               "<", str(LINK_LOSS_PERCENT), "counter", "drop")
    return {"a": "10.77.0.1", "b": "10.77.0.2"}


def loopback(ns, rate=None):
    """One namespace with only loopback, shaped to `rate` (tc tbf) if given; an nft counter of the UDP bytes
    127.0.0.1:2425 (the sender) sends."""
    ns.add("l")
    if rate:
        run(["tc", "-n", ns.names["l"], "qdisc", "add", "dev", "lo", "root", "tbf", "rate", rate, *LINK_SHAPE])
    ns.names["a"] = ns.names["b"] = ns.names["l"]
    ns.nft("l", "add", "table", "inet", "pigeonbench")
    ns.nft("l", "add", "chain", "inet", "pigeonbench", "out", "{ type filter hook output priority 0; policy accept; }")
    ns.nft("l", "add", "rule", "inet", "pigeonbench", "out", "ip", "saddr", "127.0.0.1", "udp", "sport", str(PORT),
           "counter")
    return {"a": "127.0.0.1", "b": "127.0.0.2"}


def sender_udp_bytes(ns):
    for line in ns.nft("l", "list", "chain", "inet", "pigeonbench", "out").splitlines():
        if "counter packets" in line:
            words = line.split()
            return int(words[words.index("bytes") + 1])
    fail("the nft counter is missing")


class Console:
    """A `pigeon --console` inside a namespace: lines typed into stdin, stdout collected line by line."""

    def __init__(self, ns, role, pigeon, profile, address, nick, downloads, log):
        env = dict(os.environ, NO_COLOR="1", QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8", LANGUAGE="en")
        self.argv = ns.exec(role) + [pigeon, "--console", "--profile", profile, "--bind", address, "--port",
                                     str(PORT), "--name", nick, "--downloads", downloads, "--accept-files"]
        self.env = env
        self.log = log
        self.lines = []
        self.start()

    def start(self):
        self.lines = []
        self._log = open(self.log, "ab")
        # `ip netns exec` execs the program: the pid is pigeon's own.
        self.process = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
                                        env=self.env)
        threading.Thread(target=self._read, args=(self.process, self.lines), daemon=True).start()
        wait_for("pigeon to listen", lambda: self.saw("listening"), 20)

    @staticmethod
    def _read(process, lines):
        for raw in process.stdout:
            lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def type(self, *lines):
        self.process.stdin.write("".join(line + "\n" for line in lines).encode("utf-8"))
        self.process.stdin.flush()

    def saw(self, text):
        return next((line for line in list(self.lines) if text in line), None)

    def rss_kb(self):
        try:
            with open(f"/proc/{self.process.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def kill(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self._log.close()

    def quit(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(20)
            except (subprocess.TimeoutExpired, BrokenPipeError):
                self.process.kill()
                self.process.wait(10)
        self._log.close()


class Pair:
    """Alice (sender, role a) and Bob (receiver, role b, accepting files from Alice into its downloads)."""

    def __init__(self, ns, addresses, pigeon, folder):
        self.folder = folder
        self.downloads = os.path.join(folder, "downloads")
        people = {"Alice": ("a", addresses["a"]), "Bob": ("b", addresses["b"])}
        for name, (role, address) in people.items():
            other = "Bob" if name == "Alice" else "Alice"
            run([pigeon, "contacts", "--profile", os.path.join(folder, name), "add", other,
                 f"{people[other][1]}:{PORT}"])
        self.bob = Console(ns, "b", pigeon, os.path.join(folder, "Bob"), addresses["b"], "Bob", self.downloads,
                           os.path.join(folder, "Bob.log"))
        self.alice = Console(ns, "a", pigeon, os.path.join(folder, "Alice"), addresses["a"], "Alice",
                             os.path.join(folder, "alice-downloads"), os.path.join(folder, "Alice.log"))
        self.alice.type("/to Bob")
        self.sent = 0

    def send(self, path):
        """Offers `path` to Bob; returns the marker of its completion on Bob's side."""
        self.sent += 1
        self.alice.type(f"/send {path}")
        return f"{os.path.basename(path)} saved as"

    def wait_saved(self, marker, timeout=DEADLINE):
        def outcome():
            for console in (self.alice, self.bob):
                if line := console.saw("failed:"):
                    fail(f"the transfer failed: {line}")
            return self.bob.saw(marker)
        line = wait_for(f"'{marker}'", outcome, timeout, interval=0.01)
        return line.split(" saved as ", 1)[1].strip()

    def close(self):
        for console in (self.alice, self.bob):
            console.kill()


def until_pigeon(pair):
    """Alice offers files to Pigeons only: wait until Bob answered her greeting (a delivered message proves it)."""
    pair.alice.type("hello")
    wait_for("Bob to answer Alice's greeting", lambda: pair.alice.saw("delivered to Bob"), 30)


def tcp_goodput(ns, addresses, path, folder):
    """The reference: the same file over one TCP connection on the same link, written and fsynced on the receiving
    side. MiB/s from the connection's accept to the fsync after the last byte."""
    out = os.path.join(folder, "tcp.out")
    receiver = subprocess.Popen(ns.exec("b") + [sys.executable, os.path.abspath(__file__), "tcp-receive",
                                                addresses["b"], out], stdout=subprocess.PIPE, text=True)
    try:
        ready = receiver.stdout.readline().strip()
        if ready != "ready":
            fail(f"the TCP receiver did not start: {ready!r}")
        run(ns.exec("a") + [sys.executable, os.path.abspath(__file__), "tcp-send", addresses["b"], path])
        line, _ = receiver.communicate(timeout=DEADLINE)
    finally:
        if receiver.poll() is None:
            receiver.kill()
            receiver.wait()
    fields = dict(word.split("=", 1) for word in line.split())
    if int(fields["bytes"]) != os.path.getsize(path) or sha256_of(out) != sha256_of(path):
        fail("the TCP reference did not carry the whole file")
    os.unlink(out)
    return os.path.getsize(path) / (1 << 20) / float(fields["seconds"])


def tcp_receive(address, out):
    with socket.create_server((address, TCP_PORT)) as server:
        server.settimeout(DEADLINE)
        print("ready", flush=True)
        connection, _ = server.accept()
        started = time.monotonic()
        total = 0
        with connection, open(out, "wb") as f:
            connection.settimeout(DEADLINE)
            while chunk := connection.recv(1 << 20):
                f.write(chunk)
                total += len(chunk)
            f.flush()
            os.fsync(f.fileno())
        print(f"bytes={total} seconds={time.monotonic() - started:.3f}", flush=True)


def tcp_send(address, path):
    with socket.create_connection((address, TCP_PORT), timeout=DEADLINE) as connection, open(path, "rb") as f:
        connection.sendfile(f)


def pigeon_transfer(pair, path):
    """Sends `path` to Bob; MiB/s from /send (which hashes the file first) to Bob's "saved as" (after his check)."""
    started = time.monotonic()
    saved = pair.wait_saved(pair.send(path))
    seconds = time.monotonic() - started
    if sha256_of(saved) != sha256_of(path):
        fail(f"{saved} differs from what was sent")
    os.unlink(saved)
    return os.path.getsize(path) / (1 << 20) / seconds


def lossy(pigeon, mib, ns, folder):
    addresses = lossy_link(ns)
    path = os.path.join(folder, "lossy.bin")
    random_file(path, mib)
    tcp = tcp_goodput(ns, addresses, path, folder)
    pair = Pair(ns, addresses, pigeon, folder)
    try:
        until_pigeon(pair)
        ours = pigeon_transfer(pair, path)
    finally:
        pair.close()
    dropped = sum(int(line.split("counter packets")[1].split()[0])
                  for role in ("a", "b")
                  for line in ns.nft(role, "list", "chain", "inet", "pigeonbench", "out").splitlines()
                  if "counter packets" in line)
    return f"figure=files_lossy mib={mib} dropped_packets={dropped} tcp_mib_s={tcp:.2f} mib_s={ours:.2f}"


def partial_bytes(folder):
    """Bytes on disk in the download folder (the temporary file, sparse while parts are missing)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


def resume(pigeon, mib, ns, folder, rate=None):
    addresses = loopback(ns, rate)
    path = os.path.join(folder, "resume.bin")
    random_file(path, mib)
    size = os.path.getsize(path)
    pair = Pair(ns, addresses, pigeon, folder)
    try:
        until_pigeon(pair)
        before = sender_udp_bytes(ns)
        marker = pair.send(path)
        wait_for("half of the file on Bob's disk", lambda: partial_bytes(pair.downloads) >= size // 2, DEADLINE,
                 interval=0.005)
        at_kill = partial_bytes(pair.downloads)
        pair.bob.kill()
        if pair.bob.saw("saved as"):
            fail("the file was complete before the receiver was killed")
        pair.bob.start()
        saved = pair.wait_saved(marker)
        wait_for("Alice to hear that Bob has it", lambda: pair.alice.saw("Bob received"), 30)
        sent = sender_udp_bytes(ns) - before
    finally:
        pair.close()
    if sha256_of(saved) != sha256_of(path):
        fail(f"{saved} differs from what was sent")
    return (f"figure=files_resume mib={mib} killed_at={at_kill / size:.2f} udp_bytes={sent} "
            f"sent_ratio={sent / size:.3f}")


def memory(pigeon, mib, ns, folder):
    addresses = loopback(ns)
    path = os.path.join(folder, "memory.bin")
    random_file(path, mib)
    pair = Pair(ns, addresses, pigeon, folder)
    try:
        until_pigeon(pair)
        time.sleep(0.5)  # idle: both started and greeted; sampled, not a synchronisation
        idle = {"alice": pair.alice.rss_kb(), "bob": pair.bob.rss_kb()}
        peak = dict(idle)
        marker = pair.send(path)
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak["alice"] = max(peak["alice"], pair.alice.rss_kb())
                peak["bob"] = max(peak["bob"], pair.bob.rss_kb())
                time.sleep(0.05)
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            started = time.monotonic()
            saved = pair.wait_saved(marker, timeout=600)
            seconds = time.monotonic() - started
        finally:
            stop.set()
            sampler.join()
    finally:
        pair.close()
    os.unlink(saved)
    return (f"figure=files_memory mib={mib} seconds={seconds:.1f} sender_idle_kb={idle['alice']} "
            f"receiver_idle_kb={idle['bob']} sender_growth_mb={(peak['alice'] - idle['alice']) / 1024:.1f} "
            f"receiver_growth_mb={(peak['bob'] - idle['bob']) / 1024:.1f}")


def check(pigeon, ns, folder):
    """ctest: a 3 MiB file through the lossy link, and a 12 MiB one resumed after a SIGKILL of the receiver (on
    loopback shaped to 100 Mbit/s, so that half way lasts long enough to be seen and acted on: about 0.5 s)."""
    for sub in ("lossy", "resume"):
        os.makedirs(os.path.join(folder, sub))
    lossy_ns = Namespaces()
    try:
        print(lossy(pigeon, 3, lossy_ns, os.path.join(folder, "lossy")), flush=True)
    finally:
        lossy_ns.close()
    print(resume(pigeon, 12, ns, os.path.join(folder, "resume"), LINK_RATE), flush=True)
    return "check=ok"


def main():
    args = sys.argv[1:]
    if args[:1] == ["tcp-receive"]:
        return tcp_receive(args[1], args[2])
    if args[:1] == ["tcp-send"]:
        return tcp_send(args[1], args[2])
    commands = {"lossy": lossy, "resume": resume, "memory": memory}
    if not ((len(args) == 3 and args[0] in commands) or (len(args) == 2 and args[0] == "check")):
        fail("usage: files_bench.py lossy|resume|memory PIGEON MIB | check PIGEON")
    require("ip", "tc", "nft")
    pigeon = os.path.abspath(args[1])
    folder = tempfile.mkdtemp(prefix="pigeon-files-", dir=os.environ.get("PIGEON_BENCH_DIR"))
    ns = Namespaces()
    # A signal ends the run through the same clean-up as a failure.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    try:
        if args[0] == "check":
            line = check(pigeon, ns, folder)
        else:
            line = commands[args[0]](pigeon, int(args[2]), ns, folder)
    finally:
        ns.close()
        if os.environ.get("PIGEON_KEEP_TEST_FILES") != "1":
            shutil.rmtree(folder, ignore_errors=True)
    print(line, flush=True)


if __name__ == "__main__":
    main()
