/*
 * cpu/disasm.h — disassembly for people: Capstone's text for traces, error
 * messages and `hvsim disasm`, and the mnemonic our own decoder assigns
 * (so the two can be compared). Not on any hot path.
 */
#ifndef HVSIM_CPU_DISASM_H_
#define HVSIM_CPU_DISASM_H_

#include <stddef.h>
#include <stdint.h>

#include "cpu/dinsn.h"

/* A Capstone handle for one decode mode (16-bit modes share one). */
struct disasm;
struct disasm *disasm_open(enum cpu_mode m);
void disasm_close(struct disasm *h);

/* One instruction as Capstone sees it: mnemonic (with prefix words such
 * as "rep"), operands, length (0: Capstone cannot decode it). */
struct disasm_insn {
	size_t len;
	char mnem[32];
	char ops[160];
};
size_t disasm_decode(struct disasm *h, const uint8_t *b, size_t n,
		     uint64_t addr, struct disasm_insn *out);

/* Disassemble the instruction at b[0..n) (address `addr`) into out as
 * "mnemonic operands". Returns its length, or 0 when Capstone cannot
 * decode it (out then holds "(bad)"). */
size_t disasm_one(struct disasm *h, const uint8_t *b, size_t n, uint64_t addr,
		  char *out, size_t outsz);
/* The same, opening and closing a handle (for one-off messages). */
size_t disasm_format(const uint8_t *b, size_t n, uint64_t addr, enum cpu_mode m,
		     char *out, size_t outsz);

/* The mnemonic of a decoded instruction, spelled as Capstone 4 spells it.
 * Rows whose spelling depends on a size hold the alternatives (optab.c):
 *   "a|b|c"   operand size 2 / 4 / 8 bytes picks a / b / c (cbw|cwde|cdqe)
 *   "@a|b|c"  address size 2 / 4 / 8 picks a / b / c (jcxz|jecxz|jrcxz)
 * Prefixes (rep, lock) are not part of it. Returns buf. */
const char *disasm_mnemonic(const struct dinsn *d, char *buf, size_t n);

/* Capstone's mnemonic without the prefix words it prepends ("rep",
 * "repne", "lock", "bnd", ...): the part to compare with ours. */
const char *disasm_strip_prefixes(const char *cs_mnemonic);

/* Implemented in decode.c: map * 256 + opcode byte of the instruction
 * at b (map 0 one-byte, 1 0F, 2 0F 38, 3 0F 3A), or -1 if the bytes run
 * out first. Used to log each unimplemented opcode once. */
int decode_opcode_key(const uint8_t *b, int n, enum cpu_mode m);

#endif
