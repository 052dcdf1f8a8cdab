#!/usr/bin/env python3
"""Check that a guest's ring-3 code stays in its user region.

Usage: check_user_region.py OBJDUMP NM GUEST_ELF

The guest runtime maps only [__user_start, __user_end) (see
examples/runtime/sections64.ld) for ring 3. If the compiler made user code
call a kernel function (say, memset for a zeroing loop) or read a kernel
constant, ring 3 would take a #PF at run time. This test finds such
references statically: every direct branch target and every RIP-relative
address in the user region's code must lie inside the user region.
Python 3 standard library only.
"""
import re
import subprocess
import sys

# objdump prints direct branch targets and RIP-relative addresses as
# "<hex> <symbol...>" after the instruction ("call 104060 <uprintf>",
# "lea 0x10(%rip),%rax  # 104c30 <greeting>").
TARGET = re.compile(r"(?:(?:call|jmp|j[a-z]+)\s+|#\s+)([0-9a-f]+) <")


def functions(nm, elf):
    """[(name, start, end)] of the code symbols, sorted; a symbol without
    a size (assembly labels) runs to the next symbol."""
    out = subprocess.run([nm, "-S", "-n", elf], capture_output=True,
                         text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4:
            addr, size, kind, name = parts
            syms.append((int(addr, 16), int(size, 16), kind, name))
        elif len(parts) == 3:
            addr, kind, name = parts
            syms.append((int(addr, 16), None, kind, name))
    funcs = []
    for i, (addr, size, kind, name) in enumerate(syms):
        if kind not in "tT":
            continue
        if size is None:
            later = [a for a, _, _, _ in syms[i + 1:] if a > addr]
            size = (later[0] - addr) if later else 0
        funcs.append((name, addr, addr + size))
    return funcs, {name: addr for addr, _, _, name in syms}


def main():
    objdump, nm, elf = sys.argv[1:4]
    funcs, addrs = functions(nm, elf)
    lo, hi = addrs["__user_start"], addrs["__user_end"]
    bad = []
    code_lines = 0
    for name, start, end in funcs:
        if not (lo <= start < hi) or end <= start:
            continue
        dis = subprocess.run([objdump, "-d", "--no-show-raw-insn",
                              "--start-address=%#x" % start,
                              "--stop-address=%#x" % end, elf],
                             capture_output=True, text=True,
                             check=True).stdout
        for line in dis.splitlines():
            if not re.match(r"\s+[0-9a-f]+:\s", line):
                continue
            code_lines += 1
            for m in TARGET.finditer(line):
                if not lo <= int(m.group(1), 16) < hi:
                    bad.append("%s: %s" % (name, line.strip()))
    print("%s: user region [%#x, %#x), %d instructions checked"
          % (elf, lo, hi, code_lines))
    for b in bad:
        print("FAIL: reference out of the user region:", b)
    if code_lines == 0:
        print("FAIL: no code in the user region")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
