/*
 * devices/lapic.h — the local APIC of one vCPU (Intel SDM Vol. 3A ch. 11):
 * xAPIC MMIO page and x2APIC MSRs, TPR/PPR, IRR/ISR/TMR, EOI, SVR, ESR,
 * ICR IPIs, the LVT and the timer (one-shot, periodic, TSC-deadline).
 *
 * The model owns no clock and no routing. Time comes from hooks.now() (the
 * current cycle; the TSC is that plus lapic_set_tsc_offset()); the timer asks
 * hooks.schedule() for an event at its expiry and the owner calls
 * lapic_timer_fire() when that event runs. IPIs leave through
 * hooks.send_ipi() and the owner delivers them (lapic_match_dest() helps);
 * interrupts arrive with lapic_accept(). hooks.irq_changed() reports every
 * change of lapic_pending(), so it can drive cpu_set_intr_line(), and
 * lapic_ack() is the cpu_env.intr_ack answer.
 */
#ifndef HVSIM_DEVICES_LAPIC_H_
#define HVSIM_DEVICES_LAPIC_H_

#include <stdbool.h>
#include <stdint.h>

#include "devices/dev.h"
#include "mmu/mmu.h"

#define LAPIC_DEFAULT_BASE 0xFEE00000ull
#define LAPIC_MMIO_SIZE	   0x1000ull
#define LAPIC_VERSION	   0x00050014u /* integrated APIC, 6 LVT entries */

/* IA32_APIC_BASE (MSR 0x1B) bits, SDM §11.4.4 and §11.12.1. */
#define LAPIC_BASE_BSP	(1ull << 8)
#define LAPIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define LAPIC_BASE_EN	(1ull << 11) /* global enable */

#define LAPIC_MSR_FIRST 0x800u
#define LAPIC_MSR_LAST	0x8FFu

/* ICR delivery modes (bits 10:8) and shorthands (bits 19:18), §11.6.1. */
enum lapic_delivery {
	LAPIC_DM_FIXED = 0,
	LAPIC_DM_LOWEST = 1,
	LAPIC_DM_SMI = 2,
	LAPIC_DM_NMI = 4,
	LAPIC_DM_INIT = 5,
	LAPIC_DM_SIPI = 6,
	LAPIC_DM_EXTINT = 7, /* LVT LINT0/1 only */
};
enum lapic_shorthand {
	LAPIC_SH_NONE = 0,
	LAPIC_SH_SELF = 1,
	LAPIC_SH_ALL = 2, /* all including self */
	LAPIC_SH_ALL_BUT_SELF = 3,
};

enum lapic_mode { LAPIC_DISABLED, LAPIC_XAPIC, LAPIC_X2APIC };

struct lapic_config {
	uint32_t apic_id;	  /* initial (x2)APIC ID */
	bool bsp;		  /* IA32_APIC_BASE.BSP */
	uint32_t cycles_per_tick; /* cycles per timer input clock (>= 1) */
	unsigned maxphyaddr;	  /* IA32_APIC_BASE address width (0: 40) */
};

struct lapic_hooks {
	void *opaque;
	uint64_t (*now)(void *opaque); /* current cycle; required */
	/* Arrange a call of lapic_timer_fire() at cycle `when`; returns an id
	 * (0 = failed), passed back to cancel(). Both may be NULL. */
	uint64_t (*schedule)(void *opaque, uint64_t when);
	void (*cancel)(void *opaque, uint64_t id);
	void (*irq_changed)(void *opaque, bool pending);
	/* An IPI from the ICR or SELF_IPI. dest is 8 bits in xAPIC mode and
	 * 32 bits in x2APIC mode; dest_mode 0 physical, 1 logical. The owner
	 * routes it, self included (see lapic_match_dest()). */
	void (*send_ipi)(void *opaque, uint32_t dest, int dest_mode,
			 int delivery_mode, uint8_t vector, int shorthand);
	/* EOI of a level-triggered vector (to the I/O APICs). */
	void (*eoi_broadcast)(void *opaque, uint8_t vector);
};

struct lapic_stats {
	uint64_t accepted, dropped, acked, spurious, eois;
	uint64_t ipis, timer_fires, bad_mmio;
};

struct lapic;

struct lapic *lapic_create(const struct lapic_config *cfg,
			   const struct lapic_hooks *hooks);
void lapic_destroy(struct lapic *l); /* cancels its event: before the queue */
/* RESET (§11.4.7.1): xAPIC mode at the default base, registers cleared. */
void lapic_reset(struct lapic *l);
/* INIT (§11.12.5.1): registers cleared, mode and APIC ID kept. */
void lapic_init_signal(struct lapic *l);

/* IA32_APIC_BASE. set returns -1 (#GP) for reserved bits or an illegal
 * transition (x2APIC → xAPIC, disabled → x2APIC, EN=0 with EXTD=1). */
uint64_t lapic_get_base(const struct lapic *l);
int lapic_set_base(struct lapic *l, uint64_t val);
enum lapic_mode lapic_mode(const struct lapic *l);

/* x2APIC MSRs 0x800-0x8FF: 0, or -1 for #GP (not in x2APIC mode, hole,
 * read of write-only, write of read-only, reserved bits set). */
int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *val);
int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t val);

/* The xAPIC page (opaque = struct lapic *): 32-bit accesses at 16-byte
 * aligned offsets. Others read 0 / are dropped (lapic_mmio_status()
 * says IO_BAD_SIZE); outside xAPIC mode reads are all ones. */
extern const struct mmio_ops lapic_mmio_ops;
enum io_status lapic_mmio_status(const struct lapic *l);

/* IA32_TSC_DEADLINE (MSR 0x6E0): reads 0 and ignores writes unless the
 * LVT timer is in TSC-deadline mode. The guest TSC is now() + offset. */
uint64_t lapic_tsc_deadline_read(const struct lapic *l);
void lapic_tsc_deadline_write(struct lapic *l, uint64_t tsc);
void lapic_set_tsc_offset(struct lapic *l, int64_t offset);
/* The timer event ran (a stale or early call does nothing). */
void lapic_timer_fire(struct lapic *l);

/* Interrupts. accept: a fixed/lowest-priority vector arrives (level=true
 * sets its TMR bit). pending: the highest IRR class beats the PPR and the
 * APIC is enabled. ack: IRR → ISR, returns the vector (the spurious vector
 * if nothing is pending any more). */
void lapic_accept(struct lapic *l, uint8_t vector, bool level);
bool lapic_pending(const struct lapic *l);
int lapic_ack(struct lapic *l);
/* An edge on LINT0/1 through its LVT (§11.5.1): a fixed entry is accepted
 * here, else returns the delivery mode the owner carries out (NMI, SMI,
 * INIT, EXTINT), or -1. Globally disabled: the pins are INTR and NMI. */
int lapic_lint(struct lapic *l, int pin);
/* EOI: clear the highest ISR bit (the EOI register's effect, for the
 * Hyper-V EOI MSR 0x40000070, which works in either mode). */
void lapic_eoi(struct lapic *l);
/* Vectors the owner acknowledges with auto-EOI (SynIC SINTs with
 * AutoEOI): lapic_ack() sets no ISR bit for them. Survives resets. */
void lapic_set_auto_eoi(struct lapic *l, uint8_t vector, bool on);
/* The ICR and TPR as the Hyper-V APIC-access MSRs 0x40000071/72 see them,
 * in the current mode's layout (xAPIC: destination in bits 63:56). A write
 * returns -1 (#GP) when the APIC is disabled or, for the ICR in x2APIC
 * mode and the TPR always, when reserved bits are set. */
uint64_t lapic_icr_read(const struct lapic *l);
int lapic_icr_write(struct lapic *l, uint64_t val);
uint32_t lapic_tpr_read(const struct lapic *l);
int lapic_tpr_write(struct lapic *l, uint64_t val);
/* Does an IPI with this destination reach this APIC (no shorthand)? */
bool lapic_match_dest(const struct lapic *l, uint32_t dest, int dest_mode);
uint32_t lapic_ppr(const struct lapic *l);
const struct lapic_stats *lapic_stats(const struct lapic *l);
/* Debug hook (STYLE.md §5): is the state internally consistent? */
bool lapic_check_invariants(const struct lapic *l);

#endif
