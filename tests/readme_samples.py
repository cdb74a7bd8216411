#!/usr/bin/env python3
"""readme_samples.py - every sample of README.md, run and compared.

  readme_samples.py BIN README SCRATCH

A sample is an indented code block whose first line starts with `$ `.
Each `$ COMMAND` line of it is run by sh, in README order, in the scratch
directory SCRATCH (made empty, with `configs` and `tests` linked to the
repository's, and `results/` and `sim/hw/` as a fresh clone has them), with
`pdswap-dse` on PATH as BIN; later samples see what earlier ones wrote
(the main job's results/results.db, then the sessions' runs).  The lines
under a command, up to the next `$ ` line or the end of the block, are
what it must print on stdout, exactly, except that

  - a line `...` stands for any number of lines (none included), and
  - a wall time, `(0.57 s` and `(0.57 s on 2 ranks`, is not compared.

A command with no lines under it must exit 0 and print something.  Any
command must exit 0.  Exits 0 when every sample holds, 1 naming each that
does not (the command, the lines shown and the lines printed).
"""
import os
import re
import shutil
import subprocess
import sys

TIME = re.compile(r"\(\d+\.\d+ s\b")


def samples(text):
    """[(line number, command, [expected lines])] in README order."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("    $ ") and (i == 0 or not lines[i - 1].startswith("    ")):
            cur = None
            while i < len(lines) and lines[i].startswith("    "):
                body = lines[i][4:]
                if body.startswith("$ "):
                    cur = (i + 1, body[2:], [])
                    out.append(cur)
                elif cur is not None:
                    cur[2].append(body)
                i += 1
            continue
        i += 1
    return out


def norm(line):
    return TIME.sub("(T s", line.rstrip())


def matches(want, got):
    """Whether the printed lines match the shown ones, `...` any lines."""
    want = [norm(w) for w in want]
    got = [norm(g) for g in got]
    memo = {}

    def m(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(want):
            r = j == len(got)
        elif want[i] == "...":
            r = any(m(i + 1, k) for k in range(j, len(got) + 1))
        else:
            r = j < len(got) and want[i] == got[j] and m(i + 1, j + 1)
        memo[(i, j)] = r
        return r

    return m(0, 0)


def main():
    binary, readme, scratch = sys.argv[1:4]
    root = os.path.dirname(os.path.abspath(readme))
    text = open(readme, encoding="utf-8").read()
    found = samples(text)
    if len(found) < 10:
        print("readme_samples: %s shows %d samples; expected at least 10" % (readme, len(found)))
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(os.path.join(scratch, "results"))
    os.makedirs(os.path.join(scratch, "sim", "hw"))
    os.makedirs(os.path.join(scratch, ".bin"))
    for d in ("configs", "tests"):
        os.symlink(os.path.join(root, d), os.path.join(scratch, d))
    os.symlink(os.path.abspath(binary), os.path.join(scratch, ".bin", "pdswap-dse"))
    env = dict(os.environ)
    env["PATH"] = os.path.join(scratch, ".bin") + os.pathsep + env.get("PATH", "")
    failures = 0
    for line, command, want in found:
        p = subprocess.run(["sh", "-c", command], cwd=scratch, env=env, capture_output=True, text=True)
        got = p.stdout.splitlines()
        why = None
        if p.returncode != 0:
            why = "exit %d: %s" % (p.returncode, p.stderr.strip()[:600])
        elif not want and not got:
            why = "printed nothing"
        elif want and not matches(want, got):
            why = "shown:\n      %s\n    printed:\n      %s" % ("\n      ".join(want), "\n      ".join(got))
        if why:
            failures += 1
            print("readme_samples: %s:%d: $ %s\n    %s" % (readme, line, command, why))
    print("readme samples: %d run, %d differ" % (len(found), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
