/*
 * examples/runtime/hyperv.h — the guest side of the Hyper-V interface:
 * detection through CPUID, the hypercall page and hypercalls (slow and
 * fast), HvPostMessage / HvSignalEvent, the SynIC (SIMP and SIEFP pages,
 * SINTx, SCONTROL, EOM), the synthetic timers and the reference counter,
 * and the command port of QEMU's hyperv-testdev.
 *
 * Facts from ../shared/reference/vmbus.md §1-§3 and §7.3 (Hyper-V TLFS);
 * the numbers come from hv/hvdefs.h, shared with the hypervisor. Used by
 * the guests hv_hypercall, hv_synic, hv_stimer, isolation and the other
 * Hyper-V guests. One vCPU: the SynIC state lives in a struct hv_synic the
 * guest owns; the hypercall page and the HvPostMessage input page are the
 * runtime's (one per partition, alive for the whole run).
 */
#ifndef HVRT_HYPERV_H_
#define HVRT_HYPERV_H_

#include <stdint.h>

#include "hv/hvdefs.h"

/* "Microsoft Hv" in EBX, ECX, EDX of leaf 0x40000000; "Hv#1". */
#define HV_SIG_EBX	 0x7263694Du
#define HV_SIG_ECX	 0x666F736Fu
#define HV_SIG_EDX	 0x76482074u
#define HV_INTERFACE_HV1 0x31237648u

/* GUEST_OS_ID the runtime writes: bit 63 open source, OS type 0,
 * version 1 (vmbus.md §1.3: any non-zero value enables hypercalls). */
#define HV_GUEST_OS_ID_HVSIM 0x8000000000010000ull

/* What CPUID says about the hypervisor (zeros when absent). */
struct hv_info {
	int present;       /* CPUID.1:ECX[31] and "Microsoft Hv" */
	uint32_t max_leaf; /* EAX of 0x40000000 */
	uint32_t interface;
	uint32_t features_eax, features_ebx, features_edx; /* 0x40000003 */
	uint32_t hints_eax;				   /* 0x40000004 */
};

/* Fills *info; returns info->present. */
int hv_detect(struct hv_info *info);

/* ---- MSRs that may fault ------------------------------------------------ */
/* RDMSR/WRMSR under the exception catcher: 0 when it ran, else the
 * vector it raised (13 for #GP). Interrupts must be off (cli). */
int hv_rdmsr_safe(uint32_t msr, uint64_t *val);
int hv_wrmsr_safe(uint32_t msr, uint64_t val);

/* ---- hypercalls (vmbus.md §2) -------------------------------------------- */
/* Writes GUEST_OS_ID, then HYPERCALL = enable | GPA of the runtime's page
 * (in the image, so executable at CPL 0). Returns 0 when HYPERCALL reads
 * back enabled with that page, else -1 (also when an MSR write faulted). */
int hv_hypercall_enable(void);
/* The page (its GPA; the identity map makes it the address too), or 0
 * before hv_hypercall_enable() succeeded. */
uint64_t hv_hypercall_page(void);
/* Calls the hypercall page: RCX = control, RDX = input GPA, R8 = output
 * GPA; returns RAX (status in bits 0..15). Returns ~0 if the page is not
 * enabled. */
uint64_t hv_hypercall(uint64_t control, uint64_t in_gpa, uint64_t out_gpa);
/* Fast form with one 8-byte input in RDX (R8 = 0). */
uint64_t hv_fast_hypercall8(uint16_t code, uint64_t arg);
#define HV_STATUS(result) ((unsigned)((result) & 0xFFFF))

/* The HvPostMessage input block (vmbus.md §2.6). */
struct hv_post_message_input {
	uint32_t connection_id;
	uint32_t reserved;
	uint32_t message_type;
	uint32_t payload_size;
	uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};
_Static_assert(sizeof(struct hv_post_message_input) == HV_POST_MESSAGE_SIZE,
	       "HvPostMessage input is 256 bytes");

/* HvPostMessage through the runtime's page-aligned input page; copies at
 * most 240 payload bytes but passes `size` as given (tests send bad
 * sizes). Returns the status. */
unsigned hv_post_message(uint32_t conn_id, uint32_t type, const void *payload,
			 uint32_t size);
/* The runtime's input page, for tests that build their own input. */
struct hv_post_message_input *hv_post_message_page(void);
/* HvSignalEvent, fast form (RDX = conn_id | flag << 32). */
unsigned hv_signal_event(uint32_t conn_id, uint16_t flag);

/* ---- SynIC (vmbus.md §3) -------------------------------------------------- */
/* One SIMP slot. */
struct hv_message {
	uint32_t message_type;
	uint8_t payload_size;
	uint8_t flags; /* HV_MESSAGE_FLAG_PENDING */
	uint16_t reserved;
	uint64_t sender;
	uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};
_Static_assert(sizeof(struct hv_message) == HV_MESSAGE_SIZE,
	       "a SIMP slot is 256 bytes");

/* The TIMER_EXPIRED payload (vmbus.md §3.1). */
struct hv_timer_message {
	uint32_t timer_index;
	uint32_t reserved;
	uint64_t expiration_time;
	uint64_t delivery_time;
};

struct hv_synic {
	volatile struct hv_message *simp; /* 16 slots */
	volatile uint8_t *siefp;	  /* 16 x 256 bytes of flags */
};

/* Allocates the SIMP and SIEFP pages (page_alloc), enables them, then
 * SCONTROL (the order Linux uses). Returns 0, or -1 if an MSR faulted or
 * does not read back. */
int hv_synic_enable(struct hv_synic *s);
/* Writes SIMP, SIEFP and SCONTROL = 0 (pages stay allocated). */
void hv_synic_disable(struct hv_synic *s);
/* SINTx = vector | flags (HV_SINT_MASKED, HV_SINT_AUTO_EOI, ...). */
void hv_sint_set(unsigned sint, uint8_t vector, uint64_t flags);
uint64_t hv_sint_get(unsigned sint);
/* The slot of `sint`. */
volatile struct hv_message *hv_msg_slot(struct hv_synic *s, unsigned sint);
/* Consumes the slot (vmbus.md §3.3): clears message_type, then writes
 * EOM only if message_pending was set. Returns 1 if it wrote EOM. */
int hv_msg_done(volatile struct hv_message *m);
/* Atomically tests and clears event flag `flag` of `sint`; returns its
 * old value. */
int hv_event_test_clear(struct hv_synic *s, unsigned sint, unsigned flag);
/* End of interrupt for a non-auto-EOI vector: the HV EOI MSR. */
void hv_apic_eoi(void);
/* Software-enables the local APIC (xAPIC SVR = enable | vector 0xFF). */
void hv_apic_enable(void);

/* ---- timers (vmbus.md §1.3, §7.3) ------------------------------------------ */
uint64_t hv_ref_time(void); /* TIME_REF_COUNT, 100 ns units */
void hv_stimer_set_config(unsigned n, uint64_t config);
uint64_t hv_stimer_config(unsigned n);
void hv_stimer_set_count(unsigned n, uint64_t count);
uint64_t hv_stimer_count(unsigned n);

/* ---- waiting for interrupts ------------------------------------------------- */
/* Opens interrupt windows (STI; NOP; CLI) until *counter differs from
 * `old` or `cycles` TSC cycles passed. Returns 1 if it changed. Leaves
 * interrupts off. */
int hv_wait_change(volatile unsigned *counter, unsigned old, uint64_t cycles);

/* ---- QEMU hyperv-testdev (I/O port 0x3000) -------------------------------- */
/* A command is one 32-bit write: conn_id << 24 | cmd << 16 | vp << 8 |
 * sint. A message connection echoes every message posted to it into the
 * SINT's slot of that vCPU; signalling an event connection asserts the
 * SINT; SINT_ROUTE_SET_SINT asserts a route's SINT directly. */
#define HV_TESTDEV_IO_PORT 0x3000
enum hv_testdev_cmd {
	HV_TESTDEV_SINT_ROUTE_CREATE = 1,
	HV_TESTDEV_SINT_ROUTE_DESTROY = 2,
	HV_TESTDEV_SINT_ROUTE_SET_SINT = 3,
	HV_TESTDEV_MSG_CONN_CREATE = 4,
	HV_TESTDEV_MSG_CONN_DESTROY = 5,
	HV_TESTDEV_EVT_CONN_CREATE = 6,
	HV_TESTDEV_EVT_CONN_DESTROY = 7,
};
void hv_testdev(enum hv_testdev_cmd cmd, unsigned vp, unsigned sint,
		unsigned conn_id);

#endif
