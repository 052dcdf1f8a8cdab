/*
 * sim/sim_trace.h — open the trace file of a run (sim/sim_trace.c).
 */
#ifndef HVSIM_SIM_SIM_TRACE_H_
#define HVSIM_SIM_SIM_TRACE_H_

#include <stddef.h>

#include "traces/trace.h"

struct scenario;

/* NULL with a message in err when the file cannot be created. */
struct trace *sim_trace_open(const struct scenario *sc, const char *path,
			     char *err, size_t errlen);

#endif
