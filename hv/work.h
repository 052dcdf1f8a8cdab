/*
 * hv/work.h — the service work queue of the parent partition and the
 * forwarding of a child's I/O intercepts to its VM Worker (the public
 * call is hv_submit_work in hv/hv.h; hv_io_intercept in hv_int.h).
 * Used by hv/sched.c: a service vCPU's slice runs work items instead of
 * guest code.
 */
#ifndef HVSIM_HV_WORK_H_
#define HVSIM_HV_WORK_H_

#include <stdbool.h>

#include "cpu/cpu.h"

struct hv_part;
struct hv_vp;
struct hv_workq;

struct hv_workq *workq_create(void);
void workq_destroy(struct hv_workq *q);
/* Does this service vCPU have work it could start at or before `t`? */
bool workq_has_work(const struct hv_vp *vp, cycles_t t);
/* Run the vCPU's work for at most `budget` cycles from its clock; then it
 * halts if nothing is left. */
void workq_run_slice(struct hv_vp *vp, cycles_t budget);

#endif
