/*
 * hv/synic.c — one vCPU's synthetic interrupt controller: the SynIC MSRs
 * (SCONTROL, SVERSION, SIEFP, SIMP, EOM, SINT0..15; the STIMER MSRs are
 * passed to hv/synic_timer.c), creation, reset and the invariants.
 * Delivery (message slots, queues, event flags) is hv/synic_msg.c.
 *
 * Spec: Hyper-V TLFS "Synthetic Interrupt Controller";
 * ../shared/reference/vmbus.md §1.3 (MSR layouts). Called by hv/hvmsr.c
 * (MSRs) and hv/hv.c (create, destroy).
 *
 * Choices where the TLFS leaves room: SCONTROL bits 1..63 and SIMP/SIEFP
 * bits 1..11 are preserved (RsvdP; Linux read-modify-writes them), SINTx
 * and STIMERx reserved bits #GP, as does an unmasked SINT vector below 16
 * and enabling a SIMP/SIEFP page that is not entirely in the partition's
 * RAM.
 */
#include <stdlib.h>

#include "hv/synic_int.h"

static bool page_in_ram(struct synic *s, uint64_t gpa)
{
	return physmem_ram_ptr(s->h.mem, gpa, PAGE_SIZE) != NULL;
}

/* ---- MSRs ------------------------------------------------------------------ */

static int rd_scontrol(struct synic *s, unsigned i, uint64_t *v)
{
	(void)i;
	*v = s->scontrol;
	return 0;
}

static int wr_scontrol(struct synic *s, unsigned i, uint64_t v)
{
	(void)i;
	s->scontrol = v;
	synic_flush_all(s); /* messages queued while it was off go out now */
	return 0;
}

static int rd_sversion(struct synic *s, unsigned i, uint64_t *v)
{
	(void)s, (void)i;
	*v = HV_SYNIC_VERSION;
	return 0;
}

static int wr_gp(struct synic *s, unsigned i, uint64_t v)
{
	(void)s, (void)i, (void)v;
	return -1; /* read-only */
}

static int rd_gp(struct synic *s, unsigned i, uint64_t *v)
{
	(void)s, (void)i, (void)v;
	return -1; /* write-only */
}

static int rd_siefp(struct synic *s, unsigned i, uint64_t *v)
{
	(void)i;
	*v = s->siefp;
	return 0;
}

static int wr_siefp(struct synic *s, unsigned i, uint64_t v)
{
	(void)i;
	if ((v & HV_MSR_ENABLE) && !page_in_ram(s, PAGE_GPA(v)))
		return -1;
	s->siefp = v;
	return 0;
}

static int rd_simp(struct synic *s, unsigned i, uint64_t *v)
{
	(void)i;
	*v = s->simp;
	return 0;
}

static int wr_simp(struct synic *s, unsigned i, uint64_t v)
{
	(void)i;
	if ((v & HV_MSR_ENABLE) && !page_in_ram(s, PAGE_GPA(v)))
		return -1;
	s->simp = v;
	synic_flush_all(s);
	return 0;
}

static int wr_eom(struct synic *s, unsigned i, uint64_t v)
{
	(void)i, (void)v;
	s->st.eoms++;
	synic_flush_all(s);
	return 0;
}

static int rd_sint(struct synic *s, unsigned i, uint64_t *v)
{
	*v = s->sint[i];
	return 0;
}

static bool sint_quiet(uint64_t v)
{
	return v & (HV_SINT_MASKED | HV_SINT_POLLING);
}

static int wr_sint(struct synic *s, unsigned i, uint64_t v)
{
	uint64_t old = s->sint[i];

	if ((v & ~SINT_VALID) ||
	    (!(v & HV_SINT_MASKED) && (v & HV_SINT_VECTOR_MASK) < 16))
		return -1;
	s->sint[i] = v;
	if (sint_quiet(old) && !sint_quiet(v))
		synic_sint_woke(s, i);
	return 0;
}

static int rd_stimer(struct synic *s, unsigned i, uint64_t *v)
{
	return synic_stimer_msr_read(s, i, v);
}

static int wr_stimer(struct synic *s, unsigned i, uint64_t v)
{
	return synic_stimer_msr_write(s, i, v);
}

/* The SynIC MSRs: [first, last], index passed = msr - first. */
static const struct {
	uint32_t first, last;
	int (*rd)(struct synic *s, unsigned i, uint64_t *v);
	int (*wr)(struct synic *s, unsigned i, uint64_t v);
} msr_table[] = {
    {HV_MSR_SCONTROL, HV_MSR_SCONTROL, rd_scontrol, wr_scontrol},
    {HV_MSR_SVERSION, HV_MSR_SVERSION, rd_sversion, wr_gp},
    {HV_MSR_SIEFP, HV_MSR_SIEFP, rd_siefp, wr_siefp},
    {HV_MSR_SIMP, HV_MSR_SIMP, rd_simp, wr_simp},
    {HV_MSR_EOM, HV_MSR_EOM, rd_gp, wr_eom},
    {HV_MSR_SINT0, HV_MSR_SINT0 + HV_SYNIC_SINT_COUNT - 1, rd_sint, wr_sint},
    {HV_MSR_STIMER0_CONFIG,
     HV_MSR_STIMER0_CONFIG + 2 * HV_SYNIC_STIMER_COUNT - 1, rd_stimer,
     wr_stimer},
};

#define MSR_ROWS (sizeof(msr_table) / sizeof(msr_table[0]))

static int msr_row(uint32_t msr)
{
	for (unsigned r = 0; r < MSR_ROWS; r++)
		if (msr >= msr_table[r].first && msr <= msr_table[r].last)
			return (int)r;
	return -1;
}

int synic_msr_read(struct synic *s, uint32_t msr, uint64_t *val)
{
	int r = msr_row(msr);

	if (r < 0)
		return 1;
	return msr_table[r].rd(s, msr - msr_table[r].first, val);
}

int synic_msr_write(struct synic *s, uint32_t msr, uint64_t val)
{
	int r = msr_row(msr);

	if (r < 0)
		return 1;
	return msr_table[r].wr(s, msr - msr_table[r].first, val);
}

/* ---- lifecycle, stats, invariants ----------------------------------------- */

struct synic *synic_create(const struct synic_hooks *h)
{
	struct synic *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->h = *h;
	synic_reset(s);
	return s;
}

void synic_reset(struct synic *s)
{
	synic_stimers_reset(s);
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		s->sint[i] = HV_SINT_MASKED;
		if (s->q[i]) {
			s->dropped += s->q[i]->len;
			s->q[i]->head = s->q[i]->len = 0;
		}
	}
	s->scontrol = s->simp = s->siefp = 0;
}

void synic_destroy(struct synic *s)
{
	if (!s)
		return;
	synic_stimers_reset(s); /* cancels the armed timers */
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		free(s->q[i]);
	free(s);
}

const struct synic_stats *synic_stats(const struct synic *s)
{
	return &s->st;
}

int synic_sint_vector(const struct synic *s, unsigned sint)
{
	uint64_t v;

	if (sint >= HV_SYNIC_SINT_COUNT)
		return -1;
	v = s->sint[sint];
	if (!synic_on(s) || (v & (HV_SINT_MASKED | HV_SINT_POLLING)))
		return -1;
	return (int)(v & HV_SINT_VECTOR_MASK);
}

static bool queue_ok(const struct synic_queue *q)
{
	if (q->head >= SYNIC_QUEUE_MAX || q->len > SYNIC_QUEUE_MAX)
		return false;
	for (unsigned k = 0; k < q->len; k++) {
		const struct synic_msg *m = &q->m[(q->head + k) % SYNIC_QUEUE_MAX];

		if (m->size > HV_MESSAGE_PAYLOAD_MAX || m->type == HVMSG_NONE)
			return false;
	}
	return true;
}

bool synic_check_invariants(const struct synic *s)
{
	uint64_t queued = 0;

	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		uint64_t v = s->sint[i];

		if ((v & ~SINT_VALID) ||
		    (!(v & HV_SINT_MASKED) && (v & HV_SINT_VECTOR_MASK) < 16))
			return false;
		if (s->q[i] && !queue_ok(s->q[i]))
			return false;
		queued += synic_queue_len(s, i);
	}
	for (unsigned i = 0; i < HV_SYNIC_STIMER_COUNT; i++)
		if (!synic_stimer_ok(&s->t[i]))
			return false;
	if ((s->simp & HV_MSR_ENABLE) &&
	    !physmem_ram_ptr(s->h.mem, PAGE_GPA(s->simp), PAGE_SIZE))
		return false;
	if ((s->siefp & HV_MSR_ENABLE) &&
	    !physmem_ram_ptr(s->h.mem, PAGE_GPA(s->siefp), PAGE_SIZE))
		return false;
	return s->st.posted == s->posts_delivered + queued + s->dropped &&
	       s->st.delivered >= s->posts_delivered &&
	       s->st.queued <= s->st.posted;
}
