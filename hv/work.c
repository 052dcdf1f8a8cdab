/*
 * hv/work.c — the parent's service work on its simulated vCPUs, and the
 * forwarding of a child's port I/O intercepts to its VM Worker.
 *
 * Service work (hv_submit_work, hv/hv.h): the parent's services are
 * native C, but their work runs on the parent's vCPUs. Each service vCPU
 * has a queue, in not_before order and FIFO among equals, of items {fn, opaque,
 * copied data, ring-0 cost, ring-3 cost, not_before}. A new item goes to the
 * vCPU with the least queued work (ties: the lowest index), which is woken if
 * it was halted. In the vCPU's slice (sched.c) workq_run_slice runs items in
 * order while the budget lasts: the clock moves by the item's cost
 * (cpu_advance_clock, counted in svc_ring0 / svc_ring3, not as root time), then
 * fn runs with the completion cycle. An item that does not fit in the remaining
 * budget still runs to its end — there is no preemption inside an item,
 * as a kernel work item or a user-mode request handler runs to its end;
 * the overrun is charged to the vCPU's share like any slice. A vCPU
 * whose next item is not due yet (not_before) halts, and an event wakes
 * it at not_before: idle until then, the pCPU free for others. With no
 * service partition, fn runs at once.
 *
 * Forwarding (hv_io_intercept, hv_int.h): a child's IN/OUT is an intercept
 * message to the parent, whose VM Worker emulates the device on a parent
 * vCPU (ring 3) and completes the intercept; meanwhile the child's vCPU is
 * blocked (vp->io.state = HV_IO_WAITING: off the run queue, sched.c) and
 * its instruction is undone (ENV_RETRY, cpu/cpu.h). When it runs again
 * the instruction re-executes and finds the answer (HV_IO_DONE); that
 * second pass is not counted as another exit. Costs: the table below.
 * A service or parent partition's own I/O is handled synchronously.
 */
#include <stdlib.h>
#include <string.h>

#include "hv/hv_int.h"
#include "hv/work.h"

/*
 * Intercept forwarded to the root partition and resumed: 8 µs end to end
 * (../shared/reference/performance.md §7, range 3-20 µs; a KVM round
 * trip to user space is several µs). Split, in ns, into the parent
 * kernel's dispatch of the intercept message to the worker process (ring
 * 0), the worker's device emulation (ring 3), and the completion back
 * through the hypervisor (ring 0), which gets what is left of the 8 µs
 * after the exit row's cost (hv/exit.c, root time of the child). At 2.5
 * GHz: 1,200 + 5,000 + 10,000 + 3,800 = 20,000 cycles = 8 µs. The split
 * is our estimate [U]; only the total is from the reference.
 */
#define FWD_TOTAL_NS	8000
#define FWD_DISPATCH_NS 2000
#define FWD_EMULATE_NS	4000

struct work_item {
	struct work_item *next;
	hv_work_fn *fn;
	void *opaque;
	cycles_t cost0, cost3; /* ring 0 / ring 3 cycles */
	cycles_t not_before;
	const struct hv_vp *io_vp; /* a forwarded I/O: the child vCPU */
	size_t len;
	unsigned char data[];
};

/* One service vCPU's queue. */
struct vp_queue {
	struct work_item *head;
	cycles_t queued; /* cost of the items in the queue */
	struct evq *q;	 /* where wake_ev is */
	evq_id wake_ev;	 /* wakes the halted vCPU at the next not_before */
	struct hv_vp *vp;
};

/* Items with at most this much data are recycled through the free list
 * below: service work is a small item per message, read or completion,
 * and a malloc and a free for each cost more than running it. */
#define ITEM_SMALL_DATA 256

struct hv_workq {
	struct vp_queue vq[HV_MAX_VPS];
	struct work_item *free_items; /* small items done, to reuse */
};

struct hv_workq *workq_create(void)
{
	return calloc(1, sizeof(struct hv_workq));
}

/* An item with room for len bytes of data (uninitialised), or NULL. */
static struct work_item *item_alloc(struct hv_workq *wq, size_t len)
{
	struct work_item *it = wq->free_items;

	if (len > ITEM_SMALL_DATA)
		return malloc(sizeof(*it) + len);
	if (it) {
		wq->free_items = it->next;
		return it;
	}
	return malloc(sizeof(*it) + ITEM_SMALL_DATA);
}

static void item_free(struct hv_workq *wq, struct work_item *it)
{
	if (it->len > ITEM_SMALL_DATA) {
		free(it);
		return;
	}
	it->next = wq->free_items;
	wq->free_items = it;
}

void workq_destroy(struct hv_workq *wq)
{
	if (!wq)
		return;
	for (unsigned i = 0; i < HV_MAX_VPS; i++) {
		struct vp_queue *vq = &wq->vq[i];
		if (vq->wake_ev)
			evq_cancel(vq->q, vq->wake_ev);
		while (vq->head) {
			struct work_item *it = vq->head;
			vq->head = it->next;
			free(it);
		}
	}
	while (wq->free_items) {
		struct work_item *it = wq->free_items;
		wq->free_items = it->next;
		free(it);
	}
	free(wq);
}

static struct vp_queue *queue_of(const struct hv_vp *vp)
{
	return &vp->part->workq->vq[vp->index];
}

bool workq_has_work(const struct hv_vp *vp, cycles_t t)
{
	const struct vp_queue *vq = queue_of(vp);

	return vq->head && vq->head->not_before <= t;
}

bool workq_pending(const struct hv_vp *vp)
{
	return vp->part->workq && queue_of(vp)->head;
}

cycles_t workq_queued(const struct hv_vp *vp)
{
	return vp->part->workq ? queue_of(vp)->queued : 0;
}

/* ---- waking a halted service vCPU ---------------------------------------- */

/* Move a halted vCPU's clock to `when` (idle until then) and let it run. */
static void wake_at(struct hv_vp *vp, cycles_t when)
{
	cycles_t clock = cpu_cycles(vp->cpu);

	if (!vp->halted)
		return;
	vp->halted = false;
	if (when > vp->halt_since)
		vp->idle += when - vp->halt_since;
	if (when > clock) {
		vp->skipped += when - clock;
		cpu_advance_clock(vp->cpu, when - clock);
	}
	if (vp->part->runnable)
		sched_vp_ready(vp);
}

static void wake_event(struct evq *q, void *opaque, cycles_t when)
{
	struct vp_queue *vq = opaque;

	(void)q;
	vq->wake_ev = 0;
	if (vq->head)
		wake_at(vq->vp, when);
}

/* The vCPU is halted with work queued: run it now, or when its next item
 * is due (an event, so the pCPU is free until then). */
static void arm_wake(struct vp_queue *vq)
{
	struct hv_vp *vp = vq->vp;
	struct evq *q = vp->part->hv->q;
	cycles_t due = vq->head->not_before, now = evq_now(q);

	if (due <= now || due <= cpu_cycles(vp->cpu)) {
		if (vq->wake_ev)
			evq_cancel(q, vq->wake_ev);
		vq->wake_ev = 0;
		wake_at(vp, now);
		return;
	}
	vq->q = q;
	if (vq->wake_ev && evq_reschedule(q, vq->wake_ev, due))
		return; /* moved in place */
	vq->wake_ev = evq_schedule(q, due, wake_event, vq);
	if (!vq->wake_ev)
		wake_at(vp, now); /* out of memory: run it early */
}

/* ---- submitting -----------------------------------------------------------
 */

/* The service vCPU with the least queued work; ties: the lowest index. */
static struct vp_queue *pick_queue(struct hv_part *svc)
{
	struct vp_queue *best = NULL;

	for (unsigned i = 0; i < svc->nr_vps; i++) {
		struct vp_queue *vq = &svc->workq->vq[i];
		vq->vp = &svc->vp[i];
		if (!best || vq->queued < best->queued)
			best = vq;
	}
	return best;
}

/* Queue order is not_before, FIFO among equals: submitters run on other
 * pCPUs up to a quantum apart in simulated time, so an item due earlier
 * must not wait behind one that was submitted first but is due later. */
static void enqueue(struct hv_part *svc, struct work_item *it)
{
	struct vp_queue *vq = pick_queue(svc);
	struct work_item **pp = &vq->head;

	while (*pp && (*pp)->not_before <= it->not_before)
		pp = &(*pp)->next;
	it->next = *pp;
	*pp = it;
	vq->queued += it->cost0 + it->cost3;
	if (vq->vp->halted && vq->head == it)
		arm_wake(vq);
}

static struct work_item *new_item(struct hv_workq *wq, hv_work_fn *fn,
				  void *opaque, const void *data, size_t len,
				  cycles_t not_before)
{
	struct work_item *it = item_alloc(wq, len);

	if (!it)
		return NULL;
	*it = (struct work_item){.fn = fn,
				 .opaque = opaque,
				 .not_before = not_before,
				 .len = len};
	if (len)
		memcpy(it->data, data, len);
	return it;
}

int hv_submit_work(struct hv *hv, hv_work_fn *fn, void *opaque,
		   const void *data, size_t len, cycles_t cost, int ring,
		   cycles_t not_before)
{
	struct work_item *it;

	if (!hv->parent) {
		fn(opaque, data, len, not_before);
		return 0;
	}
	if (!(it = new_item(hv->parent->workq, fn, opaque, data, len,
			    not_before)))
		return -1;
	if (ring == 3)
		it->cost3 = cost;
	else
		it->cost0 = cost;
	enqueue(hv->parent, it);
	return 0;
}

/* ---- running ----------------------------------------------------------- */

static struct work_item *pop(struct vp_queue *vq)
{
	struct work_item *it = vq->head;

	vq->head = it->next;
	vq->queued -= it->cost0 + it->cost3;
	return it;
}

/* An item that would complete after the simulated-time limit does not
 * run (its effects would come after the end of the run): the vCPU idles
 * to the limit instead, so no slice can start again. */
static bool past_the_limit(struct hv_vp *vp, const struct work_item *it)
{
	cycles_t stop = vp->part->hv->cfg.stop_at, now = cpu_cycles(vp->cpu);

	if (!stop || now + it->cost0 + it->cost3 <= stop)
		return false;
	if (stop > now) {
		vp->idle += stop - now;
		vp->skipped += stop - now;
		cpu_advance_clock(vp->cpu, stop - now);
	}
	return true;
}

void workq_run_slice(struct hv_vp *vp, cycles_t budget)
{
	struct vp_queue *vq = queue_of(vp);
	cycles_t end = cpu_cycles(vp->cpu) + budget;

	vq->vp = vp;
	while (vq->head && cpu_cycles(vp->cpu) < end) {
		struct work_item *it = vq->head;

		if (it->not_before > cpu_cycles(vp->cpu))
			break; /* not due: sleep until it is */
		if (past_the_limit(vp, it))
			return;
		pop(vq);
		cpu_advance_clock(vp->cpu, it->cost0 + it->cost3);
		vp->svc_ring0 += it->cost0;
		vp->svc_ring3 += it->cost3;
		it->fn(it->opaque, it->data, it->len, cpu_cycles(vp->cpu));
		item_free(vp->part->workq, it);
	}
	if (vq->head && vq->head->not_before <= cpu_cycles(vp->cpu))
		return; /* budget spent with work left: runnable */
	vp->halted = true;
	vp->halt_since = cpu_cycles(vp->cpu);
	if (vq->head)
		arm_wake(vq);
}

void workq_forget_vp(struct hv_part *svc, const struct hv_vp *vp)
{
	for (unsigned i = 0; svc->workq && i < svc->nr_vps; i++) {
		struct vp_queue *vq = &svc->workq->vq[i];
		struct work_item **pp = &vq->head;

		while (*pp) {
			struct work_item *it = *pp;
			if (it->io_vp == vp) {
				*pp = it->next;
				vq->queued -= it->cost0 + it->cost3;
				item_free(svc->workq, it);
				continue;
			}
			pp = &it->next;
		}
	}
}

/* ---- forwarding a child's port I/O ----------------------------------------
 */

static cycles_t ns_to_cycles(const struct hv *hv, uint64_t ns)
{
	return (cycles_t)((unsigned __int128)ns * hv->cfg.freq_hz /
			  1000000000u);
}

void hv_fwd_cost(const struct hv *hv, struct hv_fwd_cost *out)
{
	cycles_t total = ns_to_cycles(hv, FWD_TOTAL_NS);
	cycles_t used;

	out->exit = hv_exit_cost(HV_EXIT_IO_OUT);
	out->dispatch = ns_to_cycles(hv, FWD_DISPATCH_NS);
	out->emulate = ns_to_cycles(hv, FWD_EMULATE_NS);
	used = out->exit + out->dispatch + out->emulate;
	out->complete = total > used ? total - used : 0;
}

/* The partition's own devices, now (partitions/ registered them). */
static int call_device(const struct hv_part *p, bool in, uint16_t port,
		       int size, uint32_t *val, cycles_t *lat)
{
	if (in)
		return p->ops.io_in
			   ? p->ops.io_in(p->opaque, port, size, val, lat)
			   : ENV_UNHANDLED;
	return p->ops.io_out ? p->ops.io_out(p->opaque, port, size, *val, lat)
			     : ENV_UNHANDLED;
}

/* The VM Worker's item: emulate the device on the parent's time, store
 * the answer and let the child run again at the completion cycle (plus
 * the device's own latency). */
static void io_complete(void *opaque, const void *data, size_t len,
			cycles_t now)
{
	struct hv_vp *vp = opaque;
	struct hv_pending_io *io = &vp->io;
	cycles_t lat = 0, clock = cpu_cycles(vp->cpu);

	(void)data;
	(void)len;
	if (io->state != HV_IO_WAITING)
		return;
	io->status =
	    call_device(vp->part, io->in, io->port, io->size, &io->val, &lat);
	io->state = HV_IO_DONE;
	now += lat;
	if (now > clock) {
		vp->skipped += now - clock;
		cpu_advance_clock(vp->cpu, now - clock);
	}
	if (vp->part->runnable && !vp->halted && !vp->dead)
		sched_vp_ready(vp);
}

static int forward(struct hv_vp *vp, struct hv_exit *e, bool in)
{
	struct hv *hv = vp->part->hv;
	struct hv_fwd_cost fc;
	struct work_item *it;

	hv_fwd_cost(hv, &fc);
	it = new_item(hv->parent->workq, io_complete, vp, NULL, 0,
		      cpu_cycles(vp->cpu) + fc.exit);
	if (!it)
		return call_device(vp->part, in, e->port, e->size,
				   in ? e->in_val : &e->out_val, &e->lat);
	it->cost0 = fc.dispatch + fc.complete;
	it->cost3 = fc.emulate;
	it->io_vp = vp;
	vp->io = (struct hv_pending_io){.state = HV_IO_WAITING,
					.in = in,
					.port = e->port,
					.size = e->size,
					.val = in ? 0 : e->out_val};
	enqueue(hv->parent, it);
	return ENV_RETRY;
}

int hv_io_intercept(struct hv_vp *vp, struct hv_exit *e)
{
	const struct hv_part *p = vp->part;
	struct hv_pending_io *io = &vp->io;
	bool in = e->reason == HV_EXIT_IO_IN;

	if (p->service || p->parent || !p->hv->parent)
		return call_device(p, in, e->port, e->size,
				   in ? e->in_val : &e->out_val, &e->lat);
	if (io->state == HV_IO_DONE && io->in == in && io->port == e->port &&
	    io->size == e->size) {
		/* The re-executed instruction: the worker's answer. */
		e->completion = true;
		io->state = HV_IO_NONE;
		if (in)
			*e->in_val = io->val;
		return io->status;
	}
	if (io->state == HV_IO_WAITING)
		return ENV_RETRY; /* not answered yet (cannot normally run) */
	io->state = HV_IO_NONE;	  /* a stale answer: ask again */
	return forward(vp, e, in);
}
