#!/usr/bin/env python3
"""Acknowledgements per second and send->ack latency of Pigeon's console against iptux, a raw IPMsg responder and the
durable floor, all in one run (issue 9, point 6).

One load generator (ipmsg_load.c, beside this script) sends IPMsg SENDMSG|SENDCHECKOPT messages of 64 bytes to
each receiver in turn, round after round: Pigeon's console (every message committed in synchronous=FULL before its
RECVMSG), iptux 0.8.3 under Xvfb (stores nothing first) and `ipmsg_load respond` (answers at once, stores nothing).
Window 32 gives acknowledgements per second, window 1 the p50 from send to ack. `ipmsg_load fsync` times one
durable 4 KiB page write in the folder of Pigeon's profile: raw p50 + that fsync is the durable floor for one
message at window 1. Everything runs inside a private network namespace with only loopback (nsutil), so iptux's
broadcasts and the load cannot leave it.

usage: iptux_load.py PIGEON_BINARY[,PIGEON_BINARY...] IPMSG_LOAD_BINARY WORK_DIR [N_WINDOW32 N_WINDOW1 ROUNDS]
With several Pigeon binaries (a change measured against the binary before it), each has a console of its own and
they take turns in every round; the last is "pigeon", the others "pigeon0", "pigeon1", ... in the output.
prints one line: name=value pairs (medians over the rounds). NAME_w32_cpu_us is the CPU time (all threads, user and
kernel, from /proc/PID/task/*/schedstat) that receiver spent per acknowledged message at window 32: what Pigeon's
cost per message is against what receiving and answering a datagram costs at least (the raw responder).
"""

import os
import statistics
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "netns"))
import nsutil  # noqa: E402
from nsutil import fail, wait_for  # noqa: E402

from iptuxutil import STEP_TIMEOUT, prepare, start_iptux, stop_all  # noqa: E402
LOAD = ("127.0.0.3", "2425")  # iptux answers only to port 2425 of the sender's address
RECEIVERS = {"pigeon": "127.0.0.2", "iptux": "127.0.0.1", "raw": "127.0.0.4"}


def values(line):
    return dict(pair.split("=", 1) for pair in line.split())


next_packet_no = 1000


def load(binary, to, size, n, window):
    """One run of the generator; each run sends under new packet numbers (an old one would be a duplicate)."""
    global next_packet_no
    first = next_packet_no
    next_packet_no += n + 1
    result = subprocess.run([binary, "send", *LOAD, to, "2425", str(size), str(n), str(window), str(first)],
                            capture_output=True, text=True, timeout=400)
    if result.returncode != 0:
        fail(f"ipmsg_load against {to} failed: {result.stderr.strip()}")
    return values(result.stdout.strip().splitlines()[-1])


def cpu_ns(pid):
    """CPU time of every thread of process `pid` so far, in ns."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return total


def main():
    if len(sys.argv) not in (4, 7):
        fail("usage: iptux_load.py PIGEON_BINARY[,PIGEON_BINARY...] IPMSG_LOAD_BINARY WORK_DIR "
             "[N_WINDOW32 N_WINDOW1 ROUNDS]")
    pigeons = [os.path.abspath(a) for a in sys.argv[1].split(",")]
    generator, work = (os.path.abspath(a) for a in sys.argv[2:4])
    names = [f"pigeon{i}" for i in range(len(pigeons) - 1)] + ["pigeon"]
    receivers = {name: f"127.0.0.{5 + i}" for i, name in enumerate(names[:-1])}
    receivers.update(RECEIVERS)
    n32, n1, rounds = (int(a) for a in sys.argv[4:7]) if len(sys.argv) == 7 else (20000, 2000, 3)
    folder, home, config = prepare("pigeon-iptux-load-", open_chat=False, parent=work)
    processes = []
    try:
        start_iptux(folder, home, config, processes, address=RECEIVERS["iptux"], debug_log=False)
        iptux = processes[-1]

        raw = subprocess.Popen([generator, "respond", RECEIVERS["raw"], "2425", "3600"])
        processes.append(raw)

        pids = {"iptux": iptux.pid, "raw": raw.pid}
        for name, pigeon in zip(names, pigeons):
            profile = os.path.join(folder, name)
            # The generator is a contact, as people one chats with are (strangers are rate limited).
            nsutil.run([pigeon, "contacts", "--profile", profile, "add", "load", ":".join(LOAD)])
            console = subprocess.Popen([pigeon, "--console", "--profile", profile, "--bind", receivers[name],
                                        "--port", "2425"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, env=dict(os.environ, NO_COLOR="1"))
            processes.append(console)
            pids[name] = console.pid
            listening = threading.Event()

            def read_console(console=console, listening=listening):  # all is read, as a person's terminal would
                for line in console.stdout:
                    if b"listening" in line:
                        listening.set()

            threading.Thread(target=read_console, daemon=True).start()
            wait_for("Pigeon's console to listen", listening.is_set, STEP_TIMEOUT)

        samples = {}
        for _ in range(rounds):
            for name, address in receivers.items():
                before = cpu_ns(pids[name])
                w32 = load(generator, address, 64, n32, 32)
                samples.setdefault(f"{name}_w32_cpu_us", []).append((cpu_ns(pids[name]) - before) / n32 / 1000)
                w1 = load(generator, address, 64, n1, 1)
                samples.setdefault(f"{name}_w32_per_s", []).append(float(w32["per_s"]))
                samples.setdefault(f"{name}_w1_p50_us", []).append(float(w1["p50_us"]))
                samples.setdefault(f"{name}_w1_p99_us", []).append(float(w1["p99_us"]))
            fsync = subprocess.run([generator, "fsync", os.path.join(folder, "pigeon"), "1000"], capture_output=True, text=True, check=True)
            samples.setdefault("fsync_p50_us", []).append(float(values(fsync.stdout.strip())["p50_us"]))
        medians = {k: statistics.median(v) for k, v in samples.items()}
        floor = medians["raw_w1_p50_us"] + medians["fsync_p50_us"]
        medians["durable_floor_us"] = floor
        medians["pigeon_vs_iptux"] = medians["pigeon_w32_per_s"] / medians["iptux_w32_per_s"]
        medians["pigeon_vs_durable_floor"] = medians["pigeon_w1_p50_us"] / floor
        print(" ".join(f"{k}={v:.3f}" if v < 10 else f"{k}={v:.1f}" if v < 1000 else f"{k}={v:.0f}"
                       for k, v in medians.items()), flush=True)
    finally:
        stop_all(None, processes, folder)


if __name__ == "__main__":
    main()
