/*
 * hv/work.h — the service work queue of the parent partition and the
 * forwarding of a child's I/O intercepts to its VM Worker (the public
 * call is hv_submit_work in hv/hv.h; hv_io_intercept in hv_int.h).
 * Used by hv/sched.c: a service vCPU's slice runs work items instead of
 * guest code; by hv/reset.c: a reset child's forwarded I/O is dropped.
 */
#ifndef HVSIM_HV_WORK_H_
#define HVSIM_HV_WORK_H_

#include <stdbool.h>

#include "cpu/cpu.h"

struct hv;
struct hv_part;
struct hv_vp;
struct hv_workq;

struct hv_workq *workq_create(void);
void workq_destroy(struct hv_workq *q);
/* Does this service vCPU have work it could start at or before `t`? */
bool workq_has_work(const struct hv_vp *vp, cycles_t t);
/* Cycles of work queued on this service vCPU (not yet started). */
cycles_t workq_queued(const struct hv_vp *vp);
/* Does this service vCPU have any work queued, due or not? */
bool workq_pending(const struct hv_vp *vp);
/* Run the vCPU's work for at most `budget` cycles from its clock; then it
 * halts if nothing is left, or nothing is due yet (an event wakes it when
 * the next item is due). An item started within the budget runs to its
 * end, even past the budget: there is no preemption inside an item. */
void workq_run_slice(struct hv_vp *vp, cycles_t budget);
/* Drop the queued forwarded I/O of child vCPU `vp` (its partition was
 * reset); `svc` is the service partition. */
void workq_forget_vp(struct hv_part *svc, const struct hv_vp *vp);

/* The parts of a forwarded intercept's round trip, in cycles at the
 * machine's clock (work.c's cost table): the exit itself (root time of the
 * child), then on a parent vCPU the kernel's intercept dispatch (ring 0),
 * the VM Worker's emulation (ring 3) and the completion (ring 0). */
struct hv_fwd_cost {
	cycles_t exit, dispatch, emulate, complete;
};
void hv_fwd_cost(const struct hv *hv, struct hv_fwd_cost *out);

#endif
