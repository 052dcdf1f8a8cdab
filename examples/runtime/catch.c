/*
 * examples/runtime/catch.c — the exception catcher behind TRY_BEGIN/TRY_END
 * (catch.h).
 *
 * The record is in section .udata (the user region, see link64.ld) so that
 * ring-3 code can arm it with plain stores; the handler side runs at ring 0.
 * The catcher clears RFLAGS.TF in the frame it resumes, so a single-step
 * test cannot leave the trap flag set behind it.
 */
#include "catch.h"

#include "idt.h"
#include "io.h"
#include "printf.h"
#include "report.h"

struct trap_catch trap_catch __attribute__((section(".udata")));

void catch_reset(void)
{
	trap_catch = (struct trap_catch){ .vector = ~0ul };
}

int catch_trap(struct trap_frame *f)
{
	struct trap_catch *c = &trap_catch;

	if (!c->fixup)
		return 0;
	c->count++;
	c->vector = f->vector;
	c->error_code = f->error_code;
	c->rip = f->rip;
	c->cs = f->cs;
	c->rflags = f->rflags;
	c->rsp = f->rsp;
	c->ss = f->ss;
	c->cr2 = (f->vector == 14) ? read_cr2() : 0;
	c->frame = (uint64_t)f;
	c->resumed_at = c->fixup;
	f->rip = c->fixup;
	f->rflags &= ~RFL_TF;
	c->fixup = 0;
	return 1;
}

/* Vectors for which the CPU pushes an error code (SDM Vol. 3A Table 6-1). */
static int has_error_code(int vec)
{
	return vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 ||
	       vec == 21 || vec == 29 || vec == 30;
}

static void print_seen(uint64_t want_rip)
{
	const struct trap_catch *c = &trap_catch;

	if (!c->count) {
		printf("      no exception (instruction at %#lx)\n", c->insn);
		return;
	}
	printf("      saw %lu: %s (vector %lu) err %#lx rip %#lx cr2 %#lx; "
	       "wanted rip %#lx\n",
	       c->count, exc_name(c->vector), c->vector, c->error_code, c->rip,
	       c->cr2, want_rip);
}

static uint64_t want_rip(uint64_t rip)
{
	if (rip == AT_FAULT)
		return trap_catch.insn;
	if (rip == AT_TRAP)
		return trap_catch.resumed_at;
	if (rip == AT_ANY)
		return trap_catch.rip;
	return rip;
}

int catch_check(const char *what, int vec, uint64_t err, uint64_t rip)
{
	const struct trap_catch *c = &trap_catch;
	uint64_t want = want_rip(rip);
	int ok = c->count == 1 && c->vector == (uint64_t)vec &&
		 c->error_code == err && c->rip == want;

	if (has_error_code(vec))
		report(ok, "%s -> %s(%#lx)", what, exc_name(vec), err);
	else
		report(ok, "%s -> %s", what, exc_name(vec));
	if (!ok)
		print_seen(want);
	return ok;
}

int catch_check_pf(const char *what, uint64_t err, uint64_t cr2, uint64_t rip)
{
	const struct trap_catch *c = &trap_catch;
	uint64_t want = want_rip(rip);
	int ok = c->count == 1 && c->vector == 14 && c->error_code == err &&
		 c->rip == want && c->cr2 == cr2;

	report(ok, "%s -> #PF(%#lx) cr2=%#lx", what, err, cr2);
	if (!ok)
		print_seen(want);
	return ok;
}

int catch_check_none(const char *what)
{
	int ok = trap_catch.count == 0;

	report(ok, "%s: no exception", what);
	if (!ok)
		print_seen(0);
	return ok;
}

int catch_setup_failed(const char *what)
{
	const struct trap_catch *c = &trap_catch;

	if (!c->count)
		return 0;
	report(0, "%s: unexpected %s (vector %lu) err %#lx at %#lx", what,
	       exc_name(c->vector), c->vector, c->error_code, c->rip);
	return 1;
}
