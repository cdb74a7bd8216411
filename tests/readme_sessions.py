#!/usr/bin/env python3
"""readme_sessions.py - the example queries of README.md's Sessions section.

  readme_sessions.py BIN README DB

Runs the section's `$ pdswap-dse session ...` command (results/results.db
replaced by DB), then each `$ sqlite3 ...` query on DB, and compares its
output with the lines shown under it in the README.  Exits 0 when every
query prints exactly what the README shows, 1 with the differences.
"""
import shlex
import subprocess
import sys

binary, readme, db = sys.argv[1:4]
text = open(readme, encoding="utf-8").read()
start = text.index("\n## Sessions\n")
end = text.index("\n## ", start + 1)
lines = text[start:end].splitlines()

command, queries = None, []
i = 0
while i < len(lines):
    line = lines[i]
    if line.startswith("    $ pdswap-dse session "):
        command = line[len("    $ "):]
    elif line.startswith("    $ sqlite3 "):
        shown = []
        i += 1
        while i < len(lines) and lines[i].startswith("    ") and not lines[i].startswith("    $ "):
            shown.append(lines[i][4:])
            i += 1
        queries.append((line[len("    $ "):], shown))
        continue
    i += 1

failures = []
if not command:
    failures.append("the Sessions section shows no `$ pdswap-dse session` command")
if len(queries) < 3:
    failures.append("the Sessions section shows %d example queries, want at least 3" % len(queries))
if command:
    argv = shlex.split(command.replace("results/results.db", db))
    argv[0] = binary
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("%s: exit %d: %s" % (command, r.returncode, r.stderr[:300]))
for q, shown in queries:
    argv = shlex.split(q.replace("results/results.db", db))
    r = subprocess.run(argv, capture_output=True, text=True)
    got = r.stdout.rstrip("\n").split("\n") if r.stdout else []
    if r.returncode != 0 or got != shown:
        failures.append("%s\n  shown:   %s\n  printed: %s %s" % (q, shown, got, r.stderr[:200]))
for f in failures:
    print("readme_sessions: " + f)
sys.exit(1 if failures else 0)
