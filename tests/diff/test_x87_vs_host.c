/*
 * tests/diff/test_x87_vs_host.c — x87 instruction sequences against the
 * host CPU.
 *
 * Each case starts from a random FPU state — TOP, tags, register values
 * biased to the edge encodings (zeros, denormals, pseudo-denormals,
 * unnormals, infinities, QNaN/SNaN, extremes), a random precision and
 * rounding control — loaded with FXRSTOR, runs one to three instructions
 * drawn from optab_x87 itself (memory forms on [rsi+disp8], register forms
 * with random REX.B noise), then FXSAVEs. The same bytes run natively in a
 * generated stub and in the interpreter (whose own FXRSTOR/FXSAVE load and
 * dump the state); the FXSAVE images (FCW, FSW, tags, FOP, FIP and FDP
 * relative to the code and data, ST0-7), the data window, RAX (FNSTSW AX)
 * and the arithmetic flags (FCOMI, FCMOVcc inputs) must agree. One case in
 * four unmasks random exceptions and runs a single instruction: FXSAVE
 * does not wait, so the pending state (ES/B, the untouched or
 * exponent-adjusted destination) is compared too.
 *
 * Not generated: FLDCW, FLDENV/FNSTENV, FRSTOR/FNSAVE (control state; unit
 * tests cover them), FISTTP (SSE3, #UD here, valid on the host). FCS/FDS
 * are not compared (saved as 0 here); FDP and FOP only where the host
 * records them (hvsim records them for every non-control instruction, the
 * behaviour of CPUs with CPUID.(7,0):EBX[6] clear and FOP compatibility
 * mode; many hosts record them only for unmasked exceptions). x86-64
 * hosts only.
 */
#include <cpuid.h>
#include <criterion/criterion.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#undef F_LOCK /* <signal.h>'s lockf constant vs the opcode-table flag */
#include "cpu/ops_fp.h"
#include "diff_scale.h"
#include "tests/common/fixture.h"

#define CASES	    60000u /* x DIFF_LONG_FACTOR with --setup long */
#define WIN	    64	   /* data window at [rsi] */
#define MAX_REPORTS 10
#define SEQ_MAX	    3

/* ---- host side ------------------------------------------------------------
 */

/* The stub's view: the images first (FXSAVE/FXRSTOR need 16-byte
 * alignment), then registers. */
struct hstate {
	uint8_t in[512];   /*    0: FXRSTOR image */
	uint8_t out[512];  /*  512: FXSAVE image */
	uint64_t rax, rsi; /* 1024, 1032 */
	uint64_t fl;	   /* 1040 */
	uint16_t host_cw;  /* 1048 */
} __attribute__((aligned(16)));

struct host {
	uint8_t *stub;
	size_t seq_off; /* where the sequence starts in the stub */
	sigjmp_buf jmp;
};

static sigjmp_buf *trap_jmp;

static void on_trap(int sig)
{
	siglongjmp(*trap_jmp, sig);
}

static uint8_t *put(uint8_t *p, const void *b, size_t n)
{
	memcpy(p, b, n);
	return p + n;
}

/* [rdi+disp32] forms: opcode bytes, then ModRM with reg, then disp32. */
static uint8_t *rdi32(uint8_t *p, const char *op, size_t n, int reg, int off)
{
	p = put(p, op, n);
	*p++ = (uint8_t)(0x87 | reg << 3);
	return put(p, &off, 4);
}

static void host_build(struct host *h, const uint8_t *code, size_t len)
{
	static const uint8_t pro[] = {0x53, 0x55, 0x41, 0x54, 0x41,
				      0x55, 0x41, 0x56, 0x41, 0x57};
	static const uint8_t epi[] = {0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D,
				      0x41, 0x5C, 0x5D, 0x5B, 0xC3};
	cr_assert_eq(0, mprotect(h->stub, 4096, PROT_READ | PROT_WRITE));
	uint8_t *p = put(h->stub, pro, sizeof(pro));
	p = rdi32(p, "\xD9", 1, 7, 1048);     /* fnstcw [rdi+1048] */
	p = rdi32(p, "\x0F\xAE", 2, 1, 0);    /* fxrstor [rdi] */
	p = rdi32(p, "\xFF", 1, 6, 1040);     /* push [rdi+1040] */
	*p++ = 0x9D;			      /* popfq */
	p = rdi32(p, "\x48\x8B", 2, 0, 1024); /* mov rax, [rdi+1024] */
	p = rdi32(p, "\x48\x8B", 2, 6, 1032); /* mov rsi, [rdi+1032] */
	h->seq_off = (size_t)(p - h->stub);
	p = put(p, code, len);
	*p++ = 0x9C;			      /* pushfq */
	p = rdi32(p, "\x8F", 1, 0, 1040);     /* pop [rdi+1040] */
	p = rdi32(p, "\x48\x89", 2, 0, 1024); /* mov [rdi+1024], rax */
	p = rdi32(p, "\x0F\xAE", 2, 0, 512);  /* fxsave [rdi+512] */
	p = put(p, "\xDB\xE3", 2);	      /* fninit */
	p = rdi32(p, "\xD9", 1, 5, 1048);     /* fldcw [rdi+1048] */
	put(p, epi, sizeof(epi));
	cr_assert_eq(0, mprotect(h->stub, 4096, PROT_READ | PROT_EXEC));
}

/* Returns the signal that stopped the stub, 0 if none. A trap leaves the
 * x87 in whatever state: FNINIT and the host control word put it back. */
static int host_run(struct host *h, const uint8_t *code, size_t len,
		    struct hstate *s)
{
	host_build(h, code, len);
	__asm__ volatile("stmxcsr %0" : "=m"(*(uint32_t *)(s->in + 24)));
	trap_jmp = &h->jmp;
	int sig = sigsetjmp(h->jmp, 1);
	if (sig) {
		__asm__ volatile("fninit\n\tfldcw %0" : : "m"(s->host_cw));
		return sig;
	}
	((void (*)(struct hstate *))(void *)h->stub)(s);
	return 0;
}

/* ---- random state -----------------------------------------------------------
 */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return g->s * 0x2545F4914F6CDD1Dull;
}

/* An 80-bit value: significand, sign and exponent. */
static void rnd_f80(struct rng *g, uint8_t *b)
{
	static const struct {
		uint64_t man;
		uint16_t se;
	} edge[] = {
	    {0, 0},			     /* +0 */
	    {0, 0x8000},		     /* -0 */
	    {0x8000000000000000ull, 0x3FFF}, /* 1 */
	    {0x8000000000000000ull, 0x7FFF}, /* inf */
	    {0xC000000000000000ull, 0xFFFF}, /* indefinite */
	    {0xC000000000000001ull, 0x7FFF}, /* QNaN */
	    {0x8000000000000001ull, 0x7FFF}, /* SNaN */
	    {0x0000000000000001ull, 0x0000}, /* denormal */
	    {0x8000000000000000ull, 0x0000}, /* pseudo-denormal */
	    {0x4000000000000000ull, 0x3FFF}, /* unnormal */
	    {0xFFFFFFFFFFFFFFFFull, 0x7FFE}, /* max */
	    {0x8000000000000000ull, 0x0001}, /* min normal */
	    {0x8000000000000000ull, 0x403E}, /* 2^63 */
	    {0xC90FDAA22168C235ull, 0x4000}, /* pi */
	};
	uint64_t r = rnd(g), man;
	uint16_t se;
	switch (r & 7) {
	case 0:
	case 1: {
		unsigned k =
		    (unsigned)((r >> 8) % (sizeof(edge) / sizeof(edge[0])));
		man = edge[k].man;
		se = edge[k].se;
		break;
	}
	case 2: /* a small integer */
		man = (rnd(g) % 1000 + 1) << 54 | 1ull << 63;
		se = (uint16_t)(0x3FFF + 9 - (r >> 9) % 10);
		break;
	default: /* normal, exponent near 0 ± 2^6 or near the extremes */
		man = rnd(g) | 1ull << 63;
		se = (uint16_t)((r >> 16) % 4 ? 0x3FFF + (r >> 20) % 129 - 64
					      : (r >> 24) & 0x7FFF);
		se |= (uint16_t)((r >> 40) & 1) << 15;
		break;
	}
	memcpy(b, &man, 8);
	memcpy(b + 8, &se, 2);
}

/* Memory operand bytes: floats and doubles of edge values, integers,
 * BCD-ish bytes. */
static void rnd_window(struct rng *g, uint8_t *w)
{
	for (int i = 0; i < WIN; i += 16) {
		switch (rnd(g) % 4) {
		case 0:
			rnd_f80(g, w + i);
			memset(w + i + 10, 0, 6);
			break;
		case 1: { /* doubles */
			static const uint64_t d[] = {0,
						     0x3FF0000000000000ull,
						     0x7FF0000000000000ull,
						     0x7FF4000000000000ull,
						     0x0000000000000001ull,
						     0xC08F400000000000ull};
			for (int k = 0; k < 2; k++) {
				uint64_t v =
				    rnd(g) & 1
					? d[rnd(g) % 6]
					: (rnd(g) & 0x800FFFFFFFFFFFFFull) |
					      (0x3C0ull + rnd(g) % 128) << 52;
				memcpy(w + i + 8 * k, &v, 8);
			}
			break;
		}
		case 2: /* small integers of every width */
			for (int k = 0; k < 16; k += 2) {
				uint16_t v =
				    (uint16_t)(rnd(g) % 7 == 0
						   ? 0x8000
						   : rnd(g) % 200 - 100);
				memcpy(w + i + k, &v, 2);
			}
			break;
		default:
			for (int k = 0; k < 16; k += 8) {
				uint64_t v = rnd(g);
				memcpy(w + i + k, &v, 8);
			}
			break;
		}
	}
}

/* The FXRSTOR image: FCW, FSW (TOP, no pending flags), abridged tags,
 * registers in ST order; MXCSR is filled in by host_run. */
static void rnd_image(struct rng *g, uint8_t *img, bool unmasked)
{
	memset(img, 0, 512);
	uint16_t masks = unmasked ? (uint16_t)(rnd(g) & 0x3F) : 0x3F;
	uint16_t cw = (uint16_t)(0x40 | masks | (rnd(g) & 0xF00));
	uint16_t sw =
	    (uint16_t)((rnd(g) & 7) << 11 | (unmasked ? 0 : rnd(g) & 0x3F) |
		       (rnd(g) & 0x4700));
	memcpy(img, &cw, 2);
	memcpy(img + 2, &sw, 2);
	img[4] = (uint8_t)(rnd(g) % 3 ? rnd(g) : rnd(g) % 2 ? 0xFF : 0);
	for (int i = 0; i < 8; i++)
		rnd_f80(g, img + 32 + 16 * i);
}

/* ---- instruction forms from optab_x87 -------------------------------------
 */

struct xform {
	uint8_t esc, idx; /* escape D8+esc, row */
};

static bool excluded(const struct opdesc *r)
{
	return !r->fn || (r->flags & F_INVALID) || r->fn == op_x87_fldcw ||
	       r->fn == op_x87_fldenv || r->fn == op_x87_fnstenv ||
	       r->fn == op_x87_fnsave || r->fn == op_x87_frstor;
}

static int collect_forms(struct xform *f)
{
	int n = 0;
	for (int e = 0; e < 8; e++)
		for (int i = 0; i < 72; i++)
			if (!excluded(&optab_x87[e][i]))
				f[n++] = (struct xform){(uint8_t)e, (uint8_t)i};
	return n;
}

/* Control instructions leave FIP, FDP and FOP alone (SDM Vol. 1 §8.1.8). */
static bool is_control(const struct xform *f)
{
	op_handler fn = optab_x87[f->esc][f->idx].fn;
	return fn == op_x87_fnstcw || fn == op_x87_fnstsw_m ||
	       fn == op_x87_fnstsw_ax || fn == op_x87_fnclex ||
	       fn == op_x87_fninit || fn == op_x87_nop_nowait;
}

/* [REX] D8+esc ModRM [disp8]; memory operands are [rsi+disp8]. */
static size_t encode(const struct xform *f, struct rng *g, uint8_t *p)
{
	uint8_t *s = p;
	/* REX noise: R and X are ignored; B too for register forms (it
	 * would change the base register of a memory form). */
	if ((rnd(g) & 7) == 0)
		*p++ = (uint8_t)(0x40 | (rnd(g) & (f->idx < 8 ? 6 : 7)));
	*p++ = (uint8_t)(0xD8 + f->esc);
	if (f->idx < 8) {
		*p++ = (uint8_t)(0x46 | f->idx << 3);
		*p++ = (uint8_t)(rnd(g) % (WIN - 16));
	} else {
		*p++ = (uint8_t)(0xC0 + f->idx - 8);
	}
	return (size_t)(p - s);
}

/* ---- guest side and comparison ---------------------------------------------
 */

struct outcome {
	int fault;
	uint8_t img[512];
	uint8_t win[WIN];
	uint64_t rax, fl;
};

struct env {
	struct host host;
	struct fx *fx;
	struct rng g;
	bool fdp_exception_only;
	unsigned cases, mismatches, unmasked;
	struct hstate hs;
	uint8_t hwin[WIN] __attribute__((aligned(16)));
};

#define GUEST_IMG (FX_DATA + 0x1000)

static void run_on_guest(struct env *e, const uint8_t *seq, size_t len,
			 const struct hstate *in, const uint8_t *win,
			 struct outcome *o)
{
	struct cpu *c = e->fx->cpu;
	uint8_t code[64];
	static const uint8_t pre[] = {0x0F, 0xAE, 0x0F}; /* fxrstor [rdi] */
	static const uint8_t post[] = {
	    0x0F, 0xAE, 0x87, 0x00,
	    0x02, 0x00, 0x00, 0xF4}; /* fxsave [rdi+512]; hlt */
	memcpy(code, pre, sizeof(pre));
	memcpy(code + sizeof(pre), seq, len);
	memcpy(code + sizeof(pre) + len, post, sizeof(post));
	fx_poke(e->fx, GUEST_IMG, in->in, 512);
	fx_poke(e->fx, FX_DATA, win, WIN);
	c->gpr[RDI] = GUEST_IMG;
	c->gpr[RSI] = FX_DATA;
	c->gpr[RAX] = in->rax;
	c->gpr[RSP] = FX_STACK;
	cpu_set_rflags(c, in->fl, RF_ARITH);
	fx_exec(e->fx, code, sizeof(pre) + len + sizeof(post));
	o->fault = fx_vector(e->fx);
	physmem_copy_from(e->fx->mem, o->img, GUEST_IMG + 512, 512);
	physmem_copy_from(e->fx->mem, o->win, FX_DATA, WIN);
	o->rax = c->gpr[RAX];
	o->fl = cpu_get_rflags(c);
}

static uint32_t get32(const uint8_t *b, int off)
{
	uint32_t v;
	memcpy(&v, b + off, 4);
	return v;
}

/* Express FIP/FDP relative to the code and data bases, and clear what is
 * not compared (FCS, FDS, MXCSR and its mask, and FDP where the host only
 * records it on exceptions). */
static void normalise(uint8_t *img, uint32_t code_base, uint32_t data_base,
		      bool fdp)
{
	uint32_t fip = get32(img, 8), fdp_v = fdp ? get32(img, 16) : 0;
	fip -= fip ? code_base : 0; /* 0: reset by FNINIT or never set */
	fdp_v -= fdp_v ? data_base : 0;
	memcpy(img + 8, &fip, 4);
	memcpy(img + 16, &fdp_v, 4);
	memset(img + 12, 0, 4);
	memset(img + 20, 0, 12);
}

static const char *differs(struct env *e, const struct outcome *h,
			   const struct outcome *g, uint32_t host_code,
			   uint32_t host_data, bool last_has_mem)
{
	if (h->fault || g->fault != -1)
		return (h->fault != 0) == (g->fault != -1) ? NULL : "fault";
	uint8_t hi[160], gi[160];
	memcpy(hi, h->img, 160);
	memcpy(gi, g->img, 160);
	/* Hosts may record FDP (CPUID.(7,0):EBX[6]) and FOP (the SDM's
	 * "fopcode compatibility" choice) only for an unmasked exception:
	 * compare them when the host recorded them. */
	bool fdp = (!e->fdp_exception_only && last_has_mem) || get32(hi, 16);
	if (!(hi[6] | hi[7]))
		gi[6] = gi[7] = 0;
	normalise(hi, host_code, host_data, fdp);
	normalise(gi, (uint32_t)FX_CODE + 3, (uint32_t)FX_DATA, fdp);
	if (memcmp(hi, gi, 32))
		return "control/status/tags/pointers";
	if (memcmp(hi + 32, gi + 32, 128))
		return "registers";
	if (memcmp(h->win, g->win, WIN))
		return "memory";
	if ((uint16_t)h->rax != (uint16_t)g->rax)
		return "ax";
	if ((h->fl ^ g->fl) & RF_ARITH)
		return "rflags";
	return NULL;
}

static void dump(const char *what, const uint8_t *img, const uint8_t *win,
		 uint64_t rax, uint64_t fl)
{
	char line[1024];
	int n = snprintf(line, sizeof(line),
			 "  %-6s fcw=%04x fsw=%04x ftw=%02x fop=%03x fip=%08x "
			 "fdp=%08x ax=%04x fl=%03llx\n",
			 what, img[0] | img[1] << 8, img[2] | img[3] << 8,
			 img[4], img[6] | img[7] << 8, get32(img, 8),
			 get32(img, 16), (unsigned)(uint16_t)rax,
			 (unsigned long long)(fl & RF_ARITH));
	for (int i = 0; i < 8; i++) {
		const uint8_t *r = img + 32 + 16 * i;
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      "    st%d %02x%02x:%016llx%s", i, r[9], r[8],
			      (unsigned long long)(*(const uint64_t *)r),
			      i & 1 ? "\n" : "");
	}
	n += snprintf(line + n, sizeof(line) - (size_t)n, "    mem");
	for (int i = 0; i < WIN; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%02x",
			      i % 16 ? "" : " ", win[i]);
	cr_log_error("%s", line);
}

static void run_case(struct env *e, const struct xform *forms, int nforms)
{
	uint8_t seq[SEQ_MAX * 4], win[WIN];
	size_t len = 0;
	bool unmasked = rnd(&e->g) % 4 == 0, mem = false;
	int count = unmasked ? 1 : 1 + (int)(rnd(&e->g) % SEQ_MAX);
	for (int i = 0; i < count; i++) {
		const struct xform *f = &forms[rnd(&e->g) % (unsigned)nforms];
		len += encode(f, &e->g, seq + len);
		if (!is_control(f))
			mem = f->idx < 8;
	}
	struct hstate *hs = &e->hs;
	rnd_image(&e->g, hs->in, unmasked);
	rnd_window(&e->g, win);
	hs->rax = rnd(&e->g);
	hs->rsi = (uint64_t)(uintptr_t)e->hwin;
	hs->fl = 0x202 | (rnd(&e->g) & RF_ARITH);
	struct hstate in = *hs;
	memcpy(e->hwin, win, WIN);

	struct outcome h, g;
	h.fault = host_run(&e->host, seq, len, hs);
	memcpy(h.img, hs->out, 512);
	memcpy(h.win, e->hwin, WIN);
	h.rax = hs->rax;
	h.fl = hs->fl;
	memcpy(in.in + 24, hs->in + 24, 4); /* the MXCSR host_run put there */
	run_on_guest(e, seq, len, &in, win, &g);
	e->cases++;
	e->unmasked += unmasked;
	uint32_t code = (uint32_t)(uintptr_t)(e->host.stub + e->host.seq_off);
	const char *why =
	    differs(e, &h, &g, code, (uint32_t)(uintptr_t)e->hwin, mem);
	if (!why || ++e->mismatches > MAX_REPORTS)
		return;
	char hex[64];
	int n = 0;
	for (size_t i = 0; i < len; i++)
		n +=
		    snprintf(hex + n, sizeof(hex) - (size_t)n, "%02x ", seq[i]);
	cr_log_error("%s differs (host fault %d, guest vector %d); bytes %s",
		     why, h.fault, g.fault, hex);
	dump("input", in.in, win, in.rax, in.fl);
	dump("host", h.img, h.win, h.rax, h.fl);
	dump("hvsim", g.img, g.win, g.rax, g.fl);
}

Test(x87_vs_host, random_sequences_agree_with_the_host, .timeout = 300)
{
	static struct env e;
	static struct xform forms[8 * 72];
	struct sigaction sa = {.sa_handler = on_trap};
	sigemptyset(&sa.sa_mask);
	cr_assert_eq(0, sigaction(SIGILL, &sa, NULL));
	cr_assert_eq(0, sigaction(SIGSEGV, &sa, NULL));
	cr_assert_eq(0, sigaction(SIGFPE, &sa, NULL));
	unsigned a, b, c, d;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
		e.fdp_exception_only = (b >> 6) & 1;
	e.host.stub = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(e.host.stub, MAP_FAILED);
	e.fx = fx_new(FX_LONG64);
	e.g.s = 0x0870F00D5EED1234ull;
	int n = collect_forms(forms);
	cr_assert_gt(n, 400, "only %d x87 forms in the table", n);
	for (unsigned i = 0, m = CASES * diff_case_scale(); i < m; i++)
		run_case(&e, forms, n);
	cr_log_info("%d forms, %u cases (%u unmasked), %u mismatches", n,
		    e.cases, e.unmasked, e.mismatches);
	cr_assert_eq(e.mismatches, 0, "%u of %u cases differ (first %d above)",
		     e.mismatches, e.cases, MAX_REPORTS);
	fx_free(e.fx);
	munmap(e.host.stub, 4096);
}
