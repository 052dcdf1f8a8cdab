/*
 * tests/diff/hostexec.c — the two machines of the differential tests: the
 * host CPU, running the case's bytes natively at the fixed addresses
 * HX_CODE / HX_WIN, and the interpreter, running them in the unit-test
 * fixture at the same addresses (see hostexec.h).
 *
 * Host side: a stub page (built once) saves the callee-saved registers and
 * the C stack pointer, loads RFLAGS and all 16 GPRs from a context page and
 * jumps to HX_CODE — directly, or by a far jump to the 32-bit user code
 * segment (compatibility mode). The code under test is followed by a jump
 * to the epilogue (from compatibility mode a far jump to a 64-bit
 * trampoline first), which saves RAX with a moffs store, then the rest,
 * switches to a scratch stack for PUSHFQ and returns. So the case's own
 * stack and registers are never touched by the harness. A fault raises a
 * signal whose handler (on an alternate stack) jumps back with the vector.
 *
 * Guest side: the fixture, with every IDT gate switched to IST1 so an
 * exception frame never lands in the window when RSP points into it.
 * x86-64 Linux hosts only (tests/diff/meson.build).
 */
#include "tests/diff/hostexec.h"

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define HX_TRAMP    (HX_CODE + 0x1000) /* compat → 64-bit trampoline */
#define USER_CS64   0x33	       /* Linux __USER_CS */
#define USER_CS32   0x23	       /* Linux __USER32_CS */
#define ALTSTACK_SZ (64 * 1024)

/* The context page: what the stub loads and stores. */
struct hx_ctx {
	uint64_t r[16];
	uint64_t fl;
	uint64_t host_rsp;
	uint64_t save_rax;
	uint64_t pad;
	uint64_t stack[32] __attribute__((aligned(16))); /* epilogue PUSHFQ */
};
#define CTX_FL	  128
#define CTX_HRSP  136
#define CTX_SRAX  144
#define CTX_STTOP 416

struct hx_host {
	uint8_t *stub; /* entry64, entry32, epilogue */
	uint8_t *entry64, *entry32, *epilogue;
	struct hx_ctx *ctx;
	uint8_t *code; /* at HX_CODE (two pages, the second the
			* trampoline) */
	uint8_t *win;  /* at HX_WIN */
	bool compat_ok;
	sigjmp_buf jmp;
	struct { /* the state at a fault, from the signal's context */
		struct hx_state st;
		uint64_t rip;
		int vec;
	} fault;
	stack_t old_alt;
	void *alt;
};

_Static_assert(offsetof(struct hx_ctx, fl) == CTX_FL, "ctx layout");
_Static_assert(offsetof(struct hx_ctx, host_rsp) == CTX_HRSP, "ctx layout");
_Static_assert(offsetof(struct hx_ctx, save_rax) == CTX_SRAX, "ctx layout");
_Static_assert(offsetof(struct hx_ctx, stack) +
		       sizeof(((struct hx_ctx *)0)->stack) ==
		   CTX_STTOP,
	       "ctx layout");

/* A signal handler takes no argument: the host whose case is running is
 * the one process-wide object here (Criterion runs each test in its own
 * process); NULL when no case is running. */
static struct hx_host *volatile hx_active;

static int vector_of(int sig, const siginfo_t *si)
{
	switch (sig) {
	case SIGFPE:
		return si->si_code == FPE_INTDIV || si->si_code == FPE_INTOVF
			   ? EXC_DE
			   : EXC_MF;
	case SIGILL:
		return EXC_UD;
	case SIGSEGV:
		return si->si_code == SI_KERNEL ? EXC_GP : EXC_PF;
	case SIGBUS:
		return si->si_code == BUS_ADRALN ? EXC_AC : EXC_SS;
	default:
		return si->si_code == SI_KERNEL ? EXC_BP : EXC_DB;
	}
}

/* Register numbers (RAX..R15) to the kernel's gregs slots. */
static const int greg_of[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/* Record the state at the fault, then back to hx_host_run. */
static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	struct hx_host *h = hx_active;
	if (!h) { /* not ours: crash as usual */
		signal(sig, SIG_DFL);
		return;
	}
	const ucontext_t *uc = ucv;
	for (int r = 0; r < 16; r++)
		h->fault.st.r[r] = (uint64_t)uc->uc_mcontext.gregs[greg_of[r]];
	h->fault.st.fl = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
	h->fault.rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	h->fault.vec = vector_of(sig, si);
	hx_active = NULL;
	siglongjmp(h->jmp, 1);
}

static const int hx_signals[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGTRAP};

/* ---- the stub ------------------------------------------------------------ */

static uint8_t *put(uint8_t *p, const void *b, size_t n)
{
	memcpy(p, b, n);
	return p + n;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	return put(p, &v, 8);
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	return put(p, &v, 4);
}

/* mov r64, [rax + disp32] (load) or mov [rax + disp32], r64 (store) */
static uint8_t *mov_rax_rel(uint8_t *p, int r, uint32_t disp, bool store)
{
	*p++ = (uint8_t)(0x48 | (r >= 8 ? 4 : 0));
	*p++ = store ? 0x89 : 0x8B;
	*p++ = (uint8_t)(0x80 | (r & 7) << 3);
	return put32(p, disp);
}

static uint8_t *movabs_rax_ctx(uint8_t *p, const struct hx_host *h)
{
	*p++ = 0x48;
	*p++ = 0xB8;
	return put64(p, (uint64_t)(uintptr_t)h->ctx);
}

/* Entry: save, load flags and GPRs (RAX last), then jump to the code. */
static uint8_t *build_entry(uint8_t *p, const struct hx_host *h, bool compat)
{
	static const uint8_t save[] = {0x53, 0x55, 0x41, 0x54, 0x41,
				       0x55, 0x41, 0x56, 0x41, 0x57};
	p = put(p, save, sizeof(save));
	p = movabs_rax_ctx(p, h);
	p = mov_rax_rel(p, RSP, CTX_HRSP, true);
	p = put(p, "\xFF\xB0", 2); /* push qword [rax + CTX_FL] */
	p = put32(p, CTX_FL);
	*p++ = 0x9D; /* popfq */
	for (int r = 1; r < 16; r++)
		p = mov_rax_rel(p, r, (uint32_t)r * 8, false);
	p = put(p, "\x48\x8B\x00", 3); /* mov rax, [rax] */
	if (compat) {
		p = put(p, "\xFF\x2D\x00\x00\x00\x00", 6); /* jmp far [rip] */
		p = put32(p, HX_CODE);
		return put(p, &(uint16_t){USER_CS32}, 2);
	}
	p = put(p, "\xFF\x25\x00\x00\x00\x00", 6); /* jmp [rip] */
	return put64(p, HX_CODE);
}

/* Epilogue: store RAX without touching anything else, then the state. */
static uint8_t *build_epilogue(uint8_t *p, const struct hx_host *h)
{
	static const uint8_t restore[] = {0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D,
					  0x41, 0x5C, 0x5D, 0x5B, 0xC3};
	p = put(p, "\x48\xA3", 2); /* mov [moffs64], rax */
	p = put64(p, (uint64_t)(uintptr_t)&h->ctx->save_rax);
	p = movabs_rax_ctx(p, h);
	p = mov_rax_rel(p, RSP, RSP * 8, true);
	p = put(p, "\x48\x8D\xA0", 3); /* lea rsp, [rax + CTX_STTOP] */
	p = put32(p, CTX_STTOP);
	*p++ = 0x9C;		   /* pushfq */
	p = put(p, "\x8F\x80", 2); /* pop qword [rax + CTX_FL] */
	p = put32(p, CTX_FL);
	*p++ = 0xFC; /* cld: the C ABI wants DF = 0 */
	for (int r = 1; r < 16; r++)
		if (r != RSP)
			p = mov_rax_rel(p, r, (uint32_t)r * 8, true);
	p = mov_rax_rel(p, RCX, CTX_SRAX, false);
	p = put(p, "\x48\x89\x08", 3); /* mov [rax], rcx */
	p = mov_rax_rel(p, RSP, CTX_HRSP, false);
	return put(p, restore, sizeof(restore));
}

/* The jump from the end of the code under test back to the epilogue. */
static size_t build_tail(const struct hx_host *h, uint8_t *p, bool compat)
{
	uint8_t *s = p;
	if (compat) { /* jmp far 0x33:HX_TRAMP */
		*p++ = 0xEA;
		p = put32(p, HX_TRAMP);
		p = put(p, &(uint16_t){USER_CS64}, 2);
	} else {
		p = put(p, "\xFF\x25\x00\x00\x00\x00", 6);
		p = put64(p, (uint64_t)(uintptr_t)h->epilogue);
	}
	return (size_t)(p - s);
}

static void *map_fixed(uint64_t addr, size_t len, int prot)
{
	void *p =
	    mmap((void *)(uintptr_t)addr, len, prot,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != MAP_FAILED && p != (void *)(uintptr_t)addr) {
		munmap(p, len); /* an old kernel took the address as a hint */
		return NULL;
	}
	return p == MAP_FAILED ? NULL : p;
}

static void install_signals(struct hx_host *h)
{
	h->alt = malloc(ALTSTACK_SZ);
	stack_t ss = {.ss_sp = h->alt, .ss_size = ALTSTACK_SZ};
	if (!h->alt || sigaltstack(&ss, &h->old_alt))
		abort();
	struct sigaction sa = {.sa_sigaction = on_signal,
			       .sa_flags =
				   SA_SIGINFO | SA_ONSTACK | SA_NODEFER};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(hx_signals) / sizeof(hx_signals[0]); i++)
		if (sigaction(hx_signals[i], &sa, NULL))
			abort();
}

/* Does a NOP in compatibility mode come back with the registers intact? */
static bool probe_compat(struct hx_host *h)
{
	struct hx_case c = {.mode = HX_COMPAT32, .len = 1, .code = {0x90}};
	struct hx_outcome o;
	for (int r = 0; r < 16; r++)
		c.in.r[r] = 0x1111111111111111ull * (unsigned)r;
	c.in.r[RSP] = HX_WIN + 0x800;
	h->compat_ok = true;
	hx_host_run(h, &c, &o);
	bool ok = o.vec < 0;
	for (int r = 0; r < 16; r++)
		ok = ok && (uint32_t)o.st.r[r] == (uint32_t)c.in.r[r];
	return ok;
}

struct hx_host *hx_host_new(void)
{
	struct hx_host *h = calloc(1, sizeof(*h));
	if (!h)
		abort();
	h->stub = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	h->ctx = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	h->code =
	    map_fixed(HX_CODE, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC);
	h->win = map_fixed(HX_WIN, HX_WIN_SIZE, PROT_READ | PROT_WRITE);
	if (h->stub == MAP_FAILED || h->ctx == MAP_FAILED || !h->code ||
	    !h->win) {
		fprintf(stderr,
			"hostexec: cannot map the fixed code/data "
			"pages at %#x/%#x (or RWX is forbidden)\n",
			HX_CODE, HX_WIN);
		abort();
	}
	uint8_t *p = h->stub;
	h->entry64 = p;
	p = build_entry(p, h, false);
	h->entry32 = p;
	p = build_entry(p, h, true);
	h->epilogue = p;
	build_epilogue(p, h);
	if (mprotect(h->stub, 4096, PROT_READ | PROT_EXEC))
		abort();
	uint8_t *t = h->code + (HX_TRAMP - HX_CODE);
	build_tail(h, t, false);
	install_signals(h);
	h->compat_ok = probe_compat(h);
	return h;
}

void hx_host_free(struct hx_host *h)
{
	for (size_t i = 0; i < sizeof(hx_signals) / sizeof(hx_signals[0]); i++)
		signal(hx_signals[i], SIG_DFL);
	sigaltstack(&h->old_alt, NULL);
	free(h->alt);
	munmap(h->stub, 4096);
	munmap(h->ctx, 4096);
	munmap(h->code, 0x2000);
	munmap(h->win, HX_WIN_SIZE);
	free(h);
}

bool hx_host_can_compat(const struct hx_host *h)
{
	return h->compat_ok;
}

void hx_host_run(struct hx_host *h, const struct hx_case *c,
		 struct hx_outcome *o)
{
	bool compat = c->mode == HX_COMPAT32;
	if (c->len > HX_CODE_MAX || (compat && !h->compat_ok))
		abort();
	memcpy(h->code, c->code, c->len);
	build_tail(h, h->code + c->len, compat);
	memcpy(h->ctx->r, c->in.r, sizeof(c->in.r));
	h->ctx->fl = (c->in.fl & HX_FLAGS) | RF_IF | RF_FIXED1;
	if (c->win_used)
		memcpy(h->win, c->win, HX_WIN_SIZE);
	if (sigsetjmp(h->jmp, 0) == 0) {
		hx_active = h;
		((void (*)(void))(void *)(compat ? h->entry32 : h->entry64))();
		hx_active = NULL;
		o->vec = -1;
		o->rip = 0;
		memcpy(o->st.r, h->ctx->r, sizeof(o->st.r));
		o->st.fl = h->ctx->fl;
	} else {
		o->vec = h->fault.vec;
		o->rip = h->fault.rip;
		o->st = h->fault.st;
	}
	if (c->win_used)
		memcpy(o->win, h->win, HX_WIN_SIZE);
}

/* ---- the guest ----------------------------------------------------------- */

/* IST1 for every 64-bit gate (byte 4 of the 16-byte descriptor). */
static void gates_use_ist1(struct fx *fx)
{
	uint8_t ist = 1;
	for (int v = 0; v < 256; v++)
		fx_poke(fx, FX_IDT + 16u * (unsigned)v + 4, &ist, 1);
}

void hx_guest_init(struct hx_guest *g)
{
	g->fx64 = fx_new(FX_LONG64);
	g->fx32 = fx_new(FX_PROT32);
	gates_use_ist1(g->fx64);
}

void hx_guest_fini(struct hx_guest *g)
{
	fx_free(g->fx64);
	fx_free(g->fx32);
}

/* Vectors that push an error code (SDM Vol. 3A Table 6-1). */
static bool pushes_error_code(int vec)
{
	return vec == EXC_DF || vec == EXC_TS || vec == EXC_NP ||
	       vec == EXC_SS || vec == EXC_GP || vec == EXC_PF || vec == EXC_AC;
}

/* After an exception, the state at the fault is in the frame the
 * delivery pushed: [error code] RIP CS RFLAGS (RSP SS in 64-bit mode;
 * in 32-bit mode at CPL 0 ESP is just above the frame). */
static void unwind_frame(struct fx *fx, enum hx_mode mode, struct hx_outcome *o)
{
	int e = pushes_error_code(o->vec);
	if (mode == HX_64) {
		o->rip = fx_stack_qword(fx, e);
		o->st.fl = fx_stack_qword(fx, e + 2);
		o->st.r[RSP] = fx_stack_qword(fx, e + 3);
		return;
	}
	uint64_t esp = fx->cpu->gpr[RSP] & 0xFFFFFFFF;
	o->rip = fx_peek(fx, esp + 4u * (unsigned)e, 4);
	o->st.fl = fx_peek(fx, esp + 4u * (unsigned)e + 8, 4);
	o->st.r[RSP] = esp + 12 + 4u * (unsigned)e;
}

void hx_guest_run(struct hx_guest *g, const struct hx_case *c,
		  struct hx_outcome *o)
{
	struct fx *fx = c->mode == HX_COMPAT32 ? g->fx32 : g->fx64;
	struct cpu *cpu = fx->cpu;
	uint8_t code[HX_CODE_MAX + 1];
	memcpy(code, c->code, c->len);
	code[c->len] = 0xF4; /* hlt */
	memcpy(cpu->gpr, c->in.r, sizeof(cpu->gpr));
	cpu->halted = false;
	/* As on the host: IF=1, and none of what a POPF in the previous case
	 * may have left (TF, NT, AC, IOPL, ID). */
	cpu_set_rflags(cpu, (c->in.fl & HX_FLAGS) | RF_IF,
		       HX_FLAGS | RF_IF | RF_TF | RF_NT | RF_AC | RF_IOPL |
			   RF_ID);
	if (c->win_used)
		fx_poke(fx, HX_WIN, c->win, HX_WIN_SIZE);
	fx_exec(fx, code, c->len + 1);
	o->vec = fx_vector(fx);
	o->rip = 0;
	memcpy(o->st.r, cpu->gpr, sizeof(o->st.r));
	o->st.fl = cpu_get_rflags(cpu);
	if (o->vec >= 0)
		unwind_frame(fx, c->mode, o);
	if (c->win_used)
		physmem_copy_from(fx->mem, o->win, HX_WIN, HX_WIN_SIZE);
}
