/*
 * tests/unit/hv/test_cli_run.c — `hvsim run` on the partitioned machine:
 * a scenario file runs its children and ends with the status of the first
 * child that ended by itself; a scenario and --kernel do not mix; the
 * end-of-run summary has the vCPU-time table and the exit table.
 */
#include <stdio.h>

#include "hv_test.h"
#include "sim/cli.h"

#include <criterion/redirect.h>

static void quiet_stderr(void)
{
	cr_redirect_stderr();
}

static const uint8_t exit5[] = {
    0xB8, 0x05, 0x00, 0x00, 0x00, /* mov eax, 5 */
    0xE7, 0xF4, 0xEB, 0xFE,	  /* out 0xF4, eax; jmp $ */
};

/* A scenario file: a parent and the two given kernels on one pCPU. */
static char *write_scn(const char *k1, const char *k2)
{
	char *path = strdup("/tmp/hvsim-test-scn-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	cr_assert_not_null(f);
	fprintf(f,
		"[machine]\npcpus = 1\n\n[partition \"root\"]\n"
		"role = parent\n\n[partition \"a\"]\nkernel = %s\n"
		"memory = 4M\n\n[partition \"b\"]\nkernel = %s\n"
		"memory = 4M\n",
		k1, k2);
	fclose(f);
	return path;
}

Test(cli_run, scenario_file_ends_with_the_first_child_to_end,
     .init = quiet_stderr)
{
	char *e = hvt_guest(exit5, sizeof(exit5));
	char *h = hvt_guest(hvt_halt, sizeof(hvt_halt));
	char *scn = write_scn(h, e);
	char *argv[] = {"hvsim", "run", scn, NULL};
	char buf[8192] = {0};

	cr_assert_eq(11, cli_main(3, argv));
	fflush(stderr);
	fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr());
	cr_assert_not_null(strstr(buf, "hvsim: partition 'b': guest wrote "
				       "0x5 to debug-exit: status 11\n"),
			   "%s", buf);
	cr_assert_not_null(strstr(buf, "exit reason"), "%s", buf);
	cr_assert_not_null(strstr(buf, "HLT"), "%s", buf);
	cr_assert_not_null(strstr(buf, "IO_OUT"), "%s", buf);
	cr_assert_not_null(strstr(buf, "ring3"), "%s", buf);
	for (char *p[] = {e, h, scn}, **q = p; q < p + 3; q++) {
		unlink(*q);
		free(*q);
	}
}

Test(cli_run, scenario_and_kernel_do_not_mix, .init = quiet_stderr)
{
	char *argv[] = {"hvsim", "run", "x.scn", "--kernel", "k.elf", NULL};

	cr_assert_eq(2, cli_main(5, argv));
}

Test(cli_run, bad_scenario_file_exits_2, .init = quiet_stderr)
{
	char *argv[] = {"hvsim", "run", "/nonexistent.scn", NULL};

	cr_assert_eq(2, cli_main(3, argv));
	fflush(stderr);
	cr_assert_stderr_neq_str("");
}

Test(cli_run, max_cycles_overrides_the_scenario, .init = quiet_stderr)
{
	char *s1 = hvt_guest(hvt_spin, sizeof(hvt_spin));
	char *scn = write_scn(s1, s1);
	char *argv[] = {"hvsim",   "run",     scn, "--max-cycles",
			"3000000", "--quiet", NULL};

	cr_assert_eq(125, cli_main(6, argv));
	fflush(stderr);
	cr_assert_stderr_eq_str("");
	unlink(s1);
	unlink(scn);
	free(s1);
	free(scn);
}
