/*
 * tests/unit/sim/scenario_fixture.h — shared set-up for the scenario
 * tests: a temporary directory, files written into it, and load/expect
 * helpers. Each test file includes it once (its state is per file).
 */
#ifndef HVSIM_TESTS_SCENARIO_FIXTURE_H_
#define HVSIM_TESTS_SCENARIO_FIXTURE_H_

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

static inline void put_bytes(const char *name, const char *data, size_t len)
{
	const char *path = in_dir(name);
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "cannot create %s", path);
	cr_assert_eq(len, fwrite(data, 1, len, f));
	fclose(f);
	if (nmade < 64)
		snprintf(made[nmade++], sizeof(made[0]), "%s", path);
}

static inline void put(const char *name, const char *text)
{
	put_bytes(name, text, strlen(text));
}

static inline void make_dir(const char *name)
{
	cr_assert_eq(0, mkdir(in_dir(name), 0700));
	snprintf(made[nmade++], sizeof(made[0]), "%s", in_dir(name));
}

static inline void setup(void)
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

static inline void teardown(void)
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
static inline int load_text(const char *text)
{
	FILE *f = fopen(scn_path, "wb");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	memset(err, 0, sizeof(err));
	return scenario_load(scn_path, sc, err, sizeof(err));
}

static inline void expect_ok(const char *text)
{
	int rc = load_text(text);

	cr_assert_eq(0, rc, "rejected (%s):\n%s", err, text);
}

/* The load fails with "t.scn:LINE: " (or "t.scn: " for line 0) + what. */
static inline void expect_error(const char *text, unsigned line, const char *fmt, ...)
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

#endif
