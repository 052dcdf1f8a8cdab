/*
 * examples/guests/testdev.c — QEMU's pc-testdev and hyperv-testdev from
 * the guest's side (devices/pc_testdev.c, partitions/hv_testdev.c; run
 * with `hvsim run --testdev`), the way kvm-unit-tests kernels use them.
 *
 * pc-testdev: the scratch register at port 0xE0 reads back at 4, 2 and 1
 * bytes and in every byte lane, narrow writes change only their lanes,
 * port 0xE8 is the same register; the flush-page port (0xE4) leaves code
 * and data of the flushed page intact (code there still runs); the
 * device memory at 0xFF000000 reads back what was written at 1/2/4/8
 * bytes, little endian, up to its last byte.
 *
 * hyperv-testdev (with the hypercall page, the SynIC and the runtime's
 * examples/runtime/hyperv.h): SINT_ROUTE_SET_SINT raises the route's SINT
 * (and nothing when the SINT is masked or the route is gone); a message
 * connection echoes HvPostMessage into the SIMP slot with an interrupt,
 * a second post waits behind the busy slot with message_pending until
 * EOM; an event connection sets flag `conn id` on HvSignalEvent with an
 * interrupt, and none while the flag is still set; a duplicate create
 * does not steal a connection; after destroy both hypercalls get
 * HV_STATUS_INVALID_CONNECTION_ID.
 */
#include "hyperv.h"
#include "rt.h"

#define SCRATCH_PORT 0xE0
#define FLUSH_PORT   0xE4
#define BYTE_PORT    0xE8
#define IOMEM_BASE   0xFF000000ul
#define IOMEM_SIZE   0x10000ul

#define ROUTE_SINT   3
#define MSG_SINT     8
#define EVT_SINT     9
#define ROUTE_VEC    0xB2
#define MSG_VEC	     0xB0
#define EVT_VEC	     0xB1
#define MSG_CONN     0x10
#define EVT_CONN     0x20
#define MSG_TYPE     0x12345678u
#define WAIT_CYCLES  50000000ull /* an echo arrives well within this */
#define QUIET_CYCLES 20000000ull /* waited to see that nothing arrives */

/* ---- pc-testdev ------------------------------------------------------------
 */

/* 16-bit port I/O (io.h has 8 and 32 bits only). */
static inline void pio_outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint16_t pio_inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static void test_scratch(void)
{
	outl(SCRATCH_PORT, 0x12345678);
	report(inl(SCRATCH_PORT) == 0x12345678,
	       "scratch 0xe0: a dword reads back");
	report(pio_inw(SCRATCH_PORT) == 0x5678 &&
		   pio_inw(SCRATCH_PORT + 2) == 0x1234,
	       "scratch 0xe0: words at 0xe0 and 0xe2");
	report(inb(SCRATCH_PORT) == 0x78 && inb(SCRATCH_PORT + 1) == 0x56 &&
		   inb(SCRATCH_PORT + 2) == 0x34 &&
		   inb(SCRATCH_PORT + 3) == 0x12,
	       "scratch 0xe0: bytes at 0xe0..0xe3");
	outb(SCRATCH_PORT + 1, 0xAB);
	report(inl(SCRATCH_PORT) == 0x1234AB78,
	       "scratch 0xe0: a byte write changes only its lane");
	pio_outw(SCRATCH_PORT + 2, 0xCDEF);
	report(inl(SCRATCH_PORT) == 0xCDEFAB78,
	       "scratch 0xe0: a word write changes only its lanes");
	report(inl(BYTE_PORT) == 0xCDEFAB78 && inb(BYTE_PORT + 3) == 0xCD,
	       "scratch 0xe8 is the same register");
	outl(BYTE_PORT, 0x0BADF00D);
	report(inl(SCRATCH_PORT) == 0x0BADF00D,
	       "a write through 0xe8 reads back at 0xe0");
}

/* The cost of a port access to the device: a forwarded I/O intercept. */
static void time_port_access(void)
{
	uint64_t t0 = rdtsc(), sum = 0;

	for (unsigned i = 0; i < 16; i++)
		sum += inl(SCRATCH_PORT);
	printf("pc-testdev: one IN from port 0xe0 takes %lu cycles\n",
	       (unsigned long)((rdtsc() - t0) / 16));
	(void)sum;
}

static __attribute__((noinline)) uint64_t mix(uint64_t x)
{
	return (x ^ 0x9E3779B97F4A7C15ull) * 31 + 7;
}

static uint64_t flush_data[512] __attribute__((aligned(4096)));

static void test_flush_page(void)
{
	uint64_t before = mix(42);
	int same = 1;

	for (unsigned i = 0; i < 512; i++)
		flush_data[i] = i * 0x0101010101010101ull;
	/* The page of the code running now, and the page of mix(). */
	outl(FLUSH_PORT, (uint32_t)(uint64_t)test_flush_page);
	outl(FLUSH_PORT, (uint32_t)(uint64_t)mix);
	report(mix(42) == before, "flush page 0xe4: code on it still runs");
	outl(FLUSH_PORT, (uint32_t)(uint64_t)flush_data);
	for (unsigned i = 0; i < 512; i++)
		same &= flush_data[i] == i * 0x0101010101010101ull;
	report(same, "flush page 0xe4: data on it is unchanged");
}

static void test_iomem_sizes(void)
{
	static const struct {
		unsigned long off;
		int size;
		uint64_t v;
	} cases[] = {
	    {0x0, 1, 0xA5},
	    {0x11, 2, 0xBEEF},
	    {0x102, 4, 0xDEADBEEF},
	    {0x1003, 8, 0x0123456789ABCDEFull},
	    {0xFFF8, 8, 0xFEDCBA9876543210ull},
	};
	int ok = 1;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		volatile void *p = (volatile void *)(IOMEM_BASE + cases[i].off);
		uint64_t got = 0;

		switch (cases[i].size) {
		case 1:
			*(volatile uint8_t *)p = (uint8_t)cases[i].v;
			got = *(volatile uint8_t *)p;
			break;
		case 2:
			*(volatile uint16_t *)p = (uint16_t)cases[i].v;
			got = *(volatile uint16_t *)p;
			break;
		case 4:
			*(volatile uint32_t *)p = (uint32_t)cases[i].v;
			got = *(volatile uint32_t *)p;
			break;
		default:
			*(volatile uint64_t *)p = cases[i].v;
			got = *(volatile uint64_t *)p;
		}
		if (got != cases[i].v) {
			printf(
			    "      iomem +%#lx size %d: wrote %#lx read %#lx\n",
			    cases[i].off, cases[i].size,
			    (unsigned long)cases[i].v, (unsigned long)got);
			ok = 0;
		}
	}
	report(ok, "iomem 0xff000000: reads back at 1, 2, 4 and 8 bytes");
}

static void test_iomem_layout(void)
{
	volatile uint64_t *q = (volatile uint64_t *)(IOMEM_BASE + 0x200);
	volatile uint8_t *b = (volatile uint8_t *)q;
	int ok = 1;

	*q = 0x8877665544332211ull;
	report(b[0] == 0x11 && b[7] == 0x88 &&
		   *(volatile uint32_t *)(b + 4) == 0x88776655,
	       "iomem 0xff000000: little-endian bytes");
	b[3] = 0xCC;
	report(*q == 0x88776655CC332211ull,
	       "iomem 0xff000000: a byte write changes one byte");
	for (unsigned long off = 0; off < IOMEM_SIZE; off += 4096)
		*(volatile uint64_t *)(IOMEM_BASE + off + 8) = off * 3 + 1;
	for (unsigned long off = 0; off < IOMEM_SIZE; off += 4096)
		ok &=
		    *(volatile uint64_t *)(IOMEM_BASE + off + 8) == off * 3 + 1;
	report(ok, "iomem 0xff000000: all 64 KiB hold their own data");
}

/* ---- hyperv-testdev
 * ---------------------------------------------------------- */

static volatile unsigned route_irqs, msg_irqs, evt_irqs;

static void on_route(struct trap_frame *f)
{
	(void)f;
	route_irqs++;
}

static void on_msg(struct trap_frame *f)
{
	(void)f;
	msg_irqs++;
}

static void on_evt(struct trap_frame *f)
{
	(void)f;
	evt_irqs++;
}

static void test_sint_route(void)
{
	unsigned n = route_irqs;

	hv_sint_set(ROUTE_SINT, ROUTE_VEC, HV_SINT_AUTO_EOI);
	hv_testdev(HV_TESTDEV_SINT_ROUTE_CREATE, 0, ROUTE_SINT, 0);
	hv_testdev(HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, ROUTE_SINT, 0);
	report(hv_wait_change(&route_irqs, n, WAIT_CYCLES),
	       "SET_SINT on a route raises SINT%d (vector %#x)", ROUTE_SINT,
	       ROUTE_VEC);
	n = route_irqs;
	hv_testdev(HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, ROUTE_SINT, 0);
	report(hv_wait_change(&route_irqs, n, WAIT_CYCLES),
	       "SET_SINT again raises it again");
	n = route_irqs;
	hv_sint_set(ROUTE_SINT, ROUTE_VEC, HV_SINT_MASKED | HV_SINT_AUTO_EOI);
	hv_testdev(HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, ROUTE_SINT, 0);
	report(!hv_wait_change(&route_irqs, n, QUIET_CYCLES),
	       "SET_SINT on a masked SINT raises nothing");
	hv_sint_set(ROUTE_SINT, ROUTE_VEC, HV_SINT_AUTO_EOI);
	hv_testdev(HV_TESTDEV_SINT_ROUTE_DESTROY, 0, ROUTE_SINT, 0);
	n = route_irqs;
	hv_testdev(HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, ROUTE_SINT, 0);
	report(!hv_wait_change(&route_irqs, n, QUIET_CYCLES),
	       "SET_SINT after the route is destroyed raises nothing");
	/* A route on a VP that does not exist: ignored, we keep running. */
	hv_testdev(HV_TESTDEV_SINT_ROUTE_CREATE, 200, ROUTE_SINT, 0);
	hv_testdev(HV_TESTDEV_SINT_ROUTE_SET_SINT, 200, ROUTE_SINT, 0);
	report(!hv_wait_change(&route_irqs, n, QUIET_CYCLES),
	       "a route on VP 200 is ignored");
}

static int slot_holds(volatile struct hv_message *m, const uint8_t *p,
		      unsigned size)
{
	if (m->message_type != MSG_TYPE || m->payload_size != size)
		return 0;
	for (unsigned i = 0; i < size; i++)
		if (m->payload[i] != p[i])
			return 0;
	return 1;
}

static void test_msg_conn(struct hv_synic *s)
{
	static const uint8_t first[16] = "first message!";
	static const uint8_t second[8] = "second";
	volatile struct hv_message *m = hv_msg_slot(s, MSG_SINT);
	unsigned n = msg_irqs;

	hv_sint_set(MSG_SINT, MSG_VEC, HV_SINT_AUTO_EOI);
	hv_testdev(HV_TESTDEV_MSG_CONN_CREATE, 0, MSG_SINT, MSG_CONN);
	/* A second create of the id, to another SINT, changes nothing. */
	hv_testdev(HV_TESTDEV_MSG_CONN_CREATE, 0, ROUTE_SINT, MSG_CONN);
	uint64_t t0 = rdtsc(), t1;
	report(hv_post_message(MSG_CONN, MSG_TYPE, first, sizeof(first)) ==
		   HV_STATUS_SUCCESS,
	       "HvPostMessage on the message connection succeeds");
	while (m->message_type == HVMSG_NONE && rdtsc() - t0 < WAIT_CYCLES)
		;
	t1 = rdtsc();
	printf("hyperv-testdev: HvPostMessage to echo in the slot: %lu "
	       "cycles\n",
	       (unsigned long)(t1 - t0));
	report(hv_wait_change(&msg_irqs, n, WAIT_CYCLES),
	       "the echo raises SINT%d (vector %#x)", MSG_SINT, MSG_VEC);
	report(slot_holds(m, first, sizeof(first)) &&
		   !(m->flags & HV_MESSAGE_FLAG_PENDING),
	       "the echo is in SIMP slot %d: same type, size and payload",
	       MSG_SINT);
	report(hv_msg_slot(s, ROUTE_SINT)->message_type == HVMSG_NONE,
	       "the duplicate create did not take the connection");

	n = msg_irqs;
	report(hv_post_message(MSG_CONN, MSG_TYPE, second, sizeof(second)) ==
		   HV_STATUS_SUCCESS,
	       "a second post while the slot is busy succeeds");
	report(!hv_wait_change(&msg_irqs, n, QUIET_CYCLES) &&
		   slot_holds(m, first, sizeof(first)),
	       "it waits: no interrupt, the slot still holds the first");
	report(m->flags & HV_MESSAGE_FLAG_PENDING,
	       "the busy slot has message_pending set");
	report(hv_msg_done(m), "consuming the slot writes EOM");
	report(hv_wait_change(&msg_irqs, n, WAIT_CYCLES) &&
		   slot_holds(m, second, sizeof(second)),
	       "after EOM the second echo arrives with an interrupt");
	hv_msg_done(m);
}

static void test_evt_conn(struct hv_synic *s)
{
	unsigned n = evt_irqs;

	hv_sint_set(EVT_SINT, EVT_VEC, HV_SINT_AUTO_EOI);
	hv_testdev(HV_TESTDEV_EVT_CONN_CREATE, 0, EVT_SINT, EVT_CONN);
	report(hv_signal_event(EVT_CONN, 0) == HV_STATUS_SUCCESS,
	       "HvSignalEvent on the event connection succeeds");
	report(hv_wait_change(&evt_irqs, n, WAIT_CYCLES),
	       "the signal raises SINT%d (vector %#x)", EVT_SINT, EVT_VEC);
	n = evt_irqs;
	report(hv_signal_event(EVT_CONN, 0) == HV_STATUS_SUCCESS &&
		   !hv_wait_change(&evt_irqs, n, QUIET_CYCLES),
	       "signalled again while the flag is set: no interrupt");
	report(hv_event_test_clear(s, EVT_SINT, EVT_CONN),
	       "event flag %#x of SINT%d is set", EVT_CONN, EVT_SINT);
	report(!hv_event_test_clear(s, EVT_SINT, 0),
	       "flag 0 (the one the guest named) is not");
	report(hv_signal_event(EVT_CONN, 0) == HV_STATUS_SUCCESS &&
		   hv_wait_change(&evt_irqs, n, WAIT_CYCLES),
	       "after clearing the flag a signal interrupts again");
	hv_event_test_clear(s, EVT_SINT, EVT_CONN);
}

static void test_destroyed(void)
{
	hv_testdev(HV_TESTDEV_MSG_CONN_DESTROY, 0, 0, MSG_CONN);
	hv_testdev(HV_TESTDEV_EVT_CONN_DESTROY, 0, 0, EVT_CONN);
	report(hv_post_message(MSG_CONN, MSG_TYPE, "x", 1) ==
		   HV_STATUS_INVALID_CONNECTION_ID,
	       "HvPostMessage after destroy -> INVALID_CONNECTION_ID");
	report(hv_signal_event(EVT_CONN, 0) == HV_STATUS_INVALID_CONNECTION_ID,
	       "HvSignalEvent after destroy -> INVALID_CONNECTION_ID");
}

static void test_hyperv_testdev(void)
{
	struct hv_info info;
	struct hv_synic s;

	if (!report(hv_detect(&info) && hv_hypercall_enable() == 0,
		    "Hyper-V detected, hypercall page enabled"))
		return;
	hv_apic_enable();
	if (!report(hv_synic_enable(&s) == 0, "SynIC enabled"))
		return;
	idt_set_handler(ROUTE_VEC, on_route);
	idt_set_handler(MSG_VEC, on_msg);
	idt_set_handler(EVT_VEC, on_evt);
	test_sint_route();
	test_msg_conn(&s);
	test_evt_conn(&s);
	test_destroyed();
	hv_sint_set(ROUTE_SINT, ROUTE_VEC, HV_SINT_MASKED);
	hv_sint_set(MSG_SINT, MSG_VEC, HV_SINT_MASKED);
	hv_sint_set(EVT_SINT, EVT_VEC, HV_SINT_MASKED);
	hv_synic_disable(&s);
}

int kmain(struct hvsim_boot_info *bi)
{
	(void)bi;
	rt_init();
	printf("testdev: QEMU's pc-testdev and hyperv-testdev\n");
	test_scratch();
	time_port_access();
	test_flush_page();
	test_iomem_sizes();
	test_iomem_layout();
	test_hyperv_testdev();
	report_summary();
}
