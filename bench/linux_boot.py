#!/usr/bin/env python3
"""bench/linux_boot.py — Debian's cloud kernel booted to userspace by hvsim
and by QEMU's TCG in the same run, side by side (issue 6's benchmark;
method and figures in docs/LINUX.md).

    bench/linux_boot.py HVSIM [--qemu PATH] [--runs N]

Both boot the same kernel and initramfs (scripts/linux-guest's cache) with
`hvsim.userspace` on the command line: /init powers off as soon as it runs,
so a run is "boot to userspace" and its end is the measure. Per case it
prints the host CPU seconds of the simulator process (user + system, from
the kernel's accounting of the child: the machine is shared, wall time is
not a measure) and the guest instructions:

- hvsim counts them exactly (its end-of-run summary).
- QEMU has no instruction counter without TCG plugins (Debian's package
  ships none), so it is run a second time with `-icount shift=0,sleep=off`:
  each instruction then advances the virtual clock by 1 ns, and the
  kernel's timestamp on "userspace reached" is an upper bound of the
  instructions (idle time is added to it as well). That second run is not
  the one timed.

QEMU boots without VMBus (it has no Hyper-V VMBus): its /init is the same
and stops at the same point, before any module is loaded. Exits 0 after
printing the table, 77 when the cache or QEMU is missing, 1 on a failed
boot.
"""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

REACHED = "HVSIM-INIT: userspace reached"


def cache_files():
    out = os.path.join(os.environ.get(
        "HVSIM_LINUX_CACHE",
        os.path.join(os.path.expanduser("~"), ".cache", "hvsim", "linux")),
        "out")
    names = ("vmlinux", "bzImage", "initramfs.cpio.gz", "append")
    files = {n: os.path.join(out, n) for n in names}
    if not all(os.path.exists(f) for f in files.values()):
        return None
    with open(files["append"]) as fh:
        files["append"] = fh.read().strip() + " hvsim.userspace"
    return files


def timed(cmd):
    """Run cmd to its end; (output, host CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = subprocess.run(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True,
                         errors="replace", stdin=subprocess.DEVNULL,
                         timeout=1200)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime -
                                                  before.ru_stime)
    return res.returncode, res.stdout, cpu


def hvsim_case(hvsim, f, kernel, tmp):
    disk = os.path.join(tmp, "disk.img")
    with open(disk, "wb") as fh:
        fh.truncate(64 << 20)
    rc, out, cpu = timed([hvsim, "run", "--kernel", f[kernel], "--initrd",
                          f["initramfs.cpio.gz"], "--append", f["append"],
                          "--mem", "512M", "--disk", disk,
                          "--max-cycles", "60000000000"])
    m = re.search(r"hvsim: (\d+) instructions", out)
    if rc != 0 or REACHED not in out or not m:
        print(out[-3000:])
        raise RuntimeError("hvsim %s: status %d" % (kernel, rc))
    return int(m.group(1)), cpu


def qemu_cmd(qemu, f, kernel, extra):
    return [qemu, "-accel", "tcg", "-M", "pc", "-m", "512M", "-smp", "1",
            "-nographic", "-no-reboot", "-nodefaults", "-serial", "stdio",
            "-kernel", f[kernel], "-initrd", f["initramfs.cpio.gz"],
            "-append", f["append"]] + extra


def qemu_case(qemu, f, kernel):
    rc, out, cpu = timed(qemu_cmd(qemu, f, kernel, []))
    if REACHED not in out:
        print(out[-3000:])
        raise RuntimeError("qemu %s: status %d" % (kernel, rc))
    rc, out, _ = timed(qemu_cmd(qemu, f, kernel,
                                ["-icount", "shift=0,sleep=off"]))
    m = re.search(r"\[\s*(\d+\.\d+)\] " + re.escape(REACHED), out)
    insns = int(float(m.group(1)) * 1e9) if m else None
    return insns, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("hvsim")
    ap.add_argument("--qemu", default=shutil.which("qemu-system-x86_64"))
    ap.add_argument("--runs", type=int, default=1,
                    help="runs per case; the fastest is kept")
    a = ap.parse_args()
    f = cache_files()
    if not f:
        print("skipped: run scripts/linux-guest first")
        return 77
    if not a.qemu:
        print("skipped: no qemu-system-x86_64 (apt-get install "
              "qemu-system-x86)")
        return 77
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kernel in ("vmlinux", "bzImage"):
            best = min((hvsim_case(a.hvsim, f, kernel, tmp)
                        for _ in range(a.runs)), key=lambda r: r[1])
            rows.append(("hvsim", kernel, "%d" % best[0], best[1]))
            best = min((qemu_case(a.qemu, f, kernel)
                        for _ in range(a.runs)), key=lambda r: r[1])
            rows.append(("qemu tcg", kernel,
                         "<= %d" % best[0] if best[0] else "?", best[1]))
    print("boot to userspace of %s (+ initramfs), 1 vCPU, 512 MiB" %
          os.path.dirname(f["vmlinux"]))
    print("%-9s %-8s %18s %12s" % ("simulator", "kernel", "guest insns",
                                   "host CPU s"))
    for sim, kernel, insns, cpu in rows:
        print("%-9s %-8s %18s %12.2f" % (sim, kernel, insns, cpu))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print("failed: %s" % e)
        sys.exit(1)
