/*
 * cpu/cpu_int.h — the full `struct cpu` and the helpers the files in cpu/
 * share. Only those files (and the CPU's own unit tests) include this.
 *
 * Error channels (STYLE.md §10): a guest-architectural fault calls
 * cpu_raise*(), which longjmps to the cpu_run() boundary; nothing else in the
 * core unwinds. Handlers must therefore do every access that can fault
 * *before* committing any register or memory change, so that a faulting
 * instruction has no effect (exec.c restores RIP to the instruction start).
 *
 * Who implements what:
 *   exec.c     cpu_run loop, decoded-instruction cache, cycle charging
 *   cpu.c      create/destroy/reset, public accessors
 *   mem.c      segmentation, linear and segmented memory access, fetch
 *   ea.c       effective addresses, ModRM operand access
 *   flags.c    lazy RFLAGS (flags.h)
 *   except.c   cpu_raise*, IDT delivery, #DF, triple fault
 *   modes.c    segment loads, mode changes, SYSCALL/SYSRET, boot states
 *   msr.c      the core's MSR table;  cpuid.c  the core's CPUID model
 *   ops_*.c    instruction handlers (ops.h lists them)
 */
#ifndef HVSIM_CPU_CPU_INT_H_
#define HVSIM_CPU_CPU_INT_H_

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "cpu/dinsn.h"
#include "cpu/flags.h"
#include "cpu/optab.h"
#include "cpu/regs.h"
#include "mmu/mmu.h"

/*
 * Hidden part of a segment register (the descriptor cache).
 * attr uses the VMX access-rights layout:
 *   15 14  13  12  11:8  7  6:5  4  3:0
 *    G DB   L AVL    0   P  DPL  S  type
 */
#define SEGA_TYPE(a) ((a) & 0xF)
#define SEGA_S   (1u << 4)
#define SEGA_DPL(a) (((a) >> 5) & 3)
#define SEGA_P   (1u << 7)
#define SEGA_AVL (1u << 12)
#define SEGA_L   (1u << 13)
#define SEGA_DB  (1u << 14)
#define SEGA_G   (1u << 15)

struct seg_cache {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit; /* byte-granular, already scaled by G */
	uint64_t base;
};

struct dtr {
	uint64_t base;
	uint16_t limit;
};

union xmm {
	uint8_t b[16];
	uint16_t w[8];
	uint32_t d[4];
	uint64_t q[2];
	float f[4];
	double fd[2];
};

/* x87 state. Registers are kept as host `long double` (80-bit extended on
 * x86-64 gcc), indexed physically; ST(i) is st[(top + i) & 7]. */
struct fpu {
	long double st[8];
	uint16_t fcw, fsw; /* fsw without TOP; TOP lives in `top` */
	uint16_t ftw;      /* full tag word, 2 bits per register, 3 = empty */
	uint16_t fop;
	uint8_t top;
	uint64_t fip, fdp;
};

/* MSR state owned by the core (msr.c). */
struct cpu_msrs {
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base, tsc_aux;
	uint64_t apic_base, pat, misc_enable;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t mtrr_def_type, mtrr_fix[11], mtrr_var[16];
	int64_t tsc_offset; /* TSC = cycles + tsc_offset */
	uint64_t tsc_deadline;
};

struct icache; /* exec.c: the decoded-instruction cache */

struct cpu {
	/* --- architectural state, hot first --- */
	uint64_t gpr[16];
	uint64_t rip;
	uint64_t rflags;      /* arithmetic bits stale while lf.op != LF_NONE */
	struct lazy_flags lf;
	struct seg_cache seg[6];
	struct seg_cache ldtr, tr;
	struct dtr gdtr, idtr;
	uint64_t cr0, cr2, cr3, cr4, cr8;
	uint64_t dr[8];
	uint64_t efer;
	struct cpu_msrs msr;
	union xmm xmm[16];
	uint32_t mxcsr;
	struct fpu fpu;

	/* --- derived mode, recomputed by cpu_update_mode() --- */
	uint8_t cpl;
	enum cpu_mode mode;

	/* --- execution control --- */
	uint64_t insn_rip;    /* RIP of the instruction being executed */
	const struct dinsn *cur; /* the instruction being executed */
	bool intr_line;       /* external interrupt requested */
	bool halted;
	bool stop_req;
	bool shadow;          /* STI / MOV SS shadow for the next instruction */
	bool in_delivery;     /* delivering an event (nested fault → #DF) */
	int delivering;       /* vector being delivered, -1 if none */
	int last_fault;       /* last vector raised, for the triple-fault exit */
	int pend_vec;         /* fault raised by cpu_raise, awaiting delivery */
	uint32_t pend_err;    /* its error code */
	bool triple_fault;
	jmp_buf fault_jmp;

	/* --- time --- */
	cycles_t cycles;
	cycles_t run_end;     /* cpu_run stops when cycles reaches this */
	uint64_t instret;
	const uint16_t *cost; /* cycles per cost class (cost_table.c) */
	/* Per-CPL time (cpu_set_cpl): cycles spent at each CPL up to
	 * cpl_since, when the current CPL was entered. Clock advances made
	 * with cpu_advance_clock() are counted at no CPL. */
	cycles_t cpl_cycles[4];
	cycles_t cpl_since;

	/* --- memory --- */
	struct physmem *mem;
	struct tlb tlb;
	struct icache *icache;

	/* --- environment --- */
	struct cpu_env env;
	void (*log)(void *opaque, const char *msg);
	void *log_opaque;
	uint8_t ud_logged[4][32]; /* bitmap: unimplemented opcodes logged once */
};

/* ---- decoded-instruction cache (exec.c) -------------------------------- */
struct icache *icache_create(void);
void icache_destroy(struct icache *ic);
/* Blocks decoded so far (lookups that missed), for tests. */
uint64_t icache_misses(const struct icache *ic);

/* ---- time ------------------------------------------------------------- */
static inline void cpu_charge(struct cpu *c, cycles_t n) { c->cycles += n; }
extern const uint16_t cost_default[C_NCLASSES]; /* cost_table.c */
/* Extra per-event penalties (cost_table.c). */
extern const uint16_t cost_tlb_miss_walk;  /* per page-table level read */
extern const uint16_t cost_exception;      /* event delivery through IDT */

/* ---- faults (except.c) ------------------------------------------------- */
/* Raise a fault with an error code (pushed only for vectors that have one).
 * Longjmps to cpu_run; RIP is rewound to insn_rip. */
_Noreturn void cpu_raise(struct cpu *c, int vector, uint32_t errcode);
_Noreturn void cpu_raise_ud(struct cpu *c);
_Noreturn void cpu_raise_gp0(struct cpu *c);
/* #PF: sets CR2 = lin, raises with the error code. */
_Noreturn void cpu_raise_pf(struct cpu *c, uint64_t lin, uint32_t pfec);
/* pend_vec of an instruction undone because an intercept's owner answers
 * later (ENV_RETRY, cpu/cpu.h): nothing is delivered, cpu_run() returns
 * CPU_EXIT_STOP with RIP at the instruction. */
#define CPU_PEND_RETRY (-2)
/* Undo the current instruction exactly like a fault (RIP back to
 * insn_rip; handlers change no state before their intercept, and a REP
 * string instruction keeps the iterations already done) and leave
 * cpu_run() at once with CPU_EXIT_STOP. */
_Noreturn void cpu_raise_retry(struct cpu *c);
/* Called by the interpreter after a cpu_raise() longjmp, with c->rip
 * already rewound to c->insn_rip: delivers c->pend_vec/pend_err through the
 * IDT, escalating to #DF and to triple fault (c->triple_fault = true) as
 * the SDM's tables say. It may re-arm c->fault_jmp for nested faults; the
 * interpreter re-arms it again afterwards. */
void cpu_exception_entry(struct cpu *c);
/* Does this vector push an error code (8, 10-14, 17, 21)? */
bool cpu_exc_has_errcode(int vector);
/* Event kinds for cpu_deliver. */
enum event_kind { EV_EXTINT, EV_EXCEPTION, EV_SOFTINT, EV_SOFTEXC };
/* Deliver an event through the IDT now (RIP must already hold the return
 * address). Called by exec.c for faults/interrupts and by INT n/INT3/INTO.
 * A fault while delivering escalates to #DF, then to triple fault. */
void cpu_deliver(struct cpu *c, int vector, enum event_kind kind,
		 bool has_err, uint32_t errcode);

/* The only way c->cpl changes: accrues the cycles since the last change to
 * the old CPL (per-CPL time accounting, cpu_cycles_at_cpl), then sets it. */
static inline void cpu_set_cpl(struct cpu *c, uint8_t cpl)
{
	c->cpl_cycles[c->cpl & 3] += c->cycles - c->cpl_since;
	c->cpl_since = c->cycles;
	c->cpl = cpl;
}

/* ---- modes and segments (modes.c) --------------------------------------- */
/* Recompute cpl/mode after CS, CR0 or EFER changed; flush what must go. */
void cpu_update_mode(struct cpu *c);
/* Load a data/stack segment register from a selector with the protected-mode
 * checks (#GP/#NP/#SS). In real mode just sets base = sel << 4. */
void cpu_load_seg(struct cpu *c, int seg, uint16_t sel);
/* Read an 8- or 16-byte descriptor from the GDT/LDT; raises on limit. */
uint64_t cpu_read_descriptor(struct cpu *c, uint16_t sel, int vector_on_fault);
/* Far control transfers (JMP/CALL far, RETF), shared by the ops. */
void cpu_far_jump(struct cpu *c, uint16_t sel, uint64_t off);
void cpu_far_call(struct cpu *c, uint16_t sel, uint64_t off, uint64_t ret_rip);
void cpu_far_return(struct cpu *c, uint16_t pop_bytes);
/* CR writes with the architectural checks (#GP on reserved bits...). */
void cpu_write_cr(struct cpu *c, int n, uint64_t v);
void cpu_set_efer(struct cpu *c, uint64_t v); /* raises #GP on bad bits */

/* ---- MSRs and CPUID (msr.c, cpuid.c) ----------------------------------- */
/* Return true and the value, or false (caller raises #GP). Falls back to
 * env->rdmsr/wrmsr for MSRs the core does not own. */
bool cpu_msr_read(struct cpu *c, uint32_t msr, uint64_t *val);
bool cpu_msr_write(struct cpu *c, uint32_t msr, uint64_t val);
void cpu_cpuid(struct cpu *c, uint32_t leaf, uint32_t subleaf,
	       uint32_t regs[4]);
uint64_t cpu_read_tsc(struct cpu *c);

/* ---- port I/O (ops_system.c): permission check + env call -------------- */
uint32_t cpu_io_in(struct cpu *c, uint16_t port, int size);
void cpu_io_out(struct cpu *c, uint16_t port, int size, uint32_t val);

/* ---- memory (mem.c) ----------------------------------------------------
 * `seg` is an enum sreg; `acc` is ACC_READ/ACC_WRITE/ACC_EXEC; the user
 * bit is derived from CPL by these helpers. Sizes 1/2/4/8 bytes; accesses
 * that cross a page are split. Faults raise. */
uint64_t cpu_seg_lin(struct cpu *c, int seg, uint64_t off, int size,
		     unsigned acc);
uint64_t cpu_read(struct cpu *c, int seg, uint64_t off, int size);
void cpu_write(struct cpu *c, int seg, uint64_t off, int size, uint64_t v);
/* Check that a later cpu_write of this range will not fault. */
void cpu_probe_write(struct cpu *c, int seg, uint64_t off, int size);
/* Byte-string forms (16-byte XMM, FXSAVE area, descriptors). */
void cpu_read_bytes(struct cpu *c, int seg, uint64_t off, void *dst, int n);
void cpu_write_bytes(struct cpu *c, int seg, uint64_t off, const void *src,
		     int n);
/* Linear-address forms; `acc` may include ACC_IMPLICIT_SUP for
 * descriptor-table and TSS accesses, which are supervisor accesses. */
uint64_t cpu_lin_read(struct cpu *c, uint64_t lin, int size, unsigned acc);
void cpu_lin_write(struct cpu *c, uint64_t lin, int size, uint64_t v,
		   unsigned acc);
/* In IA-32e mode, the host address of [lin, lin + len) (len <= PAGE_SIZE)
 * for cpu_lin_read (acc without ACC_WRITE) or cpu_lin_write accesses when
 * one plain TLB hit covers it all: then those accesses could neither
 * fault, fill nor need physmem (no code, watch or MMIO there). NULL
 * otherwise: use them. Never raises. For multi-value frames (interrupt
 * delivery, IDT gates). */
uint8_t *cpu_lin_plain(struct cpu *c, uint64_t lin, int len, unsigned acc);
/* Instruction fetch of n bytes at linear `lin`; raises #PF/#GP. */
void cpu_fetch(struct cpu *c, uint64_t lin, uint8_t *buf, int n);
/* Host pointer for fetching code at linear `lin` through the exec TLB,
 * and the GPA; returns NULL (after raising) never — raises on fault. The
 * returned pointer is valid up to the end of the page. NULL if the page is
 * MMIO (then use cpu_fetch). */
const uint8_t *cpu_fetch_ptr(struct cpu *c, uint64_t lin, uint64_t *gpa);
/* Flush the TLB (CR3 write: keep_global; CR4.PGE/PCIDE change: all). */
void cpu_tlb_flush(struct cpu *c, bool keep_global);
void cpu_tlb_flush_page(struct cpu *c, uint64_t lin);
/* Is `a` canonical (bits 63..47 all equal)? Inline: every 64-bit memory
 * access and branch asks. */
static inline bool cpu_is_canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* ---- operands (ea.c + inline here) ------------------------------------ */
/* Effective address (offset within the segment), masked to the address
 * size; RIP-relative uses the address of the next instruction. */
uint64_t cpu_ea(const struct cpu *c, const struct dinsn *d);
/* Memory halves of rm_read/rm_write (ea.c); the register halves are the
 * inline fast paths below. */
uint64_t rm_read_mem(struct cpu *c, const struct dinsn *d, int size);
void rm_write_mem(struct cpu *c, const struct dinsn *d, int size, uint64_t v);

static inline uint64_t size_mask(int size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* Read a GPR at `size` bytes. For size 1 without REX, 4..7 are AH..BH. */
static inline uint64_t gpr_read(const struct cpu *c, int r, int size, bool rex)
{
	if (size == 1 && !rex && r >= 4 && r < 8)
		return (c->gpr[r - 4] >> 8) & 0xFF;
	return c->gpr[r] & size_mask(size);
}

/* Write a GPR: 32-bit writes zero-extend, 8/16-bit writes merge. */
static inline void gpr_write(struct cpu *c, int r, int size, bool rex,
			     uint64_t v)
{
	switch (size) {
	case 1:
		if (!rex && r >= 4 && r < 8)
			c->gpr[r - 4] = (c->gpr[r - 4] & ~0xFF00ull) |
					((v & 0xFF) << 8);
		else
			c->gpr[r] = (c->gpr[r] & ~0xFFull) | (v & 0xFF);
		break;
	case 2:
		c->gpr[r] = (c->gpr[r] & ~0xFFFFull) | (v & 0xFFFF);
		break;
	case 4:
		c->gpr[r] = (uint32_t)v;
		break;
	default:
		c->gpr[r] = v;
		break;
	}
}

/* The ModRM r/m operand: a GPR when mod == 3, else memory. */
static inline uint64_t rm_read(struct cpu *c, const struct dinsn *d, int size)
{
	if (d->mod == 3)
		return gpr_read(c, d->rm & 15, size, d->pfx & PFX_REX);
	return rm_read_mem(c, d, size);
}
static inline void rm_write(struct cpu *c, const struct dinsn *d, int size,
			    uint64_t v)
{
	if (d->mod == 3)
		gpr_write(c, d->rm & 15, size, d->pfx & PFX_REX, v);
	else
		rm_write_mem(c, d, size, v);
}

/* The ModRM.reg operand as a GPR. */
static inline uint64_t reg_read(const struct cpu *c, const struct dinsn *d,
				int size)
{
	return gpr_read(c, d->reg, size, d->pfx & PFX_REX);
}
static inline void reg_write(struct cpu *c, const struct dinsn *d, int size,
			     uint64_t v)
{
	gpr_write(c, d->reg, size, d->pfx & PFX_REX, v);
}

/* Next-instruction RIP, and RIP writes with the mode's width. */
static inline uint64_t next_rip(const struct cpu *c, const struct dinsn *d)
{
	return c->insn_rip + d->len;
}

/* Stack helpers (ops_stack.c): push/pop at the current stack size. */
void cpu_push(struct cpu *c, int size, uint64_t v);
uint64_t cpu_pop(struct cpu *c, int size);
/* Stack address size in bytes: 8 in 64-bit mode, else 4 or 2 by SS.B. */
int cpu_stack_size(const struct cpu *c);

/* Log an unimplemented/undefined opcode once (disasm.c), then #UD. */
_Noreturn void cpu_unimplemented(struct cpu *c, const struct dinsn *d);

#endif
