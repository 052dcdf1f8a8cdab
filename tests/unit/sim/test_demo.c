/*
 * tests/unit/sim/test_demo.c — the built-in demo (sim/demo.c) and the
 * machine's console prefixes (sim/sim.c, scenario key console_prefix):
 * the demo's scenario text is a valid scenario of the documented shape;
 * children sharing a stream get whole prefixed lines, others do not
 * unless asked; the summary says how each child ended; a quiet demo run
 * ends with status 0, writes its trace and leaves no disk image behind.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/builtin.h"
#include "sim/demo.h"
#include "sim/scenario.h"
#include "sim/sim.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/hvsim-test-demo-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

/* Remove the files the test made, then the directory. */
static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void need_guests(void)
{
	if (!builtin_guests[0].name)
		cr_skip_test("hvsim was built without guests");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	cr_assert_not_null(f, "%s", path);
	fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

TestSuite(demo, .init = setup, .fini = teardown);

Test(demo, its_scenario_is_a_parent_storage_and_compute_on_two_pcpus)
{
	struct scenario *sc = malloc(sizeof(*sc));
	char text[4096], err[1024], disk[128];
	FILE *f;

	need_guests();
	snprintf(disk, sizeof(disk), "%s/some disk.img", dir);
	cr_assert_not_null(f = fopen(disk, "w")); /* disk = must exist */
	fclose(f);
	cr_assert_eq(0, demo_scenario_text(disk, text, sizeof(text)));
	cr_assert_eq(0, scenario_parse_text(DEMO_SOURCE, text, sc, err,
					    sizeof(err)),
		     "%s", err);
	cr_assert_eq(sc->pcpus, 2);
	cr_assert_eq(sc->console_prefix, SCN_PREFIX_ON);
	cr_assert_eq(sc->nr_partitions, 3);
	cr_assert(sc->part[0].parent);
	cr_assert_str_eq(sc->part[1].name, "storage");
	cr_assert(builtin_is_name(sc->part[1].kernel));
	cr_assert_not_null(builtin_find(sc->part[1].kernel));
	cr_assert_str_eq(sc->part[1].disk, disk);
	cr_assert_str_eq(sc->part[2].name, "compute");
	cr_assert_str_eq(sc->part[2].kernel, "builtin:compute");
	free(sc);
}

Test(demo, a_disk_path_too_long_for_a_scenario_line_is_refused)
{
	char path[400], text[4096];

	memset(path, 'd', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	cr_assert_eq(-1, demo_scenario_text(path, text, sizeof(text)));
	cr_assert_eq(-1, demo_scenario_text("/tmp/a\nkernel = x", text,
					    sizeof(text)));
	cr_assert_eq(-1, demo_scenario_text("/tmp/x.img", text, 100));
}

/* Two hello children; serial lines from the caller. Runs the machine
 * and returns the summary's text. */
static char *run_two(const char *machine_lines, const char *serial_a,
		     const char *serial_b)
{
	struct scenario *sc = malloc(sizeof(*sc));
	char text[2048], err[1024], *summary = NULL;
	size_t len = 0;
	struct sim_config cfg;
	struct sim *s;
	FILE *f;
	int rc;

	snprintf(text, sizeof(text),
		 "[machine]\npcpus = 2\n%s\n"
		 "[partition \"one\"]\nkernel = builtin:hello\nmemory = 16M\n%s\n"
		 "[partition \"three\"]\nkernel = builtin:hello\nmemory = 16M\n"
		 "%s\n",
		 machine_lines, serial_a, serial_b);
	cr_assert_eq(0, scenario_parse_text("two", text, sc, err, sizeof(err)),
		     "%s", err);
	sim_config_defaults(&cfg);
	cfg.quiet = true;
	s = sim_create_scenario(sc, &cfg, &rc);
	cr_assert_not_null(s, "status %d", rc);
	cr_assert_eq(1, sim_run(s)); /* hello: debug-exit 0 */
	f = open_memstream(&summary, &len);
	sim_print_summary(s, f);
	fclose(f);
	sim_destroy(s);
	free(sc);
	return summary;
}

/* Every line of `text` starts with one of the prefixes; each prefix
 * carries hello's whole output. */
static void expect_prefixed(const char *text, const char *pa, const char *pb)
{
	const char *want = "hello from ring 3 via syscall";
	unsigned a = 0, b = 0, hits_a = 0, hits_b = 0;

	for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
		const char *nl = strchr(l, '\n');

		cr_assert_not_null(nl, "every line ends: %s", l);
		if (!strncmp(l, pa, strlen(pa))) {
			a++;
			hits_a += !strncmp(l + strlen(pa), want, strlen(want));
		} else if (!strncmp(l, pb, strlen(pb))) {
			b++;
			hits_b += !strncmp(l + strlen(pb), want, strlen(want));
		} else {
			cr_assert_fail("line without a prefix: %.*s",
				       (int)(nl - l), l);
		}
	}
	cr_assert_eq(a, b, "both children print the same lines");
	cr_assert_gt(a, 5);
	cr_assert_eq(hits_a, 1);
	cr_assert_eq(hits_b, 1);
}

Test(demo, console_prefix_on_gives_children_on_one_file_aligned_prefixes)
{
	char line[600], *summary, *out;

	need_guests();
	snprintf(line, sizeof(line), "serial = %s/both.out", dir);
	summary = run_two("console_prefix = on", line, line);
	out = slurp(strcat(strcpy(line, dir), "/both.out"));
	expect_prefixed(out, "one   | ", "three | ");
	cr_assert_not_null(strstr(summary, "how each child partition ended"));
	cr_assert_not_null(strstr(summary, "one              guest wrote 0x0 "
					   "to debug-exit: status 1"),
			   "%s", summary);
	cr_assert_not_null(strstr(summary, "three            guest wrote 0x0 "
					   "to debug-exit: status 1"));
	cr_assert_not_null(strstr(summary, "exits by partition"));
	free(out);
	free(summary);
}

Test(demo, console_prefix_off_and_files_under_auto_mean_no_prefix)
{
	char a[600], b[600], *out;

	need_guests();
	snprintf(a, sizeof(a), "serial = %s/a.out", dir);
	snprintf(b, sizeof(b), "serial = %s/b.out", dir);
	free(run_two("", a, b)); /* auto: nobody shares stdout */
	out = slurp(strcat(strcpy(a, dir), "/a.out"));
	cr_assert_eq(0, strncmp(out, "hello from ring 0", 17), "%s", out);
	free(out);
	snprintf(a, sizeof(a), "serial = %s/both.out", dir);
	free(run_two("", a, a)); /* auto: a shared file is not stdout */
	out = slurp(strcat(strcpy(b, dir), "/both.out"));
	cr_assert_null(strstr(out, " | "), "%s", out);
	unlink(b);
	free(out);
	snprintf(a, sizeof(a), "serial = %s/both.out", dir);
	free(run_two("console_prefix = off", a, a));
	out = slurp(strcat(strcpy(b, dir), "/both.out"));
	cr_assert_null(strstr(out, " | "), "%s", out);
	free(out);
}

Test(demo, console_prefix_on_prefixes_a_child_alone_on_its_file)
{
	char a[600], b[600], *out;

	need_guests();
	snprintf(a, sizeof(a), "serial = %s/a.out", dir);
	snprintf(b, sizeof(b), "serial = %s/b.out", dir);
	free(run_two("console_prefix = on", a, b));
	out = slurp(strcat(strcpy(a, dir), "/a.out"));
	cr_assert_eq(0, strncmp(out, "one   | hello from ring 0", 25), "%s",
		     out);
	free(out);
}

Test(demo, a_bad_console_prefix_value_is_refused)
{
	struct scenario *sc = malloc(sizeof(*sc));
	char err[1024];

	cr_assert_eq(-1, scenario_parse_text("x.scn",
					     "[machine]\nconsole_prefix = "
					     "maybe\n",
					     sc, err, sizeof(err)));
	cr_assert_not_null(strstr(err, "x.scn:2: [machine] console_prefix: "
				       "'maybe' is not one of: auto, on, off"),
			   "%s", err);
	free(sc);
}

Test(demo, a_quiet_run_ends_well_writes_its_trace_and_removes_its_disk)
{
	struct sim_config cfg;
	char trace[128];
	struct stat st;
	DIR *d;
	struct dirent *e;
	unsigned files = 0;
	int rc;

	need_guests();
	cr_assert_not_null(freopen("/dev/null", "w", stdout));
	setenv("TMPDIR", dir, 1);
	snprintf(trace, sizeof(trace), "%s/t.hvt", dir);
	sim_config_defaults(&cfg);
	cfg.quiet = true;
	cfg.trace_path = trace;
	rc = demo_run(&cfg);
	cr_assert_eq(0, rc, "status %d", rc);
	cr_assert_eq(0, stat(trace, &st));
	cr_assert_gt(st.st_size, 1000);
	d = opendir(dir);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			cr_assert_str_eq(e->d_name, "t.hvt",
					 "left behind: %s", e->d_name);
			files++;
		}
	closedir(d);
	cr_assert_eq(files, 1);
}
