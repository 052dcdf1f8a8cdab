/*
 * tests/unit/hv/test_exits.c — exits to root mode (hv/exit.c): each is
 * counted per reason and its cost is charged to the vCPU as root time
 * (not ring 0/3 time); a partition's port I/O reaches its own devices;
 * per-vCPU time adds up; lifecycle transitions.
 */
#include <stdio.h>

#include "hv_test.h"

/* Five OUTs to port 0x80 (nothing there), one CPUID, then debug-exit 0. */
static const uint8_t io_guest[] = {
    0x31, 0xC0, 0xE6, 0x80, 0xE6, 0x80, 0xE6, 0x80, /* xor; out 0x80 x3 */
    0xE6, 0x80, 0xE6, 0x80,			    /* out 0x80 x2 */
    0x0F, 0xA2,					    /* cpuid */
    0x31, 0xC0, 0xE7, 0xF4,			    /* out 0xf4, eax */
};

Test(exits, io_and_cpuid_exits_are_counted_and_charged_as_root_time)
{
	struct scenario *sc = hvt_scenario(1, 1000000, 0);
	char *k = hvt_guest(io_guest, sizeof(io_guest));
	struct hv_vp_stats st;
	struct hv *hv;
	struct sim *s;
	int status;

	hvt_child(sc, "io", k, 4ull << 20);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, 1);
	hv = sim_hv(s);
	cr_assert_eq(hv_exit_count(hv, HV_EXIT_IO_OUT), 6);
	cr_assert_eq(hv_exit_count(hv, HV_EXIT_CPUID), 1);
	cr_assert_eq(hv_exit_count(hv, HV_EXIT_IO_IN), 0);
	/* Nothing is mapped at 0x80 and debug-exit adds no latency: each
	 * exit costs exactly the table's exit + entry. */
	cr_assert_eq(hv_exit_cycles(hv, HV_EXIT_IO_OUT),
		     6 * hv_exit_cost(HV_EXIT_IO_OUT));
	cr_assert_eq(hv_exit_cost(HV_EXIT_IO_OUT), 1200);
	hv_vp_stats(partition_hv(sim_partition(s, 1)), 0, &st);
	cr_assert_eq(st.exits, 7);
	cr_assert_eq(st.root, 7 * 1200);
	cr_assert_eq(st.ring3, 0);
	/* Guest time is the instructions' own cost only (11 of them). */
	cr_assert_lt(st.ring0, 1000, "ring0 %llu",
		     (unsigned long long)st.ring0);
	/* The rest is waiting: each OUT is forwarded to the parent's VM
	 * Worker, and the vCPU is off the run queue until it completes
	 * (hv/work.c, 8 us = 20,000 cycles a round trip at 2.5 GHz). */
	cr_assert_eq(st.ring0 + st.root + st.wait, hv_now(hv),
		     "ring0 %llu root %llu wait %llu now %llu",
		     (unsigned long long)st.ring0, (unsigned long long)st.root,
		     (unsigned long long)st.wait,
		     (unsigned long long)hv_now(hv));
	cr_assert_geq(st.wait, 6 * (20000 - 1200));
	sim_destroy(s);
	free(sc);
	unlink(k);
	free(k);
}

/* The same port in two partitions reaches two different UARTs. */
Test(exits, each_partition_talks_to_its_own_uart)
{
	static const uint8_t say[] = {
	    0x66, 0xBA, 0xF8, 0x03, 0xB0, 'A', 0xEE, /* out COM1, 'A' */
	    0x31, 0xC0, 0xE7, 0xF4,		     /* debug-exit 0 */
	};
	struct scenario *sc = hvt_scenario(2, 1000000, 0);
	char *k = hvt_guest(say, sizeof(say));
	char o1[] = "/tmp/hvsim-test-u1-XXXXXX",
	     o2[] = "/tmp/hvsim-test-u2-XXXXXX";
	char buf[16];
	struct sim *s;
	FILE *f;
	int status;

	close(mkstemp(o1));
	close(mkstemp(o2));
	strcpy(hvt_child(sc, "one", k, 4ull << 20)->serial, o1);
	strcpy(hvt_child(sc, "two", k, 4ull << 20)->serial, o2);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, 1);
	cr_assert(partition_ended(sim_partition(s, 1)));
	cr_assert(partition_ended(sim_partition(s, 2)));
	sim_destroy(s);
	for (int i = 0; i < 2; i++) {
		f = fopen(i ? o2 : o1, "r");
		cr_assert_not_null(f);
		cr_assert_eq(fread(buf, 1, sizeof(buf), f), 1);
		cr_assert_eq(buf[0], 'A');
		fclose(f);
	}
	unlink(o1);
	unlink(o2);
	free(sc);
	unlink(k);
	free(k);
}

/* A real guest that goes to ring 3 (examples/guests/hello.elf). */
Test(exits, ring3_and_ring0_time_add_up_with_root_time)
{
	char path[4096];
	struct scenario *sc;
	struct hv_vp_stats st;
	struct sim *s;
	int status;

	cr_assert_eq(0, snprintf(path, sizeof(path), "%s", "") < 0);
	if (!getcwd(path, sizeof(path) - 64))
		cr_skip_test("no cwd");
	strcat(path, "/examples/guests/hello.elf");
	if (access(path, R_OK) != 0) {
		strcpy(path + strlen(path) -
			   strlen("/examples/guests/hello.elf"),
		       "/../examples/guests/hello.elf");
		if (access(path, R_OK) != 0)
			cr_skip_test("hello.elf not built");
	}
	sc = hvt_scenario(1, 1000000, 0);
	strcpy(hvt_child(sc, "hello", path, 16ull << 20)->serial, "/dev/null");
	s = hvt_run(sc, &status);
	cr_assert_eq(status, 1);
	hv_vp_stats(partition_hv(sim_partition(s, 1)), 0, &st);
	cr_assert_gt(st.ring3, 0);
	cr_assert_gt(st.ring0, st.ring3);
	cr_assert_gt(st.root, 0);
	cr_assert_eq(st.ring3 + st.ring0 + st.root + st.wait + st.idle,
		     hv_now(sim_hv(s)));
	sim_destroy(s);
	free(sc);
}

Test(exits, lifecycle_transitions_follow_the_state_machine)
{
	struct scenario *sc = hvt_scenario(1, 100000, 1000000);
	char *k = hvt_guest(hvt_spin, sizeof(hvt_spin));
	struct partition *p;
	struct sim *s;
	int status;

	hvt_child(sc, "p", k, 4ull << 20)->autostart = false;
	hvt_child(sc, "q", k, 4ull << 20);
	s = hvt_run(sc, &status);
	p = sim_partition(s, 1);
	/* Never started: it never ran, and it cannot be paused. */
	cr_assert_eq(partition_state(p), PART_CREATED);
	cr_assert_eq(hvt_cpu_time(s, 1), 0);
	cr_assert_eq(partition_pause(p), -1);
	cr_assert_eq(partition_resume(p), -1);
	cr_assert_eq(partition_start(p), 0);
	cr_assert_eq(partition_start(p), -1);
	cr_assert_eq(partition_pause(p), 0);
	cr_assert_eq(partition_state(p), PART_PAUSED);
	cr_assert_eq(partition_resume(p), 0);
	cr_assert_eq(partition_stop(p), 0);
	cr_assert_eq(partition_stop(p), -1);
	cr_assert_str_eq(partition_state_name(partition_state(p)), "stopped");
	sim_destroy(s);
	free(sc);
	unlink(k);
	free(k);
}
