#!/usr/bin/env python3
"""Run one guest kernel under hvsim and check what it did.

Usage:
  run_guest.py HVSIM GUEST_ELF EXPECT_FILE STATUS
               [--max-cycles N] [--append CMDLINE] [--timeout SECONDS]

Runs `HVSIM run --kernel GUEST_ELF --max-cycles N [--append CMDLINE]` and
passes when all of these hold:
  (a) hvsim's exit status is STATUS (a guest that writes v to the
      debug-exit port makes hvsim exit with (v << 1) | 1, so a guest whose
      checks all passed gives 1);
  (b) the serial output (hvsim's stdout) contains the expectations of
      EXPECT_FILE, in that order;
  (c) no output line starts with "FAIL".

EXPECT_FILE holds one expectation per line:
  text        an output line equal to text (trailing blanks ignored)
  ~text       an output line containing text
  re:regex    an output line matching the Python regex (re.search)
  # ...       a comment; blank lines are ignored too
Python 3 standard library only.
"""
import argparse
import re
import subprocess
import sys


def load_expectations(path):
    """Returns [(lineno, kind, text)] with kind in 'exact', 'sub', 're'."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith("re:"):
                out.append((n, "re", re.compile(line[3:])))
            elif line.startswith("~"):
                out.append((n, "sub", line[1:]))
            else:
                out.append((n, "exact", line.rstrip()))
    return out


def matches(kind, pattern, line):
    if kind == "exact":
        return line == pattern
    if kind == "sub":
        return pattern in line
    return pattern.search(line) is not None


def describe(kind, pattern):
    if kind == "re":
        return "re:" + pattern.pattern
    return ("~" if kind == "sub" else "") + pattern


def check_output(lines, expectations):
    """Returns a list of problems (empty when the output is right)."""
    problems = []
    pos = 0
    for lineno, kind, pattern in expectations:
        for i in range(pos, len(lines)):
            if matches(kind, pattern, lines[i]):
                pos = i + 1
                break
        else:
            where = "at all" if not any(
                matches(kind, pattern, l) for l in lines) else "in order"
            problems.append("expectation %d not found %s: %s"
                            % (lineno, where, describe(kind, pattern)))
    for line in lines:
        if line.startswith("FAIL"):
            problems.append("guest reported: " + line)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("hvsim")
    ap.add_argument("guest")
    ap.add_argument("expect")
    ap.add_argument("status", type=int)
    ap.add_argument("--max-cycles", type=int, default=2_000_000_000)
    ap.add_argument("--append", default=None)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()

    cmd = [args.hvsim, "run", "--kernel", args.guest,
           "--max-cycles", str(args.max_cycles)]
    if args.append is not None:
        cmd += ["--append", args.append]
    print("running:", " ".join(cmd), flush=True)
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=args.timeout)
    except subprocess.TimeoutExpired as e:
        sys.stdout.write((e.stdout or b"").decode("utf-8", "replace"))
        print("FAILED: hvsim did not finish within %.0f s" % args.timeout)
        return 1
    stdout = proc.stdout.decode("utf-8", "replace")
    stderr = proc.stderr.decode("utf-8", "replace")
    lines = [l.rstrip() for l in stdout.replace("\r", "").split("\n")]

    print("---- serial output ----")
    sys.stdout.write(stdout if stdout.endswith("\n") or not stdout
                     else stdout + "\n")
    if stderr:
        print("---- hvsim stderr ----")
        sys.stdout.write(stderr if stderr.endswith("\n") else stderr + "\n")
    print("-----------------------")

    problems = []
    if proc.returncode != args.status:
        problems.append("exit status %d, expected %d"
                        % (proc.returncode, args.status))
    problems += check_output(lines, load_expectations(args.expect))
    for p in problems:
        print("FAILED:", p)
    if not problems:
        print("ok: status %d and all expectations of %s met"
              % (proc.returncode, args.expect))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
