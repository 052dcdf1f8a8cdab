/*
 * tests/diff/hostcmp.c — the judging half of hostexec.h: which flags a
 * case may leave undefined (the opcode table's fl_undef, as the SDM lists
 * them), comparing two outcomes, printing a mismatch as a unit test, the
 * random inputs, facts about the host CPU, and the per-executable tally
 * of cases (Criterion runs every test in its own process, so the workers
 * append to a file the runner created and the runner sums it at the end).
 */
#include <cpuid.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/diff/hostexec.h"

#define TALLY_ENV "HVSIM_DIFF_TALLY"

/* ---- undefined flags ----------------------------------------------------- */

uint64_t hx_undef_flags(const uint8_t *code, size_t len, enum hx_mode mode)
{
	enum cpu_mode m = mode == HX_64 ? MODE_LONG64 : MODE_PROT32;
	uint64_t undef = 0;
	size_t off = 0;
	while (off < len) {
		struct dinsn d;
		enum decode_err err =
		    decode_insn(code + off, (int)(len - off), m, &d);
		if (err != DEC_OK) /* the rest faults: nothing more to mask */
			break;
		undef = (undef & ~(uint64_t)d.op->fl_write) | d.op->fl_undef;
		off += d.len;
	}
	return undef & HX_FLAGS;
}

struct hx_mask hx_default_mask(const struct hx_case *c)
{
	return (struct hx_mask){
	    .flags = HX_FLAGS & ~hx_undef_flags(c->code, c->len, c->mode),
	    .regs = 0xFFFF,
	};
}

/* ---- comparing ----------------------------------------------------------- */

/* The bits of register r compared. */
static uint64_t reg_bits(const struct hx_case *c, const struct hx_mask *m,
			 int r)
{
	bool low = c->mode == HX_COMPAT32 || (m && ((m->low32 >> r) & 1));
	return low ? 0xFFFFFFFFull : ~0ull;
}

static const char *const reg_names[16] = {
    "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
    "R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15",
};

static bool skipped(const struct hx_mask *m, unsigned i)
{
	return i >= m->skip_at && i < m->skip_at + 16 &&
	       ((m->skip >> (i - m->skip_at)) & 1);
}

bool hx_differs(const struct hx_case *c, const struct hx_outcome *h,
		const struct hx_outcome *g, const struct hx_mask *m, char *why,
		size_t n)
{
	if (h->vec != g->vec) {
		snprintf(why, n, "exception %d vs %d", h->vec, g->vec);
		return true;
	}
	uint64_t ip_bits = reg_bits(c, NULL, 0);
	if (h->vec >= 0 && (h->rip & ip_bits) != (g->rip & ip_bits)) {
		snprintf(why, n, "faulting RIP");
		return true;
	}
	for (int r = 0; r < 16; r++)
		if (((m->regs >> r) & 1) &&
		    ((h->st.r[r] ^ g->st.r[r]) & reg_bits(c, m, r))) {
			snprintf(why, n, "register %s", reg_names[r]);
			return true;
		}
	if ((h->st.fl ^ g->st.fl) & m->flags) {
		snprintf(why, n, "flags");
		return true;
	}
	for (unsigned i = 0; i < HX_WIN_SIZE && c->win_used; i++)
		if (h->win[i] != g->win[i] && !skipped(m, i)) {
			snprintf(why, n, "memory at %#x", HX_WIN + i);
			return true;
		}
	return false;
}

/* ---- reporting ----------------------------------------------------------- */

static void report_input(const struct hx_case *c)
{
	char line[256];
	int k =
	    snprintf(line, sizeof(line), "\tstatic const uint8_t code[] = {");
	for (size_t i = 0; i <= c->len; i++) {
		uint8_t b = i < c->len ? c->code[i] : 0xF4;
		k += snprintf(line + k, sizeof(line) - (size_t)k, "%s0x%02x",
			      i ? ", " : "", b);
		if (k > 180 || i == c->len) {
			fprintf(stderr, "%s%s\n", line,
				i == c->len ? "};" : ",");
			k = snprintf(line, sizeof(line), "\t\t");
		}
	}
	for (int r = 0; r < 16; r++)
		fprintf(stderr, "\tc->gpr[%s] = 0x%llxull;\n", reg_names[r],
			(unsigned long long)c->in.r[r]);
	fprintf(stderr,
		"\tcpu_set_rflags(c, 0x%llx, RF_ARITH | RF_DF | RF_IF);\n",
		(unsigned long long)((c->in.fl & HX_FLAGS) | RF_IF));
	for (unsigned a = c->hot_lo; c->win_used && a < c->hot_hi; a += 32) {
		unsigned n = c->hot_hi - a < 32 ? c->hot_hi - a : 32;
		k = 0;
		for (unsigned i = 0; i < n; i++)
			k += snprintf(line + k, sizeof(line) - (size_t)k,
				      "\\x%02x", c->win[a + i]);
		fprintf(stderr, "\tfx_poke(fx, 0x%x, \"%s\", %u);\n",
			HX_WIN + a, line, n);
	}
	fprintf(stderr, "\tfx_exec(fx, code, sizeof(code));\n");
}

static void report_results(const struct hx_case *c, const struct hx_outcome *h,
			   const struct hx_outcome *g, const struct hx_mask *m)
{
	fprintf(stderr, "\tcr_expect_eq(fx_vector(fx), %d); /* hvsim: %d */\n",
		h->vec, g->vec);
	if (h->vec >= 0)
		fprintf(stderr,
			"\t/* faulting RIP: host 0x%llx, hvsim 0x%llx;"
			" below, the state at the fault */\n",
			(unsigned long long)h->rip, (unsigned long long)g->rip);
	for (int r = 0; r < 16; r++) {
		uint64_t bits = reg_bits(c, m, r);
		if (((m->regs >> r) & 1) && ((h->st.r[r] ^ g->st.r[r]) & bits))
			fprintf(stderr,
				"\tcr_expect_eq(c->gpr[%s]%s, 0x%llxull);"
				" /* hvsim: 0x%llx */\n",
				reg_names[r],
				bits == ~0ull ? "" : " & 0xFFFFFFFF",
				(unsigned long long)(h->st.r[r] & bits),
				(unsigned long long)(g->st.r[r] & bits));
	}
	fprintf(stderr,
		"\tcr_expect_eq(cpu_get_rflags(c) & 0x%llx, 0x%llx);"
		" /* hvsim: 0x%llx */\n",
		(unsigned long long)m->flags,
		(unsigned long long)(h->st.fl & m->flags),
		(unsigned long long)(g->st.fl & m->flags));
	int shown = 0;
	for (unsigned i = 0; i < HX_WIN_SIZE && c->win_used && shown < 16; i++)
		if (h->win[i] != g->win[i] && !skipped(m, i)) {
			fprintf(stderr,
				"\tcr_expect_eq(fx_peek(fx, 0x%x, 1), "
				"0x%02x); /* hvsim: 0x%02x */\n",
				HX_WIN + i, h->win[i], g->win[i]);
			shown++;
		}
}

void hx_report(const char *name, const struct hx_case *c,
	       const struct hx_outcome *h, const struct hx_outcome *g,
	       const struct hx_mask *m, const char *why)
{
	fprintf(stderr,
		"---- MISMATCH %s: %s; as a unit test (fx = "
		"fx_new(%s), c = fx->cpu; expectations are the host's) "
		"----\n",
		name, why, c->mode == HX_64 ? "FX_LONG64" : "FX_PROT32");
	report_input(c);
	report_results(c, h, g, m);
}

void hx_hot(struct hx_case *c, uint64_t addr, unsigned len)
{
	if (addr < HX_WIN || addr + len > HX_WIN + HX_WIN_SIZE)
		return;
	unsigned lo = (unsigned)(addr - HX_WIN), hi = lo + len;
	if (c->hot_hi == c->hot_lo) {
		c->hot_lo = lo;
		c->hot_hi = hi;
		return;
	}
	c->hot_lo = lo < c->hot_lo ? lo : c->hot_lo;
	c->hot_hi = hi > c->hot_hi ? hi : c->hot_hi;
}

/* ---- random inputs ------------------------------------------------------- */

uint64_t hx_rnd(struct hx_rng *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return g->s * 0x2545F4914F6CDD1Dull;
}

unsigned hx_below(struct hx_rng *g, unsigned n)
{
	return (unsigned)(hx_rnd(g) % n);
}

uint64_t hx_rnd_value(struct hx_rng *g)
{
	static const uint64_t edges[] = {
	    0,
	    1,
	    2,
	    ~0ull,
	    0x7F,
	    0x80,
	    0xFF,
	    0x7FFF,
	    0x8000,
	    0xFFFF,
	    0x7FFFFFFF,
	    0x80000000,
	    0xFFFFFFFF,
	    0x7FFFFFFFFFFFFFFF,
	    0x8000000000000000,
	    0xFFFFFFFF00000000,
	    0xF,
	    0x10,
	};
	uint64_t r = hx_rnd(g);
	switch (r & 7) {
	case 0:
	case 1:
		return edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))] ^
		       ((r >> 40) & 1 ? hx_rnd(g) & ~0xFFFFFFFFull : 0);
	case 2:
		return hx_rnd(g) >> ((r >> 8) & 63);
	case 3:
		return (r >> 8) & 0x3F;
	default:
		return hx_rnd(g);
	}
}

uint64_t hx_seed(const char *name)
{
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	for (const char *p = name; *p; p++)
		seed = (seed ^ (uint8_t)*p) * 0x100000001B3ull;
	return seed | 1;
}

/* ---- host facts ---------------------------------------------------------- */

bool hx_host_has(enum hx_feat f)
{
	unsigned a, b, c, d;
	switch (f) {
	case HXF_POPCNT:
		return __get_cpuid(1, &a, &b, &c, &d) && (c >> 23 & 1);
	case HXF_LZCNT:
		return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c >> 5 & 1);
	case HXF_BMI1:
		return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 3 & 1);
	default:
		return true;
	}
}

bool hx_host_is_intel(void)
{
	unsigned a, b, c, d;
	return __get_cpuid(0, &a, &b, &c, &d) && b == 0x756E6547 &&
	       d == 0x49656E69 && c == 0x6C65746E; /* "GenuineIntel" */
}

/* ---- the tally ----------------------------------------------------------- */

void hx_tally(unsigned long cases, unsigned long mismatches)
{
	const char *path = getenv(TALLY_ENV);
	FILE *f = path ? fopen(path, "a") : NULL;
	if (!f)
		return;
	fprintf(f, "%lu %lu\n", cases, mismatches);
	fclose(f);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
	char path[] = "/tmp/hvsim-diff-tally-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return;
	close(fd);
	setenv(TALLY_ENV, path, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	const char *path = getenv(TALLY_ENV);
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f)
		return;
	unsigned long cases = 0, bad = 0, c, b, tests = 0;
	while (fscanf(f, "%lu %lu", &c, &b) == 2) {
		cases += c;
		bad += b;
		tests++;
	}
	fclose(f);
	unlink(path);
	fprintf(stderr,
		"%s: %lu random differential cases in %lu tests "
		"(x%u scale), %lu mismatches\n",
		program_invocation_short_name, cases, tests, diff_case_scale(),
		bad);
}
