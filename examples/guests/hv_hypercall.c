/*
 * examples/guests/hv_hypercall.c — the Hyper-V hypercall interface from
 * the guest's side (../shared/reference/vmbus.md §1.3 hypercall page,
 * §2 ABI, control value, status codes, HvPostMessage, HvSignalEvent).
 *
 * Checks: VMCALL before the hypercall page is enabled raises #UD; the page
 * is enabled through GUEST_OS_ID + HYPERCALL and holds VMCALL; an unknown
 * call code, reserved control bits, a rep count on a simple call, a
 * misaligned input GPA, an input block spanning pages, an input GPA
 * outside RAM each get their error status; HvPostMessage to an unknown
 * connection, with a hypervisor message type or a payload over 240 bytes
 * is refused; through QEMU's hyperv-testdev (run with --testdev) a posted
 * message is echoed into the SIMP slot with an interrupt, and HvSignalEvent,
 * fast and slow, raises the event connection's SINT; VMCALL at CPL 3 is
 * #UD.
 */
#include "hyperv.h"
#include "rt.h"

#define MSG_SINT     8
#define EVT_SINT     9
#define MSG_VEC	     0xB0
#define EVT_VEC	     0xB1
#define MSG_CONN     0x10
#define EVT_CONN     0x20
#define UNKNOWN_CONN 0x77
#define MSG_TYPE     0x12345678u
#define WAIT_CYCLES  50000000ull /* 20 ms at 2.5 GHz: ample for the echo */

static volatile unsigned msg_irqs, evt_irqs;
static volatile uint64_t msg_tsc; /* TSC when the last message irq came */

static void on_msg(struct trap_frame *f)
{
	(void)f;
	msg_tsc = rdtsc();
	msg_irqs++;
}

static void on_evt(struct trap_frame *f)
{
	(void)f;
	evt_irqs++;
}

static void check_status(const char *what, unsigned got, unsigned want)
{
	report(got == want, "%s -> status %#x", what, want);
	if (got != want)
		printf("      got status %#x\n", got);
}

static void test_ud_before_enable(void)
{
	uint64_t rax = 0;

	catch_reset();
	asm volatile(TRY_BEGIN "vmcall" TRY_END
		     : "+a"(rax) : "c"(HVCALL_POST_MESSAGE), "d"(0)
		     : "r8", TRY_CLOBBERS);
	catch_check("vmcall before the hypercall page is enabled", 6, 0,
		    AT_FAULT);
}

static int test_enable(void)
{
	int ok = hv_hypercall_enable() == 0;
	const uint8_t *code = (const uint8_t *)hv_hypercall_page();

	report(ok, "GUEST_OS_ID then HYPERCALL: the page reads back enabled");
	if (!ok)
		return 0;
	report(code[0] == 0x0F && code[1] == 0x01 &&
	       (code[2] == 0xC1 || code[2] == 0xD9),
	       "the hypercall page starts with VMCALL");
	return 1;
}

static void test_control_errors(void)
{
	uint64_t in = (uint64_t)hv_post_message_page();

	check_status("unknown call code 0x7fff",
		     HV_STATUS(hv_hypercall(0x7FFF, 0, 0)),
		     HV_STATUS_INVALID_HYPERCALL_CODE);
	hv_post_message_page()->connection_id = UNKNOWN_CONN;
	check_status("reserved control bit 27",
		     HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE | 1ull << 27,
					    in, 0)),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	check_status("reserved control bit 44",
		     HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE | 1ull << 44,
					    in, 0)),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	check_status("reserved control bit 63",
		     HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE | 1ull << 63,
					    in, 0)),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	check_status("rep count 1 on a simple call (HvPostMessage)",
		     HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE |
					    1ull << HV_HC_REP_COUNT_SHIFT,
					    in, 0)),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	check_status("HvPostMessage with input GPA 4 bytes off alignment",
		     HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE, in + 4, 0)),
		     HV_STATUS_INVALID_ALIGNMENT);
	/* Refused before anything is read: the bytes past the runtime's
	 * 256-byte block are never used. */
	check_status("HvPostMessage with input spanning two pages",
		     HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE,
					    in + PAGE_SIZE - 128, 0)),
		     HV_STATUS_INVALID_ALIGNMENT);

	unsigned st = HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE,
					     0x0000700000000000ull, 0));
	printf("HvPostMessage with input GPA 0x700000000000: status %#x\n", st);
	report(st != HV_STATUS_SUCCESS,
	       "an input GPA outside RAM gets an error status");
}

static void test_post_errors(void)
{
	static const char text[] = "to nobody";

	check_status("HvPostMessage to an unknown connection",
		     hv_post_message(UNKNOWN_CONN, MSG_TYPE, text, sizeof(text)),
		     HV_STATUS_INVALID_CONNECTION_ID);
	check_status("HvSignalEvent to an unknown connection",
		     hv_signal_event(UNKNOWN_CONN, 0),
		     HV_STATUS_INVALID_CONNECTION_ID);
	check_status("HvPostMessage with hypervisor message type 0x80000010",
		     hv_post_message(MSG_CONN, HVMSG_TIMER_EXPIRED, text,
				     sizeof(text)),
		     HV_STATUS_INVALID_PARAMETER);
	check_status("HvPostMessage with payload size 241",
		     hv_post_message(MSG_CONN, MSG_TYPE, text, 241),
		     HV_STATUS_INVALID_PARAMETER);
}

static void test_echo(struct hv_synic *s)
{
	static const char text[] = "hvsim echo: 0123456789abcdef";
	volatile struct hv_message *m = hv_msg_slot(s, MSG_SINT);
	unsigned before = msg_irqs, st;
	uint64_t t0 = rdtsc();
	int same = 1;

	st = hv_post_message(MSG_CONN, MSG_TYPE, text, sizeof(text));
	check_status("HvPostMessage to the testdev echo connection", st,
		     HV_STATUS_SUCCESS);
	if (report(hv_wait_change(&msg_irqs, before, WAIT_CYCLES),
		   "the echo raised SINT%d (vector %#x)", MSG_SINT, MSG_VEC))
		printf("echo round trip: %lu cycles from the hypercall to the "
		       "interrupt\n", msg_tsc - t0);
	report(m->message_type == MSG_TYPE && m->payload_size == sizeof(text),
	       "the echo is in SIMP slot %d: type %#x, %u bytes", MSG_SINT,
	       MSG_TYPE, (unsigned)sizeof(text));
	for (unsigned i = 0; i < sizeof(text); i++)
		same &= m->payload[i] == (uint8_t)text[i];
	report(same, "the echoed payload equals the posted one");
	if (!same || m->message_type != MSG_TYPE)
		printf("      slot: type %#x size %u flags %#x\n",
		       m->message_type, m->payload_size, m->flags);
	hv_msg_done(m);
}

static void test_signal(struct hv_synic *s)
{
	unsigned before = evt_irqs, msgs = msg_irqs;
	uint64_t *in = (uint64_t *)hv_post_message_page();

	check_status("HvSignalEvent (fast) to the testdev event connection",
		     hv_signal_event(EVT_CONN, 0), HV_STATUS_SUCCESS);
	report(hv_wait_change(&evt_irqs, before, WAIT_CYCLES),
	       "the signal raised SINT%d (vector %#x)", EVT_SINT, EVT_VEC);
	report(msg_irqs == msgs, "no interrupt on the message SINT");

	/* The testdev sets event flag EVT_CONN; a set flag raises nothing
	 * more (hv_synic checks that), so clear it first. */
	hv_event_test_clear(s, EVT_SINT, EVT_CONN);
	before = evt_irqs;
	*in = EVT_CONN; /* flag number 0 in bits 32..47 */
	check_status("HvSignalEvent (slow, input in memory)",
		     HV_STATUS(hv_hypercall(HVCALL_SIGNAL_EVENT, (uint64_t)in,
					    0)),
		     HV_STATUS_SUCCESS);
	report(hv_wait_change(&evt_irqs, before, WAIT_CYCLES),
	       "the slow signal raised SINT%d too", EVT_SINT);
}

static void test_testdev(void)
{
	struct hv_synic s;

	if (hv_synic_enable(&s) != 0) {
		report(0, "SynIC enable (SIMP, SIEFP, SCONTROL)");
		return;
	}
	hv_apic_enable(); /* a software-disabled APIC takes no vectors */
	idt_set_handler(MSG_VEC, on_msg);
	idt_set_handler(EVT_VEC, on_evt);
	hv_sint_set(MSG_SINT, MSG_VEC, HV_SINT_AUTO_EOI);
	hv_sint_set(EVT_SINT, EVT_VEC, HV_SINT_AUTO_EOI);
	hv_testdev(HV_TESTDEV_MSG_CONN_CREATE, 0, MSG_SINT, MSG_CONN);
	hv_testdev(HV_TESTDEV_EVT_CONN_CREATE, 0, EVT_SINT, EVT_CONN);
	test_post_errors();
	test_echo(&s);
	test_signal(&s);
	hv_testdev(HV_TESTDEV_MSG_CONN_DESTROY, 0, MSG_SINT, MSG_CONN);
	hv_testdev(HV_TESTDEV_EVT_CONN_DESTROY, 0, EVT_SINT, EVT_CONN);
	check_status("HvPostMessage after the connection is destroyed",
		     hv_post_message(MSG_CONN, MSG_TYPE, "x", 1),
		     HV_STATUS_INVALID_CONNECTION_ID);
	hv_sint_set(MSG_SINT, MSG_VEC, HV_SINT_MASKED);
	hv_sint_set(EVT_SINT, EVT_VEC, HV_SINT_MASKED);
	hv_synic_disable(&s);
}

/* Ring-3 code lives in the user region (.utext): it only arms the
 * catcher (in .udata) and runs VMCALL. */
__attribute__((section(".utext"), noinline)) static uint64_t
user_vmcall(uint64_t control)
{
	uint64_t rax = 0;

	asm volatile(TRY_BEGIN "vmcall" TRY_END
		     : "+c"(control), "+a"(rax) : "d"(0) : "r8", TRY_CLOBBERS);
	return rax;
}

static void test_ring3(void)
{
	catch_reset();
	user_call(user_vmcall, HV_HC_FAST | HVCALL_SIGNAL_EVENT);
	catch_check("vmcall at CPL 3", 6, 0, AT_FAULT);
	report(trap_catch.count == 1 && (trap_catch.cs & 3) == 3,
	       "the #UD came from CPL 3");
}

int kmain(struct hvsim_boot_info *bi)
{
	struct hv_info info;

	(void)bi;
	rt_init();
	printf("hv_hypercall: the hypercall page, control value, status "
	       "codes, HvPostMessage, HvSignalEvent\n");
	if (!report(hv_detect(&info), "Hyper-V detected through CPUID"))
		report_summary();
	test_ud_before_enable();
	if (!test_enable())
		report_summary();
	test_control_errors();
	test_testdev();
	test_ring3();
	report_summary();
}
