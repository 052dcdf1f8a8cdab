/*
 * examples/runtime/catch.h — run one instruction that should fault, and
 * catch the exception (the guest-side equivalent of a unit-test assertion
 * on an exception).
 *
 * Usage, in extended asm (the string macros arm and disarm the catcher):
 *
 *	catch_reset();
 *	asm volatile("<setup>" TRY_BEGIN "ud2" TRY_END ::: TRY_CLOBBERS);
 *	catch_check("ud2", 6, 0, AT_FAULT);
 *
 * TRY_BEGIN stores the resume address (the end of the tried code) and the
 * address of the tried instruction in trap_catch. When any exception comes,
 * trap_dispatch() records it there and IRETQs to the resume address instead
 * of running a handler. The record lives in the user region (.udata), so
 * ring-3 code can arm it as well.
 */
#ifndef HVRT_CATCH_H_
#define HVRT_CATCH_H_

#include <stdint.h>

struct trap_frame;

struct trap_catch {
	uint64_t fixup;      /* +0: where to resume; 0 = not armed */
	uint64_t insn;       /* +8: address of the instruction under test */
	uint64_t count;      /* exceptions caught since catch_reset() */
	uint64_t resumed_at; /* the fixup the last exception resumed at */
	uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
	uint64_t cr2;        /* read by the handler for #PF only */
	uint64_t frame;      /* address of the trap frame: which stack */
};
extern struct trap_catch trap_catch;

#define TRY_BEGIN                                                              \
	"leaq 8889f(%%rip), %%r11\n\t"                                         \
	"movq %%r11, trap_catch(%%rip)\n\t"                                    \
	"leaq 8888f(%%rip), %%r11\n\t"                                         \
	"movq %%r11, trap_catch+8(%%rip)\n"                                    \
	"8888:\n\t"
#define TRY_END                                                                \
	"\n8889:\n\t"                                                          \
	"movq $0, trap_catch(%%rip)\n\t"
#define TRY_CLOBBERS "r11", "memory", "cc"

/* Where the saved RIP must point for catch_check(): */
#define AT_FAULT 0 /* a fault: at the tried instruction */
#define AT_TRAP  1 /* a trap: after it (the resume address) */
#define AT_ANY   2 /* an abort (#DF): the saved RIP is undefined */

/* Clears the record (ring 0; before running a ring-3 test too). */
void catch_reset(void);
/* Called by trap_dispatch(): records and redirects if armed. */
int catch_trap(struct trap_frame *f);
/* Reports (report()) whether exactly one exception `vec` with error code
 * `err` was caught, with the saved RIP at `rip` (AT_FAULT, AT_TRAP or an
 * address). Prints what was seen if not. */
int catch_check(const char *what, int vec, uint64_t err, uint64_t rip);
/* The same for #PF, also checking CR2. */
int catch_check_pf(const char *what, uint64_t err, uint64_t cr2, uint64_t rip);
/* Reports that nothing was caught. */
int catch_check_none(const char *what);
/* For setup or cleanup code run under TRY that is not itself under test:
 * if it faulted, reports a FAIL naming `what` and returns 1; otherwise
 * reports nothing and returns 0. Keeps one missing instruction in a young
 * CPU model from ending the whole run. */
int catch_setup_failed(const char *what);

#endif
