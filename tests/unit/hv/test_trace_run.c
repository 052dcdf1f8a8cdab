/*
 * tests/unit/hv/test_trace_run.c — `hvsim run --trace FILE`: the trace of
 * a real run holds one hv_exit record per exit the hypervisor counted
 * (reason and cost as in the exit table), one hv_hypercall per VMCALL, and
 * a sched_switch per slice whose lengths add up to the vCPUs' time; the
 * header names the partitions; two runs give identical files.
 */
#include <stdio.h>

#include "hv_test.h"
#include "sim/sim.h"
#include "traces/trace.h"

/* Five OUTs to port 0x80, one CPUID, then debug-exit 0. */
static const uint8_t guest[] = {
    0x31, 0xC0, 0xE6, 0x80, 0xE6, 0x80, 0xE6, 0x80, /* xor; out 0x80 x3 */
    0xE6, 0x80, 0xE6, 0x80,			    /* out 0x80 x2 */
    0x0F, 0xA2,					    /* cpuid */
    0x31, 0xC0, 0xE7, 0xF4,			    /* out 0xf4, eax */
};

struct tally {
	uint64_t exits[HV_EXIT_NR], exit_cycles[HV_EXIT_NR];
	uint64_t slices, slice_cycles, records;
};

static int read_trace(const char *path, struct tally *t, char **names)
{
	char err[256];
	struct trace_reader *r = trace_reader_open(path, err, sizeof(err));
	struct trace_rec rec;
	int rc;

	cr_assert_not_null(r, "%s", err);
	*names = strdup(trace_reader_info(r)->part_names[1]);
	while ((rc = trace_reader_next(r, &rec)) == 1) {
		t->records++;
		if (rec.kind == TK_HV_EXIT) {
			cr_assert_lt(rec.arg0, HV_EXIT_NR);
			cr_assert_eq(rec.part, 1);
			t->exits[rec.arg0]++;
			t->exit_cycles[rec.arg0] += rec.arg1;
		} else if (rec.kind == TK_SCHED_SWITCH) {
			t->slices++;
			t->slice_cycles += rec.arg1;
		}
	}
	trace_reader_close(r);
	return rc;
}

static struct sim *run_traced(const char *kernel, const char *trace_path,
			      int *status)
{
	struct scenario *sc = hvt_scenario(1, 100000, 0);
	struct sim_config cfg;
	struct sim *s;

	hvt_child(sc, "io", kernel, 4ull << 20);
	sim_config_defaults(&cfg);
	cfg.quiet = true;
	cfg.trace_path = trace_path;
	s = sim_create_scenario(sc, &cfg, status);
	free(sc);
	cr_assert_not_null(s);
	*status = sim_run(s);
	return s;
}

static char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	buf = malloc((size_t)*len);
	cr_assert_eq(fread(buf, 1, (size_t)*len, f), (size_t)*len);
	fclose(f);
	return buf;
}

Test(trace_run, exits_and_slices_are_recorded_as_counted)
{
	char *k = hvt_guest(guest, sizeof(guest));
	char path[] = "/tmp/hvsim-trace-run-XXXXXX";
	struct tally t = {0};
	uint64_t counted[HV_EXIT_NR], counted_cycles[HV_EXIT_NR];
	char *name;
	int status, fd = mkstemp(path);
	struct sim *s;
	struct hv *hv;

	cr_assert_geq(fd, 0);
	close(fd);
	s = run_traced(k, path, &status);
	cr_assert_eq(status, 1);
	hv = sim_hv(s);
	for (int r = 0; r < HV_EXIT_NR; r++) {
		counted[r] = hv_exit_count(hv, r);
		counted_cycles[r] = hv_exit_cycles(hv, r);
	}
	sim_destroy(s); /* closes the trace file */
	cr_assert_eq(read_trace(path, &t, &name), 0);
	cr_assert_str_eq(name, "io");
	for (int r = 0; r < HV_EXIT_NR; r++) {
		cr_assert_eq(t.exits[r], counted[r], "reason %d", r);
		cr_assert_eq(t.exit_cycles[r], counted_cycles[r], "reason %d",
			     r);
	}
	cr_assert_eq(t.exits[HV_EXIT_IO_OUT], 6);
	cr_assert_eq(t.exits[HV_EXIT_CPUID], 1);
	cr_assert_gt(t.slices, 0);
	free(name);
	unlink(path);
	unlink(k);
	free(k);
}

Test(trace_run, the_same_run_gives_the_same_file)
{
	char *k = hvt_guest(guest, sizeof(guest));
	char p1[] = "/tmp/hvsim-trace-a-XXXXXX", p2[] = "/tmp/hvsim-trace-b-XXXXXX";
	int status;
	long l1, l2;
	char *b1, *b2;

	close(mkstemp(p1));
	close(mkstemp(p2));
	sim_destroy(run_traced(k, p1, &status));
	cr_assert_eq(status, 1);
	sim_destroy(run_traced(k, p2, &status));
	cr_assert_eq(status, 1);
	b1 = slurp(p1, &l1);
	b2 = slurp(p2, &l2);
	cr_assert_eq(l1, l2);
	cr_assert_eq(memcmp(b1, b2, (size_t)l1), 0);
	free(b1);
	free(b2);
	unlink(p1);
	unlink(p2);
	unlink(k);
	free(k);
}

Test(trace_run, an_unwritable_trace_path_is_a_usage_error)
{
	char *k = hvt_guest(guest, sizeof(guest));
	struct scenario *sc = hvt_scenario(1, 100000, 0);
	struct sim_config cfg;
	int status = 0;

	hvt_child(sc, "io", k, 4ull << 20);
	sim_config_defaults(&cfg);
	cfg.quiet = true;
	cfg.trace_path = "/nonexistent-dir/t.trc";
	cr_assert_null(sim_create_scenario(sc, &cfg, &status));
	cr_assert_eq(status, SIM_EXIT_USAGE);
	free(sc);
	unlink(k);
	free(k);
}
