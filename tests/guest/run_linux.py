#!/usr/bin/env python3
"""tests/guest/run_linux.py — boot the Debian cloud kernel that
scripts/linux-guest prepared (docs/LINUX.md) and check the milestones
its serial log must show. Skipped (exit 77) when the cache is absent:
the suite never downloads anything.

usage: run_linux.py HVSIM {vmlinux|bzImage} [--vcpus N]

Checked today: the kernel detects Hyper-V, reaches /init, and hvsim
logged no unimplemented instruction (#UD line) on the way. The later
milestones of issue 6 (VMBus version, sda, HVSIM-DISK-CHECK: PASS,
power-off with status 0) need the ACPI tables and platform devices;
set HVSIM_LINUX_FULL=1 to require them too.
"""
import os
import subprocess
import sys

MILESTONES = ["Hypervisor detected: Microsoft Hyper-V",
              "Run /init as init process",
              "HVSIM-INIT: userspace reached"]
FULL = ["Vmbus version:5.", "Attached SCSI disk", "HVSIM-DISK-CHECK: PASS"]


def main():
    hvsim, kernel = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    out = os.path.join(os.environ.get(
        "HVSIM_LINUX_CACHE",
        os.path.join(os.path.expanduser("~"), ".cache", "hvsim", "linux")),
        "out")
    files = [os.path.join(out, n) for n in (kernel, "initramfs.cpio.gz",
                                            "append")]
    if not all(os.path.exists(f) for f in files):
        print("skipped: run scripts/linux-guest first (no %s)" % out)
        return 77
    with open(files[2]) as fh:
        append = fh.read().strip()
    full = os.environ.get("HVSIM_LINUX_FULL") == "1"
    cmd = [hvsim, "run", "--kernel", files[0], "--initrd", files[1],
           "--append", append, "--mem", "512M", "--quiet",
           "--max-cycles", "60000000000"] + extra
    res = subprocess.run(cmd, capture_output=True, text=True,
                         errors="replace")
    log, errs = res.stdout, res.stderr
    bad = [m for m in MILESTONES + (FULL if full else []) if m not in log]
    uds = [l for l in errs.splitlines() if "#UD" in l]
    if full and res.returncode != 0:
        bad.append("exit status 0 (got %d)" % res.returncode)
    for m in bad:
        print("missing: %s" % m)
    for l in uds:
        print("unimplemented: %s" % l)
    if bad or uds:
        print("--- serial (last 40 lines) ---")
        print("\n".join(log.splitlines()[-40:]))
        print("--- hvsim stderr ---")
        print(errs[-3000:])
        return 1
    print("ok: %s reached /init (status %d)" % (kernel, res.returncode))
    return 0


if __name__ == "__main__":
    sys.exit(main())
