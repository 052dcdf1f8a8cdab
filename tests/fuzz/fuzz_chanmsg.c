/*
 * tests/fuzz/fuzz_chanmsg.c — libFuzzer target: a hostile child talks to
 * its VMBus server. The input (fuzz_chanmsg_ops.h) is a sequence of guest
 * actions: channel messages on connections 1 and 4 (or straight into
 * vmbus_server_on_message with any connection id and length), reading
 * and not reading its message slot, writing its RAM (so GPADL pages and
 * rings hold fuzzed bytes), writing packets into its rings, signalling
 * channels, plus the host's rescind and reset. The server offers the
 * echo VSP (relid 1) and the storage VSP (relid 2, a 64 KiB disk).
 *
 * Checked after every action: vmbus_server_check (counters add up, every
 * GPADL held lies in the child's RAM, is bounded, rings inside it, ...),
 * and every refusal left a trace record (the servers record into a trace
 * written to /dev/null).
 * Checked at the end: a second child (the bystander), connected with an
 * open echo channel before the fuzzed child starts, is still served (a
 * packet echoed), had nothing refused, and its RAM outside its message
 * pages and rings is untouched. ASan/UBSan/LeakSanitizer watch the host.
 */
#include <string.h>

#include "hv/hv.h"
#include "hv/hvdefs.h"
#include "mmu/mmu.h"
#include "tests/fuzz/fuzz_chanmsg_ops.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_rig.h"
#include "traces/trace.h"
#include "vmbus/server.h"
#include "vmbus/vsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bystander's echo channel: rings at pages 16.., 4 pages each. */
#define BY_PAGE	  16u
#define BY_NPAGES 4u
#define BY_GPADL  0xB7u
#define CANARY	  0xA5u

static bool bystander_page(uint32_t page)
{
	return page < 1 + 2 * FUZZ_VCPUS ||
	       (page >= BY_PAGE && page < BY_PAGE + 2 * BY_NPAGES);
}

static void bystander_up(struct fuzz_child *c)
{
	uint8_t fill[4096];

	memset(fill, CANARY, sizeof(fill));
	for (uint32_t p = 0; p < FUZZ_RAM_PAGES; p++)
		if (!bystander_page(p))
			guest_write(c, (uint64_t)p * 4096, fill, sizeof(fill));
	FUZZ_CHECK(guest_open_channel(c, 1, BY_GPADL, BY_PAGE, BY_NPAGES) == 0,
		   "bystander could not open its channel");
}

/* The bystander is still served, and nothing else of it was touched. */
static void bystander_check(struct fuzz_child *c)
{
	static const char ping[] = "still served?";
	char buf[64], why[160];
	const uint8_t *ram;
	uint16_t type = 0;
	uint64_t tid = 0;
	int n;

	guest_ring_send(c, BY_PAGE, BY_NPAGES, VSP_PKT_DATA_INBAND,
			VSP_PKT_FLAG_COMPLETION, 2, 0xB7B7, ping,
			sizeof(ping));
	guest_signal(c, 0, 1);
	fuzz_run(c->rig, 2500000);
	n = guest_ring_recv(c, BY_PAGE, BY_NPAGES, &type, &tid, buf,
			    sizeof(buf));
	FUZZ_CHECK(n >= (int)sizeof(ping) && type == VSP_PKT_COMP &&
		       tid == 0xB7B7 && !memcmp(buf, ping, sizeof(ping)),
		   "bystander not served (n %d type %#x tid %#llx)", n, type,
		   (unsigned long long)tid);
	FUZZ_CHECK(vmbus_server_stats(c->s)->refused_total == 0,
		   "bystander had messages refused");
	FUZZ_CHECK(vmbus_server_check(c->s, why, sizeof(why)) == 0,
		   "bystander server: %s", why);
	ram = physmem_ram_ptr(hv_part_mem(c->p), 0, FUZZ_RAM_PAGES * 4096ull);
	for (uint32_t p = 0; p < FUZZ_RAM_PAGES; p++)
		FUZZ_CHECK(bystander_page(p) || page_all(ram + p * 4096, CANARY),
			   "bystander page %u changed", p);
}

static uint16_t packet_type(uint8_t sel)
{
	static const uint16_t valid[4] = {VSP_PKT_DATA_INBAND,
					  VSP_PKT_DATA_XFER_PAGES,
					  VSP_PKT_DATA_GPA_DIRECT, VSP_PKT_COMP};

	return sel < 4 ? valid[sel] : sel;
}

static const char *const op_names[FZ_NR_OPS] = {
    "post", "direct", "take", "take_all", "ram", "send",
    "signal", "drain", "rescind", "reset", "flush", "run"};

/* FUZZ_VERBOSE=1: each action and the server's state after it, to read
 * what a crashing input does. */
static void show(struct fuzz_child *c, unsigned op, const uint8_t *at,
		 size_t n)
{
	const struct vmbus_server_stats *st = vmbus_server_stats(c->s);

	fprintf(stderr, "%-8s", op_names[op]);
	for (size_t i = 0; i < n && i < 24; i++)
		fprintf(stderr, " %02x", at[i]);
	fprintf(stderr, "%s -> %s, in %llu out %llu refused %llu packets %llu "
			"gpadls %u, relid 1 %s, relid 2 %s\n",
		n > 24 ? " .." : "",
		vmbus_conn_state_name(vmbus_server_state(c->s)),
		(unsigned long long)st->msgs_in,
		(unsigned long long)st->msgs_out,
		(unsigned long long)st->refused_total,
		(unsigned long long)st->packets, vmbus_server_nr_gpadls(c->s),
		vmbus_chan_state_name(vmbus_server_chan_state(c->s, 1)),
		vmbus_chan_state_name(vmbus_server_chan_state(c->s, 2)));
}

/* One guest (or host) action from the input. */
static void step(struct fuzz_rig *r, struct fuzz_child *c, struct fuzz_in *in,
		 bool verbose)
{
	const uint8_t *at = in->p;
	unsigned op = in_u8(in) % FZ_NR_OPS;

	struct chanmsg m;
	const uint8_t *b;
	size_t n;
	uint8_t sel, vp, page, npages, type, flags, off8;
	uint16_t off, len;
	uint32_t conn;
	uint64_t tid;

	switch (op) {
	case FZ_POST:
		sel = in_u8(in);
		b = in_bytes(in, in_u8(in), &n);
		guest_post(c, (sel >> 1) & 1,
			   sel & 1 ? VMBUS_MESSAGE_CONNECTION_ID_4
				   : VMBUS_MESSAGE_CONNECTION_ID,
			   b, (unsigned)n);
		break;
	case FZ_DIRECT:
		conn = in_u8(in);
		vp = in_u8(in);
		b = in_bytes(in, in_u8(in), &n);
		vmbus_server_on_message(c->s, conn, vp, b, n, fuzz_now(r));
		break;
	case FZ_TAKE:
		guest_take(c, in_u8(in) & 1, &m);
		break;
	case FZ_TAKE_ALL:
		for (unsigned i = 0; i < 2 * VMBUS_OUTQ_MAX; i++)
			if (!guest_take(c, 0, &m) && !guest_take(c, 1, &m))
				break;
		break;
	case FZ_RAM:
		page = in_u8(in);
		off = in_u16(in) % 4096;
		b = in_bytes(in, in_u8(in), &n);
		guest_write(c, (uint64_t)page * 4096 + off, b, (uint32_t)n);
		break;
	case FZ_SEND:
		page = in_u8(in);
		npages = in_u8(in);
		type = in_u8(in);
		flags = in_u8(in);
		off8 = in_u8(in);
		tid = in_u64(in);
		len = in_u16(in) % 8192;
		b = in_bytes(in, len, &n);
		guest_ring_send(c, page, npages, packet_type(type), flags, off8,
				tid, b, (uint32_t)n);
		break;
	case FZ_SIGNAL:
		conn = in_u8(in);
		guest_signal(c, in_u8(in) & 1, conn);
		break;
	case FZ_DRAIN:
		page = in_u8(in);
		guest_ring_drain(c, page, in_u8(in));
		break;
	case FZ_RESCIND:
		vmbus_server_rescind(c->s, in_u8(in), fuzz_now(r));
		break;
	case FZ_RESET:
		fuzz_child_reset(c);
		break;
	case FZ_FLUSH:
		vmbus_server_flush(c->s);
		break;
	case FZ_RUN:
		fuzz_run(r, (uint64_t)in_u16(in) * 1000);
		break;
	}
	if (verbose)
		show(c, op, at + 1, (size_t)(in->p - at - 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct fuzz_rig *r = fuzz_rig_get(in_u8(&in) & FZ_MODE_PARENT);
	char why[160];
	bool verbose = getenv("FUZZ_VERBOSE") != NULL;

	fuzz_rig_begin(r, true);
	bystander_up(&r->c[1]);
	while (!in_done(&in)) {
		uint64_t refused = vmbus_server_stats(r->c[0].s)->refused_total;
		uint64_t traced = trace_count(r->trace);

		step(r, &r->c[0], &in, verbose);
		FUZZ_CHECK(vmbus_server_check(r->c[0].s, why, sizeof(why)) == 0,
			   "%s", why);
		/* Every refusal is traced (vmbus_refused), besides the rest. */
		FUZZ_CHECK(trace_count(r->trace) - traced >=
			       vmbus_server_stats(r->c[0].s)->refused_total -
				   refused,
			   "refusals not traced");
	}
	bystander_check(&r->c[1]);
	fuzz_rig_end(r);
	return 0;
}
