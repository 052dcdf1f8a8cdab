#!/usr/bin/env python3
"""tests/guest/run_linux.py — boot the Debian cloud kernel that
scripts/linux-guest prepared (docs/LINUX.md) and check the milestones
its serial log must show. Skipped (exit 77) when the cache is absent:
the suite never downloads anything.

usage: run_linux.py HVSIM {vmlinux|bzImage} [--shutdown|--panic] [hvsim args]

With --shutdown the guest stays up after its disk check (hvsim.wait on
the command line) until `hvsim ctl SOCKET system_powerdown` asks hv_utils
to shut it down; the shutdown's lines are required as well.

The child gets a sparse 64 MiB disk (a temporary file). Checked: the
kernel detects Hyper-V, reaches /init, negotiates VMBus 5.x, storvsc's
disk attaches as sda, /init's write/read-back passes, the guest powers
off through ACPI S5 and hvsim exits with status 0; and hvsim logged no
unimplemented instruction (#UD line) on the way.

With --panic the kernel gets an init that does not exist: it must panic,
report it through the Hyper-V crash MSRs (hv_kmsg_dump), and hvsim must
end with status 6 (guest crash) and the panic's line on its stderr.
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
SHUTDOWN = ["HVSIM-INIT: waiting for a shutdown request",
            "hv_utils: Shutdown request received",
            "HVSIM-INIT: shutdown requested"]


def run_with_shutdown(hvsim, cmd, tmp):
    """Run hvsim with a management socket; once /init waits, ask for a
    shutdown through it. Returns (status, serial, stderr)."""
    sock = os.path.join(tmp, "mgmt.sock")
    with open(os.path.join(tmp, "err"), "w+") as err:
        p = subprocess.Popen(cmd + ["--mgmt", sock], stdout=subprocess.PIPE,
                             stderr=err, text=True, errors="replace")
        log = []
        for line in p.stdout:
            log.append(line)
            if SHUTDOWN[0] in line:
                ctl = subprocess.run([hvsim, "ctl", sock, "system_powerdown",
                                      "name=guest"], capture_output=True,
                                     text=True)
                log.append("[ctl %d] %s%s" % (ctl.returncode, ctl.stdout,
                                              ctl.stderr))
        status = p.wait()
        err.seek(0)
        return status, "".join(log), err.read()


PANIC_LINE = "Kernel panic - not syncing: "


def run_panic(hvsim, kernel, initrd, append):
    """No init: the kernel panics; hvsim must say so with status 6."""
    append = append.replace("rdinit=/init", "rdinit=/nonexistent")
    res = subprocess.run([hvsim, "run", "--kernel", kernel, "--initrd",
                          initrd, "--append", append + " init=/nonexistent",
                          "--mem", "512M", "--quiet", "--max-cycles",
                          "20000000000"], capture_output=True, text=True,
                         errors="replace")
    want = "guest crash (vCPU 0)"
    bad = []
    if res.returncode != 6:
        bad.append("exit status 6 (got %d)" % res.returncode)
    if PANIC_LINE not in res.stdout:
        bad.append("the panic on the serial log")
    crash = [l for l in res.stderr.splitlines() if want in l]
    if not crash or PANIC_LINE not in crash[0]:
        bad.append("hvsim's '%s ... %s' line" % (want, PANIC_LINE))
    for m in bad:
        print("missing: %s" % m)
    if bad:
        print(res.stdout[-2000:])
        print(res.stderr[-2000:])
        return 1
    print("ok: %s panicked, status 6: %s" % (os.path.basename(kernel),
                                            crash[0]))
    return 0


def main():
    hvsim, kernel = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    panic = "--panic" in extra
    if panic:
        extra.remove("--panic")
    shutdown = "--shutdown" in extra
    if shutdown:
        extra.remove("--shutdown")
    out = os.path.join(os.environ.get(
        "HVSIM_LINUX_CACHE",
        os.path.join(os.path.expanduser("~"), ".cache", "hvsim", "linux")),
        "out")
    files = [os.path.join(out, n) for n in (kernel, "initramfs.cpio.gz",
                                            "append")]
    if not all(os.path.exists(f) for f in files):
        if os.environ.get("HVSIM_LINUX_REQUIRED"):
            # ./quickstart test fetched it: missing now is a failure.
            print("missing: %s (scripts/linux-guest)" % out)
            return 1
        print("skipped: run scripts/linux-guest first (no %s)" % out)
        return 77
    with open(files[2]) as fh:
        append = fh.read().strip() + (" hvsim.wait" if shutdown else "")
    if panic:
        return run_panic(hvsim, files[0], files[1], append)
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as fh:
            fh.truncate(64 << 20)
        cmd = [hvsim, "run", "--kernel", files[0], "--initrd", files[1],
               "--append", append, "--mem", "512M", "--disk", disk,
               "--quiet", "--max-cycles",
               # waiting for the request costs little host time, but the
               # simulation runs ahead meanwhile: leave it room
               "1000000000000" if shutdown else "60000000000"] + extra
        if shutdown:
            status, log, errs = run_with_shutdown(hvsim, cmd, tmp)
        else:
            res = subprocess.run(cmd, capture_output=True, text=True,
                                 errors="replace")
            status, log, errs = res.returncode, res.stdout, res.stderr
    want = MILESTONES + (SHUTDOWN if shutdown else [])
    bad = [m for m in want if m not in log]
    uds = [l for l in errs.splitlines() if "#UD" in l]
    if status != 0:
        bad.append("exit status 0 (got %d)" % status)
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
    print("ok: %s %s: disk check passed, powered off%s" %
          (kernel, " ".join(extra),
           " on a management-API shutdown" if shutdown else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
