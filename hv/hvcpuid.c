/*
 * hv/hvcpuid.c — PLACEHOLDER while the Hyper-V CPUID leaves are written
 * (see hv/hvcpuid.h): the core's answer stands.
 */
#include "hv/hv_int.h"
#include "hv/hvcpuid.h"

void hv_cpuid(const struct hv_vp *vp, uint32_t leaf, uint32_t subleaf,
	      uint32_t regs[4])
{
	(void)vp, (void)leaf, (void)subleaf, (void)regs;
}
