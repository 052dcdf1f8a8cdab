/*
 * hv/hvmsr.c — PLACEHOLDER while the synthetic MSR table is written (see
 * hv/hvmsr.h): only the SynIC and APIC modules' MSRs are reached.
 */
#include "hv/hv_int.h"
#include "hv/hvmsr.h"
#include "hv/synic.h"
#include "hv/vapic.h"

int hv_msr_read(struct hv_vp *vp, uint32_t msr, uint64_t *val)
{
	int rc = vapic_msr_read(vp, msr, val);

	if (rc == 1 && vp->synic)
		rc = synic_msr_read(vp->synic, msr, val);
	return rc == 0 ? 0 : -1;
}
int hv_msr_write(struct hv_vp *vp, uint32_t msr, uint64_t val)
{
	int rc = vapic_msr_write(vp, msr, val);

	if (rc == 1 && vp->synic)
		rc = synic_msr_write(vp->synic, msr, val);
	return rc == 0 ? 0 : -1;
}
const char *hv_msr_name(uint32_t msr)
{
	(void)msr;
	return NULL;
}
void hv_msr_reset_part(struct hv_part *p) { (void)p; }
