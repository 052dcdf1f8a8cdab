/*
 * hv/vapic.h — each vCPU's local APIC (devices/lapic.h) wired into the
 * hypervisor: its timer on the event queue (timer.c), its INTR line to the
 * core and the scheduler (a halted vCPU wakes), the interrupt acknowledge,
 * IPIs routed among the partition's vCPUs (fixed, NMI, INIT, SIPI: an AP
 * starts in real mode at vector << 12), the xAPIC MMIO page of the
 * partition (each access goes to the APIC of the vCPU that makes it, and
 * counts as an MMIO exit), and the APIC MSRs.
 */
#ifndef HVSIM_HV_VAPIC_H_
#define HVSIM_HV_VAPIC_H_

#include <stdbool.h>
#include <stdint.h>

struct hv;
struct hv_vp;
struct hv_part;

/* vp->lapic, in xAPIC mode at the default base; vCPU 0 is the BSP.
 * -1 when out of memory. */
int vapic_create(struct hv_vp *vp);
void vapic_destroy(struct hv_vp *vp);
/* Map the xAPIC page (0xFEE00000) into the partition's space. */
int vapic_map_mmio(struct hv_part *p);
/* Power-on state of the vCPU's APIC. */
void vapic_reset(struct hv_vp *vp);

/* The APIC timer's input clock in Hz (APIC_FREQUENCY MSR): the core clock
 * divided by a whole number of cycles per tick. */
uint64_t vapic_timer_hz(const struct hv *hv);

/* cpu_env.intr_ack. */
int vapic_intr_ack(struct hv_vp *vp);
/* A fixed, edge-triggered vector from the hypervisor (SynIC, stimer in
 * direct mode); auto_eoi as SINTx.AutoEOI. */
void vapic_raise(struct hv_vp *vp, uint8_t vector, bool auto_eoi);
/* HV_TIMER_LAPIC fired (timer.c). */
void vapic_timer_expired(struct hv_vp *vp);

/* IA32_APIC_BASE (0x1B), IA32_TSC_DEADLINE (0x6E0), x2APIC 0x800-0x8FF,
 * Hyper-V EOI/ICR/TPR (0x40000070-72). 0, -1 for #GP, 1 if not an APIC
 * MSR. */
int vapic_msr_read(struct hv_vp *vp, uint32_t msr, uint64_t *val);
int vapic_msr_write(struct hv_vp *vp, uint32_t msr, uint64_t val);

#endif
