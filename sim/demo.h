/*
 * sim/demo.h — `hvsim run` with neither a kernel nor a scenario: the
 * built-in demo (README "Quick start", DESIGN.md "Interfaces a user
 * touches").
 *
 * A parent and two children on two physical CPUs: "storage" does block
 * I/O through the storage VSC/VSP pair over VMBus on a sparse disk image
 * made for the run (in $TMPDIR, removed at the end), "compute" computes.
 * Their guests are built into the binary (sim/builtin.h), so the demo
 * runs from any directory. Consoles go to stdout, each line prefixed by
 * its partition; a trace is written (hvsim-demo.hvt in the current
 * directory, or in $TMPDIR when that is not writable; --trace FILE
 * chooses), and the summary ends with the VMBus per-stage latencies read
 * back from it (traces/stats.c) and how each partition ended.
 */
#ifndef HVSIM_SIM_DEMO_H_
#define HVSIM_SIM_DEMO_H_

#include <stddef.h>

#include "sim/sim.h"

#define DEMO_SOURCE	"builtin:demo" /* the scenario's name in messages */
#define DEMO_TRACE_NAME "hvsim-demo.hvt"
#define DEMO_DISK_BYTES (64ull << 20)

/* The demo's scenario text with its disk image at `disk`, into buf.
 * Returns 0, or -1 if it does not fit (or a line would be too long). */
int demo_scenario_text(const char *disk, char *buf, size_t len);

/* Run the demo with cfg's --trace, --max-cycles, --quantum, --quiet and
 * --mgmt. Returns the exit status: 0 when every child ended well
 * (debug-exit 0, or halted for good), else the run's status, or that of
 * the first child that failed. */
int demo_run(const struct sim_config *cfg);

#endif
