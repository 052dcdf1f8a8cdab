/*
 * sim/scenario_int.h — shared internals of the scenario parser
 * (scenario.c: file, lines and sections; scenario_keys.c: the key table and
 * value parsers; scenario_check.c: ranges and whole-scenario rules). Only
 * sim/scenario*.c include this.
 */
#ifndef HVSIM_SIM_SCENARIO_INT_H_
#define HVSIM_SIM_SCENARIO_INT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

/* Every key of every section; the order is the table order in
 * scenario_keys.c. */
enum scn_key {
	SK_PCPUS,
	SK_FREQUENCY,
	SK_QUANTUM,
	SK_TIMING,
	SK_MAX_CYCLES,
	SK_ROLE,
	SK_VCPUS,
	SK_MEMORY,
	SK_KERNEL,
	SK_CMDLINE,
	SK_INITRD,
	SK_SERIAL,
	SK_DISK,
	SK_WEIGHT,
	SK_RESERVE,
	SK_CAP,
	SK_TESTDEV,
	SK_AUTOSTART,
	SK_DISK_LATENCY,
	SK_DISK_BANDWIDTH,
	SK_CONSOLE_PREFIX,
	SK_START_TIME,
	SK_INTEGRATION,
	SK_HEARTBEAT,
	SK_PLATFORM,
	SK_COUNT
};

/* Where each setting came from (file line numbers; 0 = not from a file), so
 * that whole-scenario errors found after parsing still name a line. */
struct scn_lines {
	unsigned machine; /* the [machine] header */
	unsigned machine_key[SK_COUNT];
	unsigned header[SCN_MAX_PARTITIONS]; /* [partition "NAME"] */
	unsigned key[SCN_MAX_PARTITIONS][SK_COUNT];
};

/* A time given for quantum/max_cycles, kept until the frequency is known. */
struct scn_time {
	bool is_time; /* value is nanoseconds, else cycles */
	uint64_t value;
};

/* The state of one scenario_load (no globals: everything lives here). */
struct scn_parse {
	struct scenario *sc;
	struct scn_lines lines;
	char dir[SCN_PATH_MAX]; /* the file's directory, "" if none */
	const char *buf;	/* the whole file */
	size_t len, pos;
	unsigned lineno;   /* of the line being parsed */
	bool continuation; /* this line continues the previous value */
	bool have_key;	   /* mirrors libinih's "previous name" */
	bool in_machine;   /* else in partition `part`, if any */
	int part;	   /* -1: no section yet */
	enum scn_key last_key;
	struct scn_time quantum, max_cycles;
	char *err;
	unsigned errlen;
	bool failed;
};

/* ---- scenario.c ---------------------------------------------------------- */

/* Record the first error "FILE:LINE: [section] KEY: problem" (key may be
 * NULL: then "[section]: problem"). Returns 0 (the libinih "stop" value). */
int scn_fail(struct scn_parse *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- scenario_keys.c ----------------------------------------------------- */

const char *scn_key_name(enum scn_key k);
/* Look `name` up among the keys of the current section and apply `value`.
 * Returns 1, or 0 after scn_fail. */
int scn_set_key(struct scn_parse *p, const char *name, const char *value);
/* Append a continuation line to the previous key (only cmdline takes one). */
int scn_continue_key(struct scn_parse *p, const char *value);
/* quantum and max_cycles given as times → cycles at the final frequency. */
int scn_resolve_times(struct scn_parse *p);

/* ---- scenario_check.c ---------------------------------------------------- */

/* NULL if v is allowed for key k, else a problem text in buf. */
const char *scn_range_problem(enum scn_key k, uint64_t v, char *buf,
			      size_t len);
/* NULL if `path` names a readable regular file, else a problem in buf. */
const char *scn_file_problem(const char *path, char *buf, size_t len);
/* Validate the whole scenario. lines (may be NULL) gives the line numbers
 * for messages; without it messages start with "SOURCE: ". */
int scn_validate(const struct scenario *sc, const struct scn_lines *lines,
		 char *err, unsigned errlen);

#endif
