/*
 * tests/unit/sim/test_scenario.c — scenario files (sim/scenario*.c,
 * docs/SCENARIO.md): every key, the defaults, unit suffixes, relative
 * paths and continuation lines; every kind of bad input, each asserting
 * the exact "FILE:LINE: [section] key: problem" prefix; and scenario_check
 * on scenarios built in code. Each test writes its files into a fresh
 * temporary directory.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/cli.h"
#include "sim/scenario.h"

static char dir[64];
static char made[64]
		[PATH_MAX + 16]; /* files and directories, in creation order */
static int nmade;
static struct scenario *sc;
static char err[1024];
static char scn_path[128];

static const char *in_dir(const char *name)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *b = buf[next++ & 3];

	snprintf(b, PATH_MAX, "%s/%s", dir, name);
	return b;
}

static void put_bytes(const char *name, const char *data, size_t len)
{
	const char *path = in_dir(name);
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "cannot create %s", path);
	cr_assert_eq(len, fwrite(data, 1, len, f));
	fclose(f);
	if (nmade < 64)
		snprintf(made[nmade++], sizeof(made[0]), "%s", path);
}

static void put(const char *name, const char *text)
{
	put_bytes(name, text, strlen(text));
}

static void make_dir(const char *name)
{
	cr_assert_eq(0, mkdir(in_dir(name), 0700));
	snprintf(made[nmade++], sizeof(made[0]), "%s", in_dir(name));
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/hvsim-scn-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	nmade = 0;
	put("k.elf", "not really an ELF; the loader checks that later");
	put("initrd.img", "modules");
	put("disk.img", "a raw disk");
	sc = malloc(sizeof(*sc));
	cr_assert_not_null(sc);
	snprintf(scn_path, sizeof(scn_path), "%s/t.scn", dir);
}

static void teardown(void)
{
	unlink(scn_path);
	while (nmade > 0) {
		const char *p = made[--nmade];

		if (unlink(p) != 0)
			rmdir(p);
	}
	rmdir(dir);
	free(sc);
}

TestSuite(scenario, .init = setup, .fini = teardown);

/* Write text as t.scn and load it. */
static int load_text(const char *text)
{
	FILE *f = fopen(scn_path, "wb");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	memset(err, 0, sizeof(err));
	return scenario_load(scn_path, sc, err, sizeof(err));
}

static void expect_ok(const char *text)
{
	int rc = load_text(text);

	cr_assert_eq(0, rc, "rejected (%s):\n%s", err, text);
}

/* The load fails with "t.scn:LINE: " (or "t.scn: " for line 0) + what. */
static void expect_error(const char *text, unsigned line, const char *fmt, ...)
{
	char what[512], want[1024 + sizeof(scn_path)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(want, sizeof(want), "%s:%u: %s", scn_path, line, what);
	else
		snprintf(want, sizeof(want), "%s: %s", scn_path, what);
	cr_assert_eq(-1, load_text(text), "accepted:\n%s", text);
	cr_assert(!strncmp(err, want, strlen(want)), "got  '%s'\nwant '%s...'",
		  err, want);
	cr_assert_null(strchr(err, '\n'), "message has a newline: %s", err);
}

#define CHILD "[partition \"c1\"]\nkernel = k.elf\n"

/* ---- good files ---------------------------------------------------------- */

Test(scenario, one_child_gets_defaults_and_a_default_parent)
{
	expect_ok(CHILD);
	cr_assert_str_eq(scn_path, sc->source);
	cr_assert_eq(2, sc->pcpus);
	cr_assert_eq(2500000000ull, sc->freq_hz);
	cr_assert_eq(1000000ull, sc->quantum_cycles);
	cr_assert(sc->timing);
	cr_assert_eq(0, sc->max_cycles);
	cr_assert_eq(2, sc->nr_partitions);
	cr_assert_str_eq("parent", sc->part[0].name);
	cr_assert(sc->part[0].parent);
	cr_assert_eq(1, sc->part[0].vcpus);
	cr_assert_str_eq("", sc->part[0].kernel);

	const struct scn_partition *c = &sc->part[1];
	cr_assert_str_eq("c1", c->name);
	cr_assert_not(c->parent);
	cr_assert_str_eq(in_dir("k.elf"), c->kernel);
	cr_assert_eq(1, c->vcpus);
	cr_assert_eq(256ull << 20, c->mem_bytes);
	cr_assert_eq(100, c->weight);
	cr_assert_eq(0, c->reserve_pct);
	cr_assert_eq(100, c->cap_pct);
	cr_assert(c->autostart);
	cr_assert_not(c->testdev);
	cr_assert_eq(0, c->nr_initrd);
	cr_assert_str_eq("", c->cmdline);
	cr_assert_str_eq("", c->serial);
	cr_assert_str_eq("", c->disk);
	cr_assert_eq(0, scenario_check(sc, err, sizeof(err)), "%s", err);
}

Test(scenario, every_key_is_stored)
{
	expect_ok("; a full scenario\n"
		  "[machine]\n"
		  "pcpus = 4\n"
		  "frequency = 3GHz\n"
		  "quantum = 20000\n"
		  "timing = off\n"
		  "max_cycles = 123456789\n"
		  "\n"
		  "[partition \"root\"]\n"
		  "role = parent\n"
		  "vcpus = 2\n"
		  "memory = 512M\n"
		  "weight = 200\n"
		  "reserve = 10\n"
		  "cap = 90\n"
		  "[partition \"web\"]\n"
		  "role = child\n"
		  "vcpus = 3\n"
		  "memory = 64M\n"
		  "kernel = k.elf\n"
		  "cmdline = console=ttyS0 quiet\n"
		  "initrd = initrd.img\n"
		  "initrd = k.elf\n"
		  "serial = web.log\n"
		  "disk = disk.img\n"
		  "weight = 300\n"
		  "reserve = 25%\n"
		  "cap = 50%\n"
		  "testdev = yes\n"
		  "autostart = no\n");
	cr_assert_eq(4, sc->pcpus);
	cr_assert_eq(3000000000ull, sc->freq_hz);
	cr_assert_eq(20000, sc->quantum_cycles);
	cr_assert_not(sc->timing);
	cr_assert_eq(123456789ull, sc->max_cycles);
	cr_assert_eq(2, sc->nr_partitions);

	const struct scn_partition *r = &sc->part[0], *w = &sc->part[1];
	cr_assert_str_eq("root", r->name);
	cr_assert(r->parent);
	cr_assert_eq(2, r->vcpus);
	cr_assert_eq(512ull << 20, r->mem_bytes);
	cr_assert_eq(200, r->weight);
	cr_assert_eq(10, r->reserve_pct);
	cr_assert_eq(90, r->cap_pct);

	cr_assert_str_eq("web", w->name);
	cr_assert_not(w->parent);
	cr_assert_eq(3, w->vcpus);
	cr_assert_eq(64ull << 20, w->mem_bytes);
	cr_assert_str_eq(in_dir("k.elf"), w->kernel);
	cr_assert_str_eq("console=ttyS0 quiet", w->cmdline);
	cr_assert_eq(2, w->nr_initrd);
	cr_assert_str_eq(in_dir("initrd.img"), w->initrd[0]);
	cr_assert_str_eq(in_dir("k.elf"), w->initrd[1]);
	cr_assert_str_eq(in_dir("web.log"), w->serial);
	cr_assert_str_eq(in_dir("disk.img"), w->disk);
	cr_assert_eq(300, w->weight);
	cr_assert_eq(25, w->reserve_pct);
	cr_assert_eq(50, w->cap_pct);
	cr_assert(w->testdev);
	cr_assert_not(w->autostart);
}

Test(scenario, frequency_takes_si_units_and_fractions)
{
	static const struct {
		const char *text;
		uint64_t hz;
	} cases[] = {
	    {"2.5GHz", 2500000000ull},	   {"2500MHz", 2500000000ull},
	    {"2500000000", 2500000000ull}, {"2500000 kHz", 2500000000ull},
	    {"1.2345ghz", 1234500000ull},  {"10GHz", 10000000000ull},
	    {"1MHz", 1000000ull},	   {"3000000000Hz", 3000000000ull},
	};
	char text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "[machine]\nfrequency = %s\n" CHILD, cases[i].text);
		expect_ok(text);
		cr_assert_eq(cases[i].hz, sc->freq_hz, "%s", cases[i].text);
	}
}

Test(scenario, quantum_and_max_cycles_take_times_at_the_final_frequency)
{
	expect_ok("[machine]\nquantum = 400us\nmax_cycles = 2s\n" CHILD);
	cr_assert_eq(1000000ull, sc->quantum_cycles);
	cr_assert_eq(5000000000ull, sc->max_cycles);
	/* The frequency comes after the times: they still use it. */
	expect_ok("[machine]\nquantum = 0.5ms\nmax_cycles = 10 ms\n"
		  "frequency = 1GHz\n" CHILD);
	cr_assert_eq(500000ull, sc->quantum_cycles);
	cr_assert_eq(10000000ull, sc->max_cycles);
	expect_ok("[machine]\nquantum = 5000 cycles\nmax_cycles = 0\n" CHILD);
	cr_assert_eq(5000ull, sc->quantum_cycles);
	cr_assert_eq(0, sc->max_cycles);
	expect_ok("[machine]\nquantum = 1000ns\n" CHILD);
	cr_assert_eq(2500ull, sc->quantum_cycles);
}

Test(scenario, memory_takes_binary_suffixes)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} cases[] = {
	    {"64M", 64ull << 20},  {"1G", 1ull << 30},
	    {"2MiB", 2ull << 20},  {"4194304", 4ull << 20},
	    {"8192K", 8ull << 20}, {"64G", 64ull << 30},
	};
	char text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), CHILD "memory = %s\n",
			 cases[i].text);
		expect_ok(text);
		cr_assert_eq(cases[i].bytes, sc->part[1].mem_bytes, "%s",
			     cases[i].text);
	}
}

Test(scenario, booleans_take_the_usual_words_in_any_case)
{
	static const char *const yes[] = {"true", "YES", "On", "1"};
	static const char *const no[] = {"false", "No", "OFF", "0"};
	char text[256];

	for (size_t i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), CHILD "testdev = %s\n", yes[i]);
		expect_ok(text);
		cr_assert(sc->part[1].testdev, "%s", yes[i]);
		snprintf(text, sizeof(text), CHILD "testdev = %s\n", no[i]);
		expect_ok(text);
		cr_assert_not(sc->part[1].testdev, "%s", no[i]);
	}
}

Test(scenario, paths_are_relative_to_the_scenario_directory)
{
	char text[512];

	make_dir("sub");
	snprintf(text, sizeof(text),
		 "[partition \"c1\"]\nkernel = ../k.elf\n"
		 "initrd = \"%s\"\nserial = out.txt\n",
		 in_dir("initrd.img"));
	put("sub/s.scn", text);
	cr_assert_eq(0,
		     scenario_load(in_dir("sub/s.scn"), sc, err, sizeof(err)),
		     "%s", err);
	cr_assert_str_eq(in_dir("sub/../k.elf"), sc->part[1].kernel);
	cr_assert_str_eq(in_dir("initrd.img"), sc->part[1].initrd[0]);
	cr_assert_str_eq(in_dir("sub/out.txt"), sc->part[1].serial);
}

Test(scenario, a_file_without_directory_keeps_paths_as_written)
{
	char cwd[PATH_MAX];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(0, chdir(dir));
	put("plain.scn", CHILD);
	cr_assert_eq(0, scenario_load("plain.scn", sc, err, sizeof(err)), "%s",
		     err);
	cr_assert_str_eq("k.elf", sc->part[1].kernel);
	cr_assert_str_eq("plain.scn", sc->source);
	cr_assert_eq(0, chdir(cwd));
}

Test(scenario, cmdline_continues_on_indented_lines)
{
	expect_ok(CHILD "cmdline = \"console=ttyS0 earlyprintk=serial\"\n"
			"  panic=-1 ; a comment\n"
			"\toops=panic # not a comment\n"
			"vcpus = 2\n");
	cr_assert_str_eq("console=ttyS0 earlyprintk=serial panic=-1 "
			 "oops=panic # not a comment",
			 sc->part[1].cmdline);
	cr_assert_eq(2, sc->part[1].vcpus);
}

Test(scenario, comments_crlf_bom_and_blank_lines_are_fine)
{
	expect_ok("\xEF\xBB\xBF; comment\r\n# another\r\n\r\n"
		  "[machine] ; the machine\r\n"
		  "  pcpus = 3\r\n"
		  "[partition \"c1\"]\r\n"
		  "kernel = k.elf ; inline comment\r\n"
		  "vcpus: 2\r\n");
	cr_assert_eq(3, sc->pcpus);
	cr_assert_str_eq(in_dir("k.elf"), sc->part[1].kernel);
	cr_assert_eq(2, sc->part[1].vcpus);
}

Test(scenario, the_parent_keeps_its_place_and_name)
{
	expect_ok(CHILD "[partition \"root\"]\nrole = parent\n"
			"[partition \"c2\"]\nkernel = k.elf\nvcpus = 2\n");
	cr_assert_eq(3, sc->nr_partitions);
	cr_assert_str_eq("c1", sc->part[0].name);
	cr_assert_str_eq("root", sc->part[1].name);
	cr_assert(sc->part[1].parent);
	cr_assert_str_eq("c2", sc->part[2].name);
	cr_assert_eq(2, sc->part[2].vcpus);
}

Test(scenario, a_machine_section_alone_gives_just_the_parent)
{
	expect_ok("[machine]\npcpus = 1\n");
	cr_assert_eq(1, sc->nr_partitions);
	cr_assert(sc->part[0].parent);
}

/* ---- bad files: sections and structure ----------------------------------- */

Test(scenario, missing_file_names_the_file)
{
	char want[PATH_MAX + 64];

	cr_assert_eq(-1,
		     scenario_load(in_dir("nope.scn"), sc, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: cannot open: No such file",
		 in_dir("nope.scn"));
	cr_assert(!strncmp(err, want, strlen(want)), "got '%s'", err);
}

Test(scenario, a_directory_is_not_a_scenario)
{
	char want[PATH_MAX + 64];

	make_dir("d.scn");
	cr_assert_eq(-1, scenario_load(in_dir("d.scn"), sc, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory",
		 in_dir("d.scn"));
	cr_assert(!strncmp(err, want, strlen(want)), "got '%s'", err);
}

Test(scenario, empty_files_are_refused)
{
	expect_error("", 0, "empty scenario");
	expect_error("; only a comment\n\n", 0, "empty scenario");
}

Test(scenario, unknown_sections_are_refused)
{
	expect_error(CHILD "[hypervisor]\nquantum = 1\n", 3,
		     "[hypervisor]: unknown section");
	expect_error("[Machine]\n", 1, "[Machine]: unknown section");
	expect_error("[partition]\n", 1, "[partition]: unknown section");
}

Test(scenario, malformed_section_headers_are_refused)
{
	expect_error("[machine\n", 1, "[machine]: section header without ']'");
	expect_error("[machine] pcpus = 2\n", 1, "[machine]: text after ']'");
	expect_error("[partition c1]\n", 1,
		     "[partition c1]: the name must be in double quotes");
	expect_error("[partition \"c 1\"]\n", 1,
		     "[partition \"c 1\"]: a name has only letters");
	expect_error("[partition \"\"]\n", 1,
		     "[partition \"\"]: a name has 1..63 characters");
	expect_error("[partition \"a234567890123456789012345678901234567890"
		     "123456789012345678901234\"]\n",
		     1,
		     "[partition \"a2345678901234567890123456789012345678"
		     "90123456789012345678901234\"]: a name has 1..63");
}

Test(scenario, duplicate_sections_are_refused)
{
	expect_error(CHILD "vcpus = 1\n" CHILD, 4,
		     "[partition \"c1\"]: duplicate partition name (first on "
		     "line 1)");
	expect_error("[machine]\n" CHILD "[machine]\n", 4,
		     "[machine]: section given twice (first on line 1)");
}

Test(scenario, two_parents_are_refused)
{
	expect_error("[partition \"a\"]\nrole = parent\n"
		     "[partition \"b\"]\nvcpus = 1\nrole = parent\n" CHILD,
		     5,
		     "[partition \"b\"] role: a second parent (the first "
		     "is \"a\")");
}

Test(scenario, the_default_parent_needs_its_name)
{
	expect_error(CHILD "[partition \"parent\"]\nkernel = k.elf\n", 3,
		     "[partition \"parent\"]: no partition has role = parent");
}

Test(scenario, at_most_64_partitions)
{
	static char text[64 * 64];
	size_t n = 0;

	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[partition \"p%d\"]\nrole = %s\n", i,
				      i ? "child" : "parent");
	expect_error(text, 129, "[partition \"p64\"]: too many partitions");
	/* 64 children leave no room for the default parent. */
	n = 0;
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[partition \"p%d\"]\nkernel = k.elf\n",
				      i);
	expect_error(text, 127,
		     "[partition \"p63\"]: no room for the default "
		     "parent");
}

Test(scenario, keys_outside_sections_are_refused)
{
	expect_error("pcpus = 2\n[machine]\n", 1,
		     "pcpus: key outside any "
		     "section");
}

Test(scenario, unknown_keys_are_refused)
{
	expect_error("[machine]\ncolour = blue\n", 2,
		     "[machine] colour: unknown key");
	expect_error(CHILD "Vcpus = 2\n", 3,
		     "[partition \"c1\"] Vcpus: unknown key");
	expect_error("[machine]\nvcpus = 2\n", 2,
		     "[machine] vcpus: not a key of this section");
	expect_error(CHILD "pcpus = 2\n", 3,
		     "[partition \"c1\"] pcpus: not a key of this section");
	expect_error(CHILD "= 5\n", 3, "[partition \"c1\"] : unknown key");
}

Test(scenario, keys_given_twice_are_refused)
{
	expect_error(CHILD "vcpus = 1\nmemory = 64M\nvcpus = 2\n", 5,
		     "[partition \"c1\"] vcpus: given twice (first on line "
		     "3)");
	expect_error("[machine]\nquantum = 1ms\nquantum = 2ms\n", 3,
		     "[machine] quantum: given twice (first on line 2)");
}

Test(scenario, only_cmdline_continues)
{
	expect_error(CHILD "vcpus = 1\n  memory = 64M\n", 4,
		     "[partition \"c1\"] vcpus: an indented line continues "
		     "the previous value");
}

Test(scenario, lines_that_are_not_keys_are_refused)
{
	expect_error(CHILD "just some words\n", 3,
		     "[partition \"c1\"]: expected 'key = value', a [section] "
		     "or a comment");
	expect_error("vcpus ; = 2\n", 1, "expected 'key = value'");
}

Test(scenario, long_lines_are_refused)
{
	char text[600];
	int n = snprintf(text, sizeof(text), CHILD "cmdline = ");

	memset(text + n, 'x', 300);
	strcpy(text + n + 300, "\nvcpus = 1\n");
	expect_error(text, 3,
		     "[partition \"c1\"]: line too long (310 "
		     "characters; at most 198)");
}

Test(scenario, binary_garbage_is_refused)
{
	static const char garbage[] = "\x7f"
				      "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";

	put_bytes("t.scn", garbage, sizeof(garbage));
	cr_assert_eq(-1, scenario_load(scn_path, sc, err, sizeof(err)));
	cr_assert(!strncmp(err, scn_path, strlen(scn_path)));
	cr_assert_str_eq(":1: binary data (byte 0x7f in column 1)",
			 err + strlen(scn_path));
	/* A NUL in the middle of an otherwise fine file. */
	put_bytes("t.scn", CHILD "vcpus = 1\0 2\n", sizeof(CHILD) + 12);
	cr_assert_eq(-1, scenario_load(scn_path, sc, err, sizeof(err)));
	cr_assert_str_eq(":3: [partition \"c1\"]: binary data (byte 0x00 in "
			 "column 10)",
			 err + strlen(scn_path));
	expect_error(CHILD "cmdline = a\rb\n", 3,
		     "[partition \"c1\"]: binary data (byte 0x0d");
}

/* ---- bad values ---------------------------------------------------------- */

Test(scenario, values_must_be_numbers)
{
	expect_error(CHILD "vcpus = two\n", 3,
		     "[partition \"c1\"] vcpus: 'two' is not a whole number");
	expect_error(CHILD "vcpus = -1\n", 3,
		     "[partition \"c1\"] vcpus: '-1' "
		     "is not a whole number");
	expect_error(CHILD "vcpus = 1.5\n", 3,
		     "[partition \"c1\"] vcpus: "
		     "'1.5' is not a whole number");
	expect_error(CHILD "vcpus = 0x2\n", 3,
		     "[partition \"c1\"] vcpus: "
		     "'0x2' is not a whole number");
	expect_error(CHILD "vcpus =\n", 3,
		     "[partition \"c1\"] vcpus: missing value");
	expect_error(CHILD "memory = lots\n", 3,
		     "[partition \"c1\"] memory: "
		     "'lots' is not a size");
	expect_error("[machine]\nfrequency = fast\n", 2,
		     "[machine] frequency: 'fast' is not a number");
	expect_error("[machine]\nfrequency = 2.5THz\n", 2,
		     "[machine] frequency: '2.5THz' has an unknown unit");
	expect_error("[machine]\nfrequency = 2.GHz\n", 2,
		     "[machine] frequency: '2.GHz' is not a number");
	expect_error("[machine]\nfrequency = 2.0000000001GHz\n", 2,
		     "[machine] frequency: '2.0000000001GHz' is finer than");
	expect_error("[machine]\nquantum = 1 fortnight\n", 2,
		     "[machine] quantum: '1 fortnight' has an unknown unit");
	expect_error(CHILD "cap = 50%%\n", 3,
		     "[partition \"c1\"] cap: '50%%%%' is not a whole number");
}

Test(scenario, numbers_that_overflow_are_refused)
{
	expect_error(CHILD "vcpus = 99999999999999999999\n", 3,
		     "[partition \"c1\"] vcpus: '99999999999999999999' is too "
		     "large");
	expect_error(CHILD "vcpus = 4294967297\n", 3,
		     "[partition \"c1\"] vcpus: 4294967297 is out of range");
	expect_error(CHILD "memory = 17179869184G\n", 3,
		     "[partition \"c1\"] memory: '17179869184G' is not a "
		     "size");
	expect_error("[machine]\nfrequency = 18446744073.709551616GHz\n", 2,
		     "[machine] frequency: '18446744073.709551616GHz' is too "
		     "large");
	expect_error("[machine]\nmax_cycles = 18446744073709551616\n", 2,
		     "[machine] max_cycles: '18446744073709551616' is too "
		     "large");
	expect_error("[machine]\nmax_cycles = 10000000000s\n", 2,
		     "[machine] max_cycles: too long at this frequency");
}

Test(scenario, values_out_of_range_are_refused)
{
	expect_error("[machine]\npcpus = 0\n", 2,
		     "[machine] pcpus: 0 is out of range (1..64)");
	expect_error("[machine]\npcpus = 65\n", 2,
		     "[machine] pcpus: 65 is out of range (1..64)");
	expect_error(
	    "[machine]\nfrequency = 999kHz\n", 2,
	    "[machine] frequency: 999000 Hz is out of range (1 MHz..10 "
	    "GHz)");
	expect_error("[machine]\nfrequency = 10.5GHz\n", 2,
		     "[machine] frequency: 10500000000 Hz is out of range");
	expect_error("[machine]\nquantum = 999\n" CHILD, 2,
		     "[machine] quantum: 999 cycles is out of range");
	expect_error("[machine]\nquantum = 100ns\n" CHILD, 2,
		     "[machine] quantum: 250 cycles is out of range");
	expect_error(CHILD "vcpus = 0\n", 3,
		     "[partition \"c1\"] vcpus: 0 is out of range (1..64)");
	expect_error(CHILD "memory = 1M\n", 3,
		     "[partition \"c1\"] memory: "
		     "1048576 bytes is out of range "
		     "(2 MiB..64 GiB)");
	expect_error(CHILD "memory = 65G\n", 3,
		     "[partition \"c1\"] memory: 69793218560 bytes is out");
	expect_error(CHILD "memory = 3000000\n", 3,
		     "[partition \"c1\"] memory: 3000000 bytes is not a "
		     "multiple of 4 KiB");
	expect_error(CHILD "weight = 0\n", 3,
		     "[partition \"c1\"] weight: 0 is out of range (1..10000)");
	expect_error(CHILD "weight = 10001\n", 3,
		     "[partition \"c1\"] weight: 10001 is out of range");
	expect_error(CHILD "reserve = 101%\n", 3,
		     "[partition \"c1\"] reserve: 101%% is out of range "
		     "(0..100%%)");
	expect_error(CHILD "cap = 0\n", 3,
		     "[partition \"c1\"] cap: 0%% is out of range (1..100%%)");
}

Test(scenario, words_must_be_known)
{
	expect_error(CHILD "role = boss\n", 3,
		     "[partition \"c1\"] role: 'boss' "
		     "is not one of: parent, child");
	expect_error("[machine]\ntiming = exact\n", 2,
		     "[machine] timing: 'exact' is not one of: approx, off");
	expect_error(CHILD "testdev = maybe\n", 3,
		     "[partition \"c1\"] testdev: 'maybe' is not one of: true");
}

Test(scenario, input_files_must_be_readable)
{
	expect_error("[partition \"c1\"]\nkernel = nope.elf\n", 2,
		     "[partition \"c1\"] kernel: cannot read '%s': No such "
		     "file or directory",
		     in_dir("nope.elf"));
	make_dir("kdir");
	expect_error("[partition \"c1\"]\nkernel = kdir\n", 2,
		     "[partition \"c1\"] kernel: '%s' is not a regular file",
		     in_dir("kdir"));
	expect_error(CHILD "initrd = gone.img\n", 3,
		     "[partition \"c1\"] initrd: cannot read '%s'",
		     in_dir("gone.img"));
	expect_error(CHILD "disk = gone.img\n", 3,
		     "[partition \"c1\"] disk: cannot read '%s'",
		     in_dir("gone.img"));
	expect_error(CHILD "kernel = \"\"\n", 3,
		     "[partition \"c1\"] kernel: given twice");
	expect_error("[partition \"c1\"]\nkernel = \"\"\n", 2,
		     "[partition \"c1\"] kernel: missing value");
}

Test(scenario, at_most_8_initrds)
{
	char text[1024];
	size_t n = (size_t)snprintf(text, sizeof(text), CHILD);

	for (int i = 0; i < 9; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "initrd = initrd.img\n");
	expect_error(text, 11,
		     "[partition \"c1\"] initrd: too many (at most "
		     "8)");
}

Test(scenario, paths_must_fit)
{
	static char text[8192];
	int n = snprintf(text, sizeof(text), "[partition \"c1\"]\n");

	/* 20 continuation-free lines cannot make a long path, but a long
	 * scenario directory can: build one 4000 bytes deep. */
	char deep[PATH_MAX];
	size_t d = (size_t)snprintf(deep, sizeof(deep), "%s", dir);
	int levels = 0;

	while (d + 200 < 4060) {
		memset(deep + d, 'd', 200);
		deep[d] = '/';
		deep[d + 200] = '\0';
		cr_assert_eq(0, mkdir(deep, 0700));
		snprintf(made[nmade++], sizeof(made[0]), "%s", deep);
		d += 200;
		levels++;
	}
	cr_assert(levels > 10);
	snprintf(text + n, sizeof(text) - (size_t)n, "kernel = %0180d.elf\n",
		 0);
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/s.scn", deep);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(made[nmade++], sizeof(made[0]), "%s", path);
	static char big[SCN_PATH_MAX + 1024];
	cr_assert_eq(-1, scenario_load(path, sc, big, sizeof(big)));
	cr_assert(!strncmp(big, path, strlen(path)));
	static const char want[] = ":2: [partition \"c1\"] kernel: path too "
				   "long";
	cr_assert(!strncmp(big + strlen(path), want, strlen(want)), "%s",
		  big + strlen(path));
}

Test(scenario, cmdline_must_fit)
{
	static char text[16384];
	size_t n = (size_t)snprintf(text, sizeof(text), CHILD "cmdline = a\n");

	for (int i = 0; i < 30; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "  ");
		memset(text + n, 'y', 150);
		n += 150;
		text[n++] = '\n';
	}
	text[n] = '\0';
	/* 1 + 27 × 151 = 4078 fits; the 28th line (line 31) does not. */
	expect_error(text, 31,
		     "[partition \"c1\"] cmdline: too long (at most "
		     "4095 bytes)");
}

/* ---- whole-scenario rules ------------------------------------------------ */

Test(scenario, children_need_a_kernel)
{
	expect_error("[partition \"c1\"]\nvcpus = 1\n", 1,
		     "[partition \"c1\"]: a child needs a kernel");
}

Test(scenario, the_parent_takes_no_guest_keys)
{
	expect_error("[partition \"p\"]\nkernel = k.elf\nrole = parent\n" CHILD,
		     2,
		     "[partition \"p\"] kernel: only a child takes this key");
	expect_error("[partition \"p\"]\nrole = parent\ntestdev = on\n" CHILD,
		     3, "[partition \"p\"] testdev: only a child takes this");
	expect_error("[partition \"p\"]\nrole = parent\ncmdline = x\n" CHILD, 3,
		     "[partition \"p\"] cmdline: only a child takes this");
}

Test(scenario, vcpus_cannot_exceed_physical_cpus)
{
	expect_error(CHILD "vcpus = 3\n", 3,
		     "[partition \"c1\"] vcpus: 3 vCPUs, more than the "
		     "machine's physical CPUs ([machine] pcpus = 2)");
	expect_error(CHILD "vcpus = 2\n[machine]\npcpus = 1\n", 3,
		     "[partition \"c1\"] vcpus: 2 vCPUs, more than the "
		     "machine's physical CPUs ([machine] pcpus = 1)");
}

Test(scenario, reserve_cannot_exceed_cap)
{
	expect_error(CHILD "reserve = 60\ncap = 50\n", 3,
		     "[partition \"c1\"] reserve: 60%% is above the cap "
		     "(50%%)");
}

Test(scenario, reserves_must_fit_the_machine)
{
	expect_error("[machine]\npcpus = 1\n" CHILD "reserve = 60\n"
		     "[partition \"c2\"]\nkernel = k.elf\nreserve = 50\n",
		     8,
		     "[partition \"c2\"] reserve: reserves add up to 110%% "
		     "of one physical CPU, more than the machine's 100%%");
	expect_ok("[machine]\npcpus = 2\n" CHILD "reserve = 60\n"
		  "[partition \"c2\"]\nkernel = k.elf\nreserve = 50\n");
}

/* ---- the error buffer ---------------------------------------------------- */

Test(scenario, short_or_missing_error_buffers_are_safe)
{
	char small[8];

	load_text(CHILD "vcpus = 0\n");
	memset(small, 'z', sizeof(small));
	cr_assert_eq(-1, scenario_load(scn_path, sc, small, sizeof(small)));
	cr_assert_eq(7, strlen(small));
	cr_assert(!strncmp(small, scn_path, 7));
	cr_assert_eq(-1, scenario_load(scn_path, sc, NULL, 0));
	cr_assert_eq(-1, scenario_load(in_dir("nope"), sc, NULL, 0));
}

/* ---- scenarios built in code --------------------------------------------- */

static void build_two(void)
{
	scenario_defaults(sc);
	sc->nr_partitions = 2;
	scn_partition_defaults(&sc->part[0]);
	strcpy(sc->part[0].name, "root");
	sc->part[0].parent = true;
	scn_partition_defaults(&sc->part[1]);
	strcpy(sc->part[1].name, "guest");
	snprintf(sc->part[1].kernel, sizeof(sc->part[1].kernel), "%s",
		 in_dir("k.elf"));
}

static void expect_check_error(const char *want)
{
	cr_assert_eq(-1, scenario_check(sc, err, sizeof(err)));
	cr_assert(!strncmp(err, want, strlen(want)), "got  '%s'\nwant '%s...'",
		  err, want);
}

Test(scenario, check_accepts_a_good_scenario)
{
	build_two();
	cr_assert_eq(0, scenario_check(sc, err, sizeof(err)), "%s", err);
}

/* Files named in code are the kernel loader's to open (and report). */
Test(scenario, check_does_not_open_files)
{
	build_two();
	strcpy(sc->part[1].kernel, "/nonexistent/k.elf");
	strcpy(sc->part[1].initrd[0], "/nonexistent/initrd");
	sc->part[1].nr_initrd = 1;
	cr_assert_eq(0, scenario_check(sc, err, sizeof(err)), "%s", err);
}

Test(scenario, check_applies_the_same_rules)
{
	build_two();
	sc->part[0].parent = false;
	expect_check_error(
	    "(command line): [partition \"root\"]: a child needs "
	    "a kernel");
	build_two();
	sc->part[1].parent = true;
	sc->part[1].kernel[0] = '\0';
	expect_check_error("(command line): [partition \"guest\"] role: a "
			   "second parent (the first is \"root\")");
	build_two();
	strcpy(sc->part[1].name, "root");
	expect_check_error("(command line): [partition \"root\"]: duplicate "
			   "partition name");
	build_two();
	sc->part[1].vcpus = 0;
	expect_check_error("(command line): [partition \"guest\"] vcpus: 0 is "
			   "out of range (1..64)");
	build_two();
	sc->quantum_cycles = 0;
	expect_check_error("(command line): [machine] quantum: 0 cycles is out "
			   "of range");
	build_two();
	sc->nr_partitions = 0;
	expect_check_error("(command line): [machine]: 0 partitions");
	build_two();
	sc->nr_partitions = SCN_MAX_PARTITIONS + 1;
	expect_check_error("(command line): [machine]: 65 partitions");
	build_two();
	memset(sc->part[1].name, 'a', sizeof(sc->part[1].name));
	expect_check_error("(command line): [partition \"aaaa");
	build_two();
	sc->part[1].kernel[0] = '\0';
	expect_check_error("(command line): [partition \"guest\"]: a child "
			   "needs a kernel");
	build_two();
	sc->part[0].nr_initrd = 1;
	strcpy(sc->part[0].initrd[0], "x");
	expect_check_error("(command line): [partition \"root\"] initrd: only "
			   "a child takes this key");
	build_two();
	sc->part[1].nr_initrd = 9;
	expect_check_error("(command line): [partition \"guest\"] initrd: 9 of "
			   "them");
	build_two();
	sc->part[1].cmdline[SCN_CMDLINE_MAX - 1] = 'x';
	memset(sc->part[1].cmdline, 'x', SCN_CMDLINE_MAX);
	expect_check_error("(command line): [partition \"guest\"]: a path or "
			   "the command line does not end");
}

/* ---- the examples -------------------------------------------------------- */

/* meson copies examples/scenarios/ to build/examples/scenarios/, next to
 * build/examples/guests/; this test runs from build/tests/. */
static void load_example(const char *name)
{
	char rel[128], path[PATH_MAX];

	snprintf(rel, sizeof(rel), "../examples/scenarios/%s", name);
	cr_assert_eq(0, cli_path_near_binary(rel, path, sizeof(path)));
	cr_assert_eq(0, scenario_load(path, sc, err, sizeof(err)), "%s", err);
	cr_assert_eq(0, scenario_check(sc, err, sizeof(err)), "%s", err);
}

Test(scenario, example_two_children)
{
	load_example("two_children.scn");
	cr_assert_eq(2, sc->pcpus);
	cr_assert_eq(1000000ull, sc->quantum_cycles);
	cr_assert_eq(25000000000ull, sc->max_cycles);
	cr_assert_eq(3, sc->nr_partitions);
	cr_assert(sc->part[0].parent);
	cr_assert_str_eq("hello", sc->part[1].name);
	cr_assert_str_eq("greeting from a child partition of the two_children "
			 "example",
			 sc->part[1].cmdline);
	cr_assert_eq(50, sc->part[1].cap_pct);
	cr_assert_str_eq("worker", sc->part[2].name);
	cr_assert_eq(2, sc->part[2].vcpus);
	cr_assert_not(sc->part[2].autostart);
}

Test(scenario, example_one_child)
{
	load_example("one_child.scn");
	cr_assert_eq(2, sc->nr_partitions);
	cr_assert_str_eq("parent", sc->part[0].name);
	cr_assert_str_eq("hello", sc->part[1].name);
	cr_assert_not_null(strstr(sc->part[1].kernel, "/guests/hello.elf"));
}

/* ---- edges
 * ------------------------------------------------------------------- */

Test(scenario, a_198_character_line_is_the_longest)
{
	char text[600];
	int n = snprintf(text, sizeof(text), CHILD "cmdline = ");

	memset(text + n, 'x', 198 - 10);
	strcpy(text + n + 198 - 10, "\nvcpus = 2\n");
	expect_ok(text);
	cr_assert_eq(188, strlen(sc->part[1].cmdline));
	cr_assert_eq(2, sc->part[1].vcpus);
	n = snprintf(text, sizeof(text), CHILD "cmdline = ");
	memset(text + n, 'x', 199 - 10);
	strcpy(text + n + 199 - 10, "\n");
	expect_error(text, 3,
		     "[partition \"c1\"]: line too long (199 "
		     "characters; at most 198)");
}

Test(scenario, the_last_line_needs_no_newline)
{
	expect_ok(CHILD "vcpus = 2");
	cr_assert_eq(2, sc->part[1].vcpus);
}

Test(scenario, no_path_is_an_error_not_a_crash)
{
	cr_assert_eq(-1, scenario_load(NULL, sc, err, sizeof(err)));
	cr_assert(!strncmp(err, "(no file): cannot open", 22), "%s", err);
}

/* Random bytes, and random mixes of scenario text and bytes, are refused
 * with a message naming the file, or (rarely) accepted; never a crash. */
Test(scenario, random_input_gets_a_message)
{
	static const char *const pieces[] = {
	    "[machine]\n",
	    "[partition \"a\"]\n",
	    "kernel = k.elf\n",
	    "vcpus = 2\n",
	    "  more\n",
	    "cmdline = x\n",
	    "=\n",
	    "[\n",
	    "\"\n",
	    "role = parent\n",
	    "; c\n",
	    "quantum = 1.5ms\n",
	};
	char buf[2048];
	unsigned seed = 12345, refused = 0;

	for (int round = 0; round < 400; round++) {
		size_t n = 0;

		while (n < 1500) {
			seed = seed * 1103515245u + 12345u;
			if (round & 1) {
				buf[n++] = (char)(seed >> 16);
			} else {
				const char *p = pieces[(seed >> 16) % 12];

				memcpy(buf + n, p, strlen(p));
				n += strlen(p);
			}
		}
		put_bytes("t.scn", buf, n);
		memset(err, 0, sizeof(err));
		if (scenario_load(scn_path, sc, err, sizeof(err)) != 0) {
			refused++;
			cr_assert(!strncmp(err, scn_path, strlen(scn_path)),
				  "%s", err);
			cr_assert_null(strchr(err, '\n'));
		}
	}
	cr_assert(refused >= 200, "only %u of 400 refused", refused);
}

Test(scenario, indented_comments_do_not_continue_a_value)
{
	expect_ok(CHILD "cmdline = a\n  ; an indented comment\n"
			"    # another\n  b\nvcpus = 2\n  ; after vcpus\n");
	cr_assert_str_eq("a b", sc->part[1].cmdline);
	cr_assert_eq(2, sc->part[1].vcpus);
}
