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
#include "hv/work.h"
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
static const uint8_t in_code[] = {0xBB, 0x07, 0,    0,	  0,   0xE4,
				  0x60, 0x0F, 0xB6, 0xC8, 0xF4};

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
	static const uint8_t code[] = {0x66, 0xBA, 0xF8, 0x03,
				       0xB0, 0x41, 0xEE, 0xF4};
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

/* rep insb of 4 bytes with the second answered later: the first byte is
 * stored, RDI/RCX moved by 1; the rest arrive when it runs again. */
Test(retry, rep_insb_keeps_the_elements_already_done)
{
	static const uint8_t code[] = {0xF3, 0x6C, 0xF4}; /* rep insb; hlt */
	struct retry_env e = {.retry_on = 2, .in_val = 0x77};
	struct fx *fx = retry_fx(&e);

	fx->cpu->gpr[RDI] = FX_DATA;
	fx->cpu->gpr[RCX] = 4;
	fx->cpu->gpr[RDX] = 0x60;
	fx_load(fx, code, sizeof(code));
	cr_assert_eq(fx_run(fx, 100000).reason, CPU_EXIT_STOP);
	cr_assert_eq(fx->cpu->rip, FX_CODE);
	cr_assert_eq(fx->cpu->gpr[RCX], 3);
	cr_assert_eq(fx->cpu->gpr[RDI], FX_DATA + 1);
	cr_assert_eq(fx_peek(fx, FX_DATA, 4), 0x77);
	cr_assert_eq(fx_run(fx, 100000).reason, CPU_EXIT_HLT);
	cr_assert_eq(fx_peek(fx, FX_DATA, 4), 0x77777777);
	cr_assert_eq(fx->cpu->gpr[RCX], 0);
	cr_assert_eq(e.calls, 5, "4 answers + the one retried");
	fx_free(fx);
}

/* ---- the hypervisor: forwarding to the VM Worker ------------------------- */

static char *read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Run `code` as the one child of a parent with `cap` percent; serial
 * output to a temporary file read back into out. */
static struct sim *run_child(const void *code, size_t len, unsigned cap,
			     uint64_t max_cycles, int *status, char *out,
			     size_t outlen)
{
	struct scenario *sc = hvt_scenario(1, 1000000, max_cycles);
	char *k = hvt_guest(code, len);
	char ser[] = "/tmp/hvsim-test-fwd-XXXXXX";
	struct sim *s;

	close(mkstemp(ser));
	sc->part[0].cap_pct = cap;
	strcpy(hvt_child(sc, "guest", k, 4ull << 20)->serial, ser);
	s = hvt_run(sc, status);
	sim_destroy(s); /* flushes the serial file */
	s = NULL;
	read_file(ser, out, outlen);
	unlink(ser);
	unlink(k);
	free(k);
	free(sc);
	return s;
}

/* out COM1, 'A'; debug-exit 0 */
static const uint8_t say_a[] = {0x66, 0xBA, 0xF8, 0x03, 0xB0, 'A',
				0xEE, 0x31, 0xC0, 0xE7, 0xF4};

/* The OUT exits at cycle ~10 (+1,200 for the exit); the parent's vCPU
 * gets the pCPU after a partition switch (5,000): before that the UART
 * has not seen the byte. */
Test(forward, the_device_sees_the_out_only_when_a_parent_vcpu_ran_it)
{
	char out[64];
	int status;

	run_child(say_a, sizeof(say_a), 100, 6000, &status, out, sizeof(out));
	cr_assert_eq(status, SIM_EXIT_TIME_LIMIT);
	cr_assert_str_eq(out, "", "not emulated yet");
	/* Emulation would end at ~6,200 + 18,800: not within 20,000. */
	run_child(say_a, sizeof(say_a), 100, 20000, &status, out, sizeof(out));
	cr_assert_eq(status, SIM_EXIT_TIME_LIMIT);
	cr_assert_str_eq(out, "", "not emulated within the limit");
	run_child(say_a, sizeof(say_a), 100, 0, &status, out, sizeof(out));
	cr_assert_eq(status, 1);
	cr_assert_str_eq(out, "A");
}

/* Write 0x2A to the UART's scratch register, read it back, exit with it. */
Test(forward, in_returns_the_value_the_device_gave)
{
	static const uint8_t code[] = {
	    0x66, 0xBA, 0xFF, 0x03, 0xB0, 0x2A, 0xEE, /* out SCR, 0x2a */
	    0xB0, 0x00, 0xEC, 0x0F, 0xB6, 0xC0,	      /* in al, SCR */
	    0xE7, 0xF4,				      /* debug-exit */
	};
	char out[8];
	int status;

	run_child(code, sizeof(code), 100, 0, &status, out, sizeof(out));
	cr_assert_eq(status, (0x2A << 1) | 1);
}

/* rep outsb "hello" to COM1: five exits, five bytes, in order. */
Test(forward, rep_outsb_sends_each_byte_once)
{
	static const uint8_t code[] = {
	    0xBE, 0x14, 0x00, 0x10, 0x00,	/* mov esi, 0x100014 */
	    0xB9, 0x05, 0x00, 0x00, 0x00,	/* mov ecx, 5 */
	    0x66, 0xBA, 0xF8, 0x03, 0xF3, 0x6E, /* mov dx, COM1; rep outsb */
	    0x31, 0xC0, 0xE7, 0xF4,		/* debug-exit 0 */
	    'h',  'e',	'l',  'l',  'o',
	};
	struct scenario *sc = hvt_scenario(1, 1000000, 0);
	char *k = hvt_guest(code, sizeof(code));
	char ser[] = "/tmp/hvsim-test-fwd-XXXXXX", out[16];
	struct hv_part *child;
	struct sim *s;
	int status;

	close(mkstemp(ser));
	strcpy(hvt_child(sc, "guest", k, 4ull << 20)->serial, ser);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, 1);
	child = partition_hv(sim_partition(s, 1));
	/* Counted once each: 5 bytes + the debug-exit write. */
	cr_assert_eq(hv_part_exit_count(child, HV_EXIT_IO_OUT), 6);
	cr_assert_eq(hv_exit_count(sim_hv(s), HV_EXIT_IO_OUT), 6);
	sim_destroy(s);
	cr_assert_str_eq(read_file(ser, out, sizeof(out)), "hello");
	unlink(ser);
	unlink(k);
	free(k);
	free(sc);
}

/* 50 OUTs to port 0x80, then debug-exit: the time the child needs. */
static cycles_t fifty_outs_time(unsigned parent_cap, struct hv_vp_stats *pst)
{
	static const uint8_t code[] = {
	    0xB9, 0x32, 0x00, 0x00, 0x00, /* mov ecx, 50 */
	    0xE6, 0x80, 0xE2, 0xFC,	  /* L: out 0x80, al; loop L */
	    0x31, 0xC0, 0xE7, 0xF4,	  /* debug-exit 0 */
	};
	struct scenario *sc = hvt_scenario(1, 100000, 0);
	char *k = hvt_guest(code, sizeof(code));
	struct sim *s;
	struct hv_vp_stats st;
	int status;
	cycles_t t;

	sc->part[0].cap_pct = parent_cap;
	hvt_child(sc, "guest", k, 4ull << 20);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, 1);
	hv_vp_stats(partition_hv(sim_partition(s, 1)), 0, &st);
	hv_vp_stats(partition_hv(sim_partition(s, 0)), 0, pst);
	cr_assert_eq(st.exits, 51);
	cr_assert_eq(st.ring3 + st.ring0 + st.root + st.idle + st.wait,
		     hv_now(sim_hv(s)));
	/* The parent's vCPU time adds up too (work, idle, wait). */
	cr_assert_eq(pst->ring3 + pst->ring0 + pst->root + pst->idle +
			 pst->wait,
		     hv_now(sim_hv(s)));
	t = hv_now(sim_hv(s));
	sim_destroy(s);
	unlink(k);
	free(k);
	free(sc);
	return t;
}

Test(forward, round_trip_costs_8us_and_grows_when_the_parent_is_capped)
{
	struct hv_vp_stats par;
	struct hv_fwd_cost fc;
	struct hv_config hc = {.pcpus = 1, .quantum = 1, .freq_hz = 2500000000};
	struct hv *hv = hv_create(&hc, NULL);
	cycles_t free_t, capped_t;

	hv_fwd_cost(hv, &fc);
	hv_destroy(hv);
	cr_assert_eq(fc.exit + fc.dispatch + fc.emulate + fc.complete, 20000,
		     "8 µs at 2.5 GHz");
	free_t = fifty_outs_time(100, &par);
	/* The parent's vCPU did the emulation: ring 3 for the worker,
	 * ring 0 for dispatch and completion, 51 times. */
	cr_assert_eq(par.ring3, 51 * fc.emulate);
	cr_assert_eq(par.ring0, 51 * (fc.dispatch + fc.complete));
	/* Each access: 8 µs plus two partition switches on the one pCPU. */
	cr_assert_geq(free_t, 51 * 20000);
	cr_assert_lt(free_t, 51 * (20000 + 2 * 5000 + 100));
	capped_t = fifty_outs_time(5, &par);
	cr_assert_gt(capped_t, 2 * free_t, "free %llu capped %llu",
		     (unsigned long long)free_t, (unsigned long long)capped_t);
}

/* Two pCPUs: the parent and the child keep their own cores (soft
 * affinity, sched.c), so a forwarded access costs the 8 µs and no
 * partition switch. */
Test(forward, with_a_spare_pcpu_the_round_trip_needs_no_partition_switch)
{
	static const uint8_t code[] = {
	    0xB9, 0x32, 0x00, 0x00, 0x00, /* mov ecx, 50 */
	    0xE6, 0x80, 0xE2, 0xFC,	  /* L: out 0x80, al; loop L */
	    0x31, 0xC0, 0xE7, 0xF4,	  /* debug-exit 0 */
	};
	struct scenario *sc = hvt_scenario(2, 100000, 0);
	char *k = hvt_guest(code, sizeof(code));
	struct sim *s;
	int status;
	cycles_t t;

	hvt_child(sc, "guest", k, 4ull << 20);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, 1);
	cr_assert_eq(hv_pcpu_switch_cycles(sim_hv(s), 0) +
			 hv_pcpu_switch_cycles(sim_hv(s), 1),
		     0);
	t = hv_now(sim_hv(s));
	cr_assert_geq(t, 51 * 20000);
	cr_assert_lt(t, 51 * 20000 + 1000, "t %llu", (unsigned long long)t);
	sim_destroy(s);
	free(sc);
	unlink(k);
	free(k);
}
