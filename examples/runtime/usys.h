/*
 * examples/runtime/usys.h — the ring-3 side of system calls: SYSCALL and
 * INT 0x80 wrappers (static inline, so they are compiled into the *_user.c
 * file that uses them and land in the user region), and uprintf().
 *
 * ABI (syscall.c): RAX = number, RDI/RSI/RDX = arguments, result in RAX.
 * SYSCALL itself overwrites RCX (return RIP) and R11 (RFLAGS).
 */
#ifndef HVRT_USYS_H_
#define HVRT_USYS_H_

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

static inline uint64_t usys_syscall(uint64_t nr, uint64_t a0, uint64_t a1,
				    uint64_t a2)
{
	uint64_t ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline uint64_t usys_int80(uint64_t nr, uint64_t a0, uint64_t a1,
				  uint64_t a2)
{
	uint64_t ret;

	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
		     : "memory");
	return ret;
}

static inline int64_t u_write(const char *buf, size_t len)
{
	return (int64_t)usys_syscall(SYS_write, 1, (uint64_t)buf, len);
}

static inline _Noreturn void u_exit(int status)
{
	usys_syscall(SYS_exit, (uint64_t)status, 0, 0);
	for (;;)
		;
}

/* The CPL this code runs at (CS.RPL). */
static inline unsigned u_cpl(void)
{
	uint16_t cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

/* printf for ring 3: formats into a small buffer, flushed with write(). */
int uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
