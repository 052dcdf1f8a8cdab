/*
 * examples/guests/bench_main.c — the kernel around one bench workload
 * (bench_work.h): boots by hvsim native boot (docs/BOOT.md: long mode, SSE
 * already enabled), installs a GDT and IDT so that an unexpected exception
 * is reported instead of triple-faulting, runs the workload named by the
 * build-time define BENCH_WORK at full size, or at its short size when the
 * command line holds the word "short", and compares the checksum with the
 * host's.
 *
 * Exit: debug-exit 0 (hvsim status 1) if the checksum is right, 1 (status
 * 3) if not; `hvsim bench` prints "ok" or "WRONG RESULT" from that. Output
 * is one line of result and a PASS/FAIL line; `hvsim bench` discards it.
 */
#include "bench_work.h"
#include "rt.h"

#ifndef BENCH_WORK
#error "build with -DBENCH_WORK=bench_<name>_work"
#endif

/* Is `word` one of the blank-separated words of s? */
static int has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	while (*s) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, word, n) && (s[n] == ' ' || s[n] == '\0'))
			return 1;
		while (*s && *s != ' ')
			s++;
	}
	return 0;
}

static enum bench_size pick_size(const struct hvsim_boot_info *bi)
{
	const char *cmdline = "";

	if (bi && bi->magic == HVSIM_BOOT_MAGIC && bi->cmdline)
		cmdline = (const char *)bi->cmdline;
	return has_word(cmdline, "short") ? BENCH_SHORT : BENCH_FULL;
}

int kmain(struct hvsim_boot_info *bi)
{
	const struct bench_work *w = &BENCH_WORK;
	enum bench_size size = pick_size(bi);
	uint64_t got;

	uart_init();
	gdt_init();
	idt_init();
	printf("bench_%s: %s run, scale %u\n", w->name,
	       size == BENCH_SHORT ? "short" : "full", w->scale[size]);
	got = w->run(w->scale[size]);
	printf("bench_%s: checksum %#lx, expected %#lx\n", w->name, got,
	       w->expected[size]);
	report(got == w->expected[size],
	       "bench_%s computed the host's checksum", w->name);
	return got == w->expected[size] ? 0 : 1;
}
