/*
 * tests/diff/gp_asm.h — a tiny x86-64 assembler for the general-purpose
 * differential test: it appends instructions to a hostexec case and builds
 * memory operands that reach a chosen address in the data window through
 * a random addressing form (base, base+disp8/32, SIB with any scale and
 * REX.X/REX.B registers, index without base, absolute disp32, RIP-relative,
 * 32-bit address size), solving the base or index register's value so the
 * access lands where the case wants it — on the host as in the guest.
 */
#ifndef HVSIM_TESTS_GP_ASM_H_
#define HVSIM_TESTS_GP_ASM_H_

#include "tests/diff/hostexec.h"

/* A case being assembled: registers with roles are "fixed" (their value
 * matters); the others keep their random values. */
struct gp_gen {
	struct hx_case *c;
	struct hx_rng *g;
	uint16_t fixed;	    /* registers whose value is set */
	uint16_t clobbered; /* written by an earlier instruction: no address */
	uint16_t low32;	    /* registers whose upper half is left unspecified */
	uint64_t resv_lo, resv_hi; /* window bytes gp_win_addr keeps clear of */
	bool noise;		   /* sometimes add ignored segment prefixes */
	bool intel;		   /* the host is an Intel CPU */
	bool compat_ok; /* the host can run compatibility-mode cases */
};

/* A memory operand: the ModRM r/m side, its SIB and displacement. */
struct gp_mem {
	uint8_t mod, rm, sib;
	bool has_sib, rip;
	uint8_t rex_xb;	  /* REX.X | REX.B */
	uint8_t disp_len; /* 0, 1 or 4 */
	int32_t disp;
	bool a32; /* needs the 67 prefix (32-bit address size) */
	uint64_t ea;
};

struct gp_insn {
	uint8_t pfx[4], npfx; /* legacy prefixes, in order */
	bool w;		      /* REX.W */
	bool rex;	      /* a REX even with no bit set (SPL..DIL) */
	uint8_t op[3], oplen;
	bool plus_r; /* register in the last opcode byte: `reg` */
	bool modrm;
	uint8_t reg; /* ModRM.reg or +r register, 0..15 */
	bool mem;    /* r/m is `m`, else register `rm` */
	uint8_t rm;
	struct gp_mem m;
	uint8_t imm_len;
	uint64_t imm;
};

void gp_start(struct gp_gen *gg, struct hx_case *c, struct hx_rng *g,
	      enum hx_mode mode);
/* Set a register's input value and mark it fixed. */
void gp_set(struct gp_gen *gg, int r, uint64_t v);
/* A register that is not fixed yet (excluding the `avoid` mask). */
int gp_free_reg(struct gp_gen *gg, uint16_t avoid);
/* Build a memory operand reaching `ea` (`len` bytes, made hot for the
 * report); a32: 32-bit address size. The registers it uses are fixed. */
void gp_mem(struct gp_gen *gg, struct gp_mem *m, uint64_t ea, unsigned len,
	    bool a32);
/* Append an instruction; returns its offset in the code. */
size_t gp_emit(struct gp_gen *gg, const struct gp_insn *in);
/* Append raw bytes. */
size_t gp_bytes(struct gp_gen *gg, const void *b, size_t n);
/* A random operand size 1/2/4/8 from the mask (bit per size). */
int gp_size(struct gp_gen *gg, unsigned sizes);
/* Operand-size prefixes for `size` on an insn (66 or REX.W). */
void gp_osize(struct gp_insn *in, int size);
void gp_prefix(struct gp_insn *in, uint8_t b);
/* Fill the window with random bytes (edge-biased qwords). */
void gp_fill_window(struct gp_gen *gg);
/* A window address with room for `len` bytes, aligned to `align`. */
uint64_t gp_win_addr(struct gp_gen *gg, unsigned lo, unsigned hi, unsigned len,
		     unsigned align);

#endif
