/*
 * examples/guests/exceptions.h — the parts of the exceptions guest, one
 * file per family of exceptions, and its ring-3 snippets.
 */
#ifndef GUEST_EXCEPTIONS_H_
#define GUEST_EXCEPTIONS_H_

#include <stdint.h>

#include "layout.h"

/* Fixed test pages (exceptions_pf.c), outside every other mapping. */
#define VA_NP       (TEST_VA_BASE + 0x0000) /* never present */
#define VA_RO       (TEST_VA_BASE + 0x1000) /* supervisor, read-only */
#define VA_SUP      (TEST_VA_BASE + 0x2000) /* supervisor, writable */
#define VA_URO      (TEST_VA_BASE + 0x3000) /* user, read-only */
#define VA_NX       (TEST_VA_BASE + 0x4000) /* supervisor, no-execute */
#define VA_RSVD     (TEST_VA_BASE + 0x5000) /* a reserved bit set */
#define VA_USER     (TEST_VA_BASE + 0x6000) /* user, writable */
#define VA_HOLE     (TEST_VA_BASE + 0x7000) /* not present, after VA_USER */
#define VA_UNX      (TEST_VA_BASE + 0x8000) /* user, no-execute */

/* Every check of this guest, in order (exceptions.c). Needs rt_init()
 * done; reports each check and leaves the summary to the caller. */
void exceptions_run_all(void);

void test_pf(void);        /* exceptions_pf.c */
void test_df(void);        /* exceptions_pf.c */
void test_fpu(void);       /* exceptions_fpu.c */
void test_ring3(void);     /* exceptions_ring3.c */

/* Ring-3 snippets (exceptions_user.c): each arms the catcher around one
 * instruction; the kernel checks trap_catch after user_call() returns. */
struct u_dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));
extern struct u_dtr u_gdtr, u_idtr; /* in the user region */

uint64_t u_read(uint64_t va);
uint64_t u_write8(uint64_t va);
uint64_t u_jump(uint64_t va);
uint64_t u_hlt(uint64_t arg);
uint64_t u_cli(uint64_t arg);
uint64_t u_sti(uint64_t arg);
uint64_t u_read_cr0(uint64_t arg);
uint64_t u_write_cr3(uint64_t arg);
uint64_t u_rdmsr(uint64_t arg);
uint64_t u_wrmsr(uint64_t arg);
uint64_t u_inb(uint64_t arg);
uint64_t u_outb(uint64_t arg);
uint64_t u_lgdt(uint64_t arg);
uint64_t u_lidt(uint64_t arg);
uint64_t u_invlpg(uint64_t arg);
uint64_t u_swapgs(uint64_t arg);
uint64_t u_clts(uint64_t arg);
uint64_t u_rdpmc(uint64_t arg);
uint64_t u_rdtsc(uint64_t arg);
uint64_t u_misaligned_ac(uint64_t arg);

#endif
