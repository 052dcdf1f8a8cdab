/*
 * sim/sim.c — builds the machine a scenario describes and runs it.
 *
 * The machine: the hypervisor (hv/) with the scenario's physical CPUs, and
 * the parent's VM Service (partitions/vm_service.h), which creates one
 * partition per scenario entry, each with its VM Worker (its settings and
 * its legacy devices: COM1, debug-exit, test devices); a child with a
 * kernel gets it loaded through sim_load (the loader callback given to
 * the service, also used on reset) and its boot vCPU entered as
 * docs/BOOT.md says. The main loop only pops
 * events: each pCPU's slices are events at that pCPU's clock (hv/sched.c),
 * and the --max-cycles limit is an event queued first, so it wins a tie.
 * Simulated time never reads the host clock, so a run is deterministic;
 * host CPU time is measured only for the summary.
 * End of a run (docs/BOOT.md "Exit statuses of hvsim run"): a child that
 * writes debug-exit or triple-faults is stopped; the run ends when no vCPU
 * can run any more — then the status is that of the first child that
 * ended by itself (6 for a guest crash, whose message is printed even
 * with --quiet), or 0 if every child is halted for good — or at the
 * simulated-time limit (125). Called by sim/cli.c (run, bench) and tests.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu.h"
#include "devices/acpi.h"
#include "hv/hv.h"
#include "mmu/mmu.h"
#include "partitions/console.h"
#include "partitions/partition.h"
#include "partitions/vm_service.h"
#include "sim/builtin.h"
#include "sim/evq.h"
#include "sim/loader.h"
#include "sim/mgmt_glue.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/sim_trace.h"

#define SIM_MIN_MEM	(2ull << 20) /* the boot area plus 1 MiB of kernel */
#define SIM_PARENT_MEM	(64ull << 20) /* --kernel: the parent's RAM */

struct sim {
	struct sim_config cfg;
	struct scenario *sc;
	struct evq *q;
	struct hv *hv;
	struct vm_service *vs; /* the parent's VM Service: every partition */
	unsigned nr_parts, nr_children;
	struct partition *part[SCN_MAX_PARTITIONS];
	FILE *serial[SCN_MAX_PARTITIONS];
	bool serial_owned[SCN_MAX_PARTITIONS];
	/* "NAME | " for a child whose COM1 lines are prefixed, else "" */
	char prefix[SCN_MAX_PARTITIONS][CONSOLE_PREFIX_MAX + 1];
	struct partition *first_end; /* first child that ended by itself */
	bool done;
	struct sim_mgmt *mgmt; /* --mgmt: served between events */
	struct trace *trace;   /* --trace: the recorder, or NULL */
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

/* ---- the end of a run --------------------------------------------------- */

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

static void on_partition_end(void *opaque, struct partition *p)
{
	struct sim *s = opaque;

	if (!s->first_end)
		s->first_end = p;
}

static struct partition *only_child(struct sim *s)
{
	for (unsigned i = 0; s->nr_children == 1 && i < s->nr_parts; i++)
		if (!partition_is_parent(s->part[i]))
			return s->part[i];
	return NULL;
}

/* Nothing can run any more: say why the run ends. */
static void finish_quiescent(struct sim *s)
{
	struct partition *p = s->first_end, *one = only_child(s);
	struct cpu *c;

	s->res.quiescent = !s->done;

	if (p && one)
		sim_finish(s, partition_end_status(p), "%s",
			   partition_end_reason(p));
	else if (p)
		sim_finish(s, partition_end_status(p), "partition '%s': %s",
			   partition_name(p), partition_end_reason(p));
	else if (one && (c = hv_part_cpu(partition_hv(one), 0)))
		sim_finish(s, SIM_EXIT_HALT,
			   "guest halted forever at RIP %#llx (HLT with "
			   "interrupts %s, and nothing can interrupt it)",
			   (unsigned long long)cpu_get_rip(c),
			   cpu_interrupts_enabled(c) ? "enabled" : "disabled");
	else
		sim_finish(s, SIM_EXIT_HALT,
			   "every child partition halted for good (nothing "
			   "can interrupt them)");
}

static void limit_event(struct evq *q, void *opaque, cycles_t when)
{
	struct sim *s = opaque;

	(void)q;
	sim_finish(s, SIM_EXIT_TIME_LIMIT,
		   "simulated-time limit reached (--max-cycles %llu)",
		   (unsigned long long)when);
}

/* ---- the main loop ------------------------------------------------------ */

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void flush_serials(struct sim *s)
{
	for (unsigned i = 0; i < s->nr_parts; i++)
		if (s->serial[i])
			fflush(s->serial[i]);
}

static uint64_t children_instret(struct sim *s)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < s->nr_parts; i++) {
		struct hv_part *hp = partition_hv(s->part[i]);
		for (unsigned j = 0; !hv_part_is_parent(hp) &&
				     j < hv_part_nr_vps(hp);
		     j++)
			n += cpu_instret(hv_part_cpu(hp, j));
	}
	return n;
}

int sim_run(struct sim *s)
{
	double t0 = cpu_seconds();
	char err[200];

	/* The limit is queued first, so it wins a tie with a slice. */
	if (s->sc->max_cycles &&
	    !evq_schedule(s->q, s->sc->max_cycles, limit_event, s))
		sim_finish(s, SIM_EXIT_INTERNAL, "out of memory (event queue)");
	if (hv_start(s->hv) != 0)
		sim_finish(s, SIM_EXIT_INTERNAL, "out of memory (event queue)");
	if (s->cfg.mgmt_path &&
	    !(s->mgmt = sim_mgmt_open(s, s->cfg.mgmt_path, s->sc->freq_hz, err,
				      sizeof(err))))
		sim_finish(s, SIM_EXIT_USAGE, "--mgmt: %s", err);
	while (!s->done) {
		if (sim_mgmt_between_slices(s->mgmt)) {
			sim_finish(s, SIM_EXIT_HALT, "quit (management API)");
			break;
		}
		if (!hv_any_runnable(s->hv)) {
			finish_quiescent(s);
			break;
		}
		if (!evq_run_one(s->q))
			sim_finish(s, SIM_EXIT_INTERNAL,
				   "no events left to run");
	}
	flush_serials(s);
	s->res.host_cpu_s = cpu_seconds() - t0;
	s->res.instret = children_instret(s);
	s->res.cycles = hv_now(s->hv);
	s->res.freq_hz = s->sc->freq_hz;
	sim_mgmt_close(s->mgmt, s->res.reason);
	s->mgmt = NULL;
	if (s->trace)
		sim_msg(s, "trace: %llu events recorded in %s",
			(unsigned long long)trace_count(s->trace),
			s->cfg.trace_path);
	if (s->res.status == SIM_EXIT_PANIC && s->cfg.quiet)
		fprintf(stderr, "hvsim: %s\n", s->res.reason);
	return s->res.status;
}

const struct sim_result *sim_result(const struct sim *s)
{
	return &s->res;
}

struct hv *sim_hv(const struct sim *s) { return s->hv; }
/* The VM Service (for sim/mgmt_glue.c; its prototype is there until
 * sim.h declares it). */
struct vm_service *sim_vm_service(struct sim *s);
struct vm_service *sim_vm_service(struct sim *s) { return s->vs; }
unsigned sim_nr_partitions(const struct sim *s) { return s->nr_parts; }
struct partition *sim_partition(const struct sim *s, unsigned i)
{
	return i < s->nr_parts ? s->part[i] : NULL;
}

/* ---- the --kernel scenario ------------------------------------------------ */

static int copy_field(char *dst, size_t len, const char *src, const char *what)
{
	size_t n = strlen(src ? src : "");

	if (n >= len) {
		sim_msg(NULL, "%s: too long (%zu bytes; at most %zu)", what, n,
			len - 1);
		return SIM_EXIT_USAGE;
	}
	memcpy(dst, src ? src : "", n + 1);
	return 0;
}

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
	if (cfg->nr_initrd > SCN_MAX_INITRD) {
		sim_msg(NULL, "--initrd: %d modules; at most %d are supported",
			cfg->nr_initrd, SCN_MAX_INITRD);
		return SIM_EXIT_USAGE;
	}
	return 0;
}

int sim_scenario_from_config(const struct sim_config *cfg,
			     struct scenario *sc)
{
	struct scn_partition *parent = &sc->part[0], *child = &sc->part[1];
	int rc = check_config(cfg);

	if (rc)
		return rc;
	scenario_defaults(sc);
	sc->freq_hz = cfg->freq_hz;
	sc->quantum_cycles = cfg->quantum_cycles;
	sc->max_cycles = cfg->max_cycles;
	sc->nr_partitions = 2;
	scn_partition_defaults(parent);
	strcpy(parent->name, "parent");
	parent->parent = true;
	parent->mem_bytes = SIM_PARENT_MEM;
	scn_partition_defaults(child);
	strcpy(child->name, "guest");
	child->mem_bytes = cfg->mem_bytes;
	child->vcpus = cfg->vcpus ? cfg->vcpus : 1;
	child->testdev = cfg->testdev;
	rc = copy_field(child->disk, SCN_PATH_MAX, cfg->disk_path, "--disk");
	if (rc)
		return rc;
	child->nr_initrd = (unsigned)cfg->nr_initrd;
	rc = copy_field(child->kernel, SCN_PATH_MAX, cfg->kernel, "--kernel");
	if (!rc)
		rc = copy_field(child->cmdline, SCN_CMDLINE_MAX, cfg->cmdline,
				"--append");
	if (!rc)
		rc = copy_field(child->serial, SCN_PATH_MAX, cfg->serial_path,
				"--serial");
	for (int i = 0; !rc && i < cfg->nr_initrd; i++)
		rc = copy_field(child->initrd[i], SCN_PATH_MAX, cfg->initrd[i],
				"--initrd");
	return rc;
}

/* ---- assembly ------------------------------------------------------------ */

/* Each partition's COM1 output: stdout, its own file, or nothing. Two
 * partitions naming the same file share one stream. */
static int open_serial(struct sim *s, unsigned i)
{
	const char *path = s->sc->part[i].serial;

	if (s->cfg.serial_discard)
		return 0;
	if (!path[0]) {
		s->serial[i] = stdout;
		return 0;
	}
	for (unsigned j = 0; j < i; j++)
		if (s->serial_owned[j] && !strcmp(s->sc->part[j].serial, path)) {
			s->serial[i] = s->serial[j];
			return 0;
		}
	if (!(s->serial[i] = fopen(path, "w"))) {
		sim_msg(NULL, "%s: cannot open for writing", path);
		return SIM_EXIT_USAGE;
	}
	s->serial_owned[i] = true;
	return 0;
}

static void on_cpu_log(void *opaque, const char *msg)
{
	sim_msg(opaque, "%s", msg);
}

/* The VM Workers' loader (vm_worker.h): at creation and on reset. */
/* A child's ACPI tables (devices/acpi.h), as its memory map shows them. */
static const struct boot_mem_range acpi_region = {
    ACPI_REGION_BASE, ACPI_REGION_SIZE, BOOT_MEM_ACPI};

static int sim_load(void *opaque, struct hv_part *hp, void *arg)
{
	const struct scn_partition *sp = arg;
	const char *initrd[SCN_MAX_INITRD];
	const struct builtin_guest *g = builtin_find(sp->kernel);
	struct loader_args la = {.kernel = sp->kernel,
				 .cmdline = sp->cmdline,
				 .initrd = initrd,
				 .nr_initrd = (int)sp->nr_initrd};
	struct boot_state bs;
	char err[512];
	int rc;

	for (unsigned i = 0; i < sp->nr_initrd && i < SCN_MAX_INITRD; i++)
		initrd[i] = sp->initrd[i];
	if (builtin_is_name(sp->kernel) && !g) {
		sim_msg(NULL, "%s: no such built-in guest (hvsim run "
			      "--list-builtin)", sp->kernel);
		return SIM_EXIT_USAGE;
	}
	if (g) { /* loaded from the binary, not from a file */
		la.image = g->data;
		la.image_size = g->size;
	}
	if (sp->platform_pc && !sp->parent) {
		/* The VM Worker wrote the ACPI tables (pc_platform.h): the
		 * kernel gets the RSDP and the region in its memory map. */
		la.rsdp_gpa = ACPI_RSDP_GPA;
		la.reserved = &acpi_region;
		la.nr_reserved = 1;
	}
	rc = loader_load(hv_part_mem(hp), &la, &bs, err, sizeof(err));
	if (rc != LOADER_OK) {
		sim_msg(NULL, "%s", err);
		return rc == LOADER_ERR_NOMEM ? SIM_EXIT_INTERNAL
					      : SIM_EXIT_USAGE;
	}
	(void)opaque;
	loader_enter(hv_part_cpu(hp, 0), hv_part_mem(hp), &bs);
	return 0;
}

static int add_partition(struct sim *s, unsigned i)
{
	const struct scn_partition *sp = &s->sc->part[i];
	struct vm_settings vm = {
	    .part = {.hv = {sp->name, sp->parent, sp->vcpus, sp->mem_bytes,
			    sp->weight, sp->reserve_pct, sp->cap_pct,
			    sp->parent && !sp->kernel[0]},
		     .testdev = sp->testdev,
		     .on_end = on_partition_end,
		     .opaque = s},
	    .kernel = sp->kernel,
	    .cmdline = sp->cmdline,
	    .load_arg = (void *)sp,
	    .trace = s->trace,
	    .console_prefix = s->prefix[i],
	    .disk = {.path = sp->disk[0] ? sp->disk : NULL,
		     .latency = (cycles_t)((unsigned __int128)sp->disk_latency_ns *
					   s->sc->freq_hz / 1000000000u),
		     .bytes_per_sec = sp->disk_bandwidth,
		     .freq_hz = s->sc->freq_hz,
		     .channels = 1},
	    .ic_off = !sp->integration,
	    .heartbeat_ns = sp->heartbeat_ns,
	    .start_unix = s->sc->start_time,
	    .platform_pc = sp->platform_pc,
	};
	struct partition *p;
	char err[200];
	int rc;

	if (sp->kernel[0] && (sp->mem_bytes < SIM_MIN_MEM ||
			      (sp->mem_bytes & (PAGE_SIZE - 1)))) {
		sim_msg(NULL, "partition '%s': memory must be a multiple of "
			      "4 KiB, at least 2 MiB", sp->name);
		return SIM_EXIT_USAGE;
	}
	if ((rc = open_serial(s, i)) != 0)
		return rc;
	vm.part.serial = s->serial[i];
	if ((rc = vm_service_add(s->vs, &vm)) > 0)
		return rc; /* the loader said why */
	if (rc < 0) {
		sim_msg(NULL, "partition '%s': cannot create it (%llu MiB of "
			      "RAM, %u vCPUs)", sp->name,
			(unsigned long long)(sp->mem_bytes >> 20), sp->vcpus);
		return SIM_EXIT_INTERNAL;
	}
	p = vm_service_partition(s->vs, s->nr_parts);
	s->part[s->nr_parts++] = p;
	s->nr_children += !sp->parent;
	for (unsigned j = 0; j < sp->vcpus; j++)
		cpu_set_log(hv_part_cpu(partition_hv(p), j), on_cpu_log, s);
	/* The parent always runs (it serves the children's intercepts). */
	if (sp->autostart || sp->parent)
		vm_service_start(s->vs, partition_id(p), err, sizeof(err));
	return 0;
}

/* Whether child i's COM1 output goes to stdout (the terminal) together
 * with another child's. (Children sharing a file keep the bytes as they
 * are unless console_prefix = on: a file is read by programs.) */
static bool shares_stdout(const struct scenario *sc, unsigned i)
{
	if (sc->part[i].serial[0])
		return false;
	for (unsigned j = 0; j < sc->nr_partitions; j++)
		if (j != i && !sc->part[j].parent && !sc->part[j].serial[0])
			return true;
	return false;
}

/* Which children's lines start with their name (scenario key
 * console_prefix): the names padded to one width, so the text lines up. */
static void choose_prefixes(struct sim *s)
{
	const struct scenario *sc = s->sc;
	int width = 0;

	for (unsigned i = 0; i < sc->nr_partitions; i++)
		if (!sc->part[i].parent && (int)strlen(sc->part[i].name) > width)
			width = (int)strlen(sc->part[i].name);
	for (unsigned i = 0; i < sc->nr_partitions; i++) {
		bool on = sc->console_prefix == SCN_PREFIX_ON ||
			  (sc->console_prefix == SCN_PREFIX_AUTO &&
			   shares_stdout(sc, i));

		s->prefix[i][0] = '\0';
		if (on && !sc->part[i].parent && !s->cfg.serial_discard)
			snprintf(s->prefix[i], sizeof(s->prefix[i]), "%-*s | ",
				 width, sc->part[i].name);
	}
}

/* `check`: validate with scenario_check (not for the --kernel scenario,
 * which check_config validated; the loader then names a bad kernel file
 * in its own words, docs/BOOT.md). */
static int build(struct sim *s, bool check)
{
	struct hv_config hc = {
	    .pcpus = s->sc->pcpus,
	    .quantum = s->sc->quantum_cycles,
	    .freq_hz = s->sc->freq_hz,
	    .stop_at = s->sc->max_cycles,
	};
	char err[512];
	int rc;

	if (check && scenario_check(s->sc, err, sizeof(err)) != 0) {
		sim_msg(NULL, "%s", err);
		return SIM_EXIT_USAGE;
	}
	if (!s->sc->freq_hz || !s->sc->quantum_cycles || !s->sc->pcpus ||
	    s->sc->pcpus > HV_MAX_PCPUS ||
	    s->sc->nr_partitions > SCN_MAX_PARTITIONS) {
		sim_msg(NULL, "%s: bad machine (pCPUs, clock, quantum or "
			      "partition count)", s->sc->source);
		return SIM_EXIT_USAGE;
	}
	struct vm_loader ld = {sim_load, s};

	if (!(s->q = evq_create()) || !(s->hv = hv_create(&hc, s->q)) ||
	    !(s->vs = vm_service_create(s->hv, &ld))) {
		sim_msg(NULL, "out of memory building the machine");
		return SIM_EXIT_INTERNAL;
	}
	if (s->cfg.trace_path) {
		if (!(s->trace = sim_trace_open(s->sc, s->cfg.trace_path, err,
						sizeof(err)))) {
			sim_msg(NULL, "--trace: %s", err);
			return SIM_EXIT_USAGE;
		}
		hv_set_trace(s->hv, s->trace);
	}
	choose_prefixes(s);
	for (unsigned i = 0; i < s->sc->nr_partitions; i++)
		if ((rc = add_partition(s, i)) != 0)
			return rc;
	return 0;
}

static struct sim *create(const struct scenario *sc,
			  const struct sim_config *cfg, bool check, int *status)
{
	struct sim *s = calloc(1, sizeof(*s));

	*status = SIM_EXIT_INTERNAL;
	if (!s || !(s->sc = malloc(sizeof(*s->sc)))) {
		free(s);
		return NULL;
	}
	s->cfg = *cfg;
	memcpy(s->sc, sc, sizeof(*sc));
	if ((*status = build(s, check)) == 0)
		return s;
	sim_destroy(s);
	return NULL;
}

struct sim *sim_create_scenario(const struct scenario *sc,
				const struct sim_config *cfg, int *status)
{
	return create(sc, cfg, true, status);
}

struct sim *sim_create(const struct sim_config *cfg, int *status)
{
	struct scenario *sc = malloc(sizeof(*sc));
	struct sim *s = NULL;

	*status = SIM_EXIT_INTERNAL;
	if (!sc)
		return NULL;
	if ((*status = sim_scenario_from_config(cfg, sc)) == 0)
		s = create(sc, cfg, false, status);
	free(sc);
	return s;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	vm_service_destroy(s->vs); /* workers flush their serial streams */
	/* After the VMBus servers, which record into it to the end. */
	if (s->trace) {
		char err[200];

		if (trace_close(s->trace, err, sizeof(err)) != 0)
			fprintf(stderr, "hvsim: --trace: %s\n", err);
	}
	for (unsigned i = 0; i < SCN_MAX_PARTITIONS; i++) {
		if (s->serial_owned[i])
			fclose(s->serial[i]);
		else if (s->serial[i])
			fflush(s->serial[i]);
	}
	hv_destroy(s->hv);
	evq_destroy(s->q);
	free(s->sc);
	free(s);
}
