/*
 * hv/hvcpuid.h — what CPUID says inside a partition: the core's answer
 * (cpu/cpuid.c) with the hypervisor-present bit, plus the Hyper-V leaves
 * 0x40000000..0x40000006 ("Microsoft Hv", "Hv#1", version, features,
 * hints, limits, hardware features) as a table of data.
 * ../shared/reference/vmbus.md §1.1–§1.2 and §9; docs/CPUID.md.
 */
#ifndef HVSIM_HV_HVCPUID_H_
#define HVSIM_HV_HVCPUID_H_

#include <stdint.h>

struct hv_vp;

/* regs[] holds the core's answer on entry; edits it for `vp`. */
void hv_cpuid(const struct hv_vp *vp, uint32_t leaf, uint32_t subleaf,
	      uint32_t regs[4]);

#endif
