/*
 * tests/unit/hv/test_sched.c — the vCPU scheduler (hv/sched.c): weights
 * divide a pCPU in proportion, a cap is honoured, an idle (halted) child
 * costs no slices, a reserve is guaranteed, several pCPUs are all used,
 * and a scenario run twice gives the same cycles and output.
 */
#include <stdio.h>

#include "hv_test.h"

#define Q   100000ull	/* quantum: 40 µs at 2.5 GHz */
#define RUN 20000000ull /* 200 quanta */

static char *spin_path, *halt_path;

static void setup(void)
{
	spin_path = hvt_guest(hvt_spin, sizeof(hvt_spin));
	halt_path = hvt_guest(hvt_halt, sizeof(hvt_halt));
}

static void teardown(void)
{
	unlink(spin_path);
	unlink(halt_path);
	free(spin_path);
	free(halt_path);
}

TestSuite(sched, .init = setup, .fini = teardown);

Test(sched, weights_1_to_3_share_one_pcpu_within_2_percent)
{
	struct scenario *sc = hvt_scenario(1, Q, RUN);
	struct sim *s;
	int status;
	double a, b;

	hvt_child(sc, "a", spin_path, 4ull << 20)->weight = 100;
	hvt_child(sc, "b", spin_path, 4ull << 20)->weight = 300;
	s = hvt_run(sc, &status);
	cr_assert_eq(status, SIM_EXIT_TIME_LIMIT);
	a = (double)hvt_cpu_time(s, 1);
	b = (double)hvt_cpu_time(s, 2);
	cr_assert_gt(a, 0);
	cr_assert(b / a > 3.0 * 0.98 && b / a < 3.0 * 1.02, "a %.0f b %.0f", a,
		  b);
	/* Together they had the pCPU, less the partition switches. */
	cr_assert_gt(a + b + (double)hv_pcpu_switch_cycles(sim_hv(s), 0),
		     0.99 * RUN);
	sim_destroy(s);
	free(sc);
}

Test(sched, cap_of_25_percent_is_honoured_on_an_idle_pcpu)
{
	struct scenario *sc = hvt_scenario(1, Q, RUN);
	struct sim *s;
	int status;
	double t;

	hvt_child(sc, "capped", spin_path, 4ull << 20)->cap_pct = 25;
	s = hvt_run(sc, &status);
	cr_assert_eq(status, SIM_EXIT_TIME_LIMIT);
	t = (double)hvt_cpu_time(s, 1);
	cr_assert(t <= 0.25 * RUN * 1.001 && t >= 0.25 * RUN * 0.98,
		  "capped child ran %.0f of %llu cycles", t, RUN);
	sim_destroy(s);
	free(sc);
}

Test(sched, halted_child_costs_no_slices)
{
	struct scenario *sc = hvt_scenario(1, Q, RUN);
	struct hv_vp_stats idle, busy;
	struct sim *s;
	int status;

	hvt_child(sc, "idle", halt_path, 4ull << 20);
	hvt_child(sc, "busy", spin_path, 4ull << 20);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, SIM_EXIT_TIME_LIMIT);
	hv_vp_stats(partition_hv(sim_partition(s, 1)), 0, &idle);
	hv_vp_stats(partition_hv(sim_partition(s, 2)), 0, &busy);
	/* One slice to reach the HLT, then nothing. */
	cr_assert_eq(idle.slices, 1);
	cr_assert_gt(idle.idle, RUN * 99 / 100);
	/* Its time adds up: a little ring 0, one HLT exit, then idle. */
	cr_assert_eq(idle.root, hv_exit_cost(HV_EXIT_HLT));
	cr_assert_eq(idle.ring0 + idle.root + idle.idle + idle.wait,
		     hv_now(sim_hv(s)));
	cr_assert_eq(busy.ring0 + busy.root + busy.idle + busy.wait,
		     hv_now(sim_hv(s)));
	cr_assert_eq(hv_exit_count(sim_hv(s), HV_EXIT_HLT), 1);
	/* The busy child had the pCPU after that (one switch at most). */
	cr_assert_gt(busy.ring0, RUN * 99 / 100);
	sim_destroy(s);
	free(sc);
}

Test(sched, parent_vcpu_is_idle_and_never_scheduled)
{
	struct scenario *sc = hvt_scenario(2, Q, RUN);
	struct hv_vp_stats st;
	struct sim *s;
	int status;

	hvt_child(sc, "busy", spin_path, 4ull << 20);
	s = hvt_run(sc, &status);
	hv_vp_stats(partition_hv(sim_partition(s, 0)), 0, &st);
	cr_assert_eq(st.slices, 0);
	cr_assert_eq(st.ring0 + st.ring3 + st.root, 0);
	cr_assert_eq(st.idle, hv_now(sim_hv(s)));
	sim_destroy(s);
	free(sc);
}

Test(sched, reserve_guarantees_a_share_against_a_heavy_weight)
{
	struct scenario *sc = hvt_scenario(1, Q, RUN);
	struct sim *s;
	int status;
	double r, h;

	hvt_child(sc, "reserved", spin_path, 4ull << 20)->weight = 1;
	sc->part[1].reserve_pct = 40;
	hvt_child(sc, "heavy", spin_path, 4ull << 20)->weight = 10000;
	s = hvt_run(sc, &status);
	r = (double)hvt_cpu_time(s, 1);
	h = (double)hvt_cpu_time(s, 2);
	/* Weights alone would give it 0.01 %; the reserve gives 40 %. */
	cr_assert(r / (r + h) > 0.39 && r / (r + h) < 0.45, "r %.0f h %.0f", r,
		  h);
	sim_destroy(s);
	free(sc);
}

Test(sched, three_children_on_two_pcpus_use_both_fairly)
{
	struct scenario *sc = hvt_scenario(2, Q, RUN);
	struct sim *s;
	int status;
	double t[3], sum = 0;

	hvt_child(sc, "a", spin_path, 4ull << 20);
	hvt_child(sc, "b", spin_path, 4ull << 20);
	hvt_child(sc, "c", spin_path, 4ull << 20);
	s = hvt_run(sc, &status);
	for (int i = 0; i < 3; i++)
		sum += t[i] = (double)hvt_cpu_time(s, (unsigned)i + 1);
	cr_assert_gt(sum, 2.0 * RUN * 0.95, "sum %.0f", sum);
	for (unsigned i = 1; i <= 3; i++) {
		struct hv_vp_stats st;
		hv_vp_stats(partition_hv(sim_partition(s, i)), 0, &st);
		cr_assert_eq(st.ring3 + st.ring0 + st.root + st.idle + st.wait,
			     hv_now(sim_hv(s)), "child %u", i);
	}
	for (int i = 0; i < 3; i++)
		cr_assert(t[i] > sum / 3 * 0.95 && t[i] < sum / 3 * 1.05,
			  "child %d ran %.0f of %.0f", i, t[i], sum);
	sim_destroy(s);
	free(sc);
}

/* Prints a line, then spins: 'x' = the child's letter. */
static char *talker(char letter)
{
	const uint8_t code[] = {
	    0x66, 0xBA,
	    0xF8, 0x03, /* mov dx, 0x3F8 */
	    0xB0, (uint8_t)letter,
	    0xEE, /* mov al, x; out dx, al */
	    0xB0, '\n',
	    0xEE,	/* mov al, '\n'; out dx, al */
	    0x0F, 0xA2, /* cpuid */
	    0xEB, 0xFE, /* jmp $ */
	};
	return hvt_guest(code, sizeof(code));
}

static void run_talkers(const char *out, cycles_t *now, uint64_t *exits,
			cycles_t t[3])
{
	struct scenario *sc = hvt_scenario(2, 77777, 5000000);
	char *k[3] = {talker('a'), talker('b'), talker('c')};
	struct sim *s;
	int status;

	for (int i = 0; i < 3; i++) {
		char name[] = {(char)('a' + i), 0};
		hvt_child(sc, name, k[i], 4ull << 20)->weight = 100u * (i + 1);
		strcpy(sc->part[i + 1].serial, out);
	}
	s = hvt_run(sc, &status);
	cr_assert_eq(status, SIM_EXIT_TIME_LIMIT);
	*now = hv_now(sim_hv(s));
	*exits = hv_exit_count(sim_hv(s), HV_EXIT_IO_OUT) +
		 hv_exit_count(sim_hv(s), HV_EXIT_CPUID);
	for (int i = 0; i < 3; i++)
		t[i] = hvt_cpu_time(s, (unsigned)i + 1);
	sim_destroy(s);
	free(sc);
	for (int i = 0; i < 3; i++) {
		unlink(k[i]);
		free(k[i]);
	}
}

static size_t slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

Test(sched, same_scenario_same_cycles_and_output)
{
	char o1[] = "/tmp/hvsim-test-det1-XXXXXX";
	char o2[] = "/tmp/hvsim-test-det2-XXXXXX";
	char b1[256], b2[256];
	cycles_t n1, n2, t1[3], t2[3];
	uint64_t e1, e2;

	close(mkstemp(o1));
	close(mkstemp(o2));
	run_talkers(o1, &n1, &e1, t1);
	run_talkers(o2, &n2, &e2, t2);
	cr_assert_eq(n1, n2);
	cr_assert_eq(e1, 9); /* 2 OUTs + 1 CPUID per child */
	cr_assert_eq(e1, e2);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(t1[i], t2[i], "child %d: %llu vs %llu", i,
			     (unsigned long long)t1[i],
			     (unsigned long long)t2[i]);
	cr_assert_eq(slurp(o1, b1, sizeof(b1)), 6);
	slurp(o2, b2, sizeof(b2));
	cr_assert_str_eq(b1, b2);
	unlink(o1);
	unlink(o2);
}

/* HLT takes a vCPU off the run queue; INTR with IF=1 puts it back (with
 * IF=0 it stays asleep, as HLT does on hardware). */
static void halt_then_raise_intr(const uint8_t *code, size_t len,
				 unsigned expect_runnable)
{
	struct scenario *sc = hvt_scenario(1, Q, 0);
	char *k = hvt_guest(code, len);
	struct hv_part *hp;
	struct sim *s;
	int status;

	hvt_child(sc, "sleeper", k, 4ull << 20);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, SIM_EXIT_HALT);
	cr_assert_eq(hv_nr_runnable(sim_hv(s)), 0);
	cr_assert_not(hv_any_runnable(sim_hv(s)));
	hp = partition_hv(sim_partition(s, 1));
	hv_vp_set_intr_line(hp, 0, true);
	cr_assert_eq(hv_nr_runnable(sim_hv(s)), expect_runnable);
	cr_assert_eq(hv_any_runnable(sim_hv(s)), expect_runnable != 0);
	sim_destroy(s);
	free(sc);
	unlink(k);
	free(k);
}

Test(sched, intr_wakes_a_halted_vcpu_with_if_set)
{
	static const uint8_t sti_hlt[] = {0xFB, 0xF4, 0xEB, 0xFD};

	halt_then_raise_intr(sti_hlt, sizeof(sti_hlt), 1);
}

Test(sched, intr_leaves_a_halted_vcpu_with_if_clear_asleep)
{
	halt_then_raise_intr(hvt_halt, sizeof(hvt_halt), 0);
}

static void nothing(void *opaque, const void *data, size_t len, cycles_t now)
{
	(void)opaque;
	(void)data;
	(void)len;
	(void)now;
}

/* Parent work due later (a heartbeat) keeps the machine going only while
 * a child can still be woken: not for one halted with IF=0. */
static void halt_then_queue_work(const uint8_t *code, size_t len,
				 unsigned expect_runnable)
{
	struct scenario *sc = hvt_scenario(1, Q, 0);
	char *k = hvt_guest(code, len);
	struct sim *s;
	int status;

	hvt_child(sc, "sleeper", k, 4ull << 20);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, SIM_EXIT_HALT);
	cr_assert_eq(hv_nr_runnable(sim_hv(s)), 0);
	cr_assert_not(hv_any_runnable(sim_hv(s)));
	cr_assert_eq(hv_submit_work(sim_hv(s), nothing, NULL, NULL, 0, 100, 0,
				    hv_now(sim_hv(s)) + 100 * Q),
		     0);
	cr_assert_eq(hv_nr_runnable(sim_hv(s)), expect_runnable);
	cr_assert_eq(hv_any_runnable(sim_hv(s)), expect_runnable != 0);
	sim_destroy(s);
	free(sc);
	unlink(k);
	free(k);
}

Test(sched, queued_parent_work_counts_while_a_child_can_wake)
{
	static const uint8_t sti_hlt[] = {0xFB, 0xF4, 0xEB, 0xFD};

	halt_then_queue_work(sti_hlt, sizeof(sti_hlt), 1);
}

Test(sched, queued_parent_work_does_not_count_for_a_child_halted_for_good)
{
	halt_then_queue_work(hvt_halt, sizeof(hvt_halt), 0);
}
