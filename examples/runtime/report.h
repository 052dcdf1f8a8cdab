/*
 * examples/runtime/report.h — test reporting for guest programs, in the
 * format tests/guest/run_guest.py checks: one "PASS: ..." / "FAIL: ..." /
 * "SKIP: ..." line per check and a closing "SUMMARY: N passed, M failed".
 */
#ifndef HVRT_REPORT_H_
#define HVRT_REPORT_H_

#include <stdint.h>

/* Prints PASS or FAIL with the message; returns cond (0 or 1). */
int report(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A check that cannot run here (feature absent); counted apart. */
void report_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned report_failures(void);
/* Prints the summary and ends the run: debug-exit 0 if nothing failed
 * (hvsim status 1), 1 otherwise (status 3). */
_Noreturn void report_summary(void);
/* Writes v to the debug-exit port (hvsim exits with (v << 1) | 1). If the
 * device is absent, halts with interrupts off. */
_Noreturn void debug_exit(uint32_t v);

#endif
