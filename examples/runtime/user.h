/*
 * examples/runtime/user.h — running code at CPL 3.
 *
 * Ring-3 code must live in the user region: files named *_user.c (and
 * format.c) are linked there by link64.ld, with their text, constants and
 * data, and paging_init() maps that region user-accessible. Everything
 * else in the image is supervisor-only, so ring-3 code that strays into
 * the kernel takes a #PF.
 */
#ifndef HVRT_USER_H_
#define HVRT_USER_H_

#include <stdint.h>

typedef uint64_t (*user_fn)(uint64_t arg);

/* Maps the user stack (below USER_STACK_TOP) and sets EFER.NXE.
 * paging_init() must have run. */
void user_init(void);
/* Runs fn(arg) at CPL 3 (IRETQ to SEL_UCODE, RFLAGS = 0x2, fresh user
 * stack) and returns its value once fn returns (its trampoline makes the
 * SYS_uret system call). Exceptions at CPL 3 go through the IDT as usual.
 * Not reentrant: one user call at a time. */
uint64_t user_call(user_fn fn, uint64_t arg);
/* SYS_uret: unwinds to user_call()'s caller. swap_gs: came via SYSCALL. */
_Noreturn void user_call_return(uint64_t value, int swap_gs);

#endif
