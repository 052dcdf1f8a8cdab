#!/usr/bin/env python3
"""Check that the storage guest's writes reached the disk image.

Usage: check_storage_image.py HVSIM STORAGE_ELF

Makes a fresh sparse 32 MiB image in a temporary directory, runs
`HVSIM run --kernel STORAGE_ELF --disk IMAGE`, and passes when hvsim
exits with status 1 (the guest's checks passed) and, for every line
"region SIZE B qd QD: lba L blocks N gen G" the guest printed, the image
holds that region's pattern (examples/guests/storage.c): the 64-bit
little-endian word at byte offset o is
    (o / 8 + 1) * 0x9E3779B97F4A7C15 + G * 0xD1B54A32D192ED03  (mod 2^64),
and every byte after the last region is still zero. Nine regions must be
there. Python 3 standard library only.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

IMAGE_BYTES = 32 << 20
BLOCK = 512
MUL = 0x9E3779B97F4A7C15
GEN = 0xD1B54A32D192ED03
MASK = (1 << 64) - 1
REGION = re.compile(r"^region (\d+) B qd (\d+): lba (\d+) blocks (\d+) "
                    r"gen (\d+)$")


def expected_words(offset, nbytes, gen):
    first = offset // 8 + 1
    return [((first + i) * MUL + gen * GEN) & MASK
            for i in range(nbytes // 8)]


def check_region(img, lba, blocks, gen):
    img.seek(lba * BLOCK)
    data = img.read(blocks * BLOCK)
    if len(data) != blocks * BLOCK:
        return "short read at lba %d" % lba
    got = struct.unpack("<%dQ" % (len(data) // 8), data)
    want = expected_words(lba * BLOCK, len(data), gen)
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return ("lba %d: word at byte %d is %#x, expected %#x"
                    % (lba, lba * BLOCK + 8 * i, g, w))
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    hvsim, elf = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "storage.img")
        with open(path, "wb") as f:
            f.truncate(IMAGE_BYTES)
        run = subprocess.run([hvsim, "run", "--kernel", elf, "--disk", path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, timeout=120)
        if run.returncode != 1:
            print(run.stdout + run.stderr)
            print("FAIL: hvsim exit status %d, expected 1" % run.returncode)
            return 1
        regions = [tuple(int(x) for x in m.groups())
                   for m in map(REGION.match, run.stdout.splitlines()) if m]
        if len(regions) != 9:
            print(run.stdout)
            print("FAIL: %d region lines, expected 9" % len(regions))
            return 1
        problems = []
        end = 0
        with open(path, "rb") as img:
            for size, qd, lba, blocks, gen in regions:
                err = check_region(img, lba, blocks, gen)
                if err:
                    problems.append("region %d B qd %d: %s" % (size, qd, err))
                end = max(end, (lba + blocks) * BLOCK)
            img.seek(end)
            rest = img.read()
            if rest.count(0) != len(rest):
                problems.append("bytes after the last region (%d) were "
                                "written" % end)
    for p in problems:
        print("FAIL: " + p)
    if not problems:
        print("PASS: %d regions (%d bytes) in the image hold the guest's "
              "pattern" % (len(regions), end))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
