/*
 * tests/common/fixture.h — a tiny machine in one call, for unit tests that
 * execute real instruction bytes (Blink test/asm style).
 *
 * Layout of the fixture's 16 MiB of RAM (all identity-mapped):
 *   0x000800  GDT: null, code64 0x08, data 0x10, code32 0x18, then
 *             user data 0x2B (0x28|3), user code64 0x33 (0x30|3), TSS 0x40
 *   0x001000  PML4, 0x2000 PDPT, 0x3000 PD: first 1 GiB as 2 MiB pages,
 *             present, writable, supervisor (fx_user_pages() sets U/S)
 *   0x004000  IDT: 256 interrupt gates (DPL 0) to the stubs below
 *   0x005000  vector stubs: stub v at 0x5000 + 16*v is `hlt` (+ padding),
 *             so an exception ends fx_run() with CPU_EXIT_HLT and
 *             fx_vector() tells which vector was taken
 *   0x006000  TSS (RSP0 = 0x1F0000)
 *   0x100000  FX_CODE: code loaded by fx_load(), RIP starts here
 *   0x200000  FX_STACK: initial RSP (grows down)
 *   0x300000  FX_DATA: scratch data
 * Port I/O: writes are recorded in fx->out (port 0xE9 or any port), reads
 * return fx->in_val.
 */
#ifndef HVSIM_TESTS_FIXTURE_H_
#define HVSIM_TESTS_FIXTURE_H_

#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_int.h"
#include "mmu/mmu.h"

#define FX_RAM   (16u << 20)
#define FX_GDT   0x800u
#define FX_PML4  0x1000u
#define FX_IDT   0x4000u
#define FX_STUBS 0x5000u
#define FX_TSS   0x6000u
#define FX_CODE  0x100000u
#define FX_STACK 0x200000u
#define FX_DATA  0x300000u

enum fx_mode { FX_LONG64, FX_PROT32 };

struct fx {
	struct physmem *mem;
	struct cpu *cpu;
	uint8_t out[4096]; /* bytes written by OUT, in order */
	size_t outlen;
	uint16_t last_port;
	uint32_t in_val;   /* value returned by IN */
};

struct fx *fx_new(enum fx_mode mode);
void fx_free(struct fx *fx);
/* Copy code to FX_CODE and set RIP there. */
void fx_load(struct fx *fx, const void *code, size_t len);
/* Run until HLT (or an exit), at most max_cycles. */
struct cpu_exit fx_run(struct fx *fx, uint64_t max_cycles);
/* Load `code` (which should end in HLT, F4), run it, return the exit. */
struct cpu_exit fx_exec(struct fx *fx, const void *code, size_t len);
/* If the CPU halted in an IDT stub, the vector taken; else -1. */
int fx_vector(const struct fx *fx);
/* Error code / return RIP the exception pushed (valid after fx_vector>=0
 * for a vector that pushes an error code / for any vector). */
uint64_t fx_stack_qword(const struct fx *fx, int index);
/* Run `code` at CPL 3: a prologue at FX_CODE IRETQs to user code 0x33 and
 * user data 0x2B with RSP = FX_USER_STACK and RFLAGS = 2; `code` follows
 * it at FX_USER_CODE. Makes the pages user-accessible first (long mode). */
#define FX_USER_STACK 0x1FF000u
#define FX_USER_CODE  (FX_CODE + 21u)
struct cpu_exit fx_exec_user(struct fx *fx, const void *code, size_t len);
/* Make the 2 MiB pages user-accessible (U/S=1). */
void fx_user_pages(struct fx *fx);
/* Put the core itself at CPL 3 in 64-bit mode on user pages (CS 0x33,
 * SS 0x2B; no IRET), so the next fx_exec runs its code as user code; the
 * exception stubs still run at CPL 0 on the TSS's RSP0. */
void fx_to_user(struct fx *fx);
/* fx_exec, then fx_vector: the vector taken, or -1 if it halted normally. */
int fx_try(struct fx *fx, const void *code, size_t len);
/* Guest memory helpers. */
void fx_poke(struct fx *fx, uint64_t gpa, const void *src, size_t len);
uint64_t fx_peek(struct fx *fx, uint64_t gpa, int size);

#endif
