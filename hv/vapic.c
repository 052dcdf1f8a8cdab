/*
 * hv/vapic.c — PLACEHOLDER while the APIC wiring is written (see
 * hv/vapic.h): vCPUs have no local APIC yet.
 */
#include "hv/hv_int.h"
#include "hv/vapic.h"

int vapic_create(struct hv_vp *vp)
{
	(void)vp;
	return 0;
}
void vapic_destroy(struct hv_vp *vp) { (void)vp; }
int vapic_map_mmio(struct hv_part *p)
{
	(void)p;
	return 0;
}
void vapic_reset(struct hv_vp *vp) { (void)vp; }
int vapic_intr_ack(struct hv_vp *vp)
{
	(void)vp;
	return -1;
}
void vapic_raise(struct hv_vp *vp, uint8_t vector, bool auto_eoi)
{
	(void)vp, (void)vector, (void)auto_eoi;
}
void vapic_timer_expired(struct hv_vp *vp) { (void)vp; }
int vapic_msr_read(struct hv_vp *vp, uint32_t msr, uint64_t *val)
{
	(void)vp, (void)msr, (void)val;
	return 1;
}
int vapic_msr_write(struct hv_vp *vp, uint32_t msr, uint64_t val)
{
	(void)vp, (void)msr, (void)val;
	return 1;
}
uint64_t vapic_timer_hz(const struct hv *hv)
{
	return hv->cfg.freq_hz;
}
