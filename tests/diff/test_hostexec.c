/*
 * tests/diff/test_hostexec.c — known answers for the differential harness
 * itself (hostexec.h), so that "zero mismatches" means the two machines
 * agree and not that neither ran: the host runs code at HX_CODE with the
 * window at HX_WIN, reports a fault with its vector, RIP and the state at
 * the fault, runs compatibility-mode code with 16-bit addressing, and the
 * comparison notices a changed register, flag or byte.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/diff/hostexec.h"

struct both {
	struct hx_host *host;
	struct hx_guest guest;
	struct hx_case c;
	struct hx_outcome h, g;
};

static struct both *both_new(enum hx_mode mode, const void *code, size_t len)
{
	struct both *b = calloc(1, sizeof(*b));
	cr_assert_not_null(b);
	b->host = hx_host_new();
	hx_guest_init(&b->guest);
	b->c.mode = mode;
	b->c.win_used = true;
	memcpy(b->c.code, code, len);
	b->c.len = len;
	for (int r = 0; r < 16; r++)
		b->c.in.r[r] = 0x0101010101010101ull * (unsigned)(r + 1);
	b->c.in.r[RSP] = HX_WIN + 0x800;
	return b;
}

static void both_run(struct both *b)
{
	hx_host_run(b->host, &b->c, &b->h);
	hx_guest_run(&b->guest, &b->c, &b->g);
}

static void both_free(struct both *b)
{
	hx_guest_fini(&b->guest);
	hx_host_free(b->host);
	free(b);
}

Test(hostexec, host_runs_the_code_at_the_shared_addresses)
{
	/* lea rax, [rip]; push rax; pop rbx */
	static const uint8_t code[] = {0x48, 0x8D, 0x05, 0,   0,
				       0,    0,	   0x50, 0x5B};
	struct both *b = both_new(HX_64, code, sizeof(code));
	both_run(b);
	uint64_t slot;
	memcpy(&slot, b->h.win + 0x800 - 8, 8);
	cr_expect_eq(b->h.vec, -1);
	cr_expect_eq(b->h.st.r[RAX], HX_CODE + 7);
	cr_expect_eq(b->h.st.r[RBX], HX_CODE + 7);
	cr_expect_eq(b->h.st.r[RSP], HX_WIN + 0x800);
	cr_expect_eq(b->h.st.r[R15], b->c.in.r[R15]);
	cr_expect_eq(slot, HX_CODE + 7);
	struct hx_mask m = hx_default_mask(&b->c);
	char why[64];
	cr_expect(!hx_differs(&b->c, &b->h, &b->g, &m, why, sizeof(why)),
		  "host and hvsim differ: %s", why);
	both_free(b);
}

Test(hostexec, a_fault_gives_vector_rip_and_the_state_at_the_fault)
{
	/* inc rbx; div rcx (rcx = 0); inc rbx */
	static const uint8_t code[] = {0x48, 0xFF, 0xC3, 0x48, 0xF7,
				       0xF1, 0x48, 0xFF, 0xC3};
	struct both *b = both_new(HX_64, code, sizeof(code));
	b->c.in.r[RCX] = 0;
	both_run(b);
	cr_expect_eq(b->h.vec, EXC_DE);
	cr_expect_eq(b->h.rip, HX_CODE + 3);
	cr_expect_eq(b->h.st.r[RBX], b->c.in.r[RBX] + 1);
	cr_expect_eq(b->h.st.r[RSP], HX_WIN + 0x800);
	cr_expect_eq(b->g.vec, EXC_DE);
	cr_expect_eq(b->g.rip, HX_CODE + 3);
	cr_expect_eq(b->g.st.r[RBX], b->c.in.r[RBX] + 1);
	cr_expect_eq(b->g.st.r[RSP], HX_WIN + 0x800);
	/* before the fault only INC ran: its flags are all defined */
	cr_expect_eq(hx_undef_flags(code, 3, HX_64), 0);
	cr_expect_eq(hx_undef_flags(code, 6, HX_64), RF_ARITH);
	both_free(b);
}

Test(hostexec, compatibility_mode_has_16_bit_addressing)
{
	/* lea eax, [bx + si + 0x10] with 67 in 32-bit code */
	static const uint8_t code[] = {0x67, 0x8D, 0x40, 0x10};
	struct both *b = both_new(HX_COMPAT32, code, sizeof(code));
	if (!hx_host_can_compat(b->host)) {
		both_free(b);
		cr_skip_test("the host cannot run compatibility-mode code");
	}
	b->c.in.r[RBX] = 0xAAAAFFF0;
	b->c.in.r[RSI] = 0x5555000F;
	both_run(b);
	cr_expect_eq(b->h.vec, -1);
	cr_expect_eq((uint32_t)b->h.st.r[RAX],
		     0xFFF0 + 0x000F + 0x10 - 0x10000);
	cr_expect_eq((uint32_t)b->g.st.r[RAX], (uint32_t)b->h.st.r[RAX]);
	both_free(b);
}

Test(hostexec, the_comparison_notices_each_kind_of_difference)
{
	static const uint8_t code[] = {0x90};
	struct both *b = both_new(HX_64, code, sizeof(code));
	both_run(b);
	struct hx_mask m = hx_default_mask(&b->c);
	char why[64];
	cr_assert(!hx_differs(&b->c, &b->h, &b->g, &m, why, sizeof(why)));
	b->g.st.r[R9] ^= 1ull << 63;
	cr_expect(hx_differs(&b->c, &b->h, &b->g, &m, why, sizeof(why)));
	cr_expect_str_eq(why, "register R9");
	m.low32 = 1u << R9; /* the upper half no longer counts */
	cr_expect(!hx_differs(&b->c, &b->h, &b->g, &m, why, sizeof(why)));
	b->g.st.fl ^= RF_OF;
	cr_expect(hx_differs(&b->c, &b->h, &b->g, &m, why, sizeof(why)));
	cr_expect_str_eq(why, "flags");
	b->g.st.fl ^= RF_OF;
	b->g.win[5] ^= 0x80;
	cr_expect(hx_differs(&b->c, &b->h, &b->g, &m, why, sizeof(why)));
	cr_expect_str_eq(why, "memory at 0x300005");
	b->g.vec = EXC_GP;
	cr_expect(hx_differs(&b->c, &b->h, &b->g, &m, why, sizeof(why)));
	cr_expect_str_eq(why, "exception -1 vs 13");
	both_free(b);
}
