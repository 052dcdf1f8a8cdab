/*
 * examples/runtime/syscall.h — the kernel side of system calls: SYSCALL
 * (MSR setup, syscall_entry.S) and INT 0x80, both into one table.
 */
#ifndef HVRT_SYSCALL_H_
#define HVRT_SYSCALL_H_

#include <stdint.h>

#include "layout.h"

/* What the SYSCALL entry saves, lowest address first. */
struct syscall_frame {
	uint64_t nr;                         /* RAX at entry */
	uint64_t a0, a1, a2, a3, a4, a5;     /* RDI RSI RDX R10 R8 R9 */
	uint64_t user_rip, user_rflags, user_rsp; /* RCX, R11, RSP */
};

/* How a system call came in, for handlers that care. */
enum syscall_via { VIA_SYSCALL = 1, VIA_INT80 = 2 };

typedef uint64_t (*syscall_fn)(const struct syscall_frame *f,
			       enum syscall_via via);

/* Programs STAR/LSTAR/SFMASK/KERNEL_GS_BASE, sets EFER.SCE, installs the
 * INT 0x80 handler and the built-in calls (write, exit, uret). gdt_init()
 * and idt_init() must have run. */
void syscall_init(void);
/* Registers a guest-defined call, nr in [SYS_GUEST, SYS_MAX). */
void syscall_register(unsigned nr, syscall_fn fn);

#endif
