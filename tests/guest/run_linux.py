#!/usr/bin/env python3
"""tests/guest/run_linux.py — boot the Debian cloud kernel that
scripts/linux-guest prepared (docs/LINUX.md) and check the milestones
its serial log must show. Skipped (exit 77) when the cache is absent:
the suite never downloads anything.

usage: run_linux.py HVSIM {vmlinux|bzImage} [--vcpus N]

The child gets a sparse 64 MiB disk (a temporary file). Checked: the
kernel detects Hyper-V, reaches /init, negotiates VMBus 5.x, storvsc's
disk attaches as sda, /init's write/read-back passes, the guest powers
off through ACPI S5 and hvsim exits with status 0; and hvsim logged no
unimplemented instruction (#UD line) on the way.
"""
import os
import subprocess
import sys
import tempfile

MILESTONES = ["Hypervisor detected: Microsoft Hyper-V",
              "Run /init as init process",
              "HVSIM-INIT: userspace reached",
              "hv_vmbus: Vmbus version:5.",
              "[sda] Attached SCSI disk",
              "HVSIM-DISK-CHECK: PASS",
              "reboot: Power down"]


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
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as fh:
            fh.truncate(64 << 20)
        cmd = [hvsim, "run", "--kernel", files[0], "--initrd", files[1],
               "--append", append, "--mem", "512M", "--disk", disk,
               "--quiet", "--max-cycles", "60000000000"] + extra
        res = subprocess.run(cmd, capture_output=True, text=True,
                             errors="replace")
    log, errs = res.stdout, res.stderr
    bad = [m for m in MILESTONES if m not in log]
    uds = [l for l in errs.splitlines() if "#UD" in l]
    if res.returncode != 0:
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
    print("ok: %s %s: disk check passed, powered off" %
          (kernel, " ".join(extra)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
