/*
 * examples/runtime/layout.h — the guest runtime's fixed numbers: segment
 * selectors of its own GDT, fixed virtual addresses, system-call numbers.
 *
 * Shared by C and assembly (.S files are preprocessed), so it holds only
 * #defines. The selector layout follows what SYSCALL/SYSRET require (Intel
 * SDM Vol. 2B SYSRET, Vol. 3A §5.8.8): STAR[47:32] = kernel CS, kernel SS =
 * +8; STAR[63:48] = 0x18, so SYSRET loads SS = 0x18 + 8 = 0x20 and 64-bit
 * CS = 0x18 + 16 = 0x28 (RPL 3 forced).
 */
#ifndef HVRT_LAYOUT_H_
#define HVRT_LAYOUT_H_

/* GDT selectors (gdt.c builds the descriptors in this order). */
#define SEL_KCODE      0x08 /* 64-bit code, DPL 0 */
#define SEL_KDATA      0x10 /* data, DPL 0 */
#define SEL_UCODE32    0x1B /* 32-bit code, DPL 3 (SYSRET base; unused) */
#define SEL_UDATA      0x23 /* data, DPL 3 */
#define SEL_UCODE      0x2B /* 64-bit code, DPL 3 */
#define SEL_TSS        0x30 /* 64-bit TSS (two slots) */
#define SEL_NOTPRESENT 0x40 /* data descriptor with P = 0 (for #NP tests) */
#define SEL_KCODE_RO   0x48 /* 64-bit execute-only code, DPL 0 (#GP tests) */
#define GDT_ENTRIES    10

/* Fixed virtual addresses, all outside the identity map of the first 4 GiB. */
#define USER_STACK_TOP   0x00007FFFFFF00000 /* user stack grows down */
#define USER_STACK_PAGES 4
#define DEMAND_BASE      0x0000400000000000 /* hello: faulted in on demand */
#define DEMAND_PAGES     16
#define TEST_VA_BASE     0x0000500000000000 /* exceptions: #PF test pages */

/* System-call numbers (syscall.c). RAX = number; RDI, RSI, RDX = arguments. */
#define SYS_write   1  /* write(fd, buf, len) -> len; fd 1, 2: UART */
#define SYS_exit    60 /* exit(status): debug-exit with status; never returns */
#define SYS_uret    64 /* internal: user_call() is done, value in RDI */
#define SYS_GUEST   96 /* first number a guest may register */
#define SYS_MAX     128

/* Stack sizes (bytes). */
#define KSTACK_SIZE 16384
#define IST_SIZE    8192

#endif
