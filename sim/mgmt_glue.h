/*
 * sim/mgmt_glue.h — the management API (partitions/mgmt_api.h) over the
 * real machine: `hvsim run --mgmt SOCKET`. The main loop calls
 * sim_mgmt_between_slices() between events; that is the only place where
 * clients are served, so commands act on a machine at rest.
 */
#ifndef HVSIM_SIM_MGMT_GLUE_H_
#define HVSIM_SIM_MGMT_GLUE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim;
struct sim_mgmt;

/* Listen on path for the machine s (freq_hz converts cycles to time).
 * NULL with a reason in err. */
struct sim_mgmt *sim_mgmt_open(struct sim *s, const char *path,
			       uint64_t freq_hz, char *err, size_t errlen);
/* Serve clients (at most every SIM_MGMT_POLL_NS of host time, so the loop
 * pays a clock read per event otherwise). While the machine is stopped
 * (`stop`), or nothing can run and a partition is paused, wait here for
 * commands instead of letting the run end. Returns true once a client
 * asked to quit. */
bool sim_mgmt_between_slices(struct sim_mgmt *g);
/* The run ended: tell the clients (SHUTDOWN with reason), close. */
void sim_mgmt_close(struct sim_mgmt *g, const char *reason);

#endif
