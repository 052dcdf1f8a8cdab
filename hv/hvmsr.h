/*
 * hv/hvmsr.h — the MSRs the hypervisor intercepts, as one table {first,
 * last, name, read, write}: the Hyper-V synthetic MSRs (GUEST_OS_ID,
 * HYPERCALL with its hypercall page, VP_INDEX, TIME_REF_COUNT,
 * REFERENCE_TSC with its page, TSC/APIC frequency, VP_ASSIST_PAGE, the
 * crash MSRs, ...), the SynIC/STIMER rows (hv/synic.h) and the APIC rows
 * (hv/vapic.h). ../shared/reference/vmbus.md §1.3 and §7.3.
 */
#ifndef HVSIM_HV_HVMSR_H_
#define HVSIM_HV_HVMSR_H_

#include <stdint.h>

struct hv_vp;
struct hv_part;

/* An MSR exit: 0, or -1 for #GP (unknown MSR, bad value, read-only). */
int hv_msr_read(struct hv_vp *vp, uint32_t msr, uint64_t *val);
int hv_msr_write(struct hv_vp *vp, uint32_t msr, uint64_t val);
/* Name of an intercepted MSR ("HV_X64_MSR_HYPERCALL"), or NULL. */
const char *hv_msr_name(uint32_t msr);
/* Partition reset: the partition-wide MSRs to their power-on values. */
void hv_msr_reset_part(struct hv_part *p);

#endif
