/*
 * tests/unit/sim/test_scenario_values.c — scenario files with bad values,
 * the whole-scenario rules, the error buffer, and scenarios built in
 * code (scenario_check). Files and structure: test_scenario.c.
 */
#include "tests/unit/sim/scenario_fixture.h"

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

/* ---- the physical disk's model ----------------------------------------- */

Test(scenario, disk_timing_keys)
{
	expect_ok("[partition \"p\"]\nrole = parent\n" CHILD
		  "disk_latency = 250us\ndisk_bandwidth = 500M\n");
	cr_assert_eq(sc->part[1].disk_latency_ns, 250000);
	cr_assert_eq(sc->part[1].disk_bandwidth, 500ull << 20);
	expect_ok("[partition \"p\"]\nrole = parent\n" CHILD);
	cr_assert_eq(sc->part[1].disk_latency_ns, 100000); /* the default */
	cr_assert_eq(sc->part[1].disk_bandwidth, 1ull << 30);
	expect_error(CHILD "disk_latency = 250\n", 3,
		     "[partition \"c1\"] disk_latency: '250' needs a time "
		     "unit");
	expect_error(CHILD "disk_latency = 11s\n", 3,
		     "[partition \"c1\"] disk_latency: 11000000000 ns is out "
		     "of range");
	expect_error(CHILD "disk_bandwidth = fast\n", 3,
		     "[partition \"c1\"] disk_bandwidth: 'fast' is not a size");
}
