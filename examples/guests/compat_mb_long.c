/*
 * examples/guests/compat_mb_long.c — compat_mb's long-mode checks of SSE
 * and of ring 3.
 *
 * SSE: the control bits the 32-bit entry set (Intel SDM Vol. 3A, "Enabling
 * SSE/SSE2/SSE3/SSSE3/SSE4 extensions": CR0.EM = 0, CR0.MP = 1,
 * CR4.OSFXSR = 1, CR4.OSXMMEXCPT = 1), the results of compiler-generated
 * SSE code (compat_mb_sse.c) against their IEEE 754 values, and FXSAVE/
 * FXRSTOR (Vol. 1 §10.5.1, Table 10-2: MXCSR at byte 24, XMM0-15 from
 * byte 160) restoring MXCSR and an XMM register.
 *
 * Ring 3: compat_user_main() at CPL 3, with this file's #PF handler
 * mapping each page of [DEMAND_BASE, +CM_DEMAND_PAGES) on its first
 * touch, as a kernel's demand paging does (error code: user, write, not
 * present).
 */
#include "compat_mb.h"
#include "rt.h"

#define MXCSR_DEFAULT 0x1F80
#define MXCSR_RC_UP   0x4000
#define FX_MXCSR      24
#define FX_XMM5	      (160 + 5 * 16)
#define SQRT2_BITS    0x3FF6A09E667F3BCDull
#define HARMONIC_BITS 0x4014BFDFE4591243ull /* 5.187377517639621 */
#define THIRD_F_BITS  0x3EAAAAABull
#define DOUBLE_3_BITS 0x4008000000000000ull

static void check_sse_results(void)
{
	uint64_t r[SSE_RESULTS];

	compat_sse_selftest(r);
	report(r[SSE_SQRT2_BITS] == SQRT2_BITS,
	       "sqrtsd: sqrt(2.0) correctly rounded (%#lx)", r[SSE_SQRT2_BITS]);
	report(r[SSE_DIV_TRUNC] == 3333333333ull,
	       "divsd and cvttsd2si: (long)(1e10 / 3.0) = 3333333333");
	report(r[SSE_HARMONIC_BITS] == HARMONIC_BITS,
	       "100 dependent divsd/addsd: 1 + 1/2 + ... + 1/100 bit-exact");
	report(r[SSE_FLOAT_THIRD] == THIRD_F_BITS, "divss: 1.0f / 3.0f = %#llx",
	       THIRD_F_BITS);
	report(r[SSE_VECTOR_SUM] == 226,
	       "paddd, pslld, pxor on int vectors: lanes sum to 226");
}

/* MXCSR and XMM5 through an FXSAVE image and back. XMM5 is named in the
 * asm only: this file is built without SSE, so the compiler keeps nothing
 * in XMM registers. */
static void check_fxsave(void)
{
	static uint8_t area[512] __attribute__((aligned(16)));
	uint32_t mx = MXCSR_DEFAULT | MXCSR_RC_UP, dflt = MXCSR_DEFAULT, back;
	uint64_t lo = 0x0123456789ABCDEFull, hi = 0xFEDCBA9876543210ull;
	uint64_t blo, bhi;

	asm volatile(
	    "movq %[lo], %%xmm5\n\t"
	    "movq %[hi], %%xmm4\n\t"
	    "punpcklqdq %%xmm4, %%xmm5\n\t"
	    "ldmxcsr %[mx]\n\t"
	    "fxsave %[area]\n\t"
	    "pxor %%xmm5, %%xmm5\n\t"
	    "ldmxcsr %[dflt]\n\t"
	    "fxrstor %[area]\n\t"
	    "stmxcsr %[back]\n\t"
	    "ldmxcsr %[dflt]\n\t"
	    "movq %%xmm5, %[blo]\n\t"
	    "psrldq $8, %%xmm5\n\t"
	    "movq %%xmm5, %[bhi]"
	    : [area] "+m"(area), [back] "=m"(back), [blo] "=r"(blo),
	      [bhi] "=r"(bhi)
	    : [lo] "r"(lo), [hi] "r"(hi), [mx] "m"(mx), [dflt] "m"(dflt)
	    : "memory");
	report(*(uint32_t *)(area + FX_MXCSR) == mx &&
		   *(uint64_t *)(area + FX_XMM5) == lo &&
		   *(uint64_t *)(area + FX_XMM5 + 8) == hi,
	       "fxsave stores MXCSR at byte 24 and XMM5 at byte 240");
	report(back == mx && blo == lo && bhi == hi,
	       "fxrstor brings back MXCSR %#x and XMM5", mx);
}

void compat_check_sse(void)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	report((cr0 & (CR0_EM | CR0_MP)) == CR0_MP &&
		   (cr4 & (CR4_OSFXSR | CR4_OSXMMEXCPT)) ==
		       (CR4_OSFXSR | CR4_OSXMMEXCPT),
	       "CR0.EM=0 MP=1, CR4.OSFXSR=1 OSXMMEXCPT=1 (set in 32-bit "
	       "mode)");
	check_sse_results();
	check_fxsave();
}

static int demand_faults;

static void demand_pf(struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();
	int in_range = cr2 >= DEMAND_BASE &&
		       cr2 < DEMAND_BASE + CM_DEMAND_PAGES * PAGE_SIZE;

	if (!in_range || (f->error_code & PTE_P) ||
	    demand_faults >= CM_DEMAND_PAGES) {
		report(0,
		       "page fault at %#lx error %#lx rip %#lx is not a "
		       "demand fault",
		       cr2, f->error_code, f->rip);
		report_summary();
	}
	printf("compat_mb: #PF at %#lx error %#lx -> mapped a fresh page\n",
	       cr2, f->error_code);
	paging_map(cr2 & ~(PAGE_SIZE - 1), (uint64_t)page_alloc(),
		   PTE_P | PTE_W | PTE_U | PTE_NX);
	demand_faults++;
}

void compat_check_ring3(void)
{
	idt_set_handler(14, demand_pf);
	user_call(compat_user_main, 0);
	idt_set_handler(14, 0);
	report(cm_uview.cpl == 3, "ring 3: the user code ran at CPL 3");
	report(cm_uview.syscall_ret == cm_msg_syscall_len,
	       "ring 3: write() by SYSCALL returned its length");
	report(cm_uview.int80_ret == cm_msg_int80_len,
	       "ring 3: write() by INT 0x80 returned its length");
	report(demand_faults == CM_DEMAND_PAGES && cm_uview.pages_ok,
	       "ring 3: %d pages faulted in on first touch, values read back",
	       CM_DEMAND_PAGES);
	report(cm_uview.sse_bits == DOUBLE_3_BITS,
	       "ring 3: addsd 1.5 + 1.5 = 3.0");
}
