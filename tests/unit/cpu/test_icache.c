/*
 * tests/unit/cpu/test_icache.c — the decoded-block cache (cpu/exec.c):
 * blocks whose GPAs fall in the same set stay cached side by side (as
 * many as there are ways), one more in that set still runs correctly.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/common/fixture.h"

#define CACHE_SET_BITS 10 /* exec.c: 4096 slots, 4 ways */
#define WAYS	       4
#define LOOPS	       1000

static struct fx *fx;

static void setup(void) { fx = fx_new(FX_LONG64); }
static void teardown(void) { fx_free(fx); }

TestSuite(icache, .init = setup, .fini = teardown);

static unsigned set_of(uint64_t gpa)
{
	return (unsigned)((gpa * 0x9E3779B97F4A7C15ull) >> (64 - CACHE_SET_BITS));
}

/* `count` addresses in [FX_DATA, FX_DATA + 1 MiB) whose blocks share a
 * set with `first`, 16-byte aligned. */
static void same_set(uint64_t first, uint64_t *out, int count)
{
	int n = 0;

	for (uint64_t a = FX_DATA; n < count && a < FX_DATA + (1u << 20);
	     a += 16)
		if (set_of(a) == set_of(first) && a != first)
			out[n++] = a;
	cr_assert_eq(n, count, "found %d colliding addresses", n);
}

/* mov ecx, LOOPS; L: call t[0]; ...; call t[n-1]; dec ecx; jnz L; hlt,
 * with each target `inc rax; ret`. Returns the blocks decoded. */
static uint64_t run_calls(const uint64_t *targets, int n)
{
	uint8_t code[256];
	size_t len = 0;
	const uint8_t body[] = {0x48, 0xFF, 0xC0, 0xC3}; /* inc rax; ret */

	code[len++] = 0xB9; /* mov ecx, imm32 */
	uint32_t loops = LOOPS;
	memcpy(code + len, &loops, 4);
	len += 4;
	size_t top = len;
	for (int i = 0; i < n; i++) {
		int32_t rel = (int32_t)(targets[i] - (FX_CODE + len + 5));

		code[len++] = 0xE8; /* call rel32 */
		memcpy(code + len, &rel, 4);
		len += 4;
		fx_poke(fx, targets[i], body, sizeof(body));
	}
	code[len++] = 0xFF; /* dec ecx */
	code[len++] = 0xC9;
	code[len++] = 0x75; /* jnz top */
	code[len] = (uint8_t)(int8_t)(top - (len + 1));
	len++;
	code[len++] = 0xF4; /* hlt */
	fx_load(fx, code, len);
	fx->cpu->gpr[0] = 0;
	struct cpu_exit ex = fx_run(fx, 100000000);
	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_assert_eq(fx->cpu->gpr[0], (uint64_t)LOOPS * (uint64_t)n,
		     "every call ran");
	return icache_misses(fx->cpu->icache);
}

Test(icache, blocks_of_one_set_stay_up_to_the_ways)
{
	uint64_t t[WAYS];

	t[0] = FX_DATA;
	same_set(t[0], t + 1, WAYS - 1);
	/* The loop, the return points and the targets: a few dozen blocks,
	 * each decoded once; fewer ways would decode targets on every
	 * iteration (the loop's own blocks may share the set too, so one
	 * target fewer than the ways). */
	cr_assert_lt(run_calls(t, WAYS - 1), 40);
}

Test(icache, more_blocks_than_ways_run_correctly)
{
	uint64_t t[WAYS + 1];

	t[0] = FX_DATA;
	same_set(t[0], t + 1, WAYS);
	/* More blocks than ways: they evict each other, but every call
	 * still runs its own code (run_calls checks the count). */
	cr_assert_gt(run_calls(t, WAYS + 1), (uint64_t)LOOPS);
}
