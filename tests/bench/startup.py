#!/usr/bin/env python3
"""Start-up against the size of the history (issue 9): writes a first-release (schema version 1) profile of COUNT
messages in 50 conversations with SQLite directly, times Pigeon's one-time upgrade of it, then times the console until
its 'listening' line and the window until painted (pigeon --screenshot, to exit) on it and on an empty profile in the
same run. Prints one line of name=value figures; exits 1 when anything did not work (an upgrade that lost messages, a
console that never listened). Only 127.0.0.1 is used.
    startup.py PIGEON COUNT [RUNS]"""
import os, sqlite3, subprocess, sys, tempfile, time

pigeon, count = sys.argv[1], int(sys.argv[2])
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
work = tempfile.mkdtemp(prefix="pigeon-startup-", dir=os.environ.get("PIGEON_BENCH_DIR"))
big, empty = os.path.join(work, "big"), os.path.join(work, "empty")
os.makedirs(big), os.makedirs(empty)
env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NO_COLOR="1")


def fail(why):
    print("startup: " + why, file=sys.stderr)
    sys.exit(1)


# The first release's schema (9838a9f, core/history.cpp), filled in one transaction.
db = sqlite3.connect(os.path.join(big, "history.sqlite"))
db.executescript("""PRAGMA journal_mode=WAL;
CREATE TABLE messages (id INTEGER PRIMARY KEY, peer TEXT NOT NULL, direction INTEGER NOT NULL, text TEXT NOT NULL,
 time INTEGER NOT NULL, sort_key REAL NOT NULL, state INTEGER NOT NULL, remote TEXT NOT NULL,
 packet_no INTEGER NOT NULL DEFAULT 0, parts INTEGER NOT NULL DEFAULT 1, flags INTEGER NOT NULL DEFAULT 0);
CREATE INDEX messages_by_peer ON messages (peer, sort_key);
CREATE INDEX messages_by_packet ON messages (remote, packet_no);
CREATE INDEX messages_unsent ON messages (state) WHERE state < 2;
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA user_version = 1;""")
db.execute("BEGIN")
# Alternating directions; outgoing ones delivered (3), incoming received (6); 40..119 characters of office chat.
db.execute("""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO messages (peer, direction, text, time, sort_key, state, remote, packet_no)
SELECT 'peer' || (i % 50), i % 2, printf('message %d: %s', i, substr('The quick brown fox jumps over the lazy dog, '
 || 'the office lunch is at noon today, please bring the report and the slides for the meeting.', 1, 40 + i % 80)),
 1700000000000 + i * 1000, 1700000000000 + i * 1000, iif(i % 2, 3, 6), '127.0.1.' || (i % 50) || ':2425', i FROM n""",
           (count,))
db.execute("COMMIT")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()

port = [47000]


def console(profile):
    """Milliseconds from start to the 'listening' line; progress lines go to stderr."""
    port[0] += 1
    start = time.monotonic()
    p = subprocess.Popen([pigeon, "--console", "--profile", profile, "--bind", "127.0.0.1", "--port", str(port[0])],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    line = p.stdout.readline()
    elapsed = (time.monotonic() - start) * 1000
    _, err = p.communicate(input=b"", timeout=60)
    if b"listening" not in line:
        fail("no listening line: %r %r" % (line, err[-300:]))
    return elapsed, err


def window(profile):
    port[0] += 1
    start = time.monotonic()
    r = subprocess.run([pigeon, "--screenshot", os.path.join(work, "shot.png"), "--profile", profile, "--bind",
                        "127.0.0.1", "--port", str(port[0])], env=env, capture_output=True, timeout=60)
    if r.returncode != 0:
        fail("pigeon --screenshot failed: %r" % r.stderr[-300:])
    return (time.monotonic() - start) * 1000


upgrade_ms, progress = console(big)
lines = [l for l in progress.decode().splitlines() if "upgrading" in l]
if not lines or not lines[-1].endswith("100 %"):
    fail("the upgrade showed no progress: %r" % progress[-300:])
last = subprocess.run([pigeon, "history", "peer%d" % (count % 50), "--last", "1", "--profile", big], env=env,
                      capture_output=True, timeout=60).stdout.decode()
if ("message %d:" % count) not in last:
    fail("the newest message is not there after the upgrade: %r" % last)
check = sqlite3.connect(os.path.join(big, "history.sqlite"))
if check.execute("SELECT COUNT(*) FROM messages").fetchone()[0] != count:
    fail("messages lost in the upgrade")
check.close()


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


figures = {"upgrade_s": "%.2f" % (upgrade_ms / 1000)}
for name, profile in (("", big), ("empty_", empty)):
    figures[name + "console_ms"] = "%.1f" % median([console(profile)[0] for _ in range(runs)])
    figures[name + "window_ms"] = "%.1f" % median([window(profile) for _ in range(runs)])
print("messages=%d " % count + " ".join("%s=%s" % kv for kv in figures.items()))
subprocess.run(["rm", "-rf", work])
