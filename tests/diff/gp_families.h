/*
 * tests/diff/gp_families.h — the case generators of the general-purpose
 * differential test (test_gp_vs_host.c runs them): each builds one random
 * case of its instruction family into a started gp_gen.
 *   gp_gen_data.c: MOV, MOVZX/MOVSX/MOVSXD, LEA, XCHG, CMOVcc, SETcc,
 *                  conversions and flag ops (CBW..CQO, LAHF/SAHF, BSWAP)
 *   gp_gen_flow.c: stack (PUSH/POP/PUSHF/POPF/ENTER/LEAVE), CMPXCHG/XADD
 *                  on memory, string ops, branches, DIV/IDIV faults
 */
#ifndef HVSIM_TESTS_GP_FAMILIES_H_
#define HVSIM_TESTS_GP_FAMILIES_H_

#include "tests/diff/gp_asm.h"

void gen_mov(struct gp_gen *gg);
void gen_movx(struct gp_gen *gg);
void gen_lea(struct gp_gen *gg);
void gen_xchg(struct gp_gen *gg);
void gen_cmov(struct gp_gen *gg);
void gen_setcc(struct gp_gen *gg);
void gen_convert(struct gp_gen *gg);

void gen_stack(struct gp_gen *gg);
void gen_atomic(struct gp_gen *gg);
void gen_string(struct gp_gen *gg);
void gen_branch(struct gp_gen *gg);
void gen_divfault(struct gp_gen *gg);

/* Shared by both files: POPF from a sanitized stack slot (the arithmetic
 * flags and DF random; IF=1, IOPL=0, no TF/AC/NT) so the host, at CPL 3,
 * and the guest, at CPL 0, load the same flags. RSP must be fixed. */
void gp_popf_first(struct gp_gen *gg);
/* A random memory address for a `len`-byte operand (random alignment). */
uint64_t gp_any_ea(struct gp_gen *gg, unsigned len);
/* The same, inside one cache line (for locked accesses). */
uint64_t gp_lock_ea(struct gp_gen *gg, unsigned len);
/* An ordinary ModRM operand pair: reg random, r/m a register or (half the
 * time) memory of `len` bytes, with 32-bit address size now and then. */
void gp_rm_operand(struct gp_gen *gg, struct gp_insn *in, unsigned len);
/* The same with the memory address given. */
void gp_rm_operand_at(struct gp_gen *gg, struct gp_insn *in, unsigned len,
		      uint64_t ea);

#endif
