/*
 * examples/runtime/report.c — PASS/FAIL bookkeeping and the way out of a
 * guest: the debug-exit port 0xF4 (docs/BOOT.md: writing v makes hvsim exit
 * with status (v << 1) | 1, as QEMU's isa-debug-exit).
 *
 * The counters are file-scope: a guest kernel is one program on one CPU,
 * and report() must be callable from anywhere in it (including exception
 * handlers) without threading a context pointer through every test.
 */
#include "report.h"

#include <stdarg.h>

#include "io.h"
#include "printf.h"

#define DEBUG_EXIT_PORT 0xF4

static struct {
	unsigned passed, failed, skipped;
} counts;

int report(int cond, const char *fmt, ...)
{
	va_list ap;

	cond = !!cond;
	if (cond)
		counts.passed++;
	else
		counts.failed++;
	printf("%s: ", cond ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return cond;
}

void report_skip(const char *fmt, ...)
{
	va_list ap;

	counts.skipped++;
	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

unsigned report_failures(void)
{
	return counts.failed;
}

_Noreturn void report_summary(void)
{
	printf("SUMMARY: %u passed, %u failed\n", counts.passed, counts.failed);
	if (counts.skipped)
		printf("SKIPPED: %u\n", counts.skipped);
	debug_exit(counts.failed ? 1 : 0);
}

_Noreturn void debug_exit(uint32_t v)
{
	outl(DEBUG_EXIT_PORT, v);
	for (;;) {
		cli();
		hlt();
	}
}
