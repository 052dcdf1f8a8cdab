/*
 * tests/unit/traces/test_trace_chrome.c — the Chrome JSON export
 * (traces/chrome.c), parsed back with jansson: object form, metadata
 * naming processes and threads, X/i events with µs timestamps, v2 flow
 * arrows chaining each request's steps, hostile names escaped.
 */
#include <jansson.h>

#include "sim/cmd_trace.h"
#include "trace_test.h"
#include "traces/trace_tools.h"

/* Export path's trace to JSON and parse it (caller json_decref's). */
static json_t *export(const char *path)
{
	char *out = tt_tmp(), err[256] = "";
	json_error_t je;
	json_t *root;

	cr_assert_eq(trace_export_chrome(path, out, NULL, err, sizeof(err)), 0,
		     "%s", err);
	root = json_load_file(out, 0, &je);
	cr_assert_not_null(root, "invalid JSON: %s at line %d", je.text,
			   je.line);
	unlink(out);
	free(out);
	return root;
}

/* The events with this name (and, if ph is not NULL, this phase). */
static size_t find(json_t *evs, const char *name, const char *ph, json_t **out,
		   size_t max)
{
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(evs, i, e)
	{
		const char *nm = json_string_value(json_object_get(e, "name"));
		const char *p = json_string_value(json_object_get(e, "ph"));
		if (nm && !strcmp(nm, name) && (!ph || !strcmp(p, ph))) {
			if (n < max)
				out[n] = e;
			n++;
		}
	}
	return n;
}

static json_int_t geti(json_t *e, const char *key)
{
	json_t *v = json_object_get(e, key);
	cr_assert(json_is_integer(v), "no integer %s", key);
	return json_integer_value(v);
}

/* Two interleaved requests on channel 3, an exit, a scheduling slice. */
static char *sample(void)
{
	struct trace_rec r[40];
	uint64_t at[TRACE_NR_STAGES] = {0,    1000, 2000, 3000, 4000,
					5000, 6000, 7000, 8000};
	char *path = tt_tmp();
	size_t n = 0;

	n += tt_request(r + n, 3, 10, 2500, at);
	r[0].arg1 = 4096; /* ring_used after the first write */
	n += tt_request(r + n, 3, 11, 3000, at);
	r[TRACE_NR_STAGES].arg1 = 8192;
	r[n++] = (struct trace_rec){.cycle = 100,
				    .kind = TK_HV_EXIT,
				    .part = 1,
				    .vp = 0,
				    .arg0 = 30,
				    .arg1 = 1200};
	r[n++] = (struct trace_rec){.cycle = 0,
				    .kind = TK_SCHED_SWITCH,
				    .part = 1,
				    .vp = 1,
				    .arg0 = 0,
				    .arg1 = 1000000};
	r[n++] = (struct trace_rec){.cycle = 50,
				    .kind = TK_VMBUS_ONOFFER,
				    .part = 1,
				    .chan = 3,
				    .arg0 = 2,
				    .arg1 = ~0ull};
	tt_write(path, r, n, 2500000000ull);
	return path;
}

Test(trace_chrome, object_form_with_named_processes_and_threads)
{
	char *path = sample();
	json_t *root = export(path), *evs, *m[16];
	size_t i, nm;
	json_t *e;
	bool vsc = false, vsp = false, pcpu = false, vp = false;

	cr_assert_str_eq(
	    json_string_value(json_object_get(root, "displayTimeUnit")), "ns");
	cr_assert_eq(geti(json_object_get(root, "otherData"), "freq_hz"),
		     2500000000ll);
	evs = json_object_get(root, "traceEvents");
	cr_assert(json_is_array(evs));
	nm = find(evs, "process_name", "M", m, 16);
	cr_assert_eq(nm, 4); /* hypervisor + 3 partitions */
	for (i = 0; i < nm; i++) {
		json_int_t pid = geti(m[i], "pid");
		const char *name = json_string_value(
		    json_object_get(json_object_get(m[i], "args"), "name"));
		cr_assert_str_eq(name, pid == 1	  ? "hypervisor"
				       : pid == 2 ? "parent"
				       : pid == 3 ? "child1"
						  : "child2");
	}
	nm = find(evs, "thread_name", "M", m, 16);
	for (i = 0; i < nm && i < 16; i++) {
		const char *name = json_string_value(
		    json_object_get(json_object_get(m[i], "args"), "name"));
		json_int_t pid = geti(m[i], "pid"), tid = geti(m[i], "tid");
		vsc |= !strcmp(name, "vsc ch3") && pid == 3 && tid == 1003;
		/* child1's channel 3, drawn in the parent. */
		vsp |= !strcmp(name, "vsp child1 ch3") && pid == 2 &&
		       tid == 100000 + 65536 + 3;
		pcpu |= !strcmp(name, "pCPU1") && pid == 1 && tid == 1;
		vp |= !strcmp(name, "VP0") && pid == 3 && tid == 0;
	}
	cr_assert(vsc && vsp && pcpu && vp, "lanes %d %d %d %d", vsc, vsp, pcpu,
		  vp);
	/* Every event has the fields a viewer needs. */
	json_array_foreach(evs, i, e)
	{
		cr_assert(json_is_string(json_object_get(e, "ph")));
		cr_assert(json_is_integer(json_object_get(e, "pid")));
		cr_assert(json_is_integer(json_object_get(e, "tid")));
	}
	json_decref(root);
	unlink(path);
	free(path);
}

Test(trace_chrome, timestamps_durations_and_phases)
{
	char *path = sample();
	json_t *root = export(path), *evs, *e[4];

	evs = json_object_get(root, "traceEvents");
	/* 2.5 GHz: cycle 100 = 40 ns = 0.040 µs; 1200 cycles = 0.480 µs. */
	cr_assert_eq(find(evs, "hv_exit", "X", e, 4), 1);
	cr_assert_float_eq(json_real_value(json_object_get(e[0], "ts")), 0.040,
			   1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(e[0], "dur")), 0.480,
			   1e-9);
	cr_assert_eq(geti(e[0], "pid"), 3);
	cr_assert_eq(geti(json_object_get(e[0], "args"), "reason"), 30);
	cr_assert_eq(find(evs, "sched_switch", "X", e, 4), 1);
	cr_assert_float_eq(json_real_value(json_object_get(e[0], "dur")), 400.0,
			   1e-9);
	/* Ring occupancy: a counter per channel at each write. */
	cr_assert_eq(find(evs, "ring_used ch3", "C", e, 4), 2);
	cr_assert_eq(geti(e[0], "pid"), 3);
	cr_assert_eq(geti(json_object_get(e[0], "args"), "ring_used"), 4096);
	cr_assert_eq(geti(json_object_get(e[1], "args"), "ring_used"), 8192);
	cr_assert_eq(find(evs, "vmbus_onoffer", "i", e, 4), 1);
	cr_assert_str_eq(json_string_value(json_object_get(e[0], "s")), "t");
	/* 2^64-1 does not fit a double exactly: written as a hex string. */
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_object_get(e[0], "args"), "connection_id")),
			 "0xffffffffffffffff");
	json_decref(root);
	unlink(path);
	free(path);
}

Test(trace_chrome, each_request_is_one_chain_of_flow_arrows)
{
	char *path = sample();
	json_t *root = export(path), *evs, *e[4];
	json_int_t bind[2][TRACE_NR_STAGES];

	evs = json_object_get(root, "traceEvents");
	for (unsigned s = 1; s <= TRACE_NR_STAGES; s++) {
		const char *name = trace_stage_kind(s)->name;
		cr_assert_eq(find(evs, name, "X", e, 4), 2, "%s", name);
		for (int q = 0; q < 2; q++) {
			json_t *in = json_object_get(e[q], "flow_in");
			json_t *out = json_object_get(e[q], "flow_out");
			json_int_t txn =
			    geti(json_object_get(e[q], "args"), "txn");
			bind[txn - 10][s - 1] = geti(e[q], "bind_id");
			cr_assert_eq(json_is_true(in), s > 1, "%s in", name);
			cr_assert_eq(json_is_true(out), s < TRACE_NR_STAGES,
				     "%s out", name);
			cr_assert_float_eq(
			    json_real_value(json_object_get(e[q], "dur")), 0.0,
			    1e-12);
		}
	}
	for (unsigned s = 1; s < TRACE_NR_STAGES; s++) {
		cr_assert_eq(bind[0][s], bind[0][0]);
		cr_assert_eq(bind[1][s], bind[1][0]);
	}
	cr_assert_neq(bind[0][0], bind[1][0], "two requests, two chains");
	json_decref(root);
	unlink(path);
	free(path);
}

Test(trace_chrome, hostile_names_stay_valid_json)
{
	static const char *const names[] = {"par\"ent\\", "ch\x01ild\n",
					    "\xff\xfe bytes"};
	struct trace_info in = tt_info(1000);
	struct trace_rec x = {.cycle = 1, .kind = TK_SYNIC_EOM, .part = 1};
	char *path = tt_tmp(), err[256] = "";
	struct trace *t;
	json_t *root, *m[8];

	in.part_names = names;
	in.scenario = "\"quoted\"\t\x7f";
	t = trace_open(path, &in, err, sizeof(err));
	cr_assert_not_null(t, "%s", err);
	trace_emit(t, &x);
	cr_assert_eq(trace_close(t, err, sizeof(err)), 0, "%s", err);
	root = export(path);
	cr_assert_eq(find(json_object_get(root, "traceEvents"), "process_name",
			  "M", m, 8),
		     4);
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_object_get(m[1], "args"), "name")),
			 "par\"ent\\");
	json_decref(root);
	unlink(path);
	free(path);
}

Test(trace_chrome, bad_input_leaves_no_output)
{
	char *in = sample(), *out = tt_tmp(), err[256] = "";
	FILE *f = fopen(in, "r+b");

	/* Cut the trailer and a little more: the header is fine, so the
	 * export starts and must remove what it wrote. */
	fseek(f, 0, SEEK_END);
	cr_assert_eq(ftruncate(fileno(f), ftell(f) - 20), 0);
	fclose(f);
	unlink(out);
	cr_assert_eq(trace_export_chrome(in, out, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "truncated") || strstr(err, "corrupt"), "%s",
		  err);
	cr_assert_neq(access(out, F_OK), 0, "a partial JSON was left");
	unlink(in);
	free(in);
	free(out);
}

/* hvsim trace export through the command line, with a window. */
Test(trace_chrome, command_line_export_with_a_window)
{
	char *path = sample(), *out = tt_tmp(), from[] = "--from=2500";
	char *argv[] = {"trace", "export", "--chrome", path,   "-o",
			out,	 from,	   "--to",     "3000", NULL};
	json_t *root, *evs, *e;
	json_error_t je;
	size_t i, n = 0;

	cr_assert_eq(cmd_trace(9, argv), 0);
	root = json_load_file(out, 0, &je);
	cr_assert_not_null(root, "%s", je.text);
	evs = json_object_get(root, "traceEvents");
	json_array_foreach(evs, i, e)
	{
		json_int_t cyc;
		const char *ph = json_string_value(json_object_get(e, "ph"));
		if (!strcmp(ph, "M") || !strcmp(ph, "C"))
			continue; /* metadata; counters carry only their value
				   */
		cyc = geti(json_object_get(e, "args"), "cycle");
		cr_assert(cyc >= 2500 && cyc < 3000, "cycle %lld", cyc);
		n++;
	}
	/* Request 10 starts at 2500 and request 11 at 3000 (excluded). */
	cr_assert_eq(n, 1, "%zu events in the window", n);
	json_decref(root);
	unlink(out);
	unlink(path);
	free(out);
	free(path);
}

Test(trace_chrome, command_line_usage_errors_exit_2)
{
	char *a1[] = {"trace", "export", "x.hvt", "-o", "y.json", NULL};
	char *a2[] = {"trace", "export", "--chrome", "x.hvt", NULL};
	char *a3[] = {"trace",	"export", "--chrome", "x", "-o", "y",
		      "--from", "9",	  "--to",     "9", NULL};
	char *a4[] = {"trace", "frobnicate", NULL};
	char *a5[] = {"trace", "stats", NULL};
	char *a6[] = {"trace", "stats", "/nonexistent.hvt", NULL};

	cr_assert_eq(cmd_trace(5, a1), 2, "no --chrome");
	cr_assert_eq(cmd_trace(4, a2), 2, "no -o");
	cr_assert_eq(cmd_trace(10, a3), 2, "empty window");
	cr_assert_eq(cmd_trace(2, a4), 2);
	cr_assert_eq(cmd_trace(2, a5), 2);
	cr_assert_eq(cmd_trace(3, a6), 2);
}
