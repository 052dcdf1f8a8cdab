/*
 * tests/unit/hv/test_hypercall.c — the hypercall interface (hv/hypercall.c):
 * control-value decoding and the result value, #UD cases, the x64 and
 * x86-32 register ABIs, every status of the common checks (code, control
 * bits, rep rules, fast/slow, GPA alignment, page crossing, outside RAM),
 * HvPostMessage and HvSignalEvent input checks and delivery to host
 * handlers, the cheap calls, and the cost of slow calls.
 *
 * The vCPU is driven directly: registers with cpu_set_gpr, then
 * hcall_dispatch() as the VMCALL exit would call it. There is no service
 * partition, so host handlers run at once (hv_submit_work's contract).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/cpu_int.h" /* CPL for the ring-3 case */
#include "devices/lapic.h"
#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/hypercall.h"
#include "mmu/mmu.h"
#include "sim/evq.h"

#define MEM	 (1u << 20)
#define GDT_GPA	 0x1000
#define IN_GPA	 0x2000
#define OUT_GPA	 0x3000
#define CONN_MSG 0x11
#define CONN_EVT 0x22

struct rig {
	struct evq *q;
	struct hv *hv;
	struct hv_part *p;
	struct hv_vp *vp;
};

/* What the host handlers saw. */
struct seen {
	unsigned calls;
	struct hv_part *from;
	unsigned from_vp, flag;
	uint32_t type;
	unsigned size;
	uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};

static unsigned on_msg(void *opaque, struct hv_part *from, unsigned from_vp,
		       uint32_t type, const void *payload, unsigned size)
{
	struct seen *s = opaque;

	s->calls++;
	s->from = from;
	s->from_vp = from_vp;
	s->type = type;
	s->size = size;
	memcpy(s->payload, payload, size);
	return HV_STATUS_SUCCESS;
}

static unsigned on_event(void *opaque, struct hv_part *from, unsigned from_vp,
			 unsigned flag)
{
	struct seen *s = opaque;

	s->calls++;
	s->from = from;
	s->from_vp = from_vp;
	s->flag = flag;
	return HV_STATUS_SUCCESS;
}

static void rig_init(struct rig *r, bool long_mode)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct hv_part_config pc = {
	    .name = "g", .vcpus = 2, .mem_bytes = MEM, .weight = 100};

	r->q = evq_create();
	cr_assert_not_null(r->q);
	r->hv = hv_create(&hc, r->q);
	cr_assert_not_null(r->hv);
	r->p = hv_part_create(r->hv, &pc, NULL, NULL);
	cr_assert_not_null(r->p);
	r->vp = &r->p->vp[0];
	cpu_write_boot_gdt(r->p->mem, GDT_GPA);
	if (long_mode)
		cpu_setup_long64(r->vp->cpu, 0, GDT_GPA);
	else
		cpu_setup_protected32(r->vp->cpu);
	cr_assert_eq(cpu_in_long_mode(r->vp->cpu), long_mode);
	r->p->hypercall_msr = HV_MSR_ENABLE;
}

static void rig_fini(struct rig *r)
{
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

/* One 64-bit hypercall: returns RAX; *lat gets the added latency. */
static uint64_t call64(struct rig *r, uint64_t control, uint64_t in,
		       uint64_t out, cycles_t *lat)
{
	struct cpu *c = r->vp->cpu;
	cycles_t l = 0;

	cpu_set_gpr(c, RCX, control);
	cpu_set_gpr(c, RDX, in);
	cpu_set_gpr(c, R8, out);
	cpu_set_gpr(c, RAX, 0xDEADBEEF);
	cr_assert_eq(hcall_dispatch(r->vp, &l), ENV_OK);
	if (lat)
		*lat = l;
	return cpu_get_gpr(c, RAX);
}

static unsigned status64(struct rig *r, uint64_t control, uint64_t in,
			 uint64_t out)
{
	return (unsigned)(call64(r, control, in, out, NULL) & 0xFFFF);
}

/* Write an HvPostMessage input block at gpa. */
/* An input block whose size field says `size`; its payload is a copy of
 * the first `have` bytes of payload (the rest zero), so a size field
 * larger than the data at hand can be tested. */
static void put_post_n(struct rig *r, uint64_t gpa, uint32_t conn,
		       uint32_t type, const void *payload, uint32_t have,
		       uint32_t size)
{
	uint8_t blk[HV_POST_MESSAGE_SIZE] = {0};

	memcpy(blk, &conn, 4);
	memcpy(blk + 8, &type, 4);
	memcpy(blk + 12, &size, 4);
	memcpy(blk + 16, payload, have > 240 ? 240 : have);
	cr_assert_eq(physmem_copy_to(r->p->mem, gpa, blk, sizeof(blk)), 0);
}

static void put_post(struct rig *r, uint64_t gpa, uint32_t conn, uint32_t type,
		     const void *payload, uint32_t size)
{
	put_post_n(r, gpa, conn, type, payload, size, size);
}

/* ---- control and result values ------------------------------------------- */

Test(hypercall, decode_reads_every_field)
{
	struct hv_hcall hc;
	uint64_t control = 0x1234 | HV_HC_FAST | 0x3FFull << 17 |
			   0xFFFull << 32 | 0x005ull << 48;

	cr_assert_eq(hcall_decode(control, &hc), HV_STATUS_SUCCESS);
	cr_assert_eq(hc.code, 0x1234);
	cr_assert(hc.fast);
	cr_assert_eq(hc.varhead, 0x3FF);
	cr_assert_eq(hc.rep_count, 0xFFF);
	cr_assert_eq(hc.rep_start, 5);
	cr_assert_eq(hcall_decode(HVCALL_POST_MESSAGE, &hc), HV_STATUS_SUCCESS);
	cr_assert_eq(hc.code, HVCALL_POST_MESSAGE);
	cr_assert_not(hc.fast);
	cr_assert_eq(hc.varhead + hc.rep_count + hc.rep_start, 0);
}

Test(hypercall, decode_rejects_each_reserved_bit_alone)
{
	struct hv_hcall hc;

	for (unsigned bit = 0; bit < 64; bit++) {
		bool reserved = (bit >= 27 && bit <= 31) ||
				(bit >= 44 && bit <= 47) || bit >= 60;
		/* A rep start alone is not below the (zero) rep count. */
		bool start = bit >= 48 && bit <= 59;
		unsigned want = reserved || start
				    ? HV_STATUS_INVALID_HYPERCALL_INPUT
				    : HV_STATUS_SUCCESS;

		cr_assert_eq(hcall_decode(1ull << bit, &hc), want, "bit %u",
			     bit);
	}
}

Test(hypercall, decode_rep_start_must_be_below_rep_count)
{
	struct hv_hcall hc;

	cr_assert_eq(hcall_decode(3ull << 32 | 2ull << 48, &hc),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hcall_decode(3ull << 32 | 3ull << 48, &hc),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	cr_assert_eq(hcall_decode(3ull << 32 | 4ull << 48, &hc),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	cr_assert_eq(hcall_decode(3ull << 32, &hc), HV_STATUS_SUCCESS);
}

Test(hypercall, result_packs_status_and_reps)
{
	cr_assert_eq(hcall_result(HV_STATUS_INVALID_CONNECTION_ID, 7),
		     0x0000000700000012ull);
	cr_assert_eq(hcall_result(HV_STATUS_SUCCESS, 0), 0);
	/* Status is 16 bits and reps 12: nothing spills over. */
	cr_assert_eq(hcall_result(0x12345, 0x1FFF), 0x00000FFF00002345ull);
}

Test(hypercall, names_of_the_table)
{
	cr_assert_str_eq(hcall_name(HVCALL_POST_MESSAGE), "HvPostMessage");
	cr_assert_str_eq(hcall_name(HVCALL_SIGNAL_EVENT), "HvSignalEvent");
	cr_assert_str_eq(hcall_name(HVCALL_NOTIFY_LONG_SPIN_WAIT),
			 "HvNotifyLongSpinWait");
	cr_assert_str_eq(hcall_name(HVCALL_GET_PARTITION_ID),
			 "HvGetPartitionId");
	cr_assert_str_eq(hcall_name(HVCALL_SEND_IPI),
			 "HvSendSyntheticClusterIpi");
	cr_assert_null(hcall_name(HVCALL_FLUSH_VA_SPACE));
	cr_assert_null(hcall_name(0xFFFF));
}

/* ---- who may call -------------------------------------------------------- */

Test(hypercall, vmcall_is_ud_before_the_hypercall_page_is_enabled)
{
	struct rig r;
	cycles_t lat = 0;

	rig_init(&r, true);
	r.p->hypercall_msr = 0x5000; /* a page number but no enable bit */
	cpu_set_gpr(r.vp->cpu, RCX, HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HC_FAST);
	cpu_set_gpr(r.vp->cpu, RAX, 77);
	cr_assert_eq(hcall_dispatch(r.vp, &lat), ENV_UNHANDLED);
	cr_assert_eq(cpu_get_gpr(r.vp->cpu, RAX), 77);
	cr_assert_eq(lat, 0);
	rig_fini(&r);
}

Test(hypercall, vmcall_is_ud_at_cpl3)
{
	struct rig r;
	cycles_t lat = 0;

	rig_init(&r, true);
	r.vp->cpu->cpl = 3;
	cpu_set_gpr(r.vp->cpu, RCX, HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HC_FAST);
	cpu_set_gpr(r.vp->cpu, RAX, 77);
	cr_assert_eq(hcall_dispatch(r.vp, &lat), ENV_UNHANDLED);
	cr_assert_eq(cpu_get_gpr(r.vp->cpu, RAX), 77);
	rig_fini(&r);
}

Test(hypercall, vmcall_is_ud_in_real_mode)
{
	struct rig r;
	cycles_t lat = 0;

	rig_init(&r, true);
	cpu_reset(r.vp->cpu); /* real mode, CPL 0 */
	cpu_set_gpr(r.vp->cpu, RCX, HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HC_FAST);
	cr_assert_eq(hcall_dispatch(r.vp, &lat), ENV_UNHANDLED);
	rig_fini(&r);
}

/* ---- common checks ------------------------------------------------------- */

Test(hypercall, unknown_codes_are_invalid_hypercall_code)
{
	struct rig r;
	cycles_t lat = 1;

	rig_init(&r, true);
	cr_assert_eq(call64(&r, 0x7FFF, 0, 0, &lat),
		     HV_STATUS_INVALID_HYPERCALL_CODE);
	cr_assert_eq(lat, 0);
	cr_assert_eq(status64(&r, HVCALL_FLUSH_VA_SPACE | HV_HC_FAST, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_CODE);
	cr_assert_eq(status64(&r, 0, 0, 0), HV_STATUS_INVALID_HYPERCALL_CODE);
	rig_fini(&r);
}

Test(hypercall, control_value_errors_are_invalid_hypercall_input)
{
	struct rig r;
	uint64_t spin = HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HC_FAST;

	rig_init(&r, true);
	cr_assert_eq(status64(&r, spin, 0, 0), HV_STATUS_SUCCESS);
	/* Reserved bits, the Linux-reserved bit 31 included. */
	cr_assert_eq(status64(&r, spin | 1ull << 27, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	cr_assert_eq(status64(&r, spin | 1ull << 31, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	cr_assert_eq(status64(&r, spin | 1ull << 46, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	cr_assert_eq(status64(&r, spin | 1ull << 63, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* A rep count, or a rep start, on a simple call. */
	cr_assert_eq(status64(&r, spin | 1ull << 32, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	cr_assert_eq(status64(&r, spin | 2ull << 32 | 1ull << 48, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* A variable header on a call that has none. */
	cr_assert_eq(status64(&r, spin | 1ull << 17, 0, 0),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* The fast form of a slow-only call. */
	cr_assert_eq(status64(&r, HVCALL_POST_MESSAGE | HV_HC_FAST, IN_GPA, 0),
		     HV_STATUS_INVALID_HYPERCALL_INPUT);
	cr_assert_eq(
	    status64(&r, HVCALL_GET_PARTITION_ID | HV_HC_FAST, 0, OUT_GPA),
	    HV_STATUS_INVALID_HYPERCALL_INPUT);
	rig_fini(&r);
}

Test(hypercall, input_gpa_alignment_page_crossing_and_ram)
{
	struct seen s = {0};
	struct rig r;
	uint64_t post = HVCALL_POST_MESSAGE;

	rig_init(&r, true);
	/* (not a compound literal: the assertion macro's block would end
	 * its life before the handler runs) */
	cr_assert_eq(hv_connect_msg_to_host(r.p, CONN_MSG, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	put_post(&r, IN_GPA, CONN_MSG, 1, "hi", 2);
	cr_assert_eq(status64(&r, post, IN_GPA, 0), HV_STATUS_SUCCESS);
	/* TLFS common codes: misaligned, spanning pages, outside the GPA
	 * space are all INVALID_ALIGNMENT. */
	cr_assert_eq(status64(&r, post, IN_GPA + 4, 0),
		     HV_STATUS_INVALID_ALIGNMENT);
	cr_assert_eq(status64(&r, post, IN_GPA + 1, 0),
		     HV_STATUS_INVALID_ALIGNMENT);
	cr_assert_eq(status64(&r, post, IN_GPA + 0xF08, 0),
		     HV_STATUS_INVALID_ALIGNMENT);
	/* The last 256 bytes of a page are fine. */
	put_post(&r, IN_GPA + 0xF00, CONN_MSG, 1, "hi", 2);
	cr_assert_eq(status64(&r, post, IN_GPA + 0xF00, 0), HV_STATUS_SUCCESS);
	/* The last block of RAM, just past it, far away. */
	put_post(&r, MEM - 256, CONN_MSG, 1, "hi", 2);
	cr_assert_eq(status64(&r, post, MEM - 256, 0), HV_STATUS_SUCCESS);
	cr_assert_eq(status64(&r, post, MEM, 0), HV_STATUS_INVALID_ALIGNMENT);
	cr_assert_eq(status64(&r, post, 0x0000700000000000ull, 0),
		     HV_STATUS_INVALID_ALIGNMENT);
	cr_assert_eq(status64(&r, post, 0xFFFFFFFFFFFFFF00ull, 0),
		     HV_STATUS_INVALID_ALIGNMENT);
	/* The APIC page is MMIO, not RAM. */
	cr_assert_eq(status64(&r, post, 0xFEE00000ull, 0),
		     HV_STATUS_INVALID_ALIGNMENT);
	rig_fini(&r);
}

/* ---- HvPostMessage ------------------------------------------------------- */

Test(hypercall, post_message_reaches_the_host_handler_with_a_copy)
{
	static const char text[] = "hello, host";
	struct seen s = {0};
	struct rig r;
	cycles_t lat;

	rig_init(&r, true);
	cr_assert_eq(hv_connect_msg_to_host(r.p, CONN_MSG, on_msg, &s, 500),
		     HV_STATUS_SUCCESS);
	put_post(&r, IN_GPA, CONN_MSG, 42, text, sizeof(text));
	cr_assert_eq(call64(&r, HVCALL_POST_MESSAGE, IN_GPA, 0, &lat),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.from, r.p);
	cr_assert_eq(s.from_vp, 0);
	cr_assert_eq(s.type, 42);
	cr_assert_eq(s.size, sizeof(text));
	cr_assert_arr_eq(s.payload, text, sizeof(text));
	/* performance.md §7: slow call = 2,500 + 1 per 8 bytes; the exit
	 * row has the first 1,500. 256 bytes were copied in. */
	cr_assert_eq(lat, 1000 + 256 / 8);
	rig_fini(&r);
}

Test(hypercall, post_message_connection_id_is_24_bits)
{
	struct seen s = {0};
	struct rig r;

	rig_init(&r, true);
	cr_assert_eq(hv_connect_msg_to_host(r.p, CONN_MSG, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	put_post(&r, IN_GPA, 0xAB000000u | CONN_MSG, 1, "x", 1);
	cr_assert_eq(status64(&r, HVCALL_POST_MESSAGE, IN_GPA, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(s.calls, 1);
	rig_fini(&r);
}

Test(hypercall, post_message_checks_its_fields)
{
	struct seen s = {0};
	struct rig r;
	uint64_t post = HVCALL_POST_MESSAGE;

	rig_init(&r, true);
	cr_assert_eq(hv_connect_msg_to_host(r.p, CONN_MSG, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_connect_event_to_host(r.p, CONN_EVT, on_event, &s, 0),
		     HV_STATUS_SUCCESS);
	put_post(&r, IN_GPA, CONN_MSG, 0, "x", 1); /* type 0 */
	cr_assert_eq(status64(&r, post, IN_GPA, 0),
		     HV_STATUS_INVALID_PARAMETER);
	put_post(&r, IN_GPA, CONN_MSG, HVMSG_TIMER_EXPIRED, "x", 1);
	cr_assert_eq(status64(&r, post, IN_GPA, 0),
		     HV_STATUS_INVALID_PARAMETER);
	put_post(&r, IN_GPA, CONN_MSG, 0x80000000u, "x", 1);
	cr_assert_eq(status64(&r, post, IN_GPA, 0),
		     HV_STATUS_INVALID_PARAMETER);
	put_post_n(&r, IN_GPA, CONN_MSG, 1, "x", 1, 241);
	cr_assert_eq(status64(&r, post, IN_GPA, 0),
		     HV_STATUS_INVALID_PARAMETER);
	put_post_n(&r, IN_GPA, CONN_MSG, 1, "x", 1, 0xFFFFFFFFu);
	cr_assert_eq(status64(&r, post, IN_GPA, 0),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(s.calls, 0);
	/* The largest type and payload are fine. */
	put_post_n(&r, IN_GPA, CONN_MSG, 0x7FFFFFFFu, "x", 1, 240);
	cr_assert_eq(status64(&r, post, IN_GPA, 0), HV_STATUS_SUCCESS);
	cr_assert_eq(s.size, 240);
	/* Unknown connection; an event connection is not a message port. */
	put_post(&r, IN_GPA, 0x999, 1, "x", 1);
	cr_assert_eq(status64(&r, post, IN_GPA, 0),
		     HV_STATUS_INVALID_CONNECTION_ID);
	put_post(&r, IN_GPA, CONN_EVT, 1, "x", 1);
	cr_assert_eq(status64(&r, post, IN_GPA, 0), HV_STATUS_INVALID_PORT_ID);
	rig_fini(&r);
}

/* ---- HvSignalEvent ------------------------------------------------------- */

Test(hypercall, signal_event_fast_and_slow)
{
	struct seen s = {0};
	struct rig r;
	uint64_t sig = HVCALL_SIGNAL_EVENT;
	uint64_t in = CONN_EVT | 7ull << 32;
	cycles_t lat;

	rig_init(&r, true);
	cr_assert_eq(hv_connect_event_to_host(r.p, CONN_EVT, on_event, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(call64(&r, sig | HV_HC_FAST, in, 0, &lat),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.flag, 7);
	cr_assert_eq(lat, 0); /* fast: the exit row's cost only */
	physmem_write(r.p->mem, IN_GPA, 8, CONN_EVT | 9ull << 32);
	cr_assert_eq(call64(&r, sig, IN_GPA, 0, &lat), HV_STATUS_SUCCESS);
	cr_assert_eq(s.calls, 2);
	cr_assert_eq(s.flag, 9);
	cr_assert_eq(lat, 1000 + 8 / 8);
	/* The slow input is checked like any other. */
	cr_assert_eq(status64(&r, sig, IN_GPA + 4, 0),
		     HV_STATUS_INVALID_ALIGNMENT);
	cr_assert_eq(status64(&r, sig, MEM, 0), HV_STATUS_INVALID_ALIGNMENT);
	rig_fini(&r);
}

Test(hypercall, signal_event_checks_flag_and_connection)
{
	struct seen s = {0};
	struct rig r;
	uint64_t sig = HVCALL_SIGNAL_EVENT | HV_HC_FAST;

	rig_init(&r, true);
	cr_assert_eq(hv_connect_event_to_host(r.p, CONN_EVT, on_event, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_connect_msg_to_host(r.p, CONN_MSG, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(status64(&r, sig, CONN_EVT | 2047ull << 32, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(s.flag, 2047);
	cr_assert_eq(status64(&r, sig, CONN_EVT | 2048ull << 32, 0),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(status64(&r, sig, CONN_EVT | 0xFFFFull << 32, 0),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(status64(&r, sig, 0x4242, 0),
		     HV_STATUS_INVALID_CONNECTION_ID);
	cr_assert_eq(status64(&r, sig, CONN_MSG, 0), HV_STATUS_INVALID_PORT_ID);
	cr_assert_eq(s.calls, 1);
	rig_fini(&r);
}

/* ---- the small calls ----------------------------------------------------- */

Test(hypercall, get_partition_id_writes_the_output_page)
{
	struct rig r;
	cycles_t lat;

	rig_init(&r, true);
	physmem_write(r.p->mem, OUT_GPA, 8, 0x5555);
	cr_assert_eq(call64(&r, HVCALL_GET_PARTITION_ID, 0, OUT_GPA, &lat),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(physmem_read(r.p->mem, OUT_GPA, 8), hv_part_id(r.p));
	cr_assert_eq(lat, 1000 + 8 / 8);
	cr_assert_eq(status64(&r, HVCALL_GET_PARTITION_ID, 0, OUT_GPA + 2),
		     HV_STATUS_INVALID_ALIGNMENT);
	cr_assert_eq(status64(&r, HVCALL_GET_PARTITION_ID, 0, MEM),
		     HV_STATUS_INVALID_ALIGNMENT);
	rig_fini(&r);
}

Test(hypercall, long_spin_wait_succeeds_fast_and_slow)
{
	struct rig r;

	rig_init(&r, true);
	cr_assert_eq(
	    status64(&r, HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HC_FAST, 1000, 0),
	    HV_STATUS_SUCCESS);
	cr_assert_eq(status64(&r, HVCALL_NOTIFY_LONG_SPIN_WAIT, IN_GPA, 0),
		     HV_STATUS_SUCCESS);
	rig_fini(&r);
}

static uint64_t lapic_seen(struct hv_vp *vp)
{
	const struct lapic_stats *st = lapic_stats(vp->lapic);

	return st->accepted + st->dropped;
}

Test(hypercall, cluster_ipi_reaches_the_vps_in_the_mask)
{
	struct rig r;
	uint64_t ipi = HVCALL_SEND_IPI | HV_HC_FAST;
	uint64_t seen0, seen1;

	rig_init(&r, true);
	seen0 = lapic_seen(&r.p->vp[0]);
	seen1 = lapic_seen(&r.p->vp[1]);
	cr_assert_eq(status64(&r, ipi, 15, 2), HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(status64(&r, ipi, 256, 2), HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(lapic_seen(&r.p->vp[1]), seen1);
	/* vCPU 1 only; bit 5 names a vCPU the partition does not have. */
	cr_assert_eq(status64(&r, ipi, 0x40, 1ull << 1 | 1ull << 5),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(lapic_seen(&r.p->vp[0]), seen0);
	cr_assert_eq(lapic_seen(&r.p->vp[1]), seen1 + 1);
	rig_fini(&r);
}

/* ---- the x86-32 ABI ------------------------------------------------------ */

Test(hypercall, x86_32_abi_uses_register_pairs)
{
	struct seen s = {0};
	struct rig r;
	struct cpu *c;
	cycles_t lat = 0;

	rig_init(&r, false);
	c = r.vp->cpu;
	cr_assert_eq(hv_connect_event_to_host(r.p, CONN_EVT, on_event, &s, 0),
		     HV_STATUS_SUCCESS);
	/* EDX:EAX control, EBX:ECX input (fast: conn | flag << 32). */
	cpu_set_gpr(c, RDX, 0);
	cpu_set_gpr(c, RAX, HVCALL_SIGNAL_EVENT | HV_HC_FAST);
	cpu_set_gpr(c, RBX, 3);
	cpu_set_gpr(c, RCX, CONN_EVT);
	cr_assert_eq(hcall_dispatch(r.vp, &lat), ENV_OK);
	cr_assert_eq(cpu_get_gpr(c, RAX), HV_STATUS_SUCCESS);
	cr_assert_eq(cpu_get_gpr(c, RDX), 0);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.flag, 3);
	/* Slow: EDI:ESI is the output GPA; the result in EDX:EAX. */
	cpu_set_gpr(c, RDX, 0);
	cpu_set_gpr(c, RAX, HVCALL_GET_PARTITION_ID);
	cpu_set_gpr(c, RBX, 0);
	cpu_set_gpr(c, RCX, 0);
	cpu_set_gpr(c, RDI, 0);
	cpu_set_gpr(c, RSI, OUT_GPA);
	cr_assert_eq(hcall_dispatch(r.vp, &lat), ENV_OK);
	cr_assert_eq(cpu_get_gpr(c, RAX), HV_STATUS_SUCCESS);
	cr_assert_eq(physmem_read(r.p->mem, OUT_GPA, 8), hv_part_id(r.p));
	/* A high dword in EDI makes the GPA leave RAM. */
	cpu_set_gpr(c, RDX, 0);
	cpu_set_gpr(c, RAX, HVCALL_GET_PARTITION_ID);
	cpu_set_gpr(c, RDI, 1);
	cr_assert_eq(hcall_dispatch(r.vp, &lat), ENV_OK);
	cr_assert_eq(cpu_get_gpr(c, RAX), HV_STATUS_INVALID_ALIGNMENT);
	/* A reserved bit in EDX (control bit 63) comes back in EAX. */
	cpu_set_gpr(c, RDX, 0x80000000u);
	cpu_set_gpr(c, RAX, HVCALL_SIGNAL_EVENT | HV_HC_FAST);
	cr_assert_eq(hcall_dispatch(r.vp, &lat), ENV_OK);
	cr_assert_eq(cpu_get_gpr(c, RAX), HV_STATUS_INVALID_HYPERCALL_INPUT);
	cr_assert_eq(cpu_get_gpr(c, RDX), 0);
	rig_fini(&r);
}
