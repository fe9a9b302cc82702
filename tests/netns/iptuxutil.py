"""iptux (Debian's GTK IPMsg client) under a virtual X display, for the tests and the benchmark that run it inside
a private network namespace (nsutil): its folder and settings, the display, iptux itself, its windows (xdotool), a
Pigeon console that has it as a contact, and stopping it all."""

import json
import os
import subprocess
import sys
import tempfile
import time

import nsutil
from nsutil import fail, wait_for

STEP_TIMEOUT = 20  # seconds for any one step; iptux resends after 1 s, everything else is immediate


def pigeon_argument():
    """The Pigeon executable, the script's one argument, as an absolute path; fails with the usage without it."""
    if len(sys.argv) != 2:
        fail(f"usage: {os.path.basename(sys.argv[0])} PIGEON_BINARY")
    return os.path.abspath(sys.argv[1])


def prepare(prefix, open_chat, parent=None):
    """The start of a run: checks the programs it needs, enters a private network namespace (nsutil) and makes a new
    temporary folder there, named from `prefix` (under `parent` if given), for iptux's HOME (home/) and its settings
    (iptux.json; `open_chat`: whether iptux opens the chat window by itself when a message arrives, which is how a
    user sees it). Returns (folder, home, config)."""
    nsutil.require("unshare", "ip", "Xvfb", "xdotool", "iptux")
    nsutil.enter_private_namespace()
    folder = tempfile.mkdtemp(prefix=prefix, dir=parent)
    home = os.path.join(folder, "home")
    os.makedirs(home)
    config = os.path.join(folder, "iptux.json")
    with open(config, "w") as f:
        json.dump({"open_chat": open_chat}, f)
    return folder, home, config


def start_display(folder):
    """Xvfb on a free display number, listening on no TCP port; returns (process, DISPLAY)."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "1024x768x24"],
                            pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(folder, "xvfb.log"), "wb"))
    os.close(write_end)
    number = b""
    deadline = time.monotonic() + STEP_TIMEOUT
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        chunk = os.read(read_end, 16)
        if not chunk:
            break
        number += chunk
    os.close(read_end)
    if not number.strip().isdigit():
        fail("Xvfb did not start (see xvfb.log)")
    return xvfb, ":" + number.decode().strip()


def start_iptux(folder, home, config, processes, ready=None, address="127.0.0.1", debug_log=True):
    """Starts a virtual display and iptux on it, bound to `address` with HOME and its settings under `home`, its log
    (at DEBUG level with `debug_log`) in folder/iptux.log; appends both processes to `processes` and waits for the
    log line `ready` (if given) and the main window."""
    xvfb, display = start_display(folder)
    processes.append(xvfb)
    env = dict(os.environ, HOME=home, DISPLAY=display, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"), XDG_DATA_HOME=os.path.join(home, ".local/share"))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    os.environ["DISPLAY"] = display
    iptux_log = os.path.join(folder, "iptux.log")
    argv = ["iptux", "--bind", address, "-c", config] + (["-l", "DEBUG"] if debug_log else [])
    processes.append(subprocess.Popen(argv, env=env, stdout=open(iptux_log, "wb"), stderr=subprocess.STDOUT))
    if ready:
        wait_for(f"iptux's log to say {ready!r}", lambda: ready in open(iptux_log, errors="replace").read(),
                 STEP_TIMEOUT)
    wait_for("iptux's main window", lambda: windows("^Iptux"), STEP_TIMEOUT)


def console_with_iptux(pigeon, folder, profile, extra=()):
    """Pigeon's console bound to 127.0.0.2:2425 (iptux answers only to port 2425 of the sender's address) with its
    profile in `profile`, iptux at 127.0.0.1:2425 as its contact, every datagram logged in folder/pigeon.log. Returns
    the console once it shows iptux online."""
    nsutil.run([pigeon, "contacts", "--profile", profile, "add", "iptux", "127.0.0.1:2425"])
    console = nsutil.Console(pigeon, profile, "127.0.0.2", 2425, "Pigeon", os.path.join(folder, "pigeon.log"),
                             wire_log=True, extra=extra)
    wait_for("Pigeon to show iptux online (ANSENTRY answering its BR_ENTRY)", lambda: console.saw("* iptux is online"),
             STEP_TIMEOUT)
    return console


def stop_all(console, processes, folder):
    """Kills the Pigeon console, stops the other processes last started first, and removes `folder` unless
    PIGEON_KEEP_TEST_FILES=1."""
    if console:
        console.kill()
    for process in reversed(processes):
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
    if os.environ.get("PIGEON_KEEP_TEST_FILES") != "1":
        subprocess.run(["rm", "-rf", folder])
    else:
        print(f"files kept in {folder}", file=sys.stderr)


def windows(name_pattern):
    """The ids of the viewable X windows whose name matches `name_pattern` (a regular expression). Only viewable
    ones: GTK also makes unmapped windows of the same name, and focusing one fails with BadMatch."""
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name_pattern], capture_output=True,
                           text=True)
    return found.stdout.split()


def window_name(window):
    return subprocess.run(["xdotool", "getwindowname", window], capture_output=True, text=True).stdout.strip()
