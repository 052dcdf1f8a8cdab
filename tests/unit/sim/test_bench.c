/*
 * tests/unit/sim/test_bench.c — `hvsim bench` (sim/cmd_bench.c): which
 * files count as bench guests and in what order, the verdict of each exit
 * status, the geometric mean, and whole runs of tiny guests written here
 * (one passing its self-check, one failing it, one that cannot load).
 * Timings are printed by bench, never asserted.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/cmd_bench.h"

/* A fresh empty directory under /tmp (removed by remove_tree). */
static char *temp_dir(void)
{
	char *dir = strdup("/tmp/hvsim-test-bench-XXXXXX");

	cr_assert_not_null(dir);
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static void touch(const char *dir, const char *name, const void *data,
		  size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(len, fwrite(data, 1, len, f));
	fclose(f);
}

static void remove_tree(char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(0, system(cmd));
	free(dir);
}

/* Writes dir/name: an ELF64 whose one PT_LOAD puts `code` at 1 MiB. */
static void write_guest(const char *dir, const char *name, const void *code,
			size_t len)
{
	static _Alignas(8) uint8_t img[0x200];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));

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
	touch(dir, name, img, 0x100 + len);
}

/* mov eax, imm8; out 0xF4, eax: debug-exit with that value. */
#define EXIT_WITH(v)                                                           \
	{                                                                      \
		0xB8, (v), 0, 0, 0, 0xE7, 0xF4                                 \
	}
static const uint8_t exit_ok[] = EXIT_WITH(0);
static const uint8_t exit_wrong[] = EXIT_WITH(1);

/* ---- finding the guests -------------------------------------------------- */

Test(bench, finds_only_regular_bench_elf_files_sorted)
{
	char *dir = temp_dir(), sub[512], **paths, want[512];
	static const char *const names[] = {
	    "bench_zeta.elf", "hello.elf",	 "bench_alpha.elf",
	    "bench_.elf",     "bench_notes.txt", "xbench_beta.elf",
	    "bench_mid.elf",
	};
	size_t n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		touch(dir, names[i], "x", 1);
	snprintf(sub, sizeof(sub), "%s/bench_dir.elf", dir); /* a directory */
	cr_assert_eq(0, mkdir(sub, 0755));
	snprintf(sub, sizeof(sub), "%s/bench_alpha.elf.p", dir);
	cr_assert_eq(0, mkdir(sub, 0755));

	cr_assert_eq(0, bench_find_guests(dir, &paths, &n));
	cr_assert_eq(3, n);
	snprintf(want, sizeof(want), "%s/bench_alpha.elf", dir);
	cr_expect_str_eq(paths[0], want);
	snprintf(want, sizeof(want), "%s/bench_mid.elf", dir);
	cr_expect_str_eq(paths[1], want);
	snprintf(want, sizeof(want), "%s/bench_zeta.elf", dir);
	cr_expect_str_eq(paths[2], want);
	bench_free_paths(paths, n);
	remove_tree(dir);
}

Test(bench, empty_and_missing_directories)
{
	char *dir = temp_dir(), **paths;
	size_t n = 99;

	cr_assert_eq(0, bench_find_guests(dir, &paths, &n));
	cr_expect_eq(0, n);
	bench_free_paths(paths, n);
	cr_expect_eq(-1,
		     bench_find_guests("/nonexistent/hvsim-bench", &paths, &n));
	cr_expect_eq(0, n);
	cr_expect_null(paths);
	remove_tree(dir);
}

/* ---- verdicts and the mean ----------------------------------------------- */

Test(bench, verdict_comes_from_the_debug_exit_status)
{
	cr_expect_str_eq(bench_verdict(1), "ok");	    /* debug-exit 0 */
	cr_expect_str_eq(bench_verdict(3), "WRONG RESULT"); /* debug-exit 1 */
	cr_expect_str_eq(bench_verdict(0), "FAILED");	    /* HLT */
	cr_expect_str_eq(bench_verdict(4), "FAILED");	    /* triple fault */
	cr_expect_str_eq(bench_verdict(5), "FAILED");	    /* debug-exit 2 */
	cr_expect_str_eq(bench_verdict(125), "FAILED");	    /* time limit */
}

Test(bench, geomean_of_positive_values)
{
	static const double two_eight[] = {2.0, 8.0};
	static const double with_zero[] = {0.0, 3.0, 0.0, 27.0};
	static const double none[] = {0.0};

	cr_expect_float_eq(bench_geomean(two_eight, 2), 4.0, 1e-12);
	cr_expect_float_eq(bench_geomean(with_zero, 4), 9.0, 1e-12);
	cr_expect_float_eq(bench_geomean(none, 1), 0.0, 1e-12);
	cr_expect_float_eq(bench_geomean(NULL, 0), 0.0, 1e-12);
}

/* ---- whole runs ---------------------------------------------------------- */

/* Runs `hvsim bench PATHS...` and returns its status; stdout in out. */
static int run_bench(char **paths, int n, char *out, size_t len)
{
	char *argv[8] = {"bench"};
	int rc;

	cr_assert_lt(n, 8);
	for (int i = 0; i < n; i++)
		argv[i + 1] = paths[i];
	rc = cmd_bench(n + 1, argv);
	fflush(stdout);
	memset(out, 0, len);
	fread(out, 1, len - 1, cr_get_redirected_stdout());
	return rc;
}

Test(bench, passing_and_failing_guests_get_their_verdicts,
     .init = cr_redirect_stdout)
{
	char *dir = temp_dir(), out[2048], ok[512], wrong[512];
	char *paths[] = {ok, wrong};

	cr_redirect_stderr();
	write_guest(dir, "bench_ok.elf", exit_ok, sizeof(exit_ok));
	write_guest(dir, "bench_wrong.elf", exit_wrong, sizeof(exit_wrong));
	snprintf(ok, sizeof(ok), "%s/bench_ok.elf", dir);
	snprintf(wrong, sizeof(wrong), "%s/bench_wrong.elf", dir);

	cr_expect_eq(1, run_bench(paths, 2, out, sizeof(out)));
	/* One instruction each (the debug-exit OUT ends the partition in
	 * the VM Worker before it retires), the verdict, the path, then the
	 * mean. */
	cr_expect_not_null(strstr(out, "result"), "%s", out);
	cr_expect_not_null(strstr(out, "  ok            "), "%s", out);
	cr_expect_not_null(strstr(out, "  WRONG RESULT  "), "%s", out);
	cr_expect_not_null(strstr(out, "bench_wrong.elf"), "%s", out);
	cr_expect_not_null(strstr(out, "\n             1 "), "%s", out);
	cr_expect_not_null(strstr(out, "NOT ALL OK    geomean of 2 guests"),
			   "%s", out);

	cr_expect_eq(0, run_bench(paths, 1, out, sizeof(out)));
	cr_expect_not_null(strstr(out, "ok            geomean of 1 guests"),
			   "%s", out);
	remove_tree(dir);
}

Test(bench, unloadable_guest_exits_2, .init = cr_redirect_stdout)
{
	char *paths[] = {"/nonexistent/bench_none.elf"};
	char out[1024];

	cr_redirect_stderr();
	cr_expect_eq(2, run_bench(paths, 1, out, sizeof(out)));
	cr_expect_null(strstr(out, "geomean"), "%s", out);
}

Test(bench, no_guest_directory_next_to_the_binary_exits_2)
{
	char *argv[] = {"bench"};

	cr_redirect_stderr();
	/* The test binary lives in build/tests/, which has no
	 * examples/guests/ below it. */
	cr_expect_eq(2, cmd_bench(1, argv));
}
