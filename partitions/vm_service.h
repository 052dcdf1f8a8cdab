/*
 * partitions/vm_service.h — the VM Service of the parent partition: it
 * creates the partitions of a machine from their settings (one VM Worker
 * each, vm_worker.h), starts them, and carries out the lifecycle requests
 * of the management API: start, pause, resume, stop, reset.
 *
 * The parent partition runs the services themselves, so it cannot be
 * paused, stopped or reset through the service (its vCPUs would stop
 * serving the children's intercepts). Called by sim/sim.c (building and
 * starting the machine) and sim/mgmt_glue.c (the management API).
 */
#ifndef HVSIM_PARTITIONS_VM_SERVICE_H_
#define HVSIM_PARTITIONS_VM_SERVICE_H_

#include <stddef.h>

#include "partitions/vm_worker.h"

#define VM_SERVICE_MAX 64

struct vm_service;

struct vm_service *vm_service_create(struct hv *hv, const struct vm_loader *ld);
/* Destroys every worker and partition object (the hypervisor's side goes
 * with the hypervisor). */
void vm_service_destroy(struct vm_service *vs);

/* Create a partition and its worker; loads its kernel. Returns 0, -1 (out
 * of memory, refused, table full) or the loader's status. */
int vm_service_add(struct vm_service *vs, const struct vm_settings *s);

unsigned vm_service_count(const struct vm_service *vs);
/* By creation order; NULL past the end. */
struct partition *vm_service_partition(struct vm_service *vs, unsigned i);
struct vm_worker *vm_service_worker(struct vm_service *vs, unsigned i);

/* Lifecycle by partition id (partition_id). 0, or -1 with a one-line
 * reason in err (no such partition, not allowed in its state, the
 * parent). */
int vm_service_start(struct vm_service *vs, unsigned id, char *err, size_t len);
int vm_service_pause(struct vm_service *vs, unsigned id, char *err, size_t len);
int vm_service_resume(struct vm_service *vs, unsigned id, char *err,
		      size_t len);
int vm_service_stop(struct vm_service *vs, unsigned id, char *err, size_t len);
/* Reset and run again from the start (any state but the parent's). */
int vm_service_reset(struct vm_service *vs, unsigned id, char *err, size_t len);

#endif
