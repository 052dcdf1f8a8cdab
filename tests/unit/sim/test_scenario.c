/*
 * tests/unit/sim/test_scenario.c — scenario files (sim/scenario*.c,
 * docs/SCENARIO.md): every key, the defaults, unit suffixes, relative
 * paths and continuation lines; every kind of bad input, each asserting
 * the exact "FILE:LINE: [section] key: problem" prefix, for the file's
 * structure (bad values and scenario_check: test_scenario_values.c). Each
 * test writes its files into a fresh temporary directory.
 */
#include "tests/unit/sim/scenario_fixture.h"

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
