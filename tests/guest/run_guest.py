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
      EXPECT_FILE, in that order, and hvsim's stderr those marked stderr:;
  (c) no serial output line starts with "FAIL".

EXPECT_FILE holds one expectation per line:
  text        an output line equal to text (trailing blanks ignored)
  ~text       an output line containing text
  re:regex    an output line matching the Python regex (re.search)
  # ...       a comment; blank lines are ignored too
Two prefixes may come before any of the first three forms, in this order:
  stderr:     match hvsim's own stderr lines (its "hvsim: ..." messages)
              instead of the serial output; stderr expectations keep
              their order among themselves
  once:       instead of an ordered match: exactly one line of the whole
              stream matches (e.g. a message hvsim must log once, not per
              occurrence); once: lines do not take part in the ordering
A blank after a prefix is ignored: "stderr: once: ~text" works.
Python 3 standard library only.
"""
import argparse
import re
import subprocess
import sys


def strip_prefix(line, prefix):
    """(True, rest) if line starts with prefix (one blank after it is
    dropped), else (False, line)."""
    if not line.startswith(prefix):
        return False, line
    rest = line[len(prefix):]
    return True, rest[1:] if rest.startswith(" ") else rest


def load_expectations(path):
    """Returns [(lineno, stream, once, kind, pattern)]: stream 'out' (the
    serial output) or 'err' (hvsim's stderr), kind 'exact', 'sub' or
    're'."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            to_err, line = strip_prefix(line, "stderr:")
            once, line = strip_prefix(line, "once:")
            stream = "err" if to_err else "out"
            if line.startswith("re:"):
                out.append((n, stream, once, "re", re.compile(line[3:])))
            elif line.startswith("~"):
                out.append((n, stream, once, "sub", line[1:]))
            else:
                out.append((n, stream, once, "exact", line.rstrip()))
    return out


def matches(kind, pattern, line):
    if kind == "exact":
        return line == pattern
    if kind == "sub":
        return pattern in line
    return pattern.search(line) is not None


def describe(stream, once, kind, pattern):
    text = pattern.pattern if kind == "re" else pattern
    prefix = {"re": "re:", "sub": "~", "exact": ""}[kind]
    return (("stderr: " if stream == "err" else "")
            + ("once: " if once else "") + prefix + text)


def check_once(lines, lineno, kind, pattern, what):
    """Problems with a once: expectation (exactly one matching line)."""
    count = sum(1 for l in lines if matches(kind, pattern, l))
    if count == 1:
        return []
    return ["expectation %d matched %d lines, not exactly one: %s"
            % (lineno, count, what)]


def check_stream(lines, expectations, stream):
    """Problems with the expectations of one stream."""
    problems = []
    pos = 0
    for lineno, _, once, kind, pattern in expectations:
        what = describe(stream, once, kind, pattern)
        if once:
            problems += check_once(lines, lineno, kind, pattern, what)
            continue
        for i in range(pos, len(lines)):
            if matches(kind, pattern, lines[i]):
                pos = i + 1
                break
        else:
            where = "at all" if not any(
                matches(kind, pattern, l) for l in lines) else "in order"
            problems.append("expectation %d not found %s: %s"
                            % (lineno, where, what))
    return problems


def check_output(lines, expectations, err_lines=()):
    """Returns a list of problems (empty when the output is right)."""
    problems = check_stream(
        lines, [e for e in expectations if e[1] == "out"], "out")
    problems += check_stream(
        list(err_lines), [e for e in expectations if e[1] == "err"], "err")
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
    ap.add_argument("--vcpus", default=None)
    ap.add_argument("--testdev", action="store_true")
    ap.add_argument("--disk", default=None)
    args = ap.parse_args()

    cmd = [args.hvsim, "run", "--kernel", args.guest,
           "--max-cycles", str(args.max_cycles)]
    if args.append is not None:
        cmd += ["--append", args.append]
    if args.vcpus:
        cmd += ["--vcpus", args.vcpus]
    if args.testdev:
        cmd += ["--testdev"]
    if args.disk:
        cmd += ["--disk", args.disk]
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
    err_lines = [l.rstrip() for l in stderr.split("\n")]

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
    problems += check_output(lines, load_expectations(args.expect),
                             err_lines)
    for p in problems:
        print("FAILED:", p)
    if not problems:
        print("ok: status %d and all expectations of %s met"
              % (proc.returncode, args.expect))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
