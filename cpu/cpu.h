/*
 * cpu/cpu.h — public interface of one simulated x86-64 core.
 *
 * The core runs guest code for a budget of simulated cycles and returns an
 * exit. Everything the core cannot do by itself — port I/O, MMIO, MSRs and
 * CPUID leaves it does not own, interrupt acknowledge — goes through the
 * `struct cpu_env` callbacks that the owner (the hypervisor, or a test)
 * supplies. Those callbacks *are* the intercepts: the owner charges their
 * cost and counts them. The core knows nothing of partitions or VMBus.
 *
 * Other folders see `struct cpu` as opaque, plus the small state accessors
 * below (loaders set up boot state through them).
 */
#ifndef HVSIM_CPU_CPU_H_
#define HVSIM_CPU_CPU_H_

#include <stdbool.h>
#include <stdint.h>

#include "cpu/regs.h"

struct cpu;
struct physmem;

typedef uint64_t cycles_t;

/* Status returned by environment callbacks. */
enum cpu_env_status {
	ENV_OK = 0,      /* handled */
	ENV_GP = -1,     /* inject #GP(0) (unknown MSR, bad value) */
	ENV_UNHANDLED = -2, /* nobody owns it: port reads 0xFF.., writes dropped */
	/* The owner completes it later (an intercept forwarded to another
	 * agent): the instruction is undone, cpu_run() returns CPU_EXIT_STOP,
	 * and the instruction runs again — asking again — when the core next
	 * runs. Only io_in/io_out may return it. */
	ENV_RETRY = -3,
};

/*
 * The intercepts. Every pointer may be NULL (then: ports unhandled, MSRs and
 * CPUID leaves unknown to the core #GP / read zero). `opaque` is passed back.
 * `cost` lets the handler add the cycles the intercept took (exit + handling
 * + entry); the core adds them to its clock.
 */
struct cpu_env {
	void *opaque;
	int (*io_in)(void *opaque, struct cpu *cpu, uint16_t port, int size,
		     uint32_t *val, cycles_t *cost);
	int (*io_out)(void *opaque, struct cpu *cpu, uint16_t port, int size,
		      uint32_t val, cycles_t *cost);
	/* MSRs the core itself does not implement. */
	int (*rdmsr)(void *opaque, struct cpu *cpu, uint32_t msr, uint64_t *val,
		     cycles_t *cost);
	int (*wrmsr)(void *opaque, struct cpu *cpu, uint32_t msr, uint64_t val,
		     cycles_t *cost);
	/* CPUID: regs[0..3] (eax, ebx, ecx, edx) hold the core's own answer on
	 * entry; the hook may change them (e.g. the hypervisor-present bit and
	 * the 0x4000000x leaves). */
	int (*cpuid)(void *opaque, struct cpu *cpu, uint32_t leaf,
		     uint32_t subleaf, uint32_t regs[4], cycles_t *cost);
	/* VMCALL (0F 01 C1): the hypercall intercept. NULL → #UD. */
	int (*vmcall)(void *opaque, struct cpu *cpu, cycles_t *cost);
	/* Interrupt acknowledge: called when the core is about to deliver an
	 * external interrupt (irq line high, IF=1, no shadow). Returns the
	 * vector, or -1 if nothing is pending after all. */
	int (*intr_ack)(void *opaque, struct cpu *cpu);
};

/* Why cpu_run() returned. */
enum cpu_exit_reason {
	CPU_EXIT_BUDGET,       /* the cycle budget ran out */
	CPU_EXIT_HLT,          /* HLT with nothing to wake it */
	CPU_EXIT_STOP,         /* cpu_request_stop() was called (device, owner) */
	CPU_EXIT_TRIPLE_FAULT, /* shutdown: a fault while delivering #DF */
};

struct cpu_exit {
	enum cpu_exit_reason reason;
	uint64_t rip;  /* RIP at the exit */
	int vector;    /* TRIPLE_FAULT: the vector of the last fault */
};

struct cpu *cpu_create(struct physmem *mem, const struct cpu_env *env);
void cpu_destroy(struct cpu *cpu);
/* Power-on reset state (SDM Vol. 3A §9.1.1), except that the mode stays
 * whatever the loader sets up afterwards. */
void cpu_reset(struct cpu *cpu);

/* Run until the budget (in cycles) is used up or an exit happens. */
struct cpu_exit cpu_run(struct cpu *cpu, cycles_t budget);
/* Ask a running core to return CPU_EXIT_STOP at the next instruction
 * boundary (callable from env callbacks). */
void cpu_request_stop(struct cpu *cpu);
/* Level of the external interrupt line (INTR). While high and IF=1 the core
 * calls env->intr_ack at an instruction boundary, and HLT wakes up. */
void cpu_set_intr_line(struct cpu *cpu, bool high);

/* Simulated time of this core and retired instructions. */
cycles_t cpu_cycles(const struct cpu *cpu);
uint64_t cpu_instret(const struct cpu *cpu);
void cpu_add_cycles(struct cpu *cpu, cycles_t n);
/* Time that passes outside guest execution (root-mode exit handling, the
 * vCPU descheduled or halted): the clock moves, no CPL is charged. */
void cpu_advance_clock(struct cpu *cpu, cycles_t n);
/* Cycles spent executing at CPL `cpl` (0..3), cpu_add_cycles and the
 * env callbacks' costs included, cpu_advance_clock excluded. */
cycles_t cpu_cycles_at_cpl(const struct cpu *cpu, int cpl);

/* State accessors used by loaders, the hypervisor and tests. */
uint64_t cpu_get_gpr(const struct cpu *cpu, enum gpr r);
void cpu_set_gpr(struct cpu *cpu, enum gpr r, uint64_t v);
uint64_t cpu_get_rip(const struct cpu *cpu);
void cpu_set_rip(struct cpu *cpu, uint64_t rip);
int cpu_get_cpl(const struct cpu *cpu);
/* RFLAGS.IF: can an external interrupt be taken? */
bool cpu_interrupts_enabled(const struct cpu *cpu);
/* Protected mode (CR0.PE) and not virtual-8086: where hypercalls work. */
bool cpu_in_protected_mode(const struct cpu *cpu);
/* Is the core in 64-bit mode (EFER.LMA and CS.L)? */
bool cpu_in_long_mode(const struct cpu *cpu);

/* Boot states (modes.c). Both leave CPL 0, IF=0, and flat segments. */
/* 32-bit protected mode, paging off (the multiboot v1 hand-off state). */
void cpu_setup_protected32(struct cpu *cpu);
/* 64-bit long mode with paging on, CR3 = the given page tables, the GDT at
 * `gdt_gpa` (the caller wrote a flat 64-bit GDT there, see
 * cpu_write_boot_gdt), SSE enabled in CR0/CR4. */
void cpu_setup_long64(struct cpu *cpu, uint64_t cr3, uint64_t gdt_gpa);
/* Write a boot GDT at gdt_gpa: null, code64 (0x08), data (0x10),
 * code32 (0x18). Returns its size in bytes. */
int cpu_write_boot_gdt(struct physmem *mem, uint64_t gdt_gpa);

/* ---- added for the local APIC wiring (hv/vapic.c; modes.c, msr.c) ------
 * INIT (SDM Vol. 3A §9.1.1 Table 9-1, INIT column): the core goes to the
 * reset vector in real mode (CS F000, base FFFF0000, RIP FFF0), with GPRs,
 * control registers, descriptor tables, segments and RFLAGS as at
 * power-up, but x87/SSE state, MSRs (the TSC offset included), DR0-DR3
 * and CR0.CD/NW kept; it is halted, waiting for a SIPI. */
void cpu_init_signal(struct cpu *cpu);
/* Still at the reset vector as RESET or INIT left it (has executed
 * nothing since): the only state in which a SIPI starts the core. */
bool cpu_at_reset_vector(const struct cpu *cpu);
/* SIPI (SDM Vol. 3A §9.4.4, §11.6.1): real mode at CS = vector << 8,
 * base vector << 12, IP 0, running. */
void cpu_start_at_sipi(struct cpu *cpu, uint8_t vector);
/* The TSC offset (TSC = cycles + offset; IA32_TSC writes move it). */
int64_t cpu_tsc_offset(const struct cpu *cpu);
/* End the current cpu_run() no later than cycle `when` (at the next block
 * boundary from then): a timer armed while the core runs interrupts it on
 * time instead of at the end of the slice. No effect outside cpu_run. */
void cpu_end_run_by(struct cpu *cpu, cycles_t when);

/* Log every unimplemented opcode once, with its bytes (disasm.c). */
void cpu_set_log(struct cpu *cpu, void (*log)(void *opaque, const char *msg),
		 void *opaque);

#endif
