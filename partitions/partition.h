/*
 * partitions/partition.h — a partition as the parent's VM management sees
 * it: name, id, parent or child, lifecycle state, its own port bus and
 * how it ended.
 *
 * The hypervisor's side of the same partition (guest-physical space,
 * vCPUs, scheduling) is a struct hv_part (hv/hv.h); partition_create makes
 * one and registers the intercept callbacks: port I/O goes to the
 * partition's own bus, where its VM Worker (vm_worker.h) mapped the
 * legacy devices — for a child the hypervisor calls them on a parent
 * vCPU (hv/work.c); a triple fault or a guest crash report ends it.
 */
#ifndef HVSIM_PARTITIONS_PARTITION_H_
#define HVSIM_PARTITIONS_PARTITION_H_

#include <stdbool.h>
#include <stdio.h>

#include "hv/hv.h"

enum part_state {
	PART_CREATED, /* built, kernel loaded, never run */
	PART_RUNNING, /* its vCPUs are scheduled */
	PART_PAUSED,  /* kept, not scheduled; resume continues it */
	PART_STOPPED, /* ended (debug-exit, triple fault, stop): final */
};

struct partition;

/* Called once when the partition ends by itself (debug-exit, triple
 * fault), after it is stopped. */
typedef void partition_end_fn(void *opaque, struct partition *p);

struct partition_config {
	struct hv_part_config hv; /* name, parent, vCPUs, memory, knobs */
	FILE *serial;		  /* COM1 output; NULL = discarded */
	bool testdev;		  /* pc-testdev + hyperv-testdev (vm_worker) */
	partition_end_fn *on_end;
	void *opaque;
};

/* Exit status of a partition that reported a crash through the Hyper-V
 * crash MSRs (docs/BOOT.md; sim.h SIM_EXIT_PANIC). */
#define PARTITION_STATUS_CRASH 6

/* NULL when out of memory (or the hypervisor refused the config). */
struct partition *partition_create(struct hv *hv,
				   const struct partition_config *cfg);
void partition_destroy(struct partition *p);

const char *partition_name(const struct partition *p);
unsigned partition_id(const struct partition *p);
bool partition_is_parent(const struct partition *p);
enum part_state partition_state(const struct partition *p);
const char *partition_state_name(enum part_state s);
struct hv_part *partition_hv(struct partition *p);

/* Lifecycle: start (CREATED → RUNNING), pause (RUNNING → PAUSED), resume
 * (PAUSED → RUNNING), stop (any → STOPPED). -1 if the transition is not
 * allowed from the current state. */
int partition_start(struct partition *p);
int partition_pause(struct partition *p);
int partition_resume(struct partition *p);
int partition_stop(struct partition *p);
/* Reset (any state): the hypervisor's partition back to power-on with its
 * RAM zeroed (hv_part_reset), no longer ended, state CREATED. The VM
 * Worker then reloads the kernel and starts it. -1 for a service
 * partition. */
int partition_reset(struct partition *p);

/* The partition's own port bus (its legacy devices are mapped here). */
struct iobus *partition_bus(struct partition *p);
/* End it by itself (debug-exit, triple fault, crash): stopped, status and
 * a one-line reason recorded, the owner's on_end called; only the first
 * call counts. */
void partition_end(struct partition *p, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* How it ended by itself: false while it has not. The status is the
 * process exit status of docs/BOOT.md; the reason is one line. */
bool partition_ended(const struct partition *p);
int partition_end_status(const struct partition *p);
const char *partition_end_reason(const struct partition *p);

#endif
