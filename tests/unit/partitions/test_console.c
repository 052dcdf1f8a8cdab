/*
 * tests/unit/partitions/test_console.c — a partition's console
 * (partitions/console.c): pass-through without a prefix; with one, whole
 * prefixed lines, never interleaved with another console on the same
 * stream, long lines cut, the last partial line written at the end.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partitions/console.h"

static char *buf;
static size_t len;
static FILE *out;

static void setup(void)
{
	buf = NULL;
	len = 0;
	out = open_memstream(&buf, &len);
	cr_assert_not_null(out);
}

static void teardown(void)
{
	fclose(out);
	free(buf);
}

static void put(struct console *c, const char *s)
{
	while (*s)
		console_putc(c, (uint8_t)*s++);
}

/* What the stream holds so far. */
static const char *text(void)
{
	fflush(out);
	return buf ? buf : "";
}

TestSuite(console, .init = setup, .fini = teardown);

Test(console, without_a_prefix_bytes_pass_through_unchanged)
{
	struct console *c = console_create(out, NULL);

	put(c, "abc");
	cr_assert_str_eq(text(), "abc"); /* no buffering, no newline added */
	put(c, "\r\nx\n");
	console_destroy(c);
	cr_assert_str_eq(text(), "abc\r\nx\n");
}

Test(console, a_line_appears_whole_with_its_prefix_at_its_newline)
{
	struct console *c = console_create(out, "storage | ");

	put(c, "hello");
	cr_assert_str_eq(text(), "", "a partial line is held back");
	put(c, " world\n\n");
	cr_assert_str_eq(text(), "storage | hello world\nstorage | \n");
	console_destroy(c);
	cr_assert_str_eq(text(), "storage | hello world\nstorage | \n");
}

Test(console, two_consoles_on_one_stream_never_interleave_inside_a_line)
{
	struct console *a = console_create(out, "a | ");
	struct console *b = console_create(out, "b | ");
	const char *la = "first line of a\nsecond of a\n";
	const char *lb = "b says one thing\nand another\n";
	size_t na = strlen(la), nb = strlen(lb);

	/* Byte by byte, alternating, as two guests on two pCPUs would. */
	for (size_t i = 0; i < na || i < nb; i++) {
		if (i < na)
			console_putc(a, (uint8_t)la[i]);
		if (i < nb)
			console_putc(b, (uint8_t)lb[i]);
	}
	console_destroy(a);
	console_destroy(b);
	cr_assert_str_eq(text(), "a | first line of a\n"
				 "b | b says one thing\n"
				 "a | second of a\n"
				 "b | and another\n");
}

Test(console, a_last_line_without_newline_is_written_at_the_end)
{
	struct console *c = console_create(out, "p | ");

	put(c, "done\nno newline");
	cr_assert_str_eq(text(), "p | done\n");
	console_flush(c);
	cr_assert_str_eq(text(), "p | done\np | no newline\n");
	console_destroy(c); /* nothing pending: nothing more */
	cr_assert_str_eq(text(), "p | done\np | no newline\n");
}

Test(console, an_endless_line_is_cut_into_prefixed_pieces)
{
	struct console *c = console_create(out, "x | ");
	size_t n = 3 * CONSOLE_LINE_MAX + 5, lines = 0, longest = 0, cur = 0;
	const char *t;

	for (size_t i = 0; i < n; i++)
		console_putc(c, 'y');
	console_destroy(c);
	t = text();
	for (; *t; t++) {
		if (cur == 0)
			cr_assert_eq(0, strncmp(t, "x | ", 4));
		if (*t == '\n') {
			lines++;
			longest = cur > longest ? cur : longest;
			cur = 0;
		} else {
			cur++;
		}
	}
	cr_assert_eq(lines, 4);
	cr_assert_eq(longest, 4 + CONSOLE_LINE_MAX);
	cr_assert_eq(len, n + 4 * (4 + 1));
}

Test(console, a_long_prefix_is_cut_and_a_null_stream_drops_output)
{
	char prefix[CONSOLE_PREFIX_MAX + 40];
	struct console *c, *none;

	memset(prefix, 'p', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	c = console_create(out, prefix);
	put(c, "z\n");
	console_destroy(c);
	cr_assert_eq(len, CONSOLE_PREFIX_MAX + 2);
	none = console_create(NULL, "n | ");
	cr_assert_not_null(none);
	put(none, "dropped\n");
	console_destroy(none);
	cr_assert_eq(len, CONSOLE_PREFIX_MAX + 2);
}
