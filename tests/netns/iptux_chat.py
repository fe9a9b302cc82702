#!/usr/bin/env python3
"""Pigeon and iptux (Debian's GTK IPMsg client) chat both ways, end to end.

Inside a private network namespace with only loopback: a virtual X display, iptux bound to 127.0.0.1:2425 and
Pigeon's console bound to 127.0.0.2:2425 (iptux answers only to port 2425 of the sender's address), with iptux as a
contact. Pigeon greets iptux (BR_ENTRY), iptux answers (ANSENTRY) and Pigeon shows it online; Pigeon's message is
acked by iptux and shown delivered; a reply typed into iptux's real chat window with xdotool reaches Pigeon once, in
iptux's conversation, with its Chinese text intact, and is acked so iptux does not send it again. Pigeon's side is
checked in its history database and its console; every datagram Pigeon exchanged is printed at the end.

Then Pigeon goes away (/away TEXT): iptux shows it, as IP Messenger clients do, by the nickname "Pigeon[TEXT]" that
BR_ABSENCE brought (read from the title of iptux's chat window); two more messages typed into iptux get exactly one
automatic answer (SENDMSG | AUTORETOPT | UTF8OPT); after /back iptux shows the plain nickname again.

usage: iptux_chat.py PIGEON_BINARY
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nsutil  # noqa: E402
from iptuxutil import (STEP_TIMEOUT, console_with_iptux, pigeon_argument, prepare, start_iptux, stop_all,  # noqa: E402
                       window_name, windows)
from nsutil import fail, wait_for  # noqa: E402

TO_IPTUX = "Hello iptux, 你好 from Pigeon"
FROM_IPTUX = "Reply from iptux: 收到，谢谢！"
# How long to watch for a resend of iptux's message once Pigeon acked it (iptux resends 1 s apart).
RESEND_WATCH = 3.5
AWAY_TEXT = "gone fishing"
# Typed into iptux while Pigeon is away; ASCII, as xdotool types it most reliably.
WHILE_AWAY = ["Are you there?", "Hello again"]
AUTO_ANSWER = 0x00802020  # SENDMSG | AUTORETOPT | UTF8OPT


# How long typed keys may take to leave iptux as a datagram before they count as lost (a chat window that has just
# been mapped can drop the first keys while GTK is still setting up its text view, on a loaded machine).
TYPED_KEYS_WAIT = 6
TYPE_ATTEMPTS = 3


def type_into(window, text):
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=STEP_TIMEOUT)
    subprocess.run(["xdotool", "key", "ctrl+a", "BackSpace"], check=True, timeout=STEP_TIMEOUT)
    subprocess.run(["xdotool", "type", "--delay", "20", text], check=True, timeout=STEP_TIMEOUT)
    subprocess.run(["xdotool", "key", "ctrl+Return"], check=True, timeout=STEP_TIMEOUT)


def say_in_iptux(window, text, console):
    """Types `text` into iptux's chat window and sends it; types it again only when iptux sent nothing carrying it
    (its keys were lost), so a message never goes out twice. Fails when Pigeon's console does not show it."""
    def sent():
        return any(p[1] & 0xFF == 0x20 and text in p[2] for p in packets_from_iptux(console.log_path))

    for attempt in range(TYPE_ATTEMPTS):
        type_into(window, text)
        deadline = time.monotonic() + TYPED_KEYS_WAIT
        while time.monotonic() < deadline and not sent():
            time.sleep(0.1)
        if sent():
            break
        print(f"iptux sent nothing {TYPED_KEYS_WAIT} s after '{text}' was typed (attempt {attempt + 1}): typing again",
              flush=True)
    wait_for(f"'{text}' from iptux in Pigeon's console", lambda: console.saw(text), STEP_TIMEOUT)


def wire_lines(log_path):
    """Pigeon's log of every datagram: lines 'to|from ADDRESS:PORT N bytes: PACKET'."""
    with open(log_path, encoding="utf-8", errors="replace") as log:
        return [line.split("pigeon.wire: ", 1)[1].rstrip("\n") for line in log if "pigeon.wire: " in line]


def packets_from_iptux(log_path):
    """(packetNo, command, extension) of every datagram Pigeon received from iptux."""
    out = []
    for line in wire_lines(log_path):
        match = re.match(r"from 127\.0\.0\.1:2425 \d+ bytes: ([^:]*):(\d+):[^:]*:[^:]*:(\d+):(.*)$", line)
        if match:
            out.append((int(match.group(2)), int(match.group(3)), match.group(4)))
    return out


def main():
    pigeon = pigeon_argument()
    folder, home, config = prepare("pigeon-iptux-", open_chat=True)
    profile = os.path.join(folder, "pigeon")
    processes = []
    console = None
    try:
        start_iptux(folder, home, config, processes, "bind UDP port(127.0.0.1:2425) success")
        console = console_with_iptux(pigeon, folder, profile)

        console.type("/to iptux", TO_IPTUX)
        wait_for("iptux's ack (Pigeon shows the message delivered)", lambda: console.saw("(delivered to iptux)"),
                 STEP_TIMEOUT)
        chat = wait_for("iptux's chat window with Pigeon", lambda: windows("Talk with Pigeon"), STEP_TIMEOUT)[0]
        print(f"iptux window: {window_name(chat)}", flush=True)

        say_in_iptux(chat, FROM_IPTUX, console)
        time.sleep(RESEND_WATCH)  # a window for resends to show up; nothing to poll for when none come

        # Away: iptux renames its pal from the BR_ABSENCE nickname, and its chat window's title follows.
        console.type("/away " + AWAY_TEXT)
        wait_for("iptux to show Pigeon away (its chat window's title)",
                 lambda: windows(r"^Talk with Pigeon\[" + AWAY_TEXT + r"\]"), STEP_TIMEOUT)
        print(f"iptux window while Pigeon is away: {window_name(chat)}", flush=True)
        for text in WHILE_AWAY:
            say_in_iptux(chat, text, console)
        wait_for("Pigeon's automatic answer in its console", lambda: console.saw("[automatic answer] " + AWAY_TEXT),
                 STEP_TIMEOUT)
        console.type("/back")
        wait_for("iptux to show Pigeon back", lambda: windows(r"^Talk with Pigeon\("), STEP_TIMEOUT)
        print(f"iptux window after /back: {window_name(chat)}", flush=True)

        code = console.quit(STEP_TIMEOUT)
        if code != 0:
            fail(f"pigeon exited with {code}")

        print("Datagrams Pigeon (127.0.0.2:2425) exchanged with iptux (127.0.0.1:2425):")
        for line in wire_lines(console.log_path):
            print("  " + line)

        rows = nsutil.history_rows(profile, "iptux")
        print(f"Pigeon's history for iptux: {rows}", flush=True)
        outgoing = [r for r in rows if r[0] == nsutil.OUTGOING]
        incoming = [r for r in rows if r[0] == nsutil.INCOMING]
        if outgoing != [(nsutil.OUTGOING, TO_IPTUX, nsutil.DELIVERED), (nsutil.OUTGOING, AWAY_TEXT, nsutil.SENT)]:
            fail(f"Pigeon's message to iptux and its one automatic answer are not stored as sent: {outgoing}")
        if incoming != [(nsutil.INCOMING, text, nsutil.RECEIVED) for text in [FROM_IPTUX] + WHILE_AWAY]:
            fail(f"iptux's messages are not stored once each, intact, in iptux's conversation: {incoming}")
        shown = [line for line in console.lines if FROM_IPTUX in line]
        if len(shown) != 1 or "iptux (127.0.0.1:2425)" not in shown[0]:
            fail(f"iptux's message is not shown once as coming from the contact iptux: {shown}")
        sendmsg = [p for p in packets_from_iptux(console.log_path) if p[1] & 0xFF == 0x20]
        if len(sendmsg) != 1 + len(WHILE_AWAY):
            fail(f"iptux sent {len(sendmsg)} messages for {1 + len(WHILE_AWAY)}: Pigeon's acks did not stop it: "
                 f"{sendmsg}")
        answers = [line for line in wire_lines(console.log_path)
                   if re.match(rf"to 127\.0\.0\.1:2425 .*:{AUTO_ANSWER}:{AWAY_TEXT}\\0$", line)]
        if len(answers) != 1:
            fail(f"Pigeon did not answer iptux automatically exactly once while away: {answers}")
        acks = [line for line in wire_lines(console.log_path)
                if re.match(rf"to 127\.0\.0\.1:2425 .*:33:{sendmsg[0][0]}\\0$", line)]
        if len(acks) != 1:
            fail(f"Pigeon did not ack iptux's packet {sendmsg[0][0]} exactly once with RECVMSG: {acks}")
        print("PASS: Pigeon and iptux chatted both ways", flush=True)
    finally:
        stop_all(console, processes, folder)


if __name__ == "__main__":
    main()
