/*
 * tests/unit/sim/test_cli.c — the command line (sim/cli.c) and the run
 * statuses of sim/sim.c: size and number parsing, `run` options and their
 * errors (exit 2), --version/help, and tiny ELF64 guests written here that
 * end by debug-exit, HLT, triple fault, the cycle limit, or print to COM1.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli.h"

/* ---- parsing ------------------------------------------------------------ */

Test(cli, size_suffixes_are_binary)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
	    {"4096", 4096},	{"256M", 256ull << 20}, {"256m", 256ull << 20},
	    {"1G", 1ull << 30}, {"64KiB", 64 << 10},	{"2MB", 2 << 20},
	    {"1T", 1ull << 40}, {"512b", 512},
	};
	static const char *const bad[] = {
	    "",
	    "M",
	    "-1",
	    "1.5G",
	    "12Q",
	    "1GG",
	    "99999999999999999999",
	    "17179869184G",
	    "1 G",
	    "1Mb",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_expect_eq(0, cli_parse_size(ok[i].s, &v), "%s", ok[i].s);
		cr_expect_eq(ok[i].v, v, "%s", ok[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(-1, cli_parse_size(bad[i], &v), "'%s'", bad[i]);
}

Test(cli, u64_is_plain_decimal)
{
	uint64_t v;

	cr_assert_eq(0, cli_parse_u64("18446744073709551615", &v));
	cr_assert_eq(UINT64_MAX, v);
	cr_assert_eq(-1, cli_parse_u64("18446744073709551616", &v));
	cr_assert_eq(-1, cli_parse_u64("+5", &v));
	cr_assert_eq(-1, cli_parse_u64("5k", &v));
	cr_assert_eq(-1, cli_parse_u64("", &v));
}

Test(cli, run_options_fill_the_config)
{
	char *argv[] = {"run",		"--kernel",  "k.elf",
			"--append=a b", "--initrd",  "m1",
			"--initrd=m2",	"--mem",     "64M",
			"--serial",	"out.txt",   "--max-cycles=1000",
			"--quiet",	"--quantum", "5000"};
	const char *initrd[16];
	struct sim_config cfg;

	cr_assert_eq(0, cli_parse_run(15, argv, &cfg, initrd));
	cr_assert_str_eq("k.elf", cfg.kernel);
	cr_assert_str_eq("a b", cfg.cmdline);
	cr_assert_eq(2, cfg.nr_initrd);
	cr_assert_str_eq("m1", cfg.initrd[0]);
	cr_assert_str_eq("m2", cfg.initrd[1]);
	cr_assert_eq(64ull << 20, cfg.mem_bytes);
	cr_assert_str_eq("out.txt", cfg.serial_path);
	cr_assert_eq(1000, cfg.max_cycles);
	cr_assert(cfg.quiet);
	cr_assert_eq(5000, cfg.quantum_cycles);
}

Test(cli, run_defaults_are_256m_and_2_5ghz)
{
	char *argv[] = {"run"};
	const char *initrd[2];
	struct sim_config cfg;

	cr_assert_eq(0, cli_parse_run(1, argv, &cfg, initrd));
	cr_assert_null(cfg.kernel);
	cr_assert_eq(256ull << 20, cfg.mem_bytes);
	cr_assert_eq(2500000000ull, cfg.freq_hz);
	cr_assert_eq(0, cfg.max_cycles);
	cr_assert_not(cfg.quiet);
}

static void quiet_stderr(void)
{
	cr_redirect_stderr();
}

static int parse(int argc, char **argv)
{
	const char **initrd = calloc((size_t)argc, sizeof(*initrd));
	struct sim_config cfg;
	int rc = cli_parse_run(argc, argv, &cfg, initrd);

	free(initrd);
	return rc;
}

Test(cli, run_option_errors_exit_2, .init = quiet_stderr)
{
	char *a1[] = {"run", "--bogus"};
	char *a2[] = {"run", "--kernel"};
	char *a3[] = {"run", "--mem", "lots"};
	char *a4[] = {"run", "--max-cycles", "0"};
	char *a5[] = {"run", "--max-cycles", "-5"};
	char *a6[] = {"run", "--quiet=yes"};
	char *a7[] = {"run", "--kernelx", "f"};

	cr_expect_eq(2, parse(2, a1));
	cr_expect_eq(2, parse(2, a2));
	cr_expect_eq(2, parse(3, a3));
	cr_expect_eq(2, parse(3, a4));
	cr_expect_eq(2, parse(3, a5));
	cr_expect_eq(2, parse(2, a6));
	cr_expect_eq(2, parse(3, a7));
	fflush(stderr);
	cr_expect_stderr_eq_str(
	    "hvsim: run: unknown option '--bogus' (try 'hvsim help')\n"
	    "hvsim: run: --kernel needs an argument (FILE) (try 'hvsim help')\n"
	    "hvsim: --mem: 'lots' is not a size (e.g. 256M, 1G) (try 'hvsim "
	    "help')\n"
	    "hvsim: --max-cycles: '0' is not a positive integer (try 'hvsim "
	    "help')\n"
	    "hvsim: --max-cycles: '-5' is not a positive integer (try 'hvsim "
	    "help')\n"
	    "hvsim: run: unknown option '--quiet=yes' (try 'hvsim help')\n"
	    "hvsim: run: unknown option '--kernelx' (try 'hvsim help')\n");
}

Test(cli, too_many_initrds_exit_2, .init = quiet_stderr)
{
	char *argv[2 + 2 * 70];
	int argc = 1;

	argv[0] = "run";
	for (int i = 0; i < 65; i++) {
		argv[argc++] = "--initrd";
		argv[argc++] = "/dev/null";
	}
	cr_assert_eq(2, parse(argc, argv));
}

Test(cli, run_help_exits_0, .init = cr_redirect_stdout)
{
	char *argv[] = {"hvsim", "run", "--help"};

	cr_assert_eq(0, cli_main(3, argv));
	fflush(stdout);
	cr_assert_stdout_neq_str("");
}

/* ---- top level ---------------------------------------------------------- */

Test(cli, version_prints_name_and_version, .init = cr_redirect_stdout)
{
	char *argv[] = {"hvsim", "--version"};

	cr_assert_eq(0, cli_main(2, argv));
	fflush(stdout);
	cr_assert_stdout_eq_str("hvsim 0.1.0\n");
}

Test(cli, no_arguments_prints_usage_and_exits_2, .init = quiet_stderr)
{
	char *argv[] = {"hvsim"};

	cr_assert_eq(2, cli_main(1, argv));
}

Test(cli, unknown_command_exits_2, .init = quiet_stderr)
{
	char *argv[] = {"hvsim", "frobnicate"};

	cr_assert_eq(2, cli_main(2, argv));
	fflush(stderr);
	cr_assert_stderr_eq_str("hvsim: unknown command 'frobnicate' (try "
				"'hvsim help')\n");
}

Test(cli, help_lists_every_command, .init = cr_redirect_stdout)
{
	char *argv[] = {"hvsim", "help"};
	char buf[8192] = {0};
	FILE *f;

	cr_assert_eq(0, cli_main(2, argv));
	fflush(stdout);
	f = cr_get_redirected_stdout();
	cr_assert_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
	cr_assert_not_null(strstr(buf, "  run "));
	cr_assert_not_null(strstr(buf, "  disasm "));
	cr_assert_not_null(strstr(buf, "  bench "));
	cr_assert_not_null(strstr(buf, "--max-cycles N"));
}

Test(cli, bench_unknown_option_exits_2, .init = quiet_stderr)
{
	char *argv[] = {"hvsim", "bench", "--fast"};

	cr_assert_eq(2, cli_main(3, argv));
}

/* Bad counts are refused before anything runs (a run would take
 * seconds and print a table). */
Test(cli, bench_vmbus_bad_counts_exit_2, .init = quiet_stderr)
{
	char *bad[][5] = {
	    {"hvsim", "bench", "--vmbus", "x"},
	    {"hvsim", "bench", "--vmbus", "-5"},
	    {"hvsim", "bench", "--vmbus", "100"},
	    {"hvsim", "bench", "--vmbus", "200", "--repeat"},
	    {"hvsim", "bench", "--vmbus", "200", "extra"},
	    {"hvsim", "bench", "--vmbus", "--repeat", "0"},
	    {"hvsim", "bench", "--vmbus", "--repeat", "16"},
	};
	int argc[] = {4, 4, 4, 5, 5, 5, 5};

	for (unsigned i = 0; i < sizeof(argc) / sizeof(argc[0]); i++)
		cr_assert_eq(2, cli_main(argc[i], bad[i]), "case %u", i);
}

/* ---- runs of tiny guests ------------------------------------------------ */

/* Write an ELF64 whose one PT_LOAD puts `code` at 1 MiB (the entry). */
static char *tiny_guest(const void *code, size_t len)
{
	static _Alignas(8) uint8_t img[0x400];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	char *path = strdup("/tmp/hvsim-test-cli-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_leq(len, sizeof(img) - 0x100);
	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x100000;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	*ph = (Elf64_Phdr){.p_type = PT_LOAD,
			   .p_flags = PF_R | PF_X,
			   .p_offset = 0x100,
			   .p_vaddr = 0x100000,
			   .p_paddr = 0x100000,
			   .p_filesz = len,
			   .p_memsz = len};
	memcpy(img + 0x100, code, len);
	cr_assert_geq(fd, 0);
	cr_assert_eq((ssize_t)(0x100 + len), write(fd, img, 0x100 + len));
	close(fd);
	return path;
}

static int run_guest(const void *code, size_t len, const char *extra1,
		     const char *extra2)
{
	char *path = tiny_guest(code, len);
	char *argv[] = {"hvsim", "run",		 "--kernel",	 path, "--mem",
			"4M",	 (char *)extra1, (char *)extra2, NULL};
	int argc = 6 + (extra1 != NULL) + (extra2 != NULL);
	int rc = cli_main(argc, argv);

	unlink(path);
	free(path);
	return rc;
}

static const uint8_t exit5[] = {
    0xB8, 0x05, 0x00, 0x00, 0x00, /* mov eax, 5 */
    0xE7, 0xF4,			  /* out 0xF4, eax */
    0xEB, 0xFE,			  /* jmp $ (never reached) */
};

Test(cli, debug_exit_value_becomes_status, .init = quiet_stderr)
{
	cr_assert_eq(11, run_guest(exit5, sizeof(exit5), NULL, NULL));
	fflush(stderr);
	cr_assert_stderr_neq_str("");
}

Test(cli, summary_names_reason_and_counts, .init = quiet_stderr)
{
	char buf[2048] = {0};

	cr_assert_eq(11, run_guest(exit5, sizeof(exit5), NULL, NULL));
	fflush(stderr);
	cr_assert_gt(fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr()),
		     0);
	cr_assert_not_null(strstr(buf, "hvsim: guest wrote 0x5 to debug-exit: "
				       "status 11\n"),
			   "%s", buf);
	/* mov retires; the debug-exit OUT ends the partition in the VM
	 * Worker before it does. */
	cr_assert_not_null(strstr(buf, "1 instructions"), "%s", buf);
	cr_assert_not_null(strstr(buf, "at 2.50 GHz"), "%s", buf);
	cr_assert_not_null(strstr(buf, "MIPS"), "%s", buf);
}

Test(cli, quiet_run_prints_nothing, .init = quiet_stderr)
{
	cr_assert_eq(11, run_guest(exit5, sizeof(exit5), "--quiet", NULL));
	fflush(stderr);
	cr_assert_stderr_eq_str("");
}

Test(cli, hlt_with_interrupts_off_exits_0, .init = quiet_stderr)
{
	static const uint8_t hlt[] = {0xF4};

	cr_assert_eq(0, run_guest(hlt, sizeof(hlt), NULL, NULL));
}

Test(cli, hlt_with_interrupts_on_is_halted_forever, .init = quiet_stderr)
{
	static const uint8_t sti_hlt[] = {0xFB, 0xF4};
	char buf[2048] = {0};

	cr_assert_eq(0, run_guest(sti_hlt, sizeof(sti_hlt), NULL, NULL));
	fflush(stderr);
	fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr());
	cr_assert_not_null(strstr(buf, "halted forever"), "%s", buf);
}

Test(cli, triple_fault_exits_4_and_names_vector, .init = quiet_stderr)
{
	static const uint8_t ud2[] = {0x0F, 0x0B}; /* no IDT: #UD → ... */
	char buf[2048] = {0};

	cr_assert_eq(4, run_guest(ud2, sizeof(ud2), NULL, NULL));
	fflush(stderr);
	fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr());
	cr_assert_not_null(strstr(buf, "triple fault"), "%s", buf);
	cr_assert_not_null(strstr(buf, "RIP 0x100000"), "%s", buf);
}

Test(cli, max_cycles_limit_exits_125, .init = quiet_stderr)
{
	static const uint8_t spin[] = {0xEB, 0xFE}; /* jmp $ */

	cr_assert_eq(125,
		     run_guest(spin, sizeof(spin), "--max-cycles", "200000"));
}

Test(cli, run_is_deterministic_across_quanta, .init = quiet_stderr)
{
	static const uint8_t spin[] = {0xEB, 0xFE};
	char a[4096] = {0};
	const char *cyc;

	/* The limit cuts the quantum short, so the cycle count at the end is
	 * the limit (give or take the last instruction) whatever the
	 * quantum. */
	cr_assert_eq(125, run_guest(spin, sizeof(spin), "--max-cycles=999999",
				    "--quantum=77777"));
	fflush(stderr);
	fread(a, 1, sizeof(a) - 1, cr_get_redirected_stderr());
	cyc = strstr(a, "instructions, ");
	cr_assert_not_null(cyc, "%s", a);
	cr_assert_eq(999, strtoull(cyc + 14, NULL, 10) / 1000, "%s", a);
}

Test(cli, serial_output_goes_to_serial_file, .init = quiet_stderr)
{
	static const uint8_t hi[] = {
	    0x66, 0xBA, 0xF8, 0x03, /* mov dx, 0x3F8 */
	    0xB0, 'h',	0xEE,	    /* mov al, 'h'; out dx, al */
	    0xB0, 'i',	0xEE, 0xB0, '\n',
	    0xEE, 0x31, 0xC0, 0xE7, 0xF4, /* xor eax, eax; out 0xF4, eax */
	};
	char out[] = "/tmp/hvsim-test-serial-XXXXXX";
	char buf[16] = {0};
	int fd = mkstemp(out);
	FILE *f;

	close(fd);
	cr_assert_eq(1, run_guest(hi, sizeof(hi), "--serial", out));
	f = fopen(out, "r");
	cr_assert_not_null(f);
	cr_assert_eq(3, fread(buf, 1, sizeof(buf), f));
	cr_assert_str_eq("hi\n", buf);
	fclose(f);
	unlink(out);
}

Test(cli, missing_kernel_file_exits_2, .init = quiet_stderr)
{
	char *argv[] = {"hvsim", "run", "--kernel", "/nonexistent.elf"};

	cr_assert_eq(2, cli_main(4, argv));
	fflush(stderr);
	cr_assert_stderr_eq_str("hvsim: /nonexistent.elf: cannot open: No such "
				"file or directory\n");
}

Test(cli, too_little_memory_exits_2, .init = quiet_stderr)
{
	char *argv[] = {"hvsim", "run", "--kernel", "k", "--mem", "1M"};

	cr_assert_eq(2, cli_main(6, argv));
}

Test(cli, unwritable_serial_file_exits_2, .init = quiet_stderr)
{
	cr_assert_eq(2, run_guest(exit5, sizeof(exit5), "--serial",
				  "/nonexistent/dir/out"));
}

static const uint8_t exit0[] = {
    0x31, 0xC0, 0xE7, 0xF4, /* xor eax, eax; out 0xF4, eax */
};

Test(cli, bench_reports_instructions_and_mips, .init = cr_redirect_stdout)
{
	char *path = tiny_guest(exit0, sizeof(exit0));
	char *argv[] = {"hvsim", "bench", path};
	char buf[1024] = {0};

	cr_assert_eq(0, cli_main(3, argv));
	fflush(stdout);
	fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stdout());
	cr_assert_not_null(strstr(buf, "MIPS"), "%s", buf);
	cr_assert_not_null(strstr(buf, "ns/insn"), "%s", buf);
	cr_assert_not_null(strstr(buf, path), "%s", buf);
	/* The debug-exit OUT is forwarded to the VM Worker, which ends the
	 * partition before the instruction completes: 1 retired. */
	cr_assert_not_null(strstr(buf, "\n             1 "),
			   "1 instruction: %s", buf);
	unlink(path);
	free(path);
}

Test(cli, bench_fails_when_guest_reports_failure, .init = quiet_stderr)
{
	char *path = tiny_guest(exit5, sizeof(exit5));
	char *argv[] = {"hvsim", "bench", path};

	cr_redirect_stdout();
	cr_assert_eq(1, cli_main(3, argv));
	fflush(stderr);
	cr_assert_stderr_neq_str("");
	unlink(path);
	free(path);
}

/* Simulated cycles of a quiet run of `code`, from the summary line. */
static unsigned long long cycles_of(const void *code, size_t len)
{
	char *path = tiny_guest(code, len);
	char out[] = "/tmp/hvsim-test-sum-XXXXXX";
	char *argv[] = {"hvsim", "run", "--kernel", path, "--mem", "4M"};
	char buf[2048] = {0};
	const char *p;
	int fd = mkstemp(out), saved = dup(2);
	FILE *f;

	/* The summary goes to stderr: catch it in a file for this run. */
	fflush(stderr);
	dup2(fd, 2);
	cr_assert_eq(1, cli_main(6, argv));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	rewind(f);
	cr_assert_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
	fclose(f);
	unlink(out);
	unlink(path);
	free(path);
	p = strstr(buf, "instructions, ");
	cr_assert_not_null(p, "%s", buf);
	return strtoull(p + 14, NULL, 10);
}

Test(cli, port_io_charges_the_intercept_cost)
{
	static const uint8_t one[] = {
	    0x31, 0xC0, 0xE6, 0x80, /* xor eax, eax; out 0x80, al */
	    0xE7, 0xF4,		    /* out 0xF4, eax */
	};
	static const uint8_t two[] = {
	    0x31, 0xC0, 0xE6, 0x80, 0xE6, 0x80, 0xE7, 0xF4,
	};
	static const uint8_t uart[] = {
	    0x31, 0xC0, 0xE6, 0x80, 0x66, 0xBA, 0xFF, 0x03, /* dx = SCR */
	    0xEE, 0xE7, 0xF4, /* out dx, al; out 0xF4, eax */
	};
	static const uint8_t pad[] = {
	    0x31, 0xC0, 0xE6, 0x80, 0x66, 0xBA, 0x80, 0x00, /* dx = 0x80 */
	    0xEE, 0xE7, 0xF4, /* the same OUT to an unmapped port */
	};
	unsigned long long c1 = cycles_of(one, sizeof(one));
	unsigned long long c2 = cycles_of(two, sizeof(two));

	/* One more OUT to an unmapped port: the intercept forwarded to the
	 * parent's VM Worker and resumed, 8 us = 20,000 cycles at 2.5 GHz
	 * (hv/work.c), plus at most the two partition switches the parent's
	 * vCPU causes (5,000 each) and the instruction's own cost. */
	cr_assert_geq(c2 - c1, 20000, "c1 %llu c2 %llu", c1, c2);
	cr_assert_leq(c2 - c1, 30100, "c1 %llu c2 %llu", c1, c2);
	/* A UART register access adds the device's latency on top. */
	cr_assert_gt(cycles_of(uart, sizeof(uart)),
		     cycles_of(pad, sizeof(pad)));
}
