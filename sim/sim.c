/*
 * sim/sim.c — builds the machine from a sim_config and runs it.
 *
 * The machine: guest RAM (physmem), a port-I/O bus with COM1 (16550) and
 * the debug-exit port, one CPU entered as docs/BOOT.md says, and the event
 * queue. The main loop only pops events: the CPU runs in quanta, each one
 * an event at the CPU's own clock, cut short so that it never runs past the
 * next pending event (today: the --max-cycles limit; later timers and
 * device completions). Port I/O from the guest is an intercept: the env
 * callbacks dispatch to the bus and charge the exit/entry cost plus the
 * device's latency to the CPU's clock. Simulated time never reads the host
 * clock, so a run is deterministic; host CPU time is measured only for the
 * summary. Exit statuses: docs/BOOT.md "Exit statuses of hvsim run".
 * Called by sim/cli.c (run, bench).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu.h"
#include "devices/debug_exit.h"
#include "devices/dev.h"
#include "devices/uart16550.h"
#include "mmu/mmu.h"
#include "sim/evq.h"
#include "sim/loader.h"
#include "sim/sim.h"

/*
 * Cost of one port-I/O intercept: VM exit + VM entry, hardware transition
 * only, 1,200 cycles (../shared/reference/performance.md §7, "VM exit +
 * VM entry"). The device's own handling latency is added on top.
 */
#define SIM_IO_INTERCEPT_CYCLES 1200

#define SIM_MIN_MEM (2ull << 20) /* the boot area plus 1 MiB of kernel */

struct sim {
	struct sim_config cfg;
	struct physmem *pm;
	struct iobus bus;
	struct uart16550 *uart;
	struct debug_exit *dbg;
	struct cpu *cpu;
	struct evq *q;
	FILE *serial;	   /* guest serial output, NULL = discarded */
	bool serial_owned; /* we opened it (--serial FILE) */
	bool done;
	struct sim_result res;
};

static void sim_msg(const struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sim_msg(const struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s && s->cfg.quiet)
		return;
	fputs("hvsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void sim_config_defaults(struct sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_bytes = SIM_DEFAULT_MEM;
	cfg->freq_hz = SIM_DEFAULT_FREQ_HZ;
	cfg->quantum_cycles = SIM_DEFAULT_QUANTUM;
}

/* ---- intercepts --------------------------------------------------------- */

static int sim_io_in(void *opaque, struct cpu *cpu, uint16_t port, int size,
		     uint32_t *val, cycles_t *cost)
{
	struct sim *s = opaque;
	uint64_t v = 0;
	cycles_t lat = 0;

	(void)cpu;
	iobus_read(&s->bus, port, size, &v, &lat);
	*val = (uint32_t)v;
	*cost += SIM_IO_INTERCEPT_CYCLES + lat;
	return ENV_OK; /* unmapped ports read all ones: the bus did that */
}

static int sim_io_out(void *opaque, struct cpu *cpu, uint16_t port, int size,
		      uint32_t val, cycles_t *cost)
{
	struct sim *s = opaque;
	cycles_t lat = 0;

	(void)cpu;
	iobus_write(&s->bus, port, size, val, &lat);
	*cost += SIM_IO_INTERCEPT_CYCLES + lat;
	return ENV_OK;
}

static void serial_out(void *opaque, uint8_t byte)
{
	struct sim *s = opaque;

	if (!s->serial)
		return;
	putc(byte, s->serial);
	if (byte == '\n')
		fflush(s->serial);
}

/* End the run with `status`; the first reason given wins. */
static void sim_finish(struct sim *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void sim_finish(struct sim *s, int status, const char *fmt, ...)
{
	va_list ap;

	if (s->done)
		return;
	s->done = true;
	s->res.status = status;
	va_start(ap, fmt);
	vsnprintf(s->res.reason, sizeof(s->res.reason), fmt, ap);
	va_end(ap);
}

static void on_debug_exit(void *opaque, uint64_t status)
{
	struct sim *s = opaque;

	sim_finish(s, (int)(status & 0xFF),
		   "guest wrote 0x%llx to debug-exit: status %llu",
		   (unsigned long long)(status >> 1),
		   (unsigned long long)status);
	cpu_request_stop(s->cpu);
}

static void on_cpu_log(void *opaque, const char *msg)
{
	sim_msg(opaque, "%s", msg);
}

/* ---- the main loop ------------------------------------------------------ */

static const char *const exc_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "(15)",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static const char *exc_name(int v)
{
	return v >= 0 && v < 32 && exc_names[v] ? exc_names[v] : "?";
}

static void handle_exit(struct sim *s, const struct cpu_exit *ex);

/* One CPU quantum: run until the next pending event at most. */
static void quantum_event(struct evq *q, void *opaque, cycles_t when)
{
	struct sim *s = opaque;
	cycles_t now = cpu_cycles(s->cpu), next = evq_next_time(q);
	cycles_t budget = s->cfg.quantum_cycles;
	struct cpu_exit ex;

	(void)when;
	if (next != EVQ_NEVER && next <= now) {
		/* Another event is due first; it was queued earlier. */
		evq_schedule(q, now, quantum_event, s);
		return;
	}
	if (next != EVQ_NEVER && next - now < budget)
		budget = next - now;
	ex = cpu_run(s->cpu, budget);
	if (s->serial)
		fflush(s->serial);
	handle_exit(s, &ex);
	if (!s->done && !evq_schedule(q, cpu_cycles(s->cpu), quantum_event, s))
		sim_finish(s, SIM_EXIT_INTERNAL, "out of memory (event queue)");
}

static void handle_exit(struct sim *s, const struct cpu_exit *ex)
{
	switch (ex->reason) {
	case CPU_EXIT_BUDGET:
		break;
	case CPU_EXIT_STOP:
		/* Only debug-exit stops the CPU today, and it has finished the
		 * run already; a stop from elsewhere just ends the quantum. */
		break;
	case CPU_EXIT_HLT:
		/* No interrupt source exists yet (no timers, the UART's line is
		 * not wired), so with IF=0 or IF=1 nothing can wake it. */
		sim_finish(s, SIM_EXIT_HALT,
			   "guest halted forever at RIP %#llx (HLT with "
			   "interrupts %s, and nothing can interrupt it)",
			   (unsigned long long)ex->rip,
			   cpu_interrupts_enabled(s->cpu) ? "enabled"
							  : "disabled");
		break;
	case CPU_EXIT_TRIPLE_FAULT:
		sim_finish(s, SIM_EXIT_TRIPLE_FAULT,
			   "triple fault: last exception vector %d (%s) at RIP "
			   "%#llx",
			   ex->vector, exc_name(ex->vector),
			   (unsigned long long)ex->rip);
		break;
	}
}

static void limit_event(struct evq *q, void *opaque, cycles_t when)
{
	struct sim *s = opaque;

	(void)q;
	sim_finish(s, SIM_EXIT_TIME_LIMIT,
		   "simulated-time limit reached (--max-cycles %llu)",
		   (unsigned long long)when);
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int sim_run(struct sim *s)
{
	double t0 = cpu_seconds();

	/* The limit is queued first, so it wins a tie with a quantum. */
	if (s->cfg.max_cycles &&
	    !evq_schedule(s->q, s->cfg.max_cycles, limit_event, s))
		sim_finish(s, SIM_EXIT_INTERNAL, "out of memory (event queue)");
	if (!evq_schedule(s->q, cpu_cycles(s->cpu), quantum_event, s))
		sim_finish(s, SIM_EXIT_INTERNAL, "out of memory (event queue)");
	while (!s->done && evq_run_one(s->q))
		;
	if (!s->done)
		sim_finish(s, SIM_EXIT_INTERNAL, "no events left to run");
	if (s->serial)
		fflush(s->serial);
	s->res.host_cpu_s = cpu_seconds() - t0;
	s->res.instret = cpu_instret(s->cpu);
	s->res.cycles = cpu_cycles(s->cpu);
	return s->res.status;
}

const struct sim_result *sim_result(const struct sim *s)
{
	return &s->res;
}

void sim_print_summary(const struct sim *s, FILE *f)
{
	const struct sim_result *r = &s->res;
	double sim_s = (double)r->cycles / (double)s->cfg.freq_hz;
	double mips =
	    r->host_cpu_s > 0 ? (double)r->instret / r->host_cpu_s / 1e6 : 0.0;

	fprintf(f, "hvsim: %s\n", r->reason);
	fprintf(f,
		"hvsim: %llu instructions, %llu cycles = %.6f s simulated "
		"at %.2f GHz; host %.3f s CPU, %.1f MIPS\n",
		(unsigned long long)r->instret, (unsigned long long)r->cycles,
		sim_s, (double)s->cfg.freq_hz / 1e9, r->host_cpu_s, mips);
}

/* ---- assembly ------------------------------------------------------------ */

static int check_config(const struct sim_config *cfg)
{
	if (!cfg->kernel) {
		sim_msg(NULL, "no kernel given (--kernel FILE)");
		return SIM_EXIT_USAGE;
	}
	if (cfg->mem_bytes < SIM_MIN_MEM ||
	    (cfg->mem_bytes & (PAGE_SIZE - 1))) {
		sim_msg(NULL,
			"--mem: %llu bytes; need a multiple of 4 KiB, at "
			"least 2 MiB",
			(unsigned long long)cfg->mem_bytes);
		return SIM_EXIT_USAGE;
	}
	if (!cfg->freq_hz || !cfg->quantum_cycles) {
		sim_msg(NULL, "frequency and quantum must be non-zero");
		return SIM_EXIT_USAGE;
	}
	return 0;
}

/* COM1 and debug-exit on the port bus. */
static int add_devices(struct sim *s)
{
	s->uart = uart16550_create(serial_out, s, NULL);
	s->dbg = debug_exit_create(on_debug_exit, s);
	if (!s->uart || !s->dbg)
		return -1;
	if (iobus_map(&s->bus, UART16550_COM1, UART16550_PORTS, &uart16550_ops,
		      s->uart) != 0 ||
	    iobus_map(&s->bus, DEBUG_EXIT_PORT, DEBUG_EXIT_PORTS,
		      &debug_exit_ops, s->dbg) != 0)
		return -1;
	return 0;
}

static int open_serial(struct sim *s)
{
	if (s->cfg.serial_discard)
		return 0;
	if (!s->cfg.serial_path) {
		s->serial = stdout;
		return 0;
	}
	s->serial = fopen(s->cfg.serial_path, "w");
	if (!s->serial) {
		sim_msg(NULL, "%s: cannot open for writing",
			s->cfg.serial_path);
		return -1;
	}
	s->serial_owned = true;
	return 0;
}

static int load_guest(struct sim *s)
{
	struct loader_args la = {s->cfg.kernel, s->cfg.cmdline, s->cfg.initrd,
				 s->cfg.nr_initrd};
	struct boot_state bs;
	char err[512];
	int rc = loader_load(s->pm, &la, &bs, err, sizeof(err));

	if (rc != LOADER_OK) {
		sim_msg(NULL, "%s", err);
		return rc == LOADER_ERR_NOMEM ? SIM_EXIT_INTERNAL
					      : SIM_EXIT_USAGE;
	}
	loader_enter(s->cpu, s->pm, &bs);
	return 0;
}

struct sim *sim_create(const struct sim_config *cfg, int *status)
{
	struct cpu_env env = {0};
	struct sim *s;
	int rc = check_config(cfg);

	*status = rc;
	if (rc)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		*status = SIM_EXIT_INTERNAL;
		return NULL;
	}
	s->cfg = *cfg;
	env.opaque = s;
	env.io_in = sim_io_in;
	env.io_out = sim_io_out;
	*status = SIM_EXIT_INTERNAL;
	if (!(s->pm = physmem_create(cfg->mem_bytes)))
		sim_msg(NULL, "cannot allocate %llu MiB of guest RAM",
			(unsigned long long)(cfg->mem_bytes >> 20));
	else if (!(s->q = evq_create()) || add_devices(s) != 0 ||
		 !(s->cpu = cpu_create(s->pm, &env)))
		sim_msg(NULL, "out of memory building the machine");
	else if (open_serial(s) != 0)
		*status = SIM_EXIT_USAGE;
	else if ((*status = load_guest(s)) == 0) {
		cpu_set_log(s->cpu, on_cpu_log, s);
		return s;
	}
	sim_destroy(s);
	return NULL;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	if (s->serial_owned)
		fclose(s->serial);
	else if (s->serial)
		fflush(s->serial);
	if (s->cpu)
		cpu_destroy(s->cpu);
	uart16550_destroy(s->uart);
	debug_exit_destroy(s->dbg);
	evq_destroy(s->q);
	physmem_destroy(s->pm);
	free(s);
}
