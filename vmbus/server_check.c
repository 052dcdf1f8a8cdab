/*
 * vmbus/server_check.c — vmbus_server_check (vmbus/server.h): the
 * server's internal invariants, checked from outside by the fuzzers
 * (tests/fuzz/) and unit tests after every hostile input (STYLE.md §5's
 * debug hooks). Read-only: it never changes the server or guest memory.
 *
 * What must hold whatever the child sent:
 *   - the counters add up (refused_total is the sum of refused[]);
 *   - the outgoing queue is within its array;
 *   - every GPADL the server holds has a unique handle, names a live
 *     channel, has at most GPADL_MAX_PAGES pages, and every one of its
 *     pages lies entirely in the child's RAM;
 *   - a GPADL is "in use" exactly when one open channel has its rings in
 *     it, and an open channel's rings lie inside that GPADL;
 *   - a closed channel holds no rings, no buffer;
 *   - outside the OFFERED connection state no channel is open and no
 *     GPADL is held (UNLOAD and reset drop them).
 */
#include <stdarg.h>
#include <stdio.h>

#include "hv/hv.h"
#include "hv/hvdefs.h"
#include "mmu/mmu.h"
#include "vmbus/server_int.h"

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int check_gpadl(struct vmbus_server *s, unsigned i, char *why,
		       size_t len)
{
	const struct srv_gpadl *g = &s->gpadl[i];
	struct physmem *mem = hv_part_mem(s->child);
	uint32_t pages;

	if (!g->g)
		return fail(why, len, "gpadl slot %u used without a gpadl", i);
	if (gpadl_handle(g->g) != g->handle)
		return fail(why, len, "gpadl slot %u: handle %#x vs %#x", i,
			    g->handle, gpadl_handle(g->g));
	for (unsigned j = 0; j < i; j++)
		if (s->gpadl[j].used && s->gpadl[j].handle == g->handle)
			return fail(why, len, "gpadl handle %#x twice",
				    g->handle);
	if (!srv_chan(s, g->relid))
		return fail(why, len, "gpadl %#x on relid %u: no channel",
			    g->handle, g->relid);
	pages = gpadl_page_count(g->g);
	if (pages > GPADL_MAX_PAGES)
		return fail(why, len, "gpadl %#x: %u pages", g->handle, pages);
	if (gpadl_size(g->g) > (uint64_t)pages * GPADL_PAGE_SIZE)
		return fail(why, len, "gpadl %#x: %llu bytes in %u pages",
			    g->handle, (unsigned long long)gpadl_size(g->g),
			    pages);
	for (uint32_t p = 0; p < pages; p++) {
		uint64_t pfn = gpadl_pfn(g->g, p);

		if (pfn >= (1ull << 52) ||
		    !physmem_ram_ptr(mem, pfn << 12, GPADL_PAGE_SIZE))
			return fail(why, len, "gpadl %#x: pfn %#llx not RAM",
				    g->handle, (unsigned long long)pfn);
	}
	return 0;
}

static int check_channel(struct vmbus_server *s, unsigned i, char *why,
			 size_t len)
{
	const struct vmbus_channel *ch = &s->ch[i];

	if ((unsigned)ch->state >= VMBUS_NR_CHAN_STATES)
		return fail(why, len, "relid %u: state %d", i + 1, ch->state);
	if (ch->state == VMBUS_CH_FREE)
		return 0;
	if (!ch->vsp || ch->relid != i + 1)
		return fail(why, len, "relid %u: no VSP or wrong relid", i + 1);
	if (ch->state != VMBUS_CH_OPEN) {
		if (ch->ring_gpadl || ch->buf)
			return fail(why, len, "relid %u closed but holds rings",
				    i + 1);
		return 0;
	}
	if (s->state != VMBUS_OFFERED)
		return fail(why, len, "relid %u open while %s", i + 1,
			    vmbus_conn_state_name(s->state));
	if (!ch->ring_gpadl || !ch->ring_gpadl->used ||
	    !ch->ring_gpadl->in_use || ch->ring_gpadl->g != ch->rx.g ||
	    ch->rx.g != ch->tx.g)
		return fail(why, len, "relid %u open without its gpadl", i + 1);
	if (!ch->buf || ch->buf_size == 0 || ch->buf_size > ch->rx.data_size ||
	    ch->buf_size > VMBUS_READ_BUF_MAX)
		return fail(why, len, "relid %u: read buffer", i + 1);
	if (!ring_check_invariants(&ch->rx) || !ring_check_invariants(&ch->tx))
		return fail(why, len, "relid %u: ring invariants", i + 1);
	return 0;
}

int vmbus_server_check(struct vmbus_server *s, char *why, size_t len)
{
	uint64_t sum = 0;
	unsigned ngpadl = 0;

	if ((unsigned)s->state >= VMBUS_NR_CONN_STATES)
		return fail(why, len, "connection state %d", s->state);
	for (unsigned i = 0; i < VMBUS_NR_REFUSALS; i++)
		sum += s->st.refused[i];
	if (sum != s->st.refused_total)
		return fail(why, len, "refused %llu != sum %llu",
			    (unsigned long long)s->st.refused_total,
			    (unsigned long long)sum);
	if (s->outq_len > VMBUS_OUTQ_MAX || s->outq_head >= VMBUS_OUTQ_MAX)
		return fail(why, len, "outq %u at %u", s->outq_len,
			    s->outq_head);
	if (s->target_vp >= hv_part_nr_vps(s->child) ||
	    s->sint >= HV_SYNIC_SINT_COUNT)
		return fail(why, len, "target vp %u sint %u", s->target_vp,
			    s->sint);
	for (unsigned i = 0; i < VMBUS_MAX_CHANNELS; i++)
		if (check_channel(s, i, why, len))
			return -1;
	for (unsigned i = 0; i < VMBUS_MAX_GPADLS; i++) {
		unsigned users = 0;

		if (!s->gpadl[i].used)
			continue;
		ngpadl++;
		if (check_gpadl(s, i, why, len))
			return -1;
		for (unsigned c = 0; c < VMBUS_MAX_CHANNELS; c++)
			users += s->ch[c].state == VMBUS_CH_OPEN &&
				 s->ch[c].ring_gpadl == &s->gpadl[i];
		if (users != (s->gpadl[i].in_use ? 1u : 0u))
			return fail(why, len, "gpadl %#x in_use %d, %u users",
				    s->gpadl[i].handle, s->gpadl[i].in_use,
				    users);
	}
	if (ngpadl && s->state != VMBUS_OFFERED)
		return fail(why, len, "%u gpadls held while %s", ngpadl,
			    vmbus_conn_state_name(s->state));
	return 0;
}
