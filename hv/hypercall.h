/*
 * hv/hypercall.h — the hypercall interface (Hyper-V TLFS "Hypercall
 * Interface"; ../shared/reference/vmbus.md §2): the x64 and x86-32
 * register ABIs, the control value (call code, fast, variable header
 * size, rep count and start), input/output parameter pages, the result
 * value, and a table {code, name, fast/slow/rep rules, handler, cost}.
 *
 * Implemented calls: HvPostMessage (0x5C) and HvSignalEvent (0x5D)
 * through the ports and connections of hv/port.c, plus the cheap ones of
 * vmbus.md §2.5 the table lists. Every other code returns
 * HV_STATUS_INVALID_HYPERCALL_CODE.
 */
#ifndef HVSIM_HV_HYPERCALL_H_
#define HVSIM_HV_HYPERCALL_H_

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

struct hv_vp;

/* A decoded control value. */
struct hv_hcall {
	uint16_t code;
	bool fast;
	unsigned varhead;   /* variable header size, 8-byte units */
	unsigned rep_count; /* 0: not a rep call */
	unsigned rep_start;
};

/* Decode a control value. HV_STATUS_SUCCESS, or
 * HV_STATUS_INVALID_HYPERCALL_INPUT when reserved bits are set or a
 * non-zero rep_start is not below rep_count (TLFS: "the rep start index
 * is not smaller than the rep count"). *hc is filled in either way. */
unsigned hcall_decode(uint64_t control, struct hv_hcall *hc);
/* The result value: status (bits 0..15) and reps completed (32..43). */
uint64_t hcall_result(unsigned status, unsigned reps_done);

/* The VMCALL exit of `vp`: #UD (returns ENV_UNHANDLED) unless the
 * partition enabled its hypercall page and the vCPU is at CPL 0 in
 * protected mode; else reads the registers, runs the call, writes the
 * result (RAX, or EDX:EAX) and returns ENV_OK. *lat gets the handling
 * cost beyond the exit (slow calls: input/output copying). */
int hcall_dispatch(struct hv_vp *vp, cycles_t *lat);

/* Name of a call code ("HvPostMessage"), or NULL if not in the table. */
const char *hcall_name(uint16_t code);

#endif
