/*
 * examples/runtime/syscall.c — system calls (Intel SDM Vol. 2B SYSCALL and
 * SYSRET, Vol. 3A §5.8.8): the MSRs that make SYSCALL work, the INT 0x80
 * gate into the same table, and the built-in calls.
 *
 * STAR[47:32] = kernel CS (SS = CS + 8); STAR[63:48] = 0x18, from which
 * SYSRET makes SS = 0x23 and CS = 0x2B (layout.h). SFMASK clears IF, TF,
 * DF, AC and NT on entry. IA32_KERNEL_GS_BASE points at the per-CPU block
 * the entry code finds with SWAPGS. Outside a SYSCALL the kernel runs with
 * the *user* GS base: nothing else in the runtime uses GS.
 *
 * Arguments from ring 3 are not trusted: write() only accepts a buffer in
 * the lower canonical half and at most 64 KiB, so a bad pointer can fault
 * (a #PF in the guest) but never reach the kernel's own data unnoticed.
 */
#include "syscall.h"

#include "gdt.h"
#include "idt.h"
#include "io.h"
#include "report.h"
#include "uart.h"
#include "user.h"

#define STAR_USER_BASE 0x18ul /* SYSRET: SS = base + 8, CS = base + 16 */
#define SFMASK_BITS    (RFL_IF | RFL_TF | RFL_DF | RFL_AC | RFL_NT)
#define USER_VA_END    0x0000800000000000ul
#define WRITE_MAX      65536ul
#define E_INVAL        ((uint64_t)-22)
#define E_NOSYS        ((uint64_t)-38)

extern char syscall_entry[]; /* syscall_entry.S */

/* Per-CPU block at IA32_KERNEL_GS_BASE; offsets used by syscall_entry.S. */
static struct {
	uint64_t kstack_top;
	uint64_t user_rsp;
} percpu;
static syscall_fn table[SYS_MAX];

static uint64_t sys_write(const struct syscall_frame *f, enum syscall_via via)
{
	uint64_t fd = f->a0, buf = f->a1, len = f->a2;

	(void)via;
	if (fd != 1 && fd != 2)
		return E_INVAL;
	if (len > WRITE_MAX || buf >= USER_VA_END || buf + len > USER_VA_END)
		return E_INVAL;
	uart_write((const char *)buf, len);
	return len;
}

static uint64_t sys_exit(const struct syscall_frame *f, enum syscall_via via)
{
	(void)via;
	debug_exit((uint32_t)f->a0);
}

static uint64_t sys_uret(const struct syscall_frame *f, enum syscall_via via)
{
	user_call_return(f->a0, via == VIA_SYSCALL);
}

/* Called by syscall_entry.S and by the INT 0x80 handler. */
uint64_t syscall_dispatch(const struct syscall_frame *f, enum syscall_via via);
uint64_t syscall_dispatch(const struct syscall_frame *f, enum syscall_via via)
{
	if (f->nr >= SYS_MAX || !table[f->nr])
		return E_NOSYS;
	return table[f->nr](f, via);
}

static void int80_handler(struct trap_frame *t)
{
	struct syscall_frame f = {
		.nr = t->rax, .a0 = t->rdi, .a1 = t->rsi, .a2 = t->rdx,
		.a3 = t->r10, .a4 = t->r8, .a5 = t->r9,
		.user_rip = t->rip, .user_rflags = t->rflags,
		.user_rsp = t->rsp,
	};

	t->rax = syscall_dispatch(&f, VIA_INT80);
}

void syscall_register(unsigned nr, syscall_fn fn)
{
	if (nr < SYS_MAX)
		table[nr] = fn;
}

void syscall_init(void)
{
	percpu.kstack_top = gdt_rsp0_stack().hi;
	table[SYS_write] = sys_write;
	table[SYS_exit] = sys_exit;
	table[SYS_uret] = sys_uret;
	idt_set_handler(VEC_SYSCALL, int80_handler);
	wrmsr(MSR_STAR, STAR_USER_BASE << 48 | (uint64_t)SEL_KCODE << 32);
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, SFMASK_BITS);
	wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)&percpu);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
