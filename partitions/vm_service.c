/*
 * partitions/vm_service.c — the VM Service (vm_service.h): a table of VM
 * Workers, one per partition, in creation order, and the lifecycle
 * requests on them by partition id.
 *
 * States (partition.h): CREATED → RUNNING ⇄ PAUSED, any → STOPPED, and
 * reset from any state → RUNNING again (the worker reloads the kernel).
 * Requests on the parent are refused: it is where the services run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "partitions/vm_service.h"

struct vm_service {
	struct hv *hv;
	struct vm_loader ld;
	unsigned n;
	struct vm_worker *w[VM_SERVICE_MAX];
};

struct vm_service *vm_service_create(struct hv *hv, const struct vm_loader *ld)
{
	struct vm_service *vs = calloc(1, sizeof(*vs));

	if (!vs)
		return NULL;
	vs->hv = hv;
	if (ld)
		vs->ld = *ld;
	return vs;
}

void vm_service_destroy(struct vm_service *vs)
{
	if (!vs)
		return;
	for (unsigned i = 0; i < vs->n; i++)
		vm_worker_destroy(vs->w[i]);
	free(vs);
}

int vm_service_add(struct vm_service *vs, const struct vm_settings *s)
{
	int status;

	if (vs->n >= VM_SERVICE_MAX)
		return -1;
	vs->w[vs->n] = vm_worker_create(vs->hv, s, &vs->ld, &status);
	if (!vs->w[vs->n])
		return status ? status : -1;
	vs->n++;
	return 0;
}

unsigned vm_service_count(const struct vm_service *vs)
{
	return vs->n;
}

struct partition *vm_service_partition(struct vm_service *vs, unsigned i)
{
	return i < vs->n ? vm_worker_partition(vs->w[i]) : NULL;
}

struct vm_worker *vm_service_worker(struct vm_service *vs, unsigned i)
{
	return i < vs->n ? vs->w[i] : NULL;
}

static struct vm_worker *find(struct vm_service *vs, unsigned id)
{
	for (unsigned i = 0; i < vs->n; i++)
		if (partition_id(vm_worker_partition(vs->w[i])) == id)
			return vs->w[i];
	return NULL;
}

typedef int part_fn(struct partition *p);

/* One request: find it, refuse the parent (unless `parent_ok`), apply. */
static int request(struct vm_service *vs, unsigned id, part_fn *fn,
		   bool parent_ok, char *err, size_t len)
{
	struct vm_worker *w = find(vs, id);
	struct partition *p;

	if (!w) {
		snprintf(err, len, "no partition %u", id);
		return -1;
	}
	p = vm_worker_partition(w);
	if (!parent_ok && partition_is_parent(p)) {
		snprintf(err, len, "the parent partition runs the services");
		return -1;
	}
	if (fn(p) != 0) {
		snprintf(err, len, "not allowed while it is %s",
			 partition_state_name(partition_state(p)));
		return -1;
	}
	return 0;
}

int vm_service_start(struct vm_service *vs, unsigned id, char *err, size_t len)
{
	return request(vs, id, partition_start, true, err, len);
}

int vm_service_pause(struct vm_service *vs, unsigned id, char *err, size_t len)
{
	return request(vs, id, partition_pause, false, err, len);
}

int vm_service_resume(struct vm_service *vs, unsigned id, char *err, size_t len)
{
	return request(vs, id, partition_resume, false, err, len);
}

int vm_service_stop(struct vm_service *vs, unsigned id, char *err, size_t len)
{
	return request(vs, id, partition_stop, false, err, len);
}

int vm_service_reset(struct vm_service *vs, unsigned id, char *err, size_t len)
{
	struct vm_worker *w = find(vs, id);

	if (!w) {
		snprintf(err, len, "no partition %u", id);
		return -1;
	}
	if (partition_is_parent(vm_worker_partition(w))) {
		snprintf(err, len, "the parent partition runs the services");
		return -1;
	}
	return vm_worker_reset(w, err, len);
}
