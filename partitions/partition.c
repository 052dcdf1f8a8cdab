/*
 * partitions/partition.c — partition lifecycle and its port bus.
 *
 * Each partition has its own port bus, on which its VM Worker
 * (vm_worker.c) maps the legacy devices (COM1, debug-exit, test devices);
 * the hypervisor's I/O intercepts for the partition land here
 * (hv_part_ops) and go to that bus only, so one partition's devices are
 * unreachable from another. For a child the hypervisor makes that call
 * on a parent vCPU, as the VM Worker's emulation (hv/work.c). A debug-exit
 * write, a triple fault or a crash report (Hyper-V crash MSRs) ends the
 * partition: it is stopped (its vCPUs leave their pCPUs at the next
 * instruction boundary), its status is recorded as docs/BOOT.md says
 * ((v << 1) | 1, 4, or 6) with a reason line, and the owner's on_end
 * callback runs once.
 * States: CREATED → RUNNING ⇄ PAUSED, any → STOPPED; reset: any →
 * CREATED (the VM Worker reloads the kernel and starts it again).
 * Called by the VM Service and VM Workers (vm_service.c, vm_worker.c).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "devices/dev.h"
#include "partitions/partition.h"

#define STATUS_TRIPLE_FAULT 4 /* docs/BOOT.md "Exit statuses of hvsim run" */

struct partition {
	struct hv_part *hvp;
	enum part_state state;
	struct iobus bus;
	partition_end_fn *on_end;
	void *opaque;
	bool ended;
	int end_status;
	char end_reason[160];
};

/* ---- I/O intercepts: the partition's own bus ------------------------------
 */

static int part_io_in(void *opaque, uint16_t port, int size, uint32_t *val,
		      cycles_t *lat)
{
	struct partition *p = opaque;
	uint64_t v = 0;

	iobus_read(&p->bus, port, size, &v, lat);
	*val = (uint32_t)v;
	return ENV_OK; /* unmapped ports read all ones: the bus did that */
}

static int part_io_out(void *opaque, uint16_t port, int size, uint32_t val,
		       cycles_t *lat)
{
	struct partition *p = opaque;

	iobus_write(&p->bus, port, size, val, lat);
	return ENV_OK;
}

void partition_end(struct partition *p, int status, const char *fmt, ...)
{
	va_list ap;

	if (p->ended)
		return;
	p->ended = true;
	p->end_status = status;
	va_start(ap, fmt);
	vsnprintf(p->end_reason, sizeof(p->end_reason), fmt, ap);
	va_end(ap);
	partition_stop(p);
	if (p->on_end)
		p->on_end(p->opaque, p);
}

static const char *const exc_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "(15)",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static const char *exc_name(int v)
{
	return v >= 0 && v < 32 && exc_names[v] ? exc_names[v] : "?";
}

static void part_triple_fault(void *opaque, unsigned vp,
			      const struct cpu_exit *ex)
{
	(void)vp;
	partition_end(opaque, STATUS_TRIPLE_FAULT,
		      "triple fault: last exception vector %d (%s) at RIP "
		      "%#llx",
		      ex->vector, exc_name(ex->vector),
		      (unsigned long long)ex->rip);
}

/* Has the line [p, p+n) a panic in it? (Once one is found it stays.) */
static bool names_panic(const char *p, size_t n)
{
	static const char word[] = "panic";

	for (size_t i = 0; p && i + sizeof(word) - 1 <= n; i++)
		if (!strncmp(p + i, word, sizeof(word) - 1))
			return true;
	return false;
}

/* The one line of a crash message that says most: the first naming a
 * panic, else the last non-empty one. Linux's message (hv_kmsg_dump) is
 * the newest ~4 KiB of its log, oldest line first, with the panic line
 * somewhere inside; a short message is its own headline. */
static void crash_headline(const char *msg, char *out, size_t cap)
{
	const char *best = NULL, *line = msg;
	size_t len = 0;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		if (n && !names_panic(best, len)) {
			best = line;
			len = n;
		}
		if (!end)
			break;
		line = end + 1;
	}
	snprintf(out, cap, "%.*s", (int)len, best ? best : "");
}

/* The guest reported a crash (CRASH_CTL notify, hv/hvmsr.c): the
 * partition ends with status 6, the parameters and the message's
 * headline in the reason line (the run prints it). */
static void part_guest_crash(void *opaque, unsigned vp, const uint64_t c[5],
			     const char *msg)
{
	char head[96];

	crash_headline(msg ? msg : "", head, sizeof(head));
	partition_end(opaque, PARTITION_STATUS_CRASH,
		      "guest crash (vCPU %u): P0=%#llx P1=%#llx P2=%#llx "
		      "P3=%#llx P4=%#llx%s%s",
		      vp, (unsigned long long)c[0], (unsigned long long)c[1],
		      (unsigned long long)c[2], (unsigned long long)c[3],
		      (unsigned long long)c[4], head[0] ? ": " : "", head);
}

static const struct hv_part_ops part_ops = {
    .io_in = part_io_in,
    .io_out = part_io_out,
    .triple_fault = part_triple_fault,
    .guest_crash = part_guest_crash,
};

/* ---- lifecycle ------------------------------------------------------------
 */

struct partition *partition_create(struct hv *hv,
				   const struct partition_config *cfg)
{
	struct partition *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->on_end = cfg->on_end;
	p->opaque = cfg->opaque;
	p->state = PART_CREATED;
	if (!(p->hvp = hv_part_create(hv, &cfg->hv, &part_ops, p))) {
		partition_destroy(p);
		return NULL;
	}
	return p;
}

/* The hv_part belongs to the hypervisor and goes with it; the devices
 * on the bus belong to the VM Worker. */
void partition_destroy(struct partition *p)
{
	free(p);
}

struct iobus *partition_bus(struct partition *p)
{
	return &p->bus;
}

const char *partition_name(const struct partition *p)
{
	return hv_part_name(p->hvp);
}
unsigned partition_id(const struct partition *p)
{
	return hv_part_id(p->hvp);
}
bool partition_is_parent(const struct partition *p)
{
	return hv_part_is_parent(p->hvp);
}
enum part_state partition_state(const struct partition *p)
{
	return p->state;
}
struct hv_part *partition_hv(struct partition *p)
{
	return p->hvp;
}

const char *partition_state_name(enum part_state s)
{
	static const char *const names[] = {
	    [PART_CREATED] = "created",
	    [PART_RUNNING] = "running",
	    [PART_PAUSED] = "paused",
	    [PART_STOPPED] = "stopped",
	};
	return (unsigned)s < 4 ? names[s] : "?";
}

static int transition(struct partition *p, enum part_state from,
		      enum part_state to)
{
	if (p->state != from)
		return -1;
	p->state = to;
	hv_part_set_runnable(p->hvp, to == PART_RUNNING);
	return 0;
}

int partition_start(struct partition *p)
{
	return transition(p, PART_CREATED, PART_RUNNING);
}
int partition_pause(struct partition *p)
{
	return transition(p, PART_RUNNING, PART_PAUSED);
}
int partition_resume(struct partition *p)
{
	return transition(p, PART_PAUSED, PART_RUNNING);
}
int partition_stop(struct partition *p)
{
	if (p->state == PART_STOPPED)
		return -1;
	return transition(p, p->state, PART_STOPPED);
}

int partition_reset(struct partition *p)
{
	if (hv_part_reset(p->hvp) != 0)
		return -1;
	p->state = PART_CREATED;
	p->ended = false;
	p->end_status = 0;
	p->end_reason[0] = 0;
	return 0;
}

bool partition_ended(const struct partition *p)
{
	return p->ended;
}
int partition_end_status(const struct partition *p)
{
	return p->end_status;
}
const char *partition_end_reason(const struct partition *p)
{
	return p->end_reason;
}
