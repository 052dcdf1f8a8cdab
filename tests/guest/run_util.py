#!/usr/bin/env python3
"""Run the util guest with the management API and shut it down through it.

Usage:
  run_util.py HVSIM UTIL_ELF EXPECT_FILE [--timeout SECONDS]

Writes a scenario (one child "util" running UTIL_ELF, heartbeat = 20ms,
start_time = 2030-06-15T12:34:56Z), runs `HVSIM run SCENARIO --mgmt
SOCKET`, and once the guest printed "util: ready" (versions negotiated,
two heartbeats, a SYNC):
  1. `hvsim ctl SOCKET system_powerdown name=parent` must fail (status 1:
     the parent has no integration services);
  2. `query-partitions` must show util's heartbeat "healthy" with at least
     two beats and no missed ones;
  3. `system_powerdown name=util reboot:=true` is sent; the guest cannot
     reboot, so it must answer E_FAIL ("refused" on its serial line);
  4. `system_powerdown name=util` then powers it off: hvsim must exit 0
     (the child halted for good).
The serial output and hvsim's stderr are checked against EXPECT_FILE
with run_guest.py's rules. Python 3 standard library only.
"""
import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_guest  # noqa: E402  (its expectation rules)

SCENARIO = """\
[machine]
start_time = 2030-06-15T12:34:56Z
[partition "util"]
kernel = {kernel}
heartbeat = 20ms
"""


def reader(stream, q):
    for raw in iter(stream.readline, b""):
        q.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
    q.put(None)


def wait_line(q, lines, text, deadline):
    """Collect serial lines until one contains text; False on EOF/time."""
    while time.monotonic() < deadline:
        try:
            line = q.get(timeout=0.1)
        except queue.Empty:
            continue
        if line is None:
            return False
        lines.append(line)
        if text in line:
            return True
    return False


def ctl(hvsim, sock, *args):
    p = subprocess.run([hvsim, "ctl", sock] + list(args),
                       capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def drive(hvsim, sock, q, lines, deadline):
    """The management side of the test: a list of problems."""
    if not wait_line(q, lines, "util: ready", deadline):
        return ["the guest never printed 'util: ready'"]
    problems = []
    rc, _, err = ctl(hvsim, sock, "system_powerdown", "name=parent")
    if rc != 1 or "integration" not in err:
        problems.append("powerdown of the parent: status %d, %r" % (rc, err))
    rc, out, _ = ctl(hvsim, sock, "raw",
                     '{"execute": "query-partitions"}')
    util = [p for p in json.loads(out) if p["name"] == "util"] if rc == 0 \
        else []
    ic = util[0].get("integration", {}) if util else {}
    if ic.get("heartbeat") != "healthy" or ic.get("heartbeats", 0) < 2 \
            or ic.get("missed-heartbeats") != 0:
        problems.append("query-partitions: integration %r" % ic)
    rc, _, err = ctl(hvsim, sock, "system_powerdown", "name=util",
                     "reboot:=true")
    if rc != 0:
        problems.append("reboot request: status %d, %r" % (rc, err))
    elif not wait_line(q, lines, "refused", deadline):
        problems.append("the guest never refused the reboot")
    rc, _, err = ctl(hvsim, sock, "system_powerdown", "name=util")
    if rc != 0:
        problems.append("powerdown request: status %d, %r" % (rc, err))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("hvsim")
    ap.add_argument("guest")
    ap.add_argument("expect")
    ap.add_argument("--timeout", type=float, default=100.0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        scn = os.path.join(tmp, "util.scn")
        sock = os.path.join(tmp, "mgmt.sock")
        with open(scn, "w") as f:
            f.write(SCENARIO.format(kernel=os.path.abspath(args.guest)))
        cmd = [args.hvsim, "run", scn, "--mgmt", sock]
        print("running:", " ".join(cmd), flush=True)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        q = queue.Queue()
        threading.Thread(target=reader, args=(proc.stdout, q),
                         daemon=True).start()
        errbuf = []
        errt = threading.Thread(
            target=lambda: errbuf.append(proc.stderr.read()), daemon=True)
        errt.start()
        deadline = time.monotonic() + args.timeout
        lines = []
        problems = drive(args.hvsim, sock, q, lines, deadline)
        try:
            status = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            status = proc.wait()
            problems.append("hvsim did not end after the powerdown")
        while True:
            line = q.get()
            if line is None:
                break
            lines.append(line)
        errt.join(10)
        stderr = errbuf[0].decode("utf-8", "replace") if errbuf else ""

    print("---- serial output ----")
    print("\n".join(lines))
    print("---- hvsim stderr ----")
    sys.stdout.write(stderr)
    print("-----------------------")
    if status != 0:
        problems.append("exit status %d, expected 0" % status)
    problems += run_guest.check_output(
        lines, run_guest.load_expectations(args.expect),
        [l.rstrip() for l in stderr.split("\n")])
    for p in problems:
        print("FAILED:", p)
    if not problems:
        print("ok: status 0 and all expectations of %s met" % args.expect)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
