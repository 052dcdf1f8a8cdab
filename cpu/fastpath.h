/*
 * cpu/fastpath.h — specialised runners for the hottest instruction forms.
 *
 * When exec.c decodes a block it asks fast_select() which runner to store
 * next to each decoded instruction: a handler specialised for one form
 * (e.g. 64-bit XOR reg, reg), chosen from a table keyed by the generic
 * handler, operand size and register/memory form, or exec_generic(), which
 * runs the row's generic handler with the full handler contract. The
 * generic handler stays the reference: a fast runner gives bit-identical
 * architectural results.
 *
 * Runner contract (only exec.c's block loop calls runners):
 *  - on entry c->rip holds the next instruction's address; c->insn_rip,
 *    c->cur, cycles and instret are NOT up to date;
 *  - returns true to go on with the block; false after setting c->rip
 *    (a taken branch) or after exec_generic said the block must stop;
 *  - a fast runner never raises, never writes a code page, never reads
 *    time and never changes the mode: any path that might (a TLB miss,
 *    a non-canonical branch target) calls exec_generic(c, d) instead,
 *    which brings everything up to date and runs the generic handler.
 */
#ifndef HVSIM_CPU_FASTPATH_H_
#define HVSIM_CPU_FASTPATH_H_

#include <stdbool.h>

#include "cpu/dinsn.h"

struct cpu;

typedef bool (*fast_fn)(struct cpu *c, const struct dinsn *d);

/* exec.c: run d through its generic handler inside the running block.
 * exec_generic_reg is the cheaper form for rows that touch registers only
 * (no memory, ports, time, halt or mode change): it does not bring cycles
 * and instret up to date and only a branch ends the block after it. */
bool exec_generic(struct cpu *c, const struct dinsn *d);
bool exec_generic_reg(struct cpu *c, const struct dinsn *d);

/* fastpath.c: the runner for d, decoded in `mode`. */
fast_fn fast_select(const struct dinsn *d, enum cpu_mode mode);

#endif
