/*
 * tests/unit/hv/test_forward.c — I/O intercepts answered later.
 *
 * In cpu terms (cpu/cpu.h ENV_RETRY): an IN/OUT whose hook returns
 * ENV_RETRY is undone like a fault (RIP and registers as before it; for
 * REP INS/OUTS the elements already done stay done), cpu_run() returns
 * CPU_EXIT_STOP at once, only the hook's cost is charged, and the
 * instruction asks again when the core runs again.
 * In hypervisor terms (hv/work.c): a child's port I/O is emulated by the
 * parent's VM Worker on a parent vCPU, so it reaches the device only when
 * a parent vCPU runs, an IN returns the device's value, each access is
 * one exit, and a parent with less CPU makes the child slower.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "../../common/fixture.h"
#include "hv_test.h"

/* ---- the core: ENV_RETRY ------------------------------------------------- */

struct retry_env {
	int calls;
	int retry_on; /* the call number that answers ENV_RETRY (1-based) */
	cycles_t cost;
	uint32_t in_val;
	uint8_t out[64];
	int outlen;
};

static int r_in(void *opaque, struct cpu *cpu, uint16_t port, int size,
		uint32_t *val, cycles_t *cost)
{
	struct retry_env *e = opaque;

	(void)cpu, (void)port, (void)size;
	*cost = e->cost;
	if (++e->calls == e->retry_on)
		return ENV_RETRY;
	*val = e->in_val;
	return ENV_OK;
}

static int r_out(void *opaque, struct cpu *cpu, uint16_t port, int size,
		 uint32_t val, cycles_t *cost)
{
	struct retry_env *e = opaque;

	(void)cpu, (void)port, (void)size;
	*cost = e->cost;
	if (++e->calls == e->retry_on)
		return ENV_RETRY;
	e->out[e->outlen++] = (uint8_t)val;
	return ENV_OK;
}

static struct fx *retry_fx(struct retry_env *e)
{
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->env =
	    (struct cpu_env){.opaque = e, .io_in = r_in, .io_out = r_out};
	return fx;
}

/* mov ebx, 7; in al, 0x60; movzx ecx, al; hlt */
static const uint8_t in_code[] = {0xBB, 0x07, 0, 0, 0, 0xE4, 0x60,
				  0x0F, 0xB6, 0xC8, 0xF4};

Test(retry, in_is_undone_and_asks_again_when_run_again)
{
	struct retry_env e = {.retry_on = 1, .in_val = 0x5A};
	struct fx *fx = retry_fx(&e);
	struct cpu_exit ex;

	fx->cpu->gpr[RAX] = 0x1122334455667788ull;
	fx_load(fx, in_code, sizeof(in_code));
	ex = fx_run(fx, 100000);
	cr_assert_eq(ex.reason, CPU_EXIT_STOP);
	cr_assert_eq(fx->cpu->rip, FX_CODE + 5, "RIP at the IN");
	cr_assert_eq(ex.rip, FX_CODE + 5);
	cr_assert_eq(fx->cpu->gpr[RAX], 0x1122334455667788ull);
	cr_assert_eq(fx->cpu->gpr[RBX], 7, "the MOV before it stays done");
	cr_assert_eq(cpu_instret(fx->cpu), 1);
	cr_assert_eq(e.calls, 1);
	ex = fx_run(fx, 100000);
	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_assert_eq(e.calls, 2, "asked again");
	cr_assert_eq(fx->cpu->gpr[RCX], 0x5A);
	cr_assert_eq(fx->cpu->gpr[RAX], 0x112233445566775Aull);
	cr_assert_eq(cpu_instret(fx->cpu), 4);
	fx_free(fx);
}

/* Only the hook's cost is charged for the undone instruction. */
Test(retry, only_the_hooks_cost_is_charged_for_the_undone_instruction)
{
	struct retry_env a = {.retry_on = 1, .cost = 0};
	struct retry_env b = {.retry_on = 1, .cost = 1000};
	struct fx *fa = retry_fx(&a), *fb = retry_fx(&b);
	struct fx *fc = fx_new(FX_LONG64);
	static const uint8_t mov_only[] = {0xBB, 0x07, 0, 0, 0, 0xF4};

	fx_load(fa, in_code, sizeof(in_code));
	fx_load(fb, in_code, sizeof(in_code));
	fx_run(fa, 100000);
	fx_run(fb, 100000);
	cr_assert_eq(cpu_cycles(fb->cpu) - cpu_cycles(fa->cpu), 1000);
	/* Without the hook's cost, only the MOV was charged: the same as
	 * running the MOV and the HLT alone, less the HLT. */
	fx_exec(fc, mov_only, sizeof(mov_only));
	cr_assert_lt(cpu_cycles(fa->cpu), cpu_cycles(fc->cpu));
	cr_assert_eq(cpu_instret(fa->cpu), 1);
	fx_free(fa);
	fx_free(fb);
	fx_free(fc);
}

/* mov dx, 0x3f8; out dx, al (al = 0x41); hlt */
Test(retry, out_is_undone_and_the_value_sent_once)
{
	static const uint8_t code[] = {0x66, 0xBA, 0xF8, 0x03, 0xB0, 0x41,
				       0xEE, 0xF4};
	struct retry_env e = {.retry_on = 1};
	struct fx *fx = retry_fx(&e);

	fx_load(fx, code, sizeof(code));
	cr_assert_eq(fx_run(fx, 100000).reason, CPU_EXIT_STOP);
	cr_assert_eq(fx->cpu->rip, FX_CODE + 6);
	cr_assert_eq(e.outlen, 0);
	cr_assert_eq(fx_run(fx, 100000).reason, CPU_EXIT_HLT);
	cr_assert_eq(e.outlen, 1);
	cr_assert_eq(e.out[0], 0x41);
	fx_free(fx);
}

/* rep outsb of "abcde" with the third element answered later: the first
 * two stay sent (RSI, RCX moved by 2), RIP at the instruction. */
Test(retry, rep_outsb_keeps_the_elements_already_done)
{
	static const uint8_t code[] = {0xF3, 0x6E, 0xF4}; /* rep outsb; hlt */
	struct retry_env e = {.retry_on = 3};
	struct fx *fx = retry_fx(&e);

	fx_poke(fx, FX_DATA, "abcde", 5);
	fx->cpu->gpr[RSI] = FX_DATA;
	fx->cpu->gpr[RCX] = 5;
	fx->cpu->gpr[RDX] = 0x3F8;
	fx_load(fx, code, sizeof(code));
	cr_assert_eq(fx_run(fx, 100000).reason, CPU_EXIT_STOP);
	cr_assert_eq(fx->cpu->rip, FX_CODE);
	cr_assert_eq(fx->cpu->gpr[RCX], 3);
	cr_assert_eq(fx->cpu->gpr[RSI], FX_DATA + 2);
	cr_assert_eq(e.outlen, 2);
	cr_assert_eq(fx_run(fx, 100000).reason, CPU_EXIT_HLT);
	cr_assert_eq(e.outlen, 5);
	cr_assert_eq(memcmp(e.out, "abcde", 5), 0);
	cr_assert_eq(fx->cpu->gpr[RCX], 0);
	fx_free(fx);
}
