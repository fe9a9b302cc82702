#!/usr/bin/env python3
"""Files and a folder between Pigeon and real iptux 0.8.3, both ways, over iptux's own protocol (issue 11).

Set up as iptux_chat.py (a private network namespace with only loopback, Xvfb, iptux on 127.0.0.1:2425, Pigeon's
console on 127.0.0.2:2425). iptux is driven through its chat window with xdotool:
- iptux sends Pigeon a file: Ctrl+S (Attach File) in the chat window, the path typed into GTK's file chooser, Ctrl+Return
  sends the offer (SENDMSG | FILEATTACHOPT); Pigeon's console shows it, /accept fetches it over TCP (GETFILEDATA) and
  the file in Pigeon's download folder is byte for byte iptux's.
- iptux sends Pigeon a folder: Ctrl+D (Attach Folder); GTK's folder chooser, given "PARENT/" in its location bar and
  Return, picks PARENT or a folder inside it, depending on its location bar's completion: whichever it offers must be
  one of the test's folders (each holds a nested folder and an empty one) and arrive whole. /accept fetches it with GETDIRFILES; the
  tree in Pigeon's download folder is the one iptux sent.
- Pigeon sends iptux a file: /send PATH offers it; iptux lists it under "Files to be received" in the chat window; the
  test clicks that panel's Accept button (at its place in the window, the one step driven by coordinates: GTK 3 under
  Xvfb has no accessibility bus here) and takes the default folder in the "select a folder" dialog (iptux's HOME); the
  file iptux wrote is checked on disk, and Pigeon's console says iptux received it.

usage: iptux_files.py PIGEON_BINARY
"""

import filecmp
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iptuxutil import (STEP_TIMEOUT, console_with_iptux, pigeon_argument, prepare, start_iptux,  # noqa: E402
                       stop_all, windows)
from nsutil import fail, wait_for  # noqa: E402
# Where the Accept button of "Files to be received" is in iptux 0.8.3's chat window (570x420 by default): the right
# end of the row under the "Files to be received" frame title.
ACCEPT_BUTTON = (553, 77)


def xdotool(*args):
    subprocess.run(["xdotool", *args], check=True, timeout=STEP_TIMEOUT)


def choose_in_file_chooser(title, path):
    """Types `path` into the location bar of GTK's chooser named `title` and confirms with Return. The chooser takes
    keys only once it has loaded its folder, which shows nowhere outside it: a few tries, each starting over."""
    chooser = wait_for(f"iptux's '{title}' dialog", lambda: windows(title), STEP_TIMEOUT)[0]
    for _ in range(5):
        xdotool("windowfocus", "--sync", chooser)
        xdotool("key", "ctrl+l", "ctrl+a")
        xdotool("type", "--delay", "20", path)
        xdotool("key", "Return")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if not windows(title):
                return
            time.sleep(0.1)
    fail(f"iptux's '{title}' dialog did not take {path}")


def offered_number(console, name):
    """The transfer number in Pigeon's '* [N] iptux offers NAME' line."""
    line = wait_for(f"Pigeon to show iptux's offer of {name}",
                    lambda: next((l for l in console.lines if f"iptux offers {name} (" in l), None), STEP_TIMEOUT)
    return line.split("[", 1)[1].split("]", 1)[0]


def acknowledged_offer(log_path):
    """Whether iptux acknowledged (RECVMSG, 0x121) the packet number of Pigeon's file offer."""
    lines = [line for line in open(log_path, encoding="utf-8", errors="replace") if "pigeon.wire: " in line]
    offers = [re.search(r":(\d+):[^:]*:[^:]*:10486048:", line) for line in lines if line.split("pigeon.wire: ")[1]
              .startswith("to ")]
    numbers = {m.group(1) for m in offers if m}
    return any(re.search(r":289:(\d+)\\0$", line.rstrip("\n")) and
               re.search(r":289:(\d+)\\0$", line.rstrip("\n")).group(1) in numbers for line in lines)


def same_tree(a, b):
    comparison = filecmp.dircmp(a, b)
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, comparison.common_files, shallow=False)
    return not mismatch and not errors and all(same_tree(os.path.join(a, d), os.path.join(b, d))
                                               for d in comparison.common_dirs)


def main():
    pigeon = pigeon_argument()
    folder, home, config = prepare("pigeon-iptux-files-", open_chat=True)
    profile = os.path.join(folder, "pigeon")
    downloads = os.path.join(folder, "downloads")
    outbox = os.path.join(folder, "iptux-outbox")
    # What iptux sends: a file, and a folder with a nested and an empty folder ("other" is there so that the folder
    # chooser's location bar has no single completion for "share/").
    os.makedirs(os.path.join(outbox, "share", "docs", "sub", "empty"))
    os.makedirs(os.path.join(outbox, "share", "other"))
    with open(os.path.join(outbox, "tux report.bin"), "wb") as f:
        f.write(os.urandom(300_000))
    with open(os.path.join(outbox, "share", "docs", "a.txt"), "w") as f:
        f.write("hello from iptux\n")
    with open(os.path.join(outbox, "share", "docs", "sub", "b.bin"), "wb") as f:
        f.write(os.urandom(70_000))
    # What Pigeon sends.
    from_pigeon = os.path.join(folder, "from pigeon.bin")
    with open(from_pigeon, "wb") as f:
        f.write(os.urandom(200_000))
    processes = []
    console = None
    try:
        start_iptux(folder, home, config, processes, "bind TCP port(127.0.0.1:2425) success")
        console = console_with_iptux(pigeon, folder, profile, extra=["--downloads", downloads])
        console.type("/to iptux", "Files coming")
        chat = wait_for("iptux's chat window with Pigeon", lambda: windows("Talk with Pigeon"), STEP_TIMEOUT)[0]

        # iptux -> Pigeon: a file.
        xdotool("windowfocus", "--sync", chat)
        xdotool("key", "ctrl+s")
        choose_in_file_chooser("Choose enclosure files", os.path.join(outbox, "tux report.bin"))
        xdotool("windowfocus", "--sync", chat)
        xdotool("key", "ctrl+Return")
        number = offered_number(console, "tux report.bin")
        console.type(f"/accept {number}")
        wait_for("Pigeon to save iptux's file", lambda: console.saw(f"* [{number}] tux report.bin saved as"),
                 STEP_TIMEOUT)
        if not filecmp.cmp(os.path.join(outbox, "tux report.bin"), os.path.join(downloads, "tux report.bin"),
                           shallow=False):
            fail("the file Pigeon saved differs from the one iptux sent")
        print("iptux -> Pigeon: a 300000-byte file arrived whole", flush=True)

        # iptux -> Pigeon: a folder.
        xdotool("windowfocus", "--sync", chat)
        xdotool("key", "ctrl+d")
        choose_in_file_chooser("Choose enclosure folders", os.path.join(outbox, "share") + "/")
        xdotool("windowfocus", "--sync", chat)
        xdotool("key", "ctrl+Return")
        # Which folder GTK's chooser picked depends on its location bar's completion; each holds a nested folder.
        sent = {"share": os.path.join(outbox, "share"), "docs": os.path.join(outbox, "share", "docs"),
                "sub": os.path.join(outbox, "share", "docs", "sub")}
        line = wait_for("Pigeon to show iptux's folder offer",
                        lambda: next((l for l in console.lines if re.search(r"iptux offers \S+ \(.*0 file", l)), None),
                        STEP_TIMEOUT)
        name = re.search(r"iptux offers (\S+) \(", line).group(1)
        if name not in sent:
            fail(f"iptux offered the folder {name}, not one with a nested folder the test made")
        number = offered_number(console, name)
        console.type(f"/accept {number}")
        wait_for("Pigeon to save iptux's folder", lambda: console.saw(f"* [{number}] {name} saved as"), STEP_TIMEOUT)
        if not same_tree(sent[name], os.path.join(downloads, name)):
            fail(f"the folder {name} Pigeon saved differs from the one iptux sent")
        print(f"iptux -> Pigeon: the folder {name} (nested folders, an empty one) arrived whole", flush=True)

        # Pigeon -> iptux: a file, accepted in iptux's chat window.
        console.type("/send " + from_pigeon)
        wait_for("iptux to acknowledge Pigeon's offer (RECVMSG)", lambda: acknowledged_offer(console.log_path),
                 STEP_TIMEOUT)

        # iptux shows the receive panel a moment after the offer: click until its folder dialog opens.
        def accept_in_iptux():
            xdotool("mousemove", "--window", chat, str(ACCEPT_BUTTON[0]), str(ACCEPT_BUTTON[1]), "click", "1")
            return windows("Please select a folder to save files")

        save = wait_for("iptux's 'select a folder' dialog after a click on Accept", accept_in_iptux, STEP_TIMEOUT,
                        interval=1)[0]
        xdotool("windowfocus", "--sync", save)
        xdotool("key", "Return")
        received = os.path.join(home, "from pigeon.bin")
        wait_for("Pigeon to see iptux take the whole file", lambda: console.saw("iptux received from pigeon.bin"),
                 STEP_TIMEOUT)
        wait_for("iptux to write the file", lambda: os.path.exists(received)
                 and os.path.getsize(received) == os.path.getsize(from_pigeon), STEP_TIMEOUT)
        if not filecmp.cmp(from_pigeon, received, shallow=False):
            fail("the file iptux wrote differs from the one Pigeon sent")
        print("Pigeon -> iptux: a 200000-byte file arrived whole in iptux's folder", flush=True)

        code = console.quit(STEP_TIMEOUT)
        if code != 0:
            fail(f"pigeon exited with {code}")
        print("Offers and answers Pigeon exchanged with iptux:")
        for line in open(console.log_path, encoding="utf-8", errors="replace"):
            if "pigeon.wire: " in line and (":2097184:" in line or ":10486048:" in line or ":97:" in line):
                print("  " + line.split("pigeon.wire: ", 1)[1].rstrip("\n"))
        print("PASS: files and a folder went between Pigeon and iptux both ways", flush=True)
    finally:
        stop_all(console, processes, folder)


if __name__ == "__main__":
    main()
