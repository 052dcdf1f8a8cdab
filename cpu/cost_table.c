/*
 * cpu/cost_table.c — cycles charged per instruction class and per event.
 *
 * The model is deliberately simple and in-order: each retired instruction
 * charges the cost of its class (a blend of latency and reciprocal
 * throughput on a current out-of-order core, so that dependent chains are
 * not wildly optimistic and independent code is not wildly pessimistic),
 * and events (page walks, exception delivery) add penalties. Every default
 * below says where it comes from; docs/COSTS.md collects them.
 *
 * Sources:
 *   [AF]  Agner Fog, "Instruction tables" (instruction_tables.pdf),
 *         Skylake and Zen 2 sections — latencies/throughputs as recalled,
 *         not re-measured here, hence approximate [U] per
 *         ../shared/reference/performance.md's legend.
 *   [PERF] ../shared/reference/performance.md §4 and §7 (walk cost 25
 *         cycles for a native 4-level walk with page-walk caches [U]).
 * A row marked "model" is a modelling choice, not a measurement.
 */
#include "cpu/cpu_int.h"

const uint16_t cost_default[C_NCLASSES] = {
	[C_ALU] = 1,        /* [AF] ADD/AND/... r,r: latency 1 */
	[C_MOV] = 1,        /* [AF] MOV r,r / LEA simple: 1 (or eliminated) */
	[C_LOAD] = 4,       /* [AF] L1D load-to-use latency 4-5 */
	[C_STORE] = 1,      /* [AF] store throughput 1/cycle, retires at once */
	[C_RMW] = 6,        /* [AF] ADD m,r: load 4 + op 1 + store-forward */
	[C_BRANCH] = 1,     /* [AF] predicted taken/not-taken branch: 1 */
	[C_IBRANCH] = 2,    /* [AF] CALL/RET/JMP r: 2 (predicted) */
	[C_STACK] = 1,      /* [AF] PUSH/POP with the stack engine: 1 */
	[C_MUL] = 3,        /* [AF] IMUL r64,r64: latency 3 */
	[C_DIV] = 26,       /* [AF] DIV r32 ~26 (Skylake); r64 is slower */
	[C_BITSCAN] = 3,    /* [AF] BSF/BSR/POPCNT/LZCNT/TZCNT: 3 */
	[C_STRING] = 1,     /* model: one element per cycle (fast strings) */
	[C_LOCKED] = 18,    /* [AF] LOCK ADD / XCHG m,r: ~18 */
	[C_SSE] = 1,        /* [AF] PADD/PXOR/MOVDQA r: 1 */
	[C_SSEFP] = 4,      /* [AF] ADDPS/MULPD: latency 4 */
	[C_X87] = 3,        /* [AF] FADD/FMUL: latency 3-5 */
	[C_FXSAVE] = 70,    /* [AF] FXSAVE ~60-80, FXRSTOR similar */
	[C_SEGLOAD] = 10,   /* [AF] MOV Sreg,r in protected mode: ~10-20 */
	[C_CR] = 20,        /* [AF] MOV CR / LGDT: serialising, ~20-50 */
	[C_MSR] = 100,      /* [AF] RDMSR/WRMSR: ~100, serialising */
	[C_CPUID] = 100,    /* [AF] CPUID: ~100-200 natively */
	[C_RDTSC] = 25,     /* [AF] RDTSC: ~25 */
	[C_IO] = 1,         /* model: the intercept charges the real cost */
	[C_INT] = 70,       /* [AF] SYSCALL+SYSRET pair ~70-100; INT n more */
	[C_SERIALIZE] = 30, /* [AF] MFENCE/LFENCE ~30; CLI/STI cheaper */
};

/* [PERF] a native 4-level walk costs ~25 cycles with page-walk caches:
 * charged per level actually read (4 levels ≈ 24). */
const uint16_t cost_tlb_miss_walk = 6;

/* model: IDT delivery with a stack switch (gate and TSS reads, five pushes)
 * — comparable to a SYSCALL plus a few memory accesses. */
const uint16_t cost_exception = 150;
