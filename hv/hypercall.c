/*
 * hv/hypercall.c — the hypercall interface: the VMCALL exit of a vCPU
 * becomes a call of the table below.
 *
 * Spec: Hyper-V TLFS "Hypercall Interface" (control value, result value,
 * the common status codes, the x64 and x86-32 register ABIs) and the
 * pages of the calls in the table; ../shared/reference/vmbus.md §2.
 * Called by hv/exit.c (the VMCALL row of the exit table).
 *
 * A call reads its input as bytes, whether it came in registers (fast:
 * RDX then R8, little-endian, which is the memory layout of the same
 * block) or from the input page (slow). Every guest value is checked:
 * control bits, the GPAs (8-byte aligned, within one page, in the
 * partition's RAM) and each call's own fields. The guest cannot make the
 * hypervisor touch memory outside its own partition.
 *
 * Rep calls complete all their reps at once (no 50 µs time limit is
 * modelled), so RIP always moves past the VMCALL and RCX is left alone.
 * No call of today's table is a rep call; the columns are there for the
 * ones to come.
 */
#include <string.h>

#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/hypercall.h"
#include "hv/port.h"
#include "hv/vapic.h"
#include "mmu/mmu.h"
#include "sim/le.h"

/*
 * Cost of a memory-based (slow) call beyond the exit row's 1,500 cycles
 * (performance.md §7: "memory-based hypercall with an input page: 2,500
 * cycles + 1 cycle per 8 bytes copied"; the fast-hypercall row, 1,500, is
 * already charged by hv/exit.c).
 */
#define HCALL_SLOW_EXTRA      1000
#define HCALL_BYTES_PER_CYCLE 8

/* HV_CONNECTION_ID: the id is the low 24 bits, the top 8 are reserved
 * (TLFS HV_CONNECTION_ID; vmbus.md §2.6). */
#define HCALL_CONN_ID_MASK    0xFFFFFFu
/* Message types with the top bit set belong to the hypervisor (TLFS
 * HV_MESSAGE_TYPE). */
#define HCALL_MSG_TYPE_HV_BIT 0x80000000u
/* Fixed interrupt vectors below 16 are reserved by the architecture. */
#define HCALL_IPI_VECTOR_MIN  16

/* Register input of a fast call: RDX and R8 (EBX:ECX and EDI:ESI). */
#define HCALL_FAST_IN_MAX 16

/* What a handler gets: its input block, the rep window, and where its
 * output goes (zeroed, row.out_bytes long). */
struct hcall_ctx {
	struct hv_vp *vp;
	const uint8_t *in;
	uint8_t *out;
	unsigned rep_start, rep_count;
	unsigned reps_done; /* set by a rep handler */
};

typedef unsigned hcall_fn(struct hcall_ctx *c);

struct hcall_row {
	uint16_t code;
	const char *name;
	bool fast_ok, slow_ok;
	bool rep;
	unsigned in_bytes, out_bytes; /* fixed part */
	unsigned rep_in, rep_out;     /* per rep element (rep calls) */
	hcall_fn *fn;
};

/* ---- the calls ----------------------------------------------------------- */

/* HvCallPostMessage (TLFS): {conn id u32, rsvd u32, type u32, size u32,
 * payload[240]}. The reserved word is not checked (Linux writes 0). */
static unsigned hc_post_message(struct hcall_ctx *c)
{
	uint32_t conn = le_get32(c->in) & HCALL_CONN_ID_MASK;
	uint32_t type = le_get32(c->in + 8);
	uint32_t size = le_get32(c->in + 12);

	if (type == HVMSG_NONE || (type & HCALL_MSG_TYPE_HV_BIT) ||
	    size > HV_MESSAGE_PAYLOAD_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	return hv_port_post(c->vp->part, c->vp->index, conn, type, c->in + 16,
			    size);
}

/* HvCallSignalEvent (TLFS): {conn id u32, flag number u16, rsvd u16};
 * fast: RDX = conn | flag << 32. */
static unsigned hc_signal_event(struct hcall_ctx *c)
{
	uint32_t conn = le_get32(c->in) & HCALL_CONN_ID_MASK;
	unsigned flag = (unsigned)(le_get64(c->in) >> 32) & 0xFFFFu;

	if (flag >= HV_EVENT_FLAGS_PER_SINT)
		return HV_STATUS_INVALID_PARAMETER;
	return hv_port_signal(c->vp->part, c->vp->index, conn, flag);
}

/* HvCallNotifyLongSpinWait: a hint (input: the spin count); nothing to
 * do, since our scheduler does not co-schedule. */
static unsigned hc_long_spin_wait(struct hcall_ctx *c)
{
	(void)c;
	return HV_STATUS_SUCCESS;
}

/* HvCallGetPartitionId: output u64. We never advertise it (CPUID
 * 0x40000003.EBX bit 1 stays clear, vmbus-linux61.md row 1), but a guest
 * that calls it anyway gets its id. */
static unsigned hc_get_partition_id(struct hcall_ctx *c)
{
	uint64_t id = c->vp->part->id;

	memcpy(c->out, &id, sizeof(id));
	return HV_STATUS_SUCCESS;
}

/* HvCallSendSyntheticClusterIpi: {vector u32, rsvd u32, VP mask u64}.
 * Bits of VPs the partition does not have are ignored. */
static unsigned hc_send_ipi(struct hcall_ctx *c)
{
	uint32_t vector = le_get32(c->in);
	uint64_t mask = le_get64(c->in + 8);
	struct hv_part *p = c->vp->part;

	if (vector < HCALL_IPI_VECTOR_MIN || vector > 255)
		return HV_STATUS_INVALID_PARAMETER;
	for (unsigned i = 0; i < p->nr_vps && i < 64; i++)
		if (mask & (1ull << i))
			vapic_raise(&p->vp[i], (uint8_t)vector, false);
	return HV_STATUS_SUCCESS;
}

/* The calls; a column left out is false / 0 (no rep call exists yet). */
/* clang-format off */
static const struct hcall_row hcall_table[] = {
    {.code = HVCALL_NOTIFY_LONG_SPIN_WAIT, .name = "HvNotifyLongSpinWait",
     .fast_ok = true, .slow_ok = true, .in_bytes = 8,
     .fn = hc_long_spin_wait},
    {.code = HVCALL_SEND_IPI, .name = "HvSendSyntheticClusterIpi",
     .fast_ok = true, .slow_ok = true, .in_bytes = 16, .fn = hc_send_ipi},
    {.code = HVCALL_GET_PARTITION_ID, .name = "HvGetPartitionId",
     .slow_ok = true, .out_bytes = 8, .fn = hc_get_partition_id},
    {.code = HVCALL_POST_MESSAGE, .name = "HvPostMessage", .slow_ok = true,
     .in_bytes = HV_POST_MESSAGE_SIZE, .fn = hc_post_message},
    {.code = HVCALL_SIGNAL_EVENT, .name = "HvSignalEvent", .fast_ok = true,
     .slow_ok = true, .in_bytes = 8, .fn = hc_signal_event},
};
/* clang-format on */

#define HCALL_NR (sizeof(hcall_table) / sizeof(hcall_table[0]))

static const struct hcall_row *hcall_find(uint16_t code)
{
	for (unsigned i = 0; i < HCALL_NR; i++)
		if (hcall_table[i].code == code)
			return &hcall_table[i];
	return NULL;
}

const char *hcall_name(uint16_t code)
{
	const struct hcall_row *r = hcall_find(code);

	return r ? r->name : NULL;
}

/* ---- control and result values ------------------------------------------- */

unsigned hcall_decode(uint64_t control, struct hv_hcall *hc)
{
	hc->code = (uint16_t)(control & HV_HC_CODE_MASK);
	hc->fast = (control & HV_HC_FAST) != 0;
	hc->varhead =
	    (unsigned)(control >> HV_HC_VARHEAD_SHIFT) & HV_HC_VARHEAD_MASK;
	hc->rep_count =
	    (unsigned)(control >> HV_HC_REP_COUNT_SHIFT) & HV_HC_REP_MASK;
	hc->rep_start =
	    (unsigned)(control >> HV_HC_REP_START_SHIFT) & HV_HC_REP_MASK;
	if (control & HV_HC_RESERVED_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* TLFS common status codes: "the rep start index is not smaller than
	 * the rep count" (a zero start with a zero count is a simple call). */
	if (hc->rep_start && hc->rep_start >= hc->rep_count)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

uint64_t hcall_result(unsigned status, unsigned reps_done)
{
	return (uint64_t)(status & 0xFFFFu) |
	       (uint64_t)(reps_done & HV_HC_REP_MASK)
		   << HV_HC_RESULT_REPS_SHIFT;
}

/* Does the call's shape fit the row? TLFS: a rep count on a simple call,
 * a zero rep count on a rep call, and (our reading of "invalid encoding")
 * the fast bit on a call without a register form, or a variable header
 * on a call that has none, are INVALID_HYPERCALL_INPUT. */
static unsigned hcall_check_shape(const struct hcall_row *r,
				  const struct hv_hcall *hc)
{
	if (hc->fast ? !r->fast_ok : !r->slow_ok)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (hc->varhead)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (r->rep ? hc->rep_count == 0 : (hc->rep_count || hc->rep_start))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (hc->fast && r->in_bytes > HCALL_FAST_IN_MAX)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

/* TLFS common status codes: a parameter GPA not 8-byte aligned, a block
 * that spans pages, or one outside the GPA space is INVALID_ALIGNMENT. */
static unsigned hcall_check_gpa(struct physmem *mem, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return HV_STATUS_SUCCESS;
	if (gpa & 7)
		return HV_STATUS_INVALID_ALIGNMENT;
	if ((gpa & (PAGE_SIZE - 1)) + len > PAGE_SIZE)
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!physmem_ram_ptr(mem, gpa, len))
		return HV_STATUS_INVALID_ALIGNMENT;
	return HV_STATUS_SUCCESS;
}

/* ---- the registers ------------------------------------------------------- */

/* The three 64-bit values of a call and where its result goes: RCX, RDX,
 * R8 in 64-bit mode; EDX:EAX, EBX:ECX, EDI:ESI otherwise (the TLFS picks
 * the ABI from EFER.LMA and CS.L, which is cpu_in_long_mode). */
struct hcall_regs {
	uint64_t control, in, out;
};

static uint64_t pair(const struct cpu *c, enum gpr hi, enum gpr lo)
{
	return (cpu_get_gpr(c, hi) & 0xFFFFFFFFu) << 32 |
	       (cpu_get_gpr(c, lo) & 0xFFFFFFFFu);
}

static void hcall_read_regs(const struct cpu *c, struct hcall_regs *r)
{
	if (cpu_in_long_mode(c)) {
		r->control = cpu_get_gpr(c, RCX);
		r->in = cpu_get_gpr(c, RDX);
		r->out = cpu_get_gpr(c, R8);
	} else {
		r->control = pair(c, RDX, RAX);
		r->in = pair(c, RBX, RCX);
		r->out = pair(c, RDI, RSI);
	}
}

static void hcall_write_result(struct cpu *c, uint64_t result)
{
	if (cpu_in_long_mode(c)) {
		cpu_set_gpr(c, RAX, result);
	} else {
		cpu_set_gpr(c, RAX, result & 0xFFFFFFFFu);
		cpu_set_gpr(c, RDX, result >> 32);
	}
}

/* ---- dispatch ------------------------------------------------------------ */

/* Run a decoded call whose shape was checked: gather the input (registers
 * or page), run the handler, write the output page. *copied counts the
 * bytes moved to or from guest memory. */
static unsigned hcall_run(struct hv_vp *vp, const struct hcall_row *row,
			  const struct hv_hcall *hc, const struct hcall_regs *r,
			  unsigned *reps_done, uint64_t *copied)
{
	/* Big enough for the largest block a page can hold. */
	_Alignas(8) uint8_t in[PAGE_SIZE], out[PAGE_SIZE];
	uint64_t in_len = row->in_bytes + (uint64_t)hc->rep_count * row->rep_in;
	uint64_t out_len =
	    row->out_bytes + (uint64_t)hc->rep_count * row->rep_out;
	struct physmem *mem = vp->part->mem;
	struct hcall_ctx c = {.vp = vp,
			      .in = in,
			      .out = out,
			      .rep_start = hc->rep_start,
			      .rep_count = hc->rep_count};
	unsigned st;

	memset(in, 0, HCALL_FAST_IN_MAX);
	if (hc->fast) {
		memcpy(in, &r->in, 8);
		memcpy(in + 8, &r->out, 8);
		out_len = 0; /* fast calls have no output block */
	} else {
		if ((st = hcall_check_gpa(mem, r->in, in_len)) ||
		    (st = hcall_check_gpa(mem, r->out, out_len)))
			return st;
		physmem_copy_from(mem, in, r->in, in_len);
		*copied += in_len;
	}
	memset(out, 0, out_len);
	st = row->fn(&c);
	*reps_done =
	    row->rep && st == HV_STATUS_SUCCESS ? hc->rep_count : c.reps_done;
	if (out_len && (st == HV_STATUS_SUCCESS || *reps_done)) {
		physmem_copy_to(mem, r->out, out, out_len);
		*copied += out_len;
	}
	return st;
}

/* Is the vCPU allowed to make a hypercall at all? TLFS: from CPL 0 in
 * protected (or long) mode, once the guest enabled the hypercall page;
 * else VMCALL is #UD. */
static bool hcall_allowed(const struct hv_vp *vp)
{
	if (!(vp->part->hypercall_msr & HV_MSR_ENABLE))
		return false;
	/* TLFS: only from CPL 0 in protected mode (real and virtual-8086
	 * mode get #UD). */
	return cpu_in_protected_mode(vp->cpu) && cpu_get_cpl(vp->cpu) == 0;
}

int hcall_dispatch(struct hv_vp *vp, cycles_t *lat)
{
	const struct hcall_row *row;
	struct hcall_regs r;
	struct hv_hcall hc;
	unsigned st, reps_done = 0;
	uint64_t copied = 0;

	if (!hcall_allowed(vp))
		return ENV_UNHANDLED;
	hcall_read_regs(vp->cpu, &r);
	st = hcall_decode(r.control, &hc);
	row = hcall_find(hc.code);
	if (st == HV_STATUS_SUCCESS && !row)
		st = HV_STATUS_INVALID_HYPERCALL_CODE;
	if (st == HV_STATUS_SUCCESS)
		st = hcall_check_shape(row, &hc);
	if (st == HV_STATUS_SUCCESS)
		st = hcall_run(vp, row, &hc, &r, &reps_done, &copied);
	/* A memory-based call costs more than the exit row's fast call,
	 * whether or not its input passed the checks. */
	if (row && !hc.fast)
		*lat += HCALL_SLOW_EXTRA + copied / HCALL_BYTES_PER_CYCLE;
	hcall_write_result(vp->cpu, hcall_result(st, reps_done));
	return ENV_OK;
}
