/*
 * tests/diff/test_gp_vs_host.c — the general-purpose instructions the ALU
 * test does not cover, against the host CPU: data movement (MOV in every
 * form, MOVZX/MOVSX/MOVSXD, LEA in every addressing form, XCHG, CMOVcc,
 * SETcc, conversions, LAHF/SAHF, BSWAP), the stack (PUSH/POP/PUSHF/POPF/
 * ENTER/LEAVE), CMPXCHG/XADD on memory, the string instructions, branches
 * and loops, and the faults of DIV/IDIV.
 *
 * Each family (gp_families.h) builds random cases from a fixed seed; every
 * case runs natively and in the interpreter at the same addresses
 * (hostexec.h). All 16 GPRs, the data window and the arithmetic flags and
 * DF must agree, the flags under the undefined masks of the opcode-table
 * rows the code runs through (fl_undef); a fault must be the same vector at
 * the same RIP, with the state at the fault the same. One Criterion test
 * per family, 45,000 cases each by default (x100 with HVSIM_DIFF_LONG=1).
 * HVSIM_DIFF_REPORTS=n prints up to n mismatches per family (default 8).
 * x86-64 hosts only (tests/diff/meson.build).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/diff/gp_families.h"

#define CASES	    45000u
#define MAX_REPORTS 8

struct family {
	const char *name;
	void (*gen)(struct gp_gen *gg);
};

struct run {
	struct hx_host *host;
	struct hx_guest guest;
	struct hx_rng g;
	struct gp_gen gg;
	struct hx_case c;
	struct hx_outcome h, gst;
	unsigned long cases, mismatches, faults, compat;
	unsigned long max_reports;
};

/* Flags compared: the undefined ones of the instructions that ran (up to
 * the faulting one, when the host faulted) are masked. */
static struct hx_mask case_mask(const struct run *r)
{
	struct hx_mask m = hx_default_mask(&r->c);
	m.low32 = r->gg.low32;
	uint64_t at = r->h.rip - HX_CODE;
	if (r->h.vec >= 0 && at <= r->c.len)
		m.flags = HX_FLAGS &
			  ~hx_undef_flags(r->c.code, (size_t)at, r->c.mode);
	return m;
}

static void one_case(struct run *r, const struct family *f)
{
	gp_start(&r->gg, &r->c, &r->g, HX_64);
	f->gen(&r->gg);
	hx_host_run(r->host, &r->c, &r->h);
	hx_guest_run(&r->guest, &r->c, &r->gst);
	r->cases++;
	r->faults += r->h.vec >= 0;
	r->compat += r->c.mode == HX_COMPAT32;
	struct hx_mask m = case_mask(r);
	char why[64];
	if (!hx_differs(&r->c, &r->h, &r->gst, &m, why, sizeof(why)))
		return;
	if (++r->mismatches <= r->max_reports) {
		char name[48];
		snprintf(name, sizeof(name), "gp_vs_host/%s case %lu", f->name,
			 r->cases - 1);
		hx_report(name, &r->c, &r->h, &r->gst, &m, why);
	}
}

static void run_family(const struct family *f)
{
	struct run *r = calloc(1, sizeof(*r)); /* cases are 5 KiB each */
	cr_assert_not_null(r);
	r->g.s = hx_seed(f->name);
	const char *mr = getenv("HVSIM_DIFF_REPORTS");
	r->max_reports = mr ? strtoul(mr, NULL, 0) : MAX_REPORTS;
	r->host = hx_host_new();
	hx_guest_init(&r->guest);
	r->gg.intel = hx_host_is_intel();
	r->gg.compat_ok = hx_host_can_compat(r->host);
	unsigned n = CASES * diff_case_scale();
	for (unsigned i = 0; i < n; i++)
		one_case(r, f);
	hx_guest_fini(&r->guest);
	hx_host_free(r->host);
	hx_tally(r->cases, r->mismatches);
	cr_log_info("%s: %lu cases (%lu faulting, %lu in compatibility mode)",
		    f->name, r->cases, r->faults, r->compat);
	unsigned long bad = r->mismatches, cases = r->cases;
	free(r);
	cr_expect_eq(bad, 0, "%s: %lu of %lu cases differ from the host",
		     f->name, bad, cases);
}

#define FAMILY(fn)                                                             \
	Test(gp_vs_host, fn)                                                   \
	{                                                                      \
		static const struct family fam = {#fn, gen_##fn};              \
		run_family(&fam);                                              \
	}

FAMILY(mov)
FAMILY(movx)
FAMILY(lea)
FAMILY(xchg)
FAMILY(cmov)
FAMILY(setcc)
FAMILY(convert)
FAMILY(stack)
FAMILY(atomic)
FAMILY(string)
FAMILY(branch)
FAMILY(divfault)
