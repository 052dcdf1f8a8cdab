/*
 * partitions/partition.c — partition lifecycle and legacy devices.
 *
 * Each partition has its own port bus with COM1 (16550) and the debug-exit
 * port; the hypervisor's I/O exits for the partition land here (hv_part_ops)
 * and go to that bus only, so one partition's devices are unreachable from
 * another. A debug-exit write or a triple fault ends the partition: it is
 * stopped (its vCPUs leave their pCPUs at the next instruction boundary),
 * its status is recorded as docs/BOOT.md says ((v << 1) | 1, or 4), and
 * the owner's on_end callback runs once.
 * States: CREATED → RUNNING ⇄ PAUSED, any → STOPPED (final).
 * Called by sim/ (build, start, end of run) and later the VM Service.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "devices/debug_exit.h"
#include "devices/dev.h"
#include "devices/uart16550.h"
#include "partitions/partition.h"

#define STATUS_TRIPLE_FAULT 4 /* docs/BOOT.md "Exit statuses of hvsim run" */

struct partition {
	struct hv_part *hvp;
	enum part_state state;
	struct iobus bus;
	struct uart16550 *uart;
	struct debug_exit *dbg;
	FILE *serial;
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

static void end_partition(struct partition *p, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void end_partition(struct partition *p, int status, const char *fmt, ...)
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
	end_partition(opaque, STATUS_TRIPLE_FAULT,
		      "triple fault: last exception vector %d (%s) at RIP "
		      "%#llx",
		      ex->vector, exc_name(ex->vector),
		      (unsigned long long)ex->rip);
}

static const struct hv_part_ops part_ops = {
    .io_in = part_io_in,
    .io_out = part_io_out,
    .triple_fault = part_triple_fault,
};

static void on_debug_exit(void *opaque, uint64_t status)
{
	end_partition(opaque, (int)(status & 0xFF),
		      "guest wrote 0x%llx to debug-exit: status %llu",
		      (unsigned long long)(status >> 1),
		      (unsigned long long)status);
}

static void serial_out(void *opaque, uint8_t byte)
{
	struct partition *p = opaque;

	if (!p->serial)
		return;
	putc(byte, p->serial);
	if (byte == '\n')
		fflush(p->serial);
}

/* ---- lifecycle ------------------------------------------------------------
 */

static int add_devices(struct partition *p)
{
	p->uart = uart16550_create(serial_out, p, NULL);
	p->dbg = debug_exit_create(on_debug_exit, p);
	if (!p->uart || !p->dbg)
		return -1;
	if (iobus_map(&p->bus, UART16550_COM1, UART16550_PORTS, &uart16550_ops,
		      p->uart) != 0 ||
	    iobus_map(&p->bus, DEBUG_EXIT_PORT, DEBUG_EXIT_PORTS,
		      &debug_exit_ops, p->dbg) != 0)
		return -1;
	return 0;
}

struct partition *partition_create(struct hv *hv,
				   const struct partition_config *cfg)
{
	struct partition *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->serial = cfg->serial;
	p->on_end = cfg->on_end;
	p->opaque = cfg->opaque;
	p->state = PART_CREATED;
	if (add_devices(p) != 0 ||
	    !(p->hvp = hv_part_create(hv, &cfg->hv, &part_ops, p))) {
		partition_destroy(p);
		return NULL;
	}
	return p;
}

/* The hv_part belongs to the hypervisor and goes with it. */
void partition_destroy(struct partition *p)
{
	if (!p)
		return;
	if (p->serial)
		fflush(p->serial);
	uart16550_destroy(p->uart);
	debug_exit_destroy(p->dbg);
	free(p);
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
