/*
 * examples/guests/hv_synic.c — the SynIC from the guest's side
 * (../shared/reference/vmbus.md §1.3 SynIC MSRs, §3.1 SIMP, §3.3 delivery,
 * message_pending and EOM). Runs with --testdev: QEMU's hyperv-testdev
 * echoes each message posted to its message connection into a SIMP slot.
 *
 * Checks: SVERSION, the SINTs' reset value (masked), SIMP/SIEFP/SCONTROL
 * read back, #GP for a SINT with a vector below 16 or a reserved bit;
 * several messages posted without consuming: the first is in the slot
 * with message_pending set, each next one arrives, with its own
 * interrupt, only after clear + EOM; EOM is written only when pending was
 * set; with auto-EOI the same vector interrupts again without an EOI,
 * without auto-EOI the next interrupt waits for the guest's EOI (HV EOI
 * MSR); a masked SINT's message lands in the slot with no interrupt until
 * the SINT is unmasked; an event connection's signal sets its flag in the
 * SIEFP with an interrupt, a signal while the flag is still set raises
 * none, and after the guest's test-and-clear the next one does again.
 */
#include "hyperv.h"
#include "rt.h"

#define SINT	    5
#define VEC	    0xB4
#define CONN	    0x15
#define EVT_SINT    6
#define EVT_VEC	    0xB5
#define EVT_CONN    0x16 /* the testdev sets event flag number EVT_CONN */
#define MSG_TYPE    0x00A5A5A5u
#define WAIT_CYCLES 50000000ull /* 20 ms at 2.5 GHz: ample for an echo */
#define QUIET_CYCLES 20000000ull /* 8 ms: "no interrupt" (an echo takes ~1.3 ms) */

static volatile unsigned irqs, evt_irqs;
static volatile int eoi_in_handler = 1; /* only for non-auto-EOI vectors */

static void on_sint(struct trap_frame *f)
{
	(void)f;
	irqs++;
	if (eoi_in_handler)
		hv_apic_eoi();
}

static void on_evt(struct trap_frame *f)
{
	(void)f;
	evt_irqs++;
}

static void post(uint8_t tag)
{
	unsigned st = hv_post_message(CONN, MSG_TYPE, &tag, 1);

	if (st != HV_STATUS_SUCCESS)
		report(0, "HvPostMessage of message %u: status %#x", tag, st);
}

/* The slot holds message `tag` (the echo's one-byte payload). */
static int slot_has(volatile struct hv_message *m, uint8_t tag)
{
	return m->message_type == MSG_TYPE && m->payload_size == 1 &&
	       m->payload[0] == tag;
}

static void show_slot(volatile struct hv_message *m)
{
	printf("      slot: type %#x size %u flags %#x payload[0] %u; "
	       "%u interrupts\n", m->message_type, m->payload_size, m->flags,
	       m->payload[0], irqs);
}

static void test_msrs(struct hv_synic *s, int *ok)
{
	uint64_t v = 0;

	report(hv_rdmsr_safe(HV_MSR_SVERSION, &v) == 0 &&
	       v == HV_SYNIC_VERSION, "SVERSION reads %d", HV_SYNIC_VERSION);
	report(hv_rdmsr_safe(HV_MSR_SINT0 + SINT, &v) == 0 &&
	       (v & HV_SINT_MASKED), "SINT%d is masked at reset", SINT);
	*ok = hv_synic_enable(s) == 0;
	report(*ok, "SIMP, SIEFP and SCONTROL enabled and read back");
	report(hv_wrmsr_safe(HV_MSR_SINT0 + SINT, 15) == 13,
	       "SINT%d = vector 15, unmasked -> #GP", SINT);
	report(hv_wrmsr_safe(HV_MSR_SINT0 + SINT,
			     VEC | HV_SINT_MASKED | 1ull << 40) == 13,
	       "SINT%d with reserved bit 40 -> #GP", SINT);
}

static void test_pending_eom(struct hv_synic *s)
{
	volatile struct hv_message *m = hv_msg_slot(s, SINT);
	unsigned n = irqs;

	hv_sint_set(SINT, VEC, HV_SINT_AUTO_EOI);
	post(1);
	report(hv_wait_change(&irqs, n, WAIT_CYCLES) && slot_has(m, 1),
	       "message 1 arrives in slot %d with an interrupt", SINT);
	n = irqs;
	post(2);
	post(3);
	report(!hv_wait_change(&irqs, n, QUIET_CYCLES),
	       "messages 2 and 3 raise no interrupt while the slot is busy");
	report(slot_has(m, 1) && (m->flags & HV_MESSAGE_FLAG_PENDING),
	       "slot still holds message 1, message_pending set");
	if (!slot_has(m, 1))
		show_slot(m);
	report(hv_msg_done(m) == 1, "clear + EOM (pending was set)");
	report(hv_wait_change(&irqs, n, WAIT_CYCLES) && slot_has(m, 2) &&
	       (m->flags & HV_MESSAGE_FLAG_PENDING),
	       "message 2 arrives after EOM with an interrupt, pending set");
	n = irqs;
	report(hv_msg_done(m) == 1, "clear + EOM again");
	report(hv_wait_change(&irqs, n, WAIT_CYCLES) && slot_has(m, 3) &&
	       !(m->flags & HV_MESSAGE_FLAG_PENDING),
	       "message 3 arrives with an interrupt, pending clear");
	n = irqs;
	report(hv_msg_done(m) == 0, "last message: clear without EOM");
	report(!hv_wait_change(&irqs, n, QUIET_CYCLES) &&
	       m->message_type == HVMSG_NONE,
	       "no further interrupt, slot empty");
	if (m->message_type != HVMSG_NONE)
		show_slot(m);
}

/* Message `tag` echoed and consumed; returns whether it interrupted. */
static int echo_once(struct hv_synic *s, uint8_t tag, uint64_t wait)
{
	volatile struct hv_message *m = hv_msg_slot(s, SINT);
	unsigned n = irqs;
	int got;

	post(tag);
	got = hv_wait_change(&irqs, n, wait);
	if (slot_has(m, tag))
		hv_msg_done(m);
	return got;
}

static void test_auto_eoi(struct hv_synic *s)
{
	volatile struct hv_message *m = hv_msg_slot(s, SINT);
	unsigned n;

	/* Auto-EOI: no EOI at all, the vector keeps interrupting. */
	eoi_in_handler = 0;
	hv_sint_set(SINT, VEC, HV_SINT_AUTO_EOI);
	report(echo_once(s, 10, WAIT_CYCLES) && echo_once(s, 11, WAIT_CYCLES),
	       "auto-EOI: two interrupts on the vector with no EOI");

	/* No auto-EOI, and the handler does not EOI: the vector stays in
	 * service and the next one is held until the guest's EOI. */
	hv_sint_set(SINT, VEC, 0);
	report(echo_once(s, 12, WAIT_CYCLES),
	       "without auto-EOI: first interrupt arrives");
	n = irqs;
	post(13);
	report(!hv_wait_change(&irqs, n, QUIET_CYCLES) && slot_has(m, 13),
	       "without auto-EOI: next message in the slot, its interrupt "
	       "held while the first is in service");
	hv_apic_eoi();
	report(hv_wait_change(&irqs, n, WAIT_CYCLES),
	       "without auto-EOI: EOI (MSR 0x40000070) lets it in");
	hv_apic_eoi();
	if (slot_has(m, 13))
		hv_msg_done(m);
	eoi_in_handler = 1;
	report(echo_once(s, 14, WAIT_CYCLES) && echo_once(s, 15, WAIT_CYCLES),
	       "without auto-EOI, EOI in the handler: interrupts keep coming");
}

static void test_masked(struct hv_synic *s)
{
	volatile struct hv_message *m = hv_msg_slot(s, SINT);
	unsigned n = irqs;

	hv_sint_set(SINT, VEC, HV_SINT_AUTO_EOI | HV_SINT_MASKED);
	post(20);
	report(!hv_wait_change(&irqs, n, QUIET_CYCLES),
	       "masked SINT: no interrupt");
	report(slot_has(m, 20), "masked SINT: the message is in the slot");
	hv_sint_set(SINT, VEC, HV_SINT_AUTO_EOI);
	report(hv_wait_change(&irqs, n, WAIT_CYCLES),
	       "unmasking the SINT delivers the interrupt");
	if (slot_has(m, 20))
		hv_msg_done(m);
}

static int flag_set(struct hv_synic *s, unsigned sint, unsigned flag)
{
	return (s->siefp[sint * 256 + flag / 8] >> (flag % 8)) & 1;
}

static void test_event_flags(struct hv_synic *s)
{
	unsigned n = evt_irqs, st;
	int others = 0;

	hv_sint_set(EVT_SINT, EVT_VEC, HV_SINT_AUTO_EOI);
	hv_testdev(HV_TESTDEV_EVT_CONN_CREATE, 0, EVT_SINT, EVT_CONN);
	st = hv_signal_event(EVT_CONN, 0);
	report(st == HV_STATUS_SUCCESS &&
	       hv_wait_change(&evt_irqs, n, WAIT_CYCLES) &&
	       flag_set(s, EVT_SINT, EVT_CONN),
	       "signal: flag %d of SINT%d set in the SIEFP, with an interrupt",
	       EVT_CONN, EVT_SINT);
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT * 256; i++)
		others |= s->siefp[i] && i != EVT_SINT * 256 + EVT_CONN / 8;
	report(!others, "no other SIEFP byte changed");
	n = evt_irqs;
	st = hv_signal_event(EVT_CONN, 0);
	report(st == HV_STATUS_SUCCESS &&
	       !hv_wait_change(&evt_irqs, n, QUIET_CYCLES),
	       "signal while the flag is still set: no interrupt");
	report(hv_event_test_clear(s, EVT_SINT, EVT_CONN) == 1 &&
	       hv_event_test_clear(s, EVT_SINT, EVT_CONN) == 0,
	       "test-and-clear finds the flag set, then clear");
	st = hv_signal_event(EVT_CONN, 0);
	report(st == HV_STATUS_SUCCESS &&
	       hv_wait_change(&evt_irqs, n, WAIT_CYCLES) &&
	       hv_event_test_clear(s, EVT_SINT, EVT_CONN) == 1,
	       "signal after the clear: flag set again, with an interrupt");
	hv_testdev(HV_TESTDEV_EVT_CONN_DESTROY, 0, EVT_SINT, EVT_CONN);
	hv_sint_set(EVT_SINT, EVT_VEC, HV_SINT_MASKED);
}

int kmain(struct hvsim_boot_info *bi)
{
	struct hv_info info;
	struct hv_synic s;
	int ok;

	(void)bi;
	rt_init();
	printf("hv_synic: SynIC MSRs, message slots, message_pending and "
	       "EOM, auto-EOI, masked SINTs, event flags\n");
	if (!report(hv_detect(&info) && hv_hypercall_enable() == 0,
		    "Hyper-V detected, hypercall page enabled"))
		report_summary();
	hv_apic_enable();
	idt_set_handler(VEC, on_sint);
	idt_set_handler(EVT_VEC, on_evt);
	test_msrs(&s, &ok);
	if (!ok)
		report_summary();
	hv_testdev(HV_TESTDEV_MSG_CONN_CREATE, 0, SINT, CONN);
	test_pending_eom(&s);
	test_auto_eoi(&s);
	test_masked(&s);
	test_event_flags(&s);
	hv_testdev(HV_TESTDEV_MSG_CONN_DESTROY, 0, SINT, CONN);
	hv_sint_set(SINT, VEC, HV_SINT_MASKED);
	hv_synic_disable(&s);
	report_summary();
}
