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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hv_vp;
struct hv_part;
struct physmem;

/* An MSR exit: 0, or -1 for #GP (unknown MSR, bad value, read-only). */
int hv_msr_read(struct hv_vp *vp, uint32_t msr, uint64_t *val);
int hv_msr_write(struct hv_vp *vp, uint32_t msr, uint64_t val);
/* Name of an intercepted MSR ("HV_X64_MSR_HYPERCALL"), or NULL. */
const char *hv_msr_name(uint32_t msr);
/* Partition reset: the partition-wide MSRs to their power-on values, the
 * vCPUs' VP_ASSIST_PAGE to 0, and reference time restarts at 0 now. */
void hv_msr_reset_part(struct hv_part *p);
/* Debug hook (STYLE.md §5): the table's rows are sorted, do not overlap,
 * and each has a name and a read function. */
bool hv_msr_check_table(void);

/* ---- the overlay pages (hv/hvpages.c; used by hvmsr.c and tests) ------- */

/* Reference TSC page field offsets (vmbus.md §7.3). */
#define HV_TSC_PAGE_SEQUENCE 0
#define HV_TSC_PAGE_SCALE    8
#define HV_TSC_PAGE_OFFSET   16
/* Longest crash message read from the guest (Linux: one 4 KiB page). */
#define HV_CRASH_MSG_MAX     4096

/* Write the hypercall page (VMCALL; RET at offset 0, INT3 after) at the
 * page `gpa`. -1 (nothing written) unless the page lies in RAM. */
int hvpage_write_hypercall(struct physmem *mem, uint64_t gpa);
/* (10^7 << 64) / tsc_hz, or 0 when the TSC is too slow for the page. */
uint64_t hvpage_tsc_scale(uint64_t tsc_hz);
/* Write the reference TSC page at `gpa` with a new non-zero sequence (0
 * when scale is 0: "invalid, read TIME_REF_COUNT"). -1 if not in RAM. */
int hvpage_write_ref_tsc(struct physmem *mem, uint64_t gpa, uint64_t scale,
			 int64_t offset);
/* Up to min(len, HV_CRASH_MSG_MAX, cap - 1) bytes of guest text at `gpa`
 * into out (NUL-terminated; non-printable bytes but '\n' become '.'); ""
 * unless all of it lies in RAM. */
void hvpage_read_text(struct physmem *mem, uint64_t gpa, uint64_t len,
		      char *out, size_t cap);

#endif
