#!/usr/bin/env python3
"""The built-in demo and built-in guests, end to end.

Usage: test_demo.py HVSIM

Copies the hvsim binary alone into a fresh temporary directory (so no
guest file is anywhere near it) and checks there that:
  demo      `hvsim run` ends with status 0; both children's console lines
            are there, each whole line prefixed by its partition; the
            summary says how both ended; the trace hvsim-demo.hvt is
            written in the current directory and `hvsim trace stats`
            reads it, with the storage channel's requests and all nine
            VMBus request stages; the disk image made in
            $TMPDIR is gone afterwards;
  scenario  a scenario file naming only builtin: kernels runs;
  list      `hvsim run --list-builtin` names the demo's guests;
  kernel    `--kernel builtin:hello` runs (unprefixed: one child), an
            unknown builtin: name is a usage error that says so.
Python 3 standard library only; exits 1 with the reasons on failure.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
    return cond


def run(argv, cwd, env=None, timeout=120):
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True,
                          text=True, errors="replace", timeout=timeout)


def prefixed_lines(stdout, names):
    """{name: [text of its lines]}; every line must carry a prefix."""
    width = max(len(n) for n in names)
    out = {n: [] for n in names}
    for line in stdout.splitlines():
        for n in names:
            prefix = "%-*s | " % (width, n)
            if line.startswith(prefix):
                out[n].append(line[len(prefix):])
                break
        else:
            check(False, "a console line without a partition prefix: %r"
                  % line)
    return out


def test_demo(hvsim, work):
    tmp = os.path.join(work, "tmp")
    os.mkdir(tmp)
    env = dict(os.environ, TMPDIR=tmp)
    r = run([hvsim, "run"], work, env)
    check(r.returncode == 0, "demo: exit status %d, not 0\n%s"
          % (r.returncode, r.stderr[-3000:]))
    lines = prefixed_lines(r.stdout, ["storage", "compute"])
    check(len(lines["storage"]) >= 5, "demo: storage printed %d lines"
          % len(lines["storage"]))
    check("compute: done, every check passed" in lines["compute"],
          "demo: compute did not finish its checks")
    check(any(re.match(r"SUMMARY: [1-9][0-9]* passed, 0 failed$", t)
              for t in lines["storage"]),
          "demo: storage did not pass its checks")
    for name, texts in lines.items():
        for t in texts:
            check(not t.startswith("FAIL"), "demo: %s: %s" % (name, t))
    for name in ("storage", "compute"):
        check(re.search(r"^hvsim:   %s +guest wrote 0x0 to debug-exit: "
                        r"status 1$" % name, r.stderr, re.M),
              "demo: the summary does not say how %s ended" % name)
    check("hvsim: exits by partition" in r.stderr,
          "demo: no exits by partition in the summary")
    check("the trace is in hvsim-demo.hvt" in r.stderr,
          "demo: does not say where the trace is")
    trace = os.path.join(work, "hvsim-demo.hvt")
    if not check(os.path.isfile(trace), "demo: no hvsim-demo.hvt written"):
        return
    check(os.listdir(tmp) == [], "demo: left in $TMPDIR: %s"
          % os.listdir(tmp))
    s = run([hvsim, "trace", "stats", "hvsim-demo.hvt"], work)
    check(s.returncode == 0, "trace stats: status %d: %s"
          % (s.returncode, s.stderr))
    check("partitions: 0=parent 1=storage 2=compute" in s.stdout,
          "trace stats: the demo's partitions are not named")
    m = re.search(r"^channel [0-9]+ \(storage\): ([0-9]+) requests "
                  r"started, ([0-9]+) completed", s.stdout, re.M)
    check(m and int(m.group(1)) > 0 and m.group(1) == m.group(2),
          "trace stats: no storage channel whose requests all completed")
    for stage in ("vsc_write_packet", "vsc_signal", "hv_deliver_event",
                  "vsp_pickup", "vsp_read", "vsp_complete",
                  "completion_signal", "child_interrupt", "vsc_consume"):
        m = re.search(r"^ +%s +([0-9]+)$" % stage, s.stdout, re.M)
        check(m and int(m.group(1)) > 0,
              "trace stats: no %s events (request stages)" % stage)
    check("total (end to end)" in r.stderr,
          "demo: the summary has no per-stage VMBus latencies")
    # Same inputs, same trace: a second run (another temporary disk name)
    # writes the same bytes.
    r2 = run([hvsim, "run", "--quiet", "--trace", "again.hvt"], work, env)
    again = os.path.join(work, "again.hvt")
    if check(r2.returncode == 0 and os.path.isfile(again),
             "demo: the second run failed (%d)" % r2.returncode):
        with open(trace, "rb") as a, open(again, "rb") as b:
            check(a.read() == b.read(),
                  "demo: two runs wrote different traces")


SCENARIO = """\
; two children, both built into hvsim: no file needed
[machine]
pcpus = 2
[partition "hello"]
kernel = builtin:hello
memory = 16M
[partition "compute"]
kernel = builtin:compute
memory = 16M
"""


def test_scenario(hvsim, work):
    path = os.path.join(work, "builtin.scn")
    with open(path, "w", encoding="ascii") as f:
        f.write(SCENARIO)
    r = run([hvsim, "run", "builtin.scn"], work)
    check(r.returncode == 1, "scenario: exit status %d, not 1 (debug-exit "
          "0 of the first child)\n%s" % (r.returncode, r.stderr[-2000:]))
    lines = prefixed_lines(r.stdout, ["hello", "compute"])
    check("hello from ring 3 via syscall" in lines["hello"],
          "scenario: hello's ring-3 line is missing")
    check("compute: done, every check passed" in lines["compute"],
          "scenario: compute did not finish")


def test_list(hvsim, work):
    r = run([hvsim, "run", "--list-builtin"], work)
    check(r.returncode == 0, "--list-builtin: status %d" % r.returncode)
    for name in ("builtin:compute", "builtin:hello", "builtin:storage"):
        check(name in r.stdout, "--list-builtin does not list %s" % name)


def test_kernel_option(hvsim, work):
    r = run([hvsim, "run", "--kernel", "builtin:hello"], work)
    check(r.returncode == 1, "--kernel builtin:hello: status %d, not 1"
          % r.returncode)
    check(r.stdout.startswith("hello from ring 0"),
          "--kernel builtin:hello: a lone child's console is not prefixed")
    r = run([hvsim, "run", "--kernel", "builtin:nope"], work)
    check(r.returncode == 2, "--kernel builtin:nope: status %d, not 2"
          % r.returncode)
    check("builtin:nope: no such built-in guest" in r.stderr,
          "--kernel builtin:nope: %r" % r.stderr)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory(prefix="hvsim-demo-test-") as work:
        hvsim = os.path.join(work, "hvsim")
        shutil.copy(sys.argv[1], hvsim)
        for t in (test_demo, test_scenario, test_list, test_kernel_option):
            t(hvsim, work)
    for f in FAILURES:
        print("FAILED:", f)
    print("%d failure(s)" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
