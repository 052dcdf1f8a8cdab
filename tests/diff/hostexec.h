/*
 * tests/diff/hostexec.h — run the same instruction bytes on the host CPU and
 * in the interpreter, and compare what they did (differential tests against
 * the host, x86-64 hosts only).
 *
 * Both sides see the same addresses: the code under test sits at HX_CODE
 * and a 4 KiB data window at HX_WIN, in the host process (fixed mappings)
 * as in the guest (the unit-test fixture's identity-mapped RAM), so
 * pointers, stack addresses, RIP-relative operands and return addresses
 * agree without translation. A case is the code, the 16 GPRs, the
 * arithmetic flags and DF, and the window contents; an outcome is the same
 * state afterwards plus the exception vector taken (-1 for none; on the
 * host a signal maps back to its vector, e.g. SIGFPE to #DE).
 *
 * Cases run in 64-bit mode, or in 32-bit compatibility mode on the host
 * (user code segment 0x23) against the fixture's 32-bit protected mode —
 * the only way to reach 16-bit addressing from a 64-bit process. In
 * compatibility mode only the low 32 bits of the registers are compared.
 */
#ifndef HVSIM_TESTS_HOSTEXEC_H_
#define HVSIM_TESTS_HOSTEXEC_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* <signal.h> (pulled in by users) defines F_LOCK for lockf(); the opcode
 * table has a flag of that name. */
#undef F_LOCK
#include "tests/common/fixture.h"
#include "tests/diff/diff_scale.h"

#define HX_CODE	    FX_CODE /* code under test, host and guest */
#define HX_CODE_MAX 1024    /* its maximum length */
#define HX_WIN	    FX_DATA /* the data window, host and guest */
#define HX_WIN_SIZE 4096u
#define HX_FLAGS    (RF_ARITH | RF_DF) /* flags a case sets and reads */

enum hx_mode { HX_64, HX_COMPAT32 };

struct hx_state {
	uint64_t r[16]; /* by register number (RAX..R15), RSP included */
	uint64_t fl;	/* HX_FLAGS bits; IF is 1 on both sides */
};

struct hx_case {
	enum hx_mode mode;
	bool win_used; /* copy and compare the window */
	uint8_t code[HX_CODE_MAX];
	size_t len;
	struct hx_state in;
	unsigned hot_lo, hot_hi; /* window bytes a report prints (offsets) */
	uint8_t win[HX_WIN_SIZE] __attribute__((aligned(16)));
};

struct hx_outcome {
	struct hx_state st; /* after the code, or at the fault */
	int vec;	    /* exception taken, -1 for none */
	uint64_t rip;	    /* the faulting instruction, when vec >= 0 */
	uint8_t win[HX_WIN_SIZE] __attribute__((aligned(16)));
};

/* ---- running --------------------------------------------------------- */

struct hx_host;
struct hx_host *hx_host_new(void);
void hx_host_free(struct hx_host *h);
/* Can this host run compatibility-mode code (checked once)? */
bool hx_host_can_compat(const struct hx_host *h);
void hx_host_run(struct hx_host *h, const struct hx_case *c,
		 struct hx_outcome *o);

struct hx_guest {
	struct fx *fx64, *fx32;
};
void hx_guest_init(struct hx_guest *g);
void hx_guest_fini(struct hx_guest *g);
void hx_guest_run(struct hx_guest *g, const struct hx_case *c,
		  struct hx_outcome *o);

/* ---- comparing and reporting ------------------------------------------ */

struct hx_mask {
	uint64_t flags; /* RFLAGS bits compared */
	uint16_t regs;	/* registers compared, bit per register */
	uint16_t low32; /* of those, compared in their low 32 bits only */
	uint16_t skip;	/* window bytes skip_at + i (bit i) not compared */
	unsigned skip_at;
};

/* The flags the SDM leaves undefined after running `code` straight
 * through (each row's fl_undef, cleared again by later writes). */
uint64_t hx_undef_flags(const uint8_t *code, size_t len, enum hx_mode mode);
/* The usual mask: all registers, HX_FLAGS without the undefined ones. */
struct hx_mask hx_default_mask(const struct hx_case *c);
/* Compare; on a difference write what differs first into why. */
bool hx_differs(const struct hx_case *c, const struct hx_outcome *h,
		const struct hx_outcome *g, const struct hx_mask *m, char *why,
		size_t n);
/* Log a mismatch as C lines that rebuild the case in a unit test, with
 * the host's results as expectations and hvsim's in comments. */
void hx_report(const char *name, const struct hx_case *c,
	       const struct hx_outcome *h, const struct hx_outcome *g,
	       const struct hx_mask *m, const char *why);
/* Widen the case's hot window range to cover [addr, addr + len). */
void hx_hot(struct hx_case *c, uint64_t addr, unsigned len);

/* ---- random inputs ---------------------------------------------------- */

struct hx_rng {
	uint64_t s;
};
uint64_t hx_rnd(struct hx_rng *g);
/* Uniform in [0, n). */
unsigned hx_below(struct hx_rng *g, unsigned n);
/* A 64-bit value biased towards the edges of every width. */
uint64_t hx_rnd_value(struct hx_rng *g);
/* A fixed seed from a name (runs are repeatable). */
uint64_t hx_seed(const char *name);

/* ---- host facts and bookkeeping --------------------------------------- */

enum hx_feat { HXF_NONE, HXF_POPCNT, HXF_LZCNT, HXF_BMI1 };
bool hx_host_has(enum hx_feat f);
bool hx_host_is_intel(void);
/* Add a test's cases and mismatches to the executable's total, which is
 * printed when all its tests have run. */
void hx_tally(unsigned long cases, unsigned long mismatches);

#endif
