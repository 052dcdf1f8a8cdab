/*
 * hv/work.c — PLACEHOLDER while the parent's service work is written (see
 * hv/work.h): work runs at once, and I/O exits go straight to the
 * partition's devices.
 */
#include <stdlib.h>

#include "hv/hv_int.h"
#include "hv/work.h"

struct hv_workq {
	int unused;
};

struct hv_workq *workq_create(void) { return calloc(1, sizeof(struct hv_workq)); }
void workq_destroy(struct hv_workq *q) { free(q); }
bool workq_has_work(const struct hv_vp *vp, cycles_t t)
{
	(void)vp, (void)t;
	return false;
}
void workq_run_slice(struct hv_vp *vp, cycles_t budget)
{
	(void)budget;
	vp->halted = true;
}

int hv_submit_work(struct hv *hv, hv_work_fn *fn, void *opaque,
		   const void *data, size_t len, cycles_t cost, int ring,
		   cycles_t not_before)
{
	(void)hv, (void)cost, (void)ring;
	fn(opaque, data, len, not_before);
	return 0;
}

int hv_io_intercept(struct hv_vp *vp, struct hv_exit *e)
{
	const struct hv_part *p = vp->part;

	if (e->reason == HV_EXIT_IO_IN)
		return p->ops.io_in ? p->ops.io_in(p->opaque, e->port, e->size,
						   e->in_val, &e->lat)
				    : ENV_UNHANDLED;
	return p->ops.io_out ? p->ops.io_out(p->opaque, e->port, e->size,
					     e->out_val, &e->lat)
			     : ENV_UNHANDLED;
}
