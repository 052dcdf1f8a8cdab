/*
 * tests/unit/vmbus/test_instrument_run.c — the guest-side trace stages on
 * real guests run through the sim API (examples/guests/vmbus_hello.elf
 * with --testdev's echo channel, vmbus_disk.elf on a sparse image):
 * tracing does not change simulated time (same cycles, instructions and
 * serial output with and without --trace), two traced runs write the same
 * file byte for byte, and every request the guest made shows up with all
 * nine stages, in order of its steps and of their cycles, under one
 * (channel, txn).
 */
#include <fcntl.h>
#include <stdio.h>

#include "tests/unit/hv/hv_test.h"
#include "traces/trace.h"

/* examples/guests/NAME next to the build's tests (cwd is the build dir). */
static void guest_path(char *out, size_t len, const char *name)
{
	char cwd[3000];

	if (!getcwd(cwd, sizeof(cwd)))
		cr_skip_test("no cwd");
	snprintf(out, len, "%s/examples/guests/%s", cwd, name);
	if (access(out, R_OK) != 0)
		snprintf(out, len, "%s/../examples/guests/%s", cwd, name);
	if (access(out, R_OK) != 0)
		cr_skip_test("%s not built", name);
}

struct outcome {
	int status;
	cycles_t now;
	uint64_t instret, cycles;
	char serial[4096];
};

static void slurp(const char *path, char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");

	cr_assert_not_null(f, "%s", path);
	*len = fread(buf, 1, cap - 1, f);
	buf[*len] = 0;
	fclose(f);
}

/* Run kernel (with testdev or a disk) to its end; trace to `trace` if
 * not NULL. */
static void run(const char *kernel, bool testdev, const char *disk,
		const char *trace, struct outcome *o)
{
	struct scenario *sc = hvt_scenario(2, 1000000, 0);
	struct scn_partition *p;
	struct sim_config cfg;
	struct hv_vp_stats vs;
	char serial[] = "/tmp/hvsim-inst-serial-XXXXXX";
	struct sim *s;
	size_t n;

	close(mkstemp(serial));
	p = hvt_child(sc, "guest", kernel, 64ull << 20);
	p->testdev = testdev;
	if (disk)
		strcpy(p->disk, disk);
	strcpy(p->serial, serial);
	sim_config_defaults(&cfg);
	cfg.quiet = true;
	cfg.trace_path = trace;
	s = sim_create_scenario(sc, &cfg, &o->status);
	cr_assert_not_null(s, "status %d", o->status);
	o->status = sim_run(s);
	o->now = hv_now(sim_hv(s));
	hv_vp_stats(partition_hv(sim_partition(s, 1)), 0, &vs);
	o->instret = vs.instret;
	o->cycles = vs.ring0 + vs.ring3 + vs.root;
	sim_destroy(s);
	free(sc);
	slurp(serial, o->serial, sizeof(o->serial), &n);
	unlink(serial);
}

static bool same_file(const char *a, const char *b)
{
	static char x[1 << 20], y[1 << 20];
	size_t la, lb;

	slurp(a, x, sizeof(x), &la);
	slurp(b, y, sizeof(y), &lb);
	return la == lb && memcmp(x, y, la) == 0;
}

/* Follow each request (chan, txn) from its stage 1 to its stage 9: its
 * steps come in stage order, none twice; a step may be missing (the guest
 * did not need to signal, or consumed a completion before taking the
 * interrupt). *full: requests with all nine, *reqs: all finished. */
static void check_requests(const char *path, unsigned *reqs, unsigned *full)
{
	char err[256];
	struct trace_reader *r = trace_reader_open(path, err, sizeof(err));
	struct trace_rec rec;
	struct req {
		uint16_t chan;
		uint64_t txn;
		unsigned last, seen;
		uint64_t cycle;
	} open_req[64];
	unsigned nopen = 0;

	cr_assert_not_null(r, "%s", err);
	while (trace_reader_next(r, &rec) == 1) {
		const struct trace_kind_info *k = trace_kind(rec.kind);
		unsigned i;

		if (!k || !k->stage || rec.chan == 0)
			continue;
		for (i = 0; i < nopen; i++)
			if (open_req[i].chan == rec.chan &&
			    open_req[i].txn == rec.txn)
				break;
		if (k->stage == 1) {
			cr_assert_eq(i, nopen, "txn %#lx restarted",
				     (unsigned long)rec.txn);
			cr_assert_lt(nopen, 64);
			open_req[nopen++] =
			    (struct req){rec.chan, rec.txn, 1, 1, rec.cycle};
			continue;
		}
		cr_assert_lt(i, nopen, "stage %u of an unknown request",
			     k->stage);
		cr_assert_gt(
		    k->stage, open_req[i].last, "txn %#lx: stage %u after %u",
		    (unsigned long)rec.txn, k->stage, open_req[i].last);
		/* A vCPU woken by another's action wakes at that one's
		 * clock, so no step comes before the one that caused it. */
		cr_assert_geq(rec.cycle, open_req[i].cycle,
			      "txn %#lx: stage %u at %lu, before %lu",
			      (unsigned long)rec.txn, k->stage,
			      (unsigned long)rec.cycle,
			      (unsigned long)open_req[i].cycle);
		open_req[i].cycle = rec.cycle;
		open_req[i].last = k->stage;
		open_req[i].seen++;
		if (k->stage == TRACE_NR_STAGES) {
			*full += open_req[i].seen == TRACE_NR_STAGES;
			(*reqs)++;
			open_req[i] = open_req[--nopen];
		}
	}
	trace_reader_close(r);
	cr_assert_eq(nopen, 0, "requests left unfinished");
}

/* Returns the requests seen and, in *full, those with all nine stages. */
static unsigned traced_vs_plain(const char *kernel, bool testdev,
				const char *disk, unsigned *full)
{
	char t1[] = "/tmp/hvsim-inst-a-XXXXXX",
	     t2[] = "/tmp/hvsim-inst-b-XXXXXX";
	static struct outcome plain, traced, again;
	unsigned reqs = 0;

	*full = 0;
	close(mkstemp(t1));
	close(mkstemp(t2));
	run(kernel, testdev, disk, NULL, &plain);
	run(kernel, testdev, disk, t1, &traced);
	run(kernel, testdev, disk, t2, &again);
	cr_assert_eq(plain.status, 1, "the guest passed: %s", plain.serial);
	cr_assert_eq(traced.status, plain.status);
	cr_assert_eq(traced.now, plain.now, "same simulated time");
	cr_assert_eq(traced.instret, plain.instret, "same instructions");
	cr_assert_eq(traced.cycles, plain.cycles);
	cr_assert_str_eq(traced.serial, plain.serial);
	cr_assert(same_file(t1, t2), "the same trace, byte for byte");
	check_requests(t1, &reqs, full);
	unlink(t1);
	unlink(t2);
	return reqs;
}

Test(instrument_run, echo_guest_traced_or_not_runs_the_same)
{
	char k[4096];

	unsigned full, reqs;

	guest_path(k, sizeof(k), "vmbus_hello.elf");
	reqs = traced_vs_plain(k, true, NULL, &full);
	cr_assert_geq(reqs, 10, "echo requests followed: %u", reqs);
	cr_assert_geq(full, 1, "with all nine stages: %u", full);
}

Test(instrument_run, storage_guest_traced_or_not_runs_the_same)
{
	char k[4096], img[] = "/tmp/hvsim-inst-disk-XXXXXX";
	int fd = mkstemp(img);
	unsigned full, reqs;

	guest_path(k, sizeof(k), "vmbus_disk.elf");
	cr_assert_geq(fd, 0);
	cr_assert_eq(0, ftruncate(fd, 16 << 20));
	close(fd);
	reqs = traced_vs_plain(k, false, img, &full);
	cr_assert_geq(reqs, 10, "storage requests followed: %u", reqs);
	/* The SRBs, waited for with HLT, have all nine; requests the guest
	 * polled for may lack the signal and the interrupt. */
	cr_assert_geq(full, 4, "with all nine stages: %u of %u", full, reqs);
	unlink(img);
}
