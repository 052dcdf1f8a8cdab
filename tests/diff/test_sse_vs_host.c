/*
 * tests/diff/test_sse_vs_host.c — every SSE/SSE2 instruction form of the
 * opcode table against the host CPU.
 *
 * The forms are read from optab_0f_pfx itself: each implemented row (and
 * each row of the groups below it) is encoded with random XMM/GPR
 * registers, register or [rsi+disp8] memory operands, random REX bits
 * (REX.W too, which must be ignored where it does not select a size) and a
 * random imm8. Each case runs twice: natively, in a stub generated into an
 * mmap'd page that loads XMM0-15, the operand GPRs, RFLAGS and MXCSR from
 * a struct, executes the bytes and stores everything back; and in the
 * interpreter, through the unit-test fixture. Inputs come from a fixed
 * seed and favour the FP edge cases (±0, ±inf, QNaN, SNaN, denormals,
 * extremes, integers as floats), with a random rounding mode, FTZ, DAZ and
 * sticky flags. One case in eight unmasks random exceptions: the host then
 * traps (SIGFPE) and the MXCSR of its signal context — the flags the SDM's
 * pre-/post-computation rules leave — must equal the guest's at its #XM.
 * Otherwise XMM0-15, the GPRs, MXCSR, the six arithmetic flags and the
 * memory window must agree bit for bit; a mismatch prints the bytes, the
 * inputs and both outcomes.
 *
 * MASKMOVDQU (stores through RDI, the stub's state pointer) is left to the
 * unit tests. x86-64 hosts only (tests/diff/meson.build).
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

/* <signal.h> drags in F_LOCK (lockf), the name of an opcode-table flag. */
#undef F_LOCK
#include "cpu/ops_fp.h"
#include "diff_scale.h"
#include "tests/common/fixture.h"

#define CASES_PER_FORM 700u /* x DIFF_LONG_FACTOR with --setup long */
#define WIN	       144 /* memory window at [rsi], compared after each case */
#define MAX_REPORTS    10

/* GPRs the generated instructions may name (RSI is the memory base, RDI
 * the stub's state pointer, RSP the stack). */
static const uint8_t gpr_pool[] = {RAX, RCX, RDX, RBX, R8, R9, R10, R11};

/* ---- the host side --------------------------------------------------------
 */

struct hstate {
	uint64_t x[16][2];   /*   0: XMM0-15 */
	uint64_t r[16];	     /* 256: GPRs by number */
	uint64_t fl;	     /* 384: RFLAGS */
	uint32_t mxcsr;	     /* 392 */
	uint32_t host_mxcsr; /* 396: the stub's own */
};
_Static_assert(sizeof(struct hstate) == 400, "offsets used by the stub");

struct host {
	uint8_t *stub; /* one page, RX while running */
	sigjmp_buf jmp;
};

/* A signal handler takes no context argument: the jump buffer it needs,
 * and the MXCSR of the trapping instruction it hands back, are the
 * process-wide objects (Criterion runs each test in its own process). */
static sigjmp_buf *trap_jmp;
static uint32_t trap_mxcsr;

static void on_trap(int sig, siginfo_t *si, void *ctx)
{
	const ucontext_t *uc = ctx;
	(void)si;
	if (uc->uc_mcontext.fpregs)
		trap_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
	siglongjmp(*trap_jmp, sig);
}

static uint8_t *emit_disp32(uint8_t *p, uint32_t d)
{
	memcpy(p, &d, 4);
	return p + 4;
}

/* movdqu xmm, [rdi+off] / movdqu [rdi+off], xmm */
static uint8_t *emit_xmm(uint8_t *p, int x, int off, bool store)
{
	*p++ = 0xF3;
	if (x >= 8)
		*p++ = 0x44;
	*p++ = 0x0F;
	*p++ = store ? 0x7F : 0x6F;
	*p++ = (uint8_t)(0x87 | (x & 7) << 3);
	return emit_disp32(p, (uint32_t)off);
}

/* mov r64, [rdi+off] / mov [rdi+off], r64 */
static uint8_t *emit_gpr(uint8_t *p, int r, int off, bool store)
{
	*p++ = (uint8_t)(0x48 | (r >= 8 ? 4 : 0));
	*p++ = store ? 0x89 : 0x8B;
	*p++ = (uint8_t)(0x87 | (r & 7) << 3);
	return emit_disp32(p, (uint32_t)off);
}

/* 0F AE /r [rdi+off]: /2 LDMXCSR, /3 STMXCSR; FF /6 push, 8F /0 pop. */
static uint8_t *emit_op_rdi(uint8_t *p, const uint8_t *op, int n, int reg,
			    int off)
{
	memcpy(p, op, (size_t)n);
	p += n;
	*p++ = (uint8_t)(0x87 | reg << 3);
	return emit_disp32(p, (uint32_t)off);
}

static const uint8_t OP_0FAE[] = {0x0F, 0xAE}, OP_PUSH[] = {0xFF},
		     OP_POP[] = {0x8F};

static void host_build(struct host *h, const uint8_t *code, size_t len)
{
	static const uint8_t pro[] = {0x53, 0x55, 0x41, 0x54, 0x41,
				      0x55, 0x41, 0x56, 0x41, 0x57};
	static const uint8_t epi[] = {0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D,
				      0x41, 0x5C, 0x5D, 0x5B, 0xC3};
	cr_assert_eq(0, mprotect(h->stub, 4096, PROT_READ | PROT_WRITE));
	uint8_t *p = h->stub;
	memcpy(p, pro, sizeof(pro));
	p += sizeof(pro);
	p = emit_op_rdi(p, OP_0FAE, 2, 3, 396);
	for (int x = 0; x < 16; x++)
		p = emit_xmm(p, x, 16 * x, false);
	for (size_t i = 0; i < sizeof(gpr_pool); i++)
		p = emit_gpr(p, gpr_pool[i], 256 + 8 * gpr_pool[i], false);
	p = emit_gpr(p, RSI, 256 + 8 * RSI, false);
	p = emit_op_rdi(p, OP_0FAE, 2, 2, 392);
	p = emit_op_rdi(p, OP_PUSH, 1, 6, 384);
	*p++ = 0x9D; /* popfq */
	memcpy(p, code, len);
	p += len;
	*p++ = 0x9C; /* pushfq */
	p = emit_op_rdi(p, OP_POP, 1, 0, 384);
	p = emit_op_rdi(p, OP_0FAE, 2, 3, 392);
	for (int x = 0; x < 16; x++)
		p = emit_xmm(p, x, 16 * x, true);
	for (size_t i = 0; i < sizeof(gpr_pool); i++)
		p = emit_gpr(p, gpr_pool[i], 256 + 8 * gpr_pool[i], true);
	p = emit_op_rdi(p, OP_0FAE, 2, 2, 396);
	memcpy(p, epi, sizeof(epi));
	cr_assert_eq(0, mprotect(h->stub, 4096, PROT_READ | PROT_EXEC));
}

/* Run on the host; returns the exception vector the signal that stopped
 * it stands for, or -1. A trap leaves the stub through siglongjmp, which
 * does not restore MXCSR: the host's is put back here. */
static int host_run(struct host *h, const uint8_t *code, size_t len,
		    struct hstate *s)
{
	volatile uint32_t mxcsr;
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	host_build(h, code, len);
	trap_jmp = &h->jmp;
	int sig = sigsetjmp(h->jmp, 1);
	if (sig) {
		__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
		s->mxcsr = trap_mxcsr;
		return sig == SIGSEGV  ? EXC_GP
		       : sig == SIGILL ? EXC_UD
		       : sig == SIGFPE ? EXC_XM
				       : 100 + sig;
	}
	((void (*)(struct hstate *))(void *)h->stub)(s);
	return -1;
}

/* ---- random inputs ------------------------------------------------------- */

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

static uint32_t rnd_f32(struct rng *g)
{
	static const uint32_t edge[] = {
	    0,		0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000,
	    0xFFC00000, 0x7FA00000, 0xFF800001, 0x00000001, 0x807FFFFF,
	    0x00800000, 0x80800000, 0x7F7FFFFF, 0x3F800000, 0xBF800000,
	    0x4B000000, 0x4F000000, 0xCF000000, 0x5F000000, 0x3F000000,
	    0x00400000,
	};
	uint64_t r = rnd(g);
	switch (r & 7) {
	case 0:
	case 1:
		return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
	case 2: { /* a small integer, exact in both formats */
		float f = (float)((int32_t)(r >> 16) % 1000);
		uint32_t u;
		memcpy(&u, &f, 4);
		return u;
	}
	case 3: /* near the denormal boundary */
		return (uint32_t)((r >> 32) & 0x80FFFFFF);
	default: /* sign, exponent around 1.0 ± 2^40, random significand */
		return (uint32_t)((r >> 63) << 31 |
				  ((127 + (r >> 8) % 81 - 40) << 23) |
				  ((r >> 20) & 0x7FFFFF));
	}
}

static uint64_t rnd_f64(struct rng *g)
{
	static const uint64_t edge[] = {
	    0,
	    0x8000000000000000,
	    0x7FF0000000000000,
	    0xFFF0000000000000,
	    0x7FF8000000000000,
	    0xFFF8000000000000,
	    0x7FF4000000000000,
	    0x0000000000000001,
	    0x800FFFFFFFFFFFFF,
	    0x0010000000000000,
	    0x7FEFFFFFFFFFFFFF,
	    0x3FF0000000000000,
	    0xBFF0000000000000,
	    0x41E0000000000000,
	    0xC1E0000000000000,
	    0x43E0000000000000,
	    0x3FE0000000000000,
	    0x4330000000000000,
	    0x47EFFFFFE0000000,
	    0x3810000000000000,
	    0x36A0000000000000,
	};
	uint64_t r = rnd(g);
	switch (r & 7) {
	case 0:
	case 1:
		return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
	case 2: {
		double f = (double)((int64_t)(r >> 16) % 100000);
		uint64_t u;
		memcpy(&u, &f, 8);
		return u;
	}
	case 3: /* around the float range, to exercise CVTSD2SS */
		return (r >> 63) << 63 | (1023 + (r >> 8) % 300 - 150) << 52 |
		       (rnd(g) & 0xFFFFFFFFFFFFFull);
	default:
		return (r >> 63) << 63 | (1023 + (r >> 8) % 81 - 40) << 52 |
		       (rnd(g) & 0xFFFFFFFFFFFFFull);
	}
}

/* 16 bytes as floats, doubles or integers. */
static void rnd_xmm(struct rng *g, uint64_t q[2])
{
	switch (rnd(g) % 5) {
	case 0:
	case 1:
		for (int i = 0; i < 2; i++)
			q[i] = rnd_f32(g) | (uint64_t)rnd_f32(g) << 32;
		break;
	case 2:
	case 3:
		for (int i = 0; i < 2; i++)
			q[i] = rnd_f64(g);
		break;
	default:
		for (int i = 0; i < 2; i++)
			q[i] = rnd(g) >> (rnd(g) & 1 ? 0 : rnd(g) % 64);
		break;
	}
}

/* ---- forms from the opcode table ------------------------------------------
 */

struct form {
	const struct opdesc *row;
	uint8_t col, op;
	int8_t group_reg; /* ModRM.reg forced by a group, else -1 */
	bool reg_ok, mem_ok;
};

#define MAX_FORMS 512

static bool is_rm_kind(int k)
{
	return k == O_W || k == O_U || k == O_M || k == O_E;
}

static bool testable(const struct opdesc *r)
{
	return r->fn && !(r->flags & (F_INVALID | F_GROUP | F_PREFIX)) &&
	       r->fn != op_sse_maskmov;
}

static void add_form(struct form *f, int *n, const struct opdesc *r, int col,
		     int op, int greg, bool reg_ok, bool mem_ok)
{
	if (!testable(r) || *n >= MAX_FORMS)
		return;
	for (int i = 0; i < 3; i++) {
		if (r->opnd[i] == O_U)
			mem_ok = false;
		if (r->opnd[i] == O_M)
			reg_ok = false;
	}
	f[(*n)++] = (struct form){
	    r, (uint8_t)col, (uint8_t)op, (int8_t)greg, reg_ok, mem_ok};
}

static int collect_forms(struct form *f)
{
	int n = 0;
	for (int op = 0; op < 256; op++) {
		if (!(optab_0f[op].flags & F_PREFIX) ||
		    optab_0f[op].sub_table != optab_0f_pfx[op])
			continue;
		for (int col = 0; col < 4; col++) {
			const struct opdesc *r = &optab_0f_pfx[op][col];
			if (!(r->flags & F_GROUP)) {
				add_form(f, &n, r, col, op, -1, true, true);
				continue;
			}
			/* 16-row groups: memory half [0..7], register [8..15]
			 */
			for (int reg = 0; reg < 8; reg++) {
				add_form(f, &n, &r->sub_table[reg], col, op,
					 reg, false, true);
				add_form(f, &n, &r->sub_table[8 + reg], col, op,
					 reg, true, false);
			}
		}
	}
	return n;
}

/* ---- one case -------------------------------------------------------------
 */

struct enc {
	uint8_t b[16];
	size_t len;
};

static uint8_t rnd_gpr(struct rng *g)
{
	return gpr_pool[rnd(g) % sizeof(gpr_pool)];
}

/* [66|F3|F2] [REX] 0F op ModRM [disp8] [imm8]; memory is [rsi+16k], and
 * one time in 16 misaligned (#GP for the aligned forms, SIGSEGV on the
 * host). */
static void encode(const struct form *f, struct rng *g, struct enc *e)
{
	static const uint8_t mand[4] = {0, 0x66, 0xF3, 0xF2};
	const struct opdesc *r = f->row;
	int reg_kind = O_NONE, rm_kind = O_NONE;
	for (int i = 0; i < 3; i++) {
		if (r->opnd[i] == O_V || r->opnd[i] == O_G)
			reg_kind = r->opnd[i];
		if (is_rm_kind(r->opnd[i]))
			rm_kind = r->opnd[i];
	}
	bool mem = f->mem_ok && (!f->reg_ok || (rnd(g) & 1));
	int reg = f->group_reg >= 0 ? f->group_reg
		  : reg_kind == O_G ? rnd_gpr(g)
				    : (int)(rnd(g) & 15);
	int rm = rm_kind == O_E ? rnd_gpr(g) : (int)(rnd(g) & 15);
	uint8_t rex = (uint8_t)(0x40 | (rnd(g) & 1 ? 8 : 0) |
				(reg >= 8 ? 4 : 0) | (!mem && rm >= 8 ? 1 : 0));
	uint8_t *p = e->b;
	if (f->col)
		*p++ = mand[f->col];
	if (rex != 0x40 || (rnd(g) & 7) == 0)
		*p++ = rex;
	*p++ = 0x0F;
	*p++ = f->op;
	if (mem) {
		*p++ = (uint8_t)(0x46 | (reg & 7) << 3);
		*p++ = (uint8_t)(16 * (rnd(g) % (WIN / 16 - 1)) +
				 ((rnd(g) & 15) ? 0 : 1 + rnd(g) % 15));
	} else {
		*p++ = (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7));
	}
	if (r->imm == IMM_B)
		*p++ = (uint8_t)rnd(g);
	e->len = (size_t)(p - e->b);
}

struct outcome {
	struct hstate st;
	int fault; /* exception vector (host: from the signal), -1 if none */
	uint8_t win[WIN];
};

struct env {
	struct host host;
	struct fx *fx;
	struct rng g;
	unsigned cases, mismatches, faults;
	uint8_t hwin[WIN] __attribute__((aligned(16)));
};

static void rnd_state(struct rng *g, struct hstate *s, uint8_t *win)
{
	memset(s, 0, sizeof(*s));
	for (int x = 0; x < 16; x++)
		rnd_xmm(g, s->x[x]);
	for (int r = 0; r < 16; r++)
		s->r[r] = rnd(g) >> (rnd(g) & 1 ? 0 : rnd(g) % 64);
	s->fl = 0x202 | (rnd(g) & RF_ARITH);
	/* One case in eight unmasks some exceptions: the host traps (#XM as
	 * SIGFPE) and its MXCSR at the trap is compared with the guest's. */
	uint32_t masks = (rnd(g) & 7) ? 0x1F80 : (uint32_t)(rnd(g) & 0x3F) << 7;
	s->mxcsr = masks | (uint32_t)(rnd(g) & 3) << 13 |
		   (rnd(g) & 1 ? 0x8000u : 0) | (rnd(g) & 1 ? 0x40u : 0) |
		   (rnd(g) & 3 ? 0 : (uint32_t)(rnd(g) & 0x3F));
	for (int i = 0; i < WIN; i += 16)
		rnd_xmm(g, (uint64_t *)(win + i));
}

static void run_on_host(struct env *e, const struct enc *c,
			const struct hstate *in, const uint8_t *win,
			struct outcome *o)
{
	o->st = *in;
	o->st.r[RSI] = (uint64_t)(uintptr_t)e->hwin;
	memcpy(e->hwin, win, WIN);
	o->fault = host_run(&e->host, c->b, c->len, &o->st);
	o->st.r[RSI] = in->r[RSI];
	memcpy(o->win, e->hwin, WIN);
}

static void run_on_guest(struct env *e, const struct enc *c,
			 const struct hstate *in, const uint8_t *win,
			 struct outcome *o)
{
	struct cpu *cpu = e->fx->cpu;
	uint8_t code[20];
	memcpy(code, c->b, c->len);
	code[c->len] = 0xF4; /* hlt */
	memcpy(cpu->xmm, in->x, sizeof(in->x));
	memcpy(cpu->gpr, in->r, sizeof(cpu->gpr));
	cpu->gpr[RSI] = FX_DATA;
	cpu->gpr[RSP] = FX_STACK;
	cpu->mxcsr = in->mxcsr;
	cpu->halted = false;
	cpu_set_rflags(cpu, in->fl, RF_ARITH);
	fx_poke(e->fx, FX_DATA, win, WIN);
	fx_exec(e->fx, code, c->len + 1);
	o->fault = fx_vector(e->fx);
	o->st = *in;
	memcpy(o->st.x, cpu->xmm, sizeof(o->st.x));
	for (size_t i = 0; i < sizeof(gpr_pool); i++)
		o->st.r[gpr_pool[i]] = cpu->gpr[gpr_pool[i]];
	o->st.mxcsr = cpu->mxcsr;
	o->st.fl = cpu_get_rflags(cpu);
	physmem_copy_from(e->fx->mem, o->win, FX_DATA, WIN);
}

/* ---- comparing ------------------------------------------------------------
 */

static const char *differs(const struct outcome *h, const struct outcome *g)
{
	if (h->fault != g->fault)
		return "fault";
	if (h->fault == EXC_XM)
		return h->st.mxcsr == g->st.mxcsr ? NULL : "mxcsr at #XM";
	if (h->fault != -1)
		return NULL;
	if (memcmp(h->st.x, g->st.x, sizeof(h->st.x)))
		return "xmm";
	for (size_t i = 0; i < sizeof(gpr_pool); i++)
		if (h->st.r[gpr_pool[i]] != g->st.r[gpr_pool[i]])
			return "gpr";
	if (h->st.mxcsr != g->st.mxcsr)
		return "mxcsr";
	if ((h->st.fl ^ g->st.fl) & RF_ARITH)
		return "rflags";
	if (memcmp(h->win, g->win, WIN))
		return "memory";
	return NULL;
}

static void print_state(const char *what, const struct hstate *s, int fault,
			const uint8_t *win)
{
	char line[2048];
	int n = snprintf(line, sizeof(line),
			 "  %-6s fault=%d mxcsr=%04x fl=%03llx\n", what, fault,
			 s->mxcsr, (unsigned long long)(s->fl & RF_ARITH));
	for (int x = 0; x < 16; x++)
		n +=
		    snprintf(line + n, sizeof(line) - (size_t)n,
			     "    xmm%-2d %016llx:%016llx%s", x,
			     (unsigned long long)s->x[x][1],
			     (unsigned long long)s->x[x][0], x & 1 ? "\n" : "");
	for (size_t i = 0; i < sizeof(gpr_pool); i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " r%d=%llx",
			      gpr_pool[i],
			      (unsigned long long)s->r[gpr_pool[i]]);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "\n    mem");
	for (int i = 0; i < WIN && n < (int)sizeof(line) - 4; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%02x",
			      i % 16 ? "" : " ", win[i]);
	cr_log_error("%s", line);
}

static void report(struct env *e, const struct form *f, const struct enc *c,
		   const struct hstate *in, const uint8_t *win,
		   const struct outcome *h, const struct outcome *g,
		   const char *why)
{
	if (++e->mismatches > MAX_REPORTS)
		return;
	char hex[64];
	int n = 0;
	for (size_t i = 0; i < c->len; i++)
		n += snprintf(hex + n, sizeof(hex) - (size_t)n, "%02x ",
			      c->b[i]);
	cr_log_error("%s (col %d, 0F %02x): %s differs; bytes %s", f->row->mnem,
		     f->col, f->op, why, hex);
	print_state("input", in, -1, win);
	print_state("host", &h->st, h->fault, h->win);
	print_state("hvsim", &g->st, g->fault, g->win);
}

static void run_form(struct env *e, const struct form *f, unsigned cases)
{
	uint8_t win[WIN] __attribute__((aligned(16)));
	for (unsigned i = 0; i < cases; i++) {
		struct enc c;
		struct hstate in;
		struct outcome h, g;
		encode(f, &e->g, &c);
		rnd_state(&e->g, &in, win);
		run_on_host(e, &c, &in, win, &h);
		run_on_guest(e, &c, &in, win, &g);
		e->cases++;
		e->faults += h.fault != -1;
		const char *why = differs(&h, &g);
		if (why)
			report(e, f, &c, &in, win, &h, &g, why);
	}
}

Test(sse_vs_host, every_table_form_agrees_with_the_host, .timeout = 300)
{
	static struct env e;
	static struct form forms[MAX_FORMS];
	struct sigaction sa = {.sa_sigaction = on_trap, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	cr_assert_eq(0, sigaction(SIGILL, &sa, NULL));
	cr_assert_eq(0, sigaction(SIGSEGV, &sa, NULL));
	cr_assert_eq(0, sigaction(SIGFPE, &sa, NULL));
	e.host.stub = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(e.host.stub, MAP_FAILED);
	e.fx = fx_new(FX_LONG64);
	e.g.s = 0x5EEDF00D5EEDF00Dull;
	int n = collect_forms(forms);
	cr_assert_gt(n, 150, "only %d SSE forms in the table", n);
	for (int i = 0; i < n; i++)
		run_form(&e, &forms[i], CASES_PER_FORM * diff_case_scale());
	cr_log_info("%d forms, %u cases (%u faulting), %u mismatches", n,
		    e.cases, e.faults, e.mismatches);
	cr_assert_geq(e.cases, 100000u);
	cr_assert_eq(e.mismatches, 0, "%u of %u cases differ (first %d above)",
		     e.mismatches, e.cases, MAX_REPORTS);
	fx_free(e.fx);
	munmap(e.host.stub, 4096);
}
