#!/usr/bin/env python3
"""Two Pigeon processes exchange 1 000 messages each way while the kernel drops 30 % of all UDP datagrams.

Inside a private network namespace with only loopback, an nft rule on the output hook drops each UDP datagram with a
probability of 30 % (`numgen random mod 100 < 30`), so a message and its ack each get through with 70 %. Alice
(127.0.0.1:2425) and Bob (127.0.0.2:2425) are `pigeon --console` processes with each other as contacts; each is
fed 1 000 lines at once. Every message must arrive exactly once and in the sender's order, and end as delivered.
The namespace, and the rule with it, disappear with the processes.

usage: lossy_processes.py PIGEON_BINARY [COUNT]
"""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nsutil  # noqa: E402
from nsutil import fail, wait_for  # noqa: E402

LOSS_PERCENT = 30
DELIVERY_TIMEOUT = 150  # seconds for all of it; about 5 s on a loaded 2-core machine


def drop_udp(percent):
    nsutil.run(["nft", "add", "table", "inet", "pigeonloss"])
    nsutil.run(["nft", "add", "chain", "inet", "pigeonloss", "out",
                "{ type filter hook output priority 0; policy accept; }"])
    nsutil.run(["nft", "add", "rule", "inet", "pigeonloss", "out", "meta", "l4proto", "udp",
                "numgen", "random", "mod", "100", "<", str(percent), "counter", "drop"])


def dropped_datagrams():
    ruleset = nsutil.run(["nft", "list", "chain", "inet", "pigeonloss", "out"])
    for line in ruleset.splitlines():
        if "counter packets" in line:
            return int(line.split("counter packets")[1].split()[0])
    fail("the nft drop rule has no counter")


def count(profile, peer, direction, state):
    return sum(1 for r in nsutil.history_rows(profile, peer) if r[0] == direction and r[2] == state)


def main():
    if len(sys.argv) not in (2, 3):
        fail("usage: lossy_processes.py PIGEON_BINARY [COUNT]")
    pigeon = os.path.abspath(sys.argv[1])
    total = int(sys.argv[2]) if len(sys.argv) == 3 else 1000
    nsutil.require("unshare", "ip", "nft")
    nsutil.enter_private_namespace()
    drop_udp(LOSS_PERCENT)

    folder = tempfile.mkdtemp(prefix="pigeon-lossy-")
    people = {"Alice": "127.0.0.1", "Bob": "127.0.0.2"}
    consoles = {}
    try:
        for name, address in people.items():
            other = "Bob" if name == "Alice" else "Alice"
            profile = os.path.join(folder, name)
            nsutil.run([pigeon, "contacts", "--profile", profile, "add", other, f"{people[other]}:2425"])
        for name, address in people.items():
            consoles[name] = nsutil.Console(pigeon, os.path.join(folder, name), address, 2425, name,
                                            os.path.join(folder, f"{name}.log"))
        sent = {name: [f"{name} #{i} 你好" for i in range(total)] for name in people}
        started = time.monotonic()
        for name, console in consoles.items():
            other = "Bob" if name == "Alice" else "Alice"
            console.type(f"/to {other}", *sent[name])

        def done():
            return all(count(os.path.join(folder, name), "Bob" if name == "Alice" else "Alice", nsutil.OUTGOING,
                             nsutil.DELIVERED) == total for name in people)

        wait_for(f"{total} messages each way to be delivered", done, DELIVERY_TIMEOUT, interval=1)
        elapsed = time.monotonic() - started
        for name, console in consoles.items():
            code = console.quit(30)
            if code != 0:
                fail(f"{name}'s pigeon exited with {code}")

        for name in people:
            other = "Bob" if name == "Alice" else "Alice"
            rows = nsutil.history_rows(os.path.join(folder, other), name)
            got = [text for direction, text, state in rows if direction == nsutil.INCOMING]
            if got != sent[name]:
                missing = [t for t in sent[name] if t not in got]
                fail(f"{other} did not get {name}'s messages exactly once in order: {len(got)} stored, "
                     f"{len(missing)} missing, first differences {[(a, b) for a, b in zip(got, sent[name]) if a != b][:3]}")
            states = {state for direction, text, state in nsutil.history_rows(os.path.join(folder, name), other)
                      if direction == nsutil.OUTGOING}
            if states != {nsutil.DELIVERED}:
                fail(f"{name}'s messages ended in states {states}, not all delivered")
        dropped = dropped_datagrams()
        if dropped == 0:
            fail("the nft rule dropped nothing: the test did not test loss")
        print(f"PASS: {total} messages each way arrived once, in order, all delivered, in {elapsed:.1f} s; "
              f"the kernel dropped {dropped} datagrams", flush=True)
    finally:
        for console in consoles.values():
            console.kill()
        if os.environ.get("PIGEON_KEEP_TEST_FILES") != "1":
            nsutil.run(["rm", "-rf", folder])
        else:
            print(f"files kept in {folder}")


if __name__ == "__main__":
    main()
