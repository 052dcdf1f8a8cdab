/*
 * hv/hypercall.c — PLACEHOLDER while the hypercall interface is written
 * (see hv/hypercall.h): VMCALL raises #UD.
 */
#include "hv/hvdefs.h"
#include "hv/hv_int.h"
#include "hv/hypercall.h"

unsigned hcall_decode(uint64_t control, struct hv_hcall *hc)
{
	(void)control, (void)hc;
	return HV_STATUS_INVALID_HYPERCALL_INPUT;
}
uint64_t hcall_result(unsigned status, unsigned reps_done)
{
	return status | (uint64_t)reps_done << HV_HC_RESULT_REPS_SHIFT;
}
int hcall_dispatch(struct hv_vp *vp, cycles_t *lat)
{
	(void)vp, (void)lat;
	return ENV_UNHANDLED;
}
const char *hcall_name(uint16_t code)
{
	(void)code;
	return NULL;
}
