/*
 * partitions/console.h — a partition's console: the bytes its COM1 sends,
 * on their way to the partition's serial stream (stdout or a file).
 *
 * Without a prefix the bytes pass through unchanged (flushed at each
 * newline). With a prefix ("storage | "), output is line-buffered per
 * partition: a line is written in one piece, prefix first, when its
 * newline arrives, so partitions sharing a terminal never interleave in
 * the middle of a line. A line longer than CONSOLE_LINE_MAX is written in
 * pieces of that size, each on its own prefixed line; a last line without
 * a newline is written, with one, by console_flush / console_destroy.
 * Used by the VM Worker (vm_worker.c); the machine (sim/sim.c) decides
 * who gets a prefix (scenario key console_prefix, docs/SCENARIO.md).
 */
#ifndef HVSIM_PARTITIONS_CONSOLE_H_
#define HVSIM_PARTITIONS_CONSOLE_H_

#include <stdint.h>
#include <stdio.h>

#define CONSOLE_LINE_MAX   1024 /* bytes of one buffered line */
#define CONSOLE_PREFIX_MAX 80	/* bytes of a prefix, without the NUL */

struct console;

/* A console writing to `out` (NULL: output is dropped) with `prefix`
 * (NULL or "": unbuffered pass-through; longer than CONSOLE_PREFIX_MAX:
 * cut). NULL when out of memory. */
struct console *console_create(FILE *out, const char *prefix);
/* One byte from the guest's UART. */
void console_putc(struct console *c, uint8_t byte);
/* Write a pending partial line (with a newline) and flush the stream. */
void console_flush(struct console *c);
/* console_flush, then free (the stream stays open: its owner closes it). */
void console_destroy(struct console *c);

#endif
