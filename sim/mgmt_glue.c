/*
 * sim/mgmt_glue.c — struct mgmt_target_ops over the real machine: the
 * partitions of struct sim, whose lifecycle requests go to the parent's
 * VM Service (partitions/vm_service.h: pause, resume, stop, reset; the
 * parent itself is refused), and hv/hv.h for statistics, so `hvsim run
 * --mgmt SOCKET` can be listed, paused, resumed, stopped, reset, asked for
 * statistics and asked to quit (partitions/mgmt_api.h).
 *
 * States map to QMP RunState names (ecosystem.md §2.5): created →
 * "prelaunch", running → "running", paused → "paused", stopped →
 * "shutdown". Machine-wide `stop` does not touch partitions: the main
 * loop simply waits in sim_mgmt_between_slices() until `cont` or `quit`,
 * which is what pausing a discrete-event simulation means. Waiting is the
 * one place hvsim sleeps on host time; running, it never blocks on a
 * client. State changes no command made (a guest ending by itself) are
 * announced when the clients are next served, and at the end of the run.
 * A partition's statistics: its exits by reason (hv_part_exit_count /
 * _cycles) and each vCPU's ring 3 / ring 0 / root / idle / wait time.
 * system_powerdown and the children's integration services (heartbeat
 * health, shutdown results, their events): sim/mgmt_ic.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/hv.h"
#include "mmu/mmu.h"
#include "partitions/mgmt_api.h"
#include "partitions/partition.h"
#include "partitions/vm_service.h"
#include "partitions/vm_worker.h"
#include "vmbus/server.h"
#include "sim/mgmt_glue.h"
#include "sim/mgmt_ic.h"
#include "sim/sim.h"

/* Defined in sim.c (sim.h should declare it: lead). */
struct vm_service *sim_vm_service(struct sim *s);

#define SIM_MGMT_POLL_NS 10000000ll /* serve clients every 10 ms */
#define SIM_MGMT_WAIT_NS 5000000l   /* nap while stopped */

struct sim_mgmt {
	struct sim *s;
	struct mgmt *m;
	uint64_t freq_hz;
	bool stopped; /* `stop` given, no `cont` yet */
	bool quit;
	long long last_poll_ns;
	/* Partition states as clients last heard of them: a change found
	 * here that no command made (a guest ending by itself) is
	 * announced as X_HV_PARTITION_STATE_CHANGE. */
	enum part_state seen[MGMT_MAX_PARTITIONS];
	/* The same for the integration services (sim/mgmt_ic.h). */
	struct mgmt_ic_seen seen_ic;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static struct partition *part_by_id(struct sim_mgmt *g, int id)
{
	for (unsigned i = 0; i < sim_nr_partitions(g->s); i++) {
		struct partition *p = sim_partition(g->s, i);
		if (id >= 0 && partition_id(p) == (unsigned)id)
			return p;
	}
	return NULL;
}

static void note_states(struct sim_mgmt *g, bool announce);


static const char *run_state(enum part_state st)
{
	static const char *const names[] = {
	    [PART_CREATED] = "prelaunch",
	    [PART_RUNNING] = "running",
	    [PART_PAUSED] = "paused",
	    [PART_STOPPED] = "shutdown",
	};
	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st]
							       : "unknown";
}

/* Sum of a partition's vCPU statistics. */
static void part_totals(struct partition *p, struct hv_vp_stats *sum)
{
	struct hv_part *hp = partition_hv(p);

	memset(sum, 0, sizeof(*sum));
	for (unsigned i = 0; i < hv_part_nr_vps(hp); i++) {
		struct hv_vp_stats st;
		hv_vp_stats(hp, i, &st);
		sum->ring3 += st.ring3;
		sum->ring0 += st.ring0;
		sum->root += st.root;
		sum->instret += st.instret;
		sum->exits += st.exits;
	}
}

static unsigned g_list(void *o, struct mgmt_partition_info *out, unsigned max)
{
	struct sim_mgmt *g = o;
	unsigned n = sim_nr_partitions(g->s);

	for (unsigned i = 0; i < n && i < max; i++) {
		struct partition *p = sim_partition(g->s, i);
		struct hv_part *hp = partition_hv(p);
		struct hv_vp_stats sum;
		part_totals(p, &sum);
		snprintf(out[i].name, sizeof(out[i].name), "%s",
			 partition_name(p));
		out[i].id = (int)partition_id(p);
		out[i].role = partition_is_parent(p) ? "parent" : "child";
		out[i].state = run_state(partition_state(p));
		out[i].vcpus = hv_part_nr_vps(hp);
		out[i].mem_bytes = physmem_ram_size(hv_part_mem(hp));
		out[i].cycles = sum.ring3 + sum.ring0 + sum.root;
		out[i].instructions = sum.instret;
		mgmt_ic_info(g->s, &out[i]);
	}
	return n < max ? n : max;
}

typedef int (*lifecycle_fn)(struct vm_service *vs, unsigned id, char *err,
			    size_t len);

static int act(struct sim_mgmt *g, int id, lifecycle_fn fn, char *err,
	       size_t len)
{
	if (id < 0) {
		snprintf(err, len, "no partition %d", id);
		return -1;
	}
	return fn(sim_vm_service(g->s), (unsigned)id, err, len);
}

static int g_pause(void *o, int id, char *err, size_t len)
{
	struct sim_mgmt *g = o;

	if (id != MGMT_MACHINE)
		return act(g, id, vm_service_pause, err, len);
	if (g->stopped) {
		snprintf(err, len, "the machine is already stopped");
		return -1;
	}
	g->stopped = true;
	return 0;
}

static int g_resume(void *o, int id, char *err, size_t len)
{
	struct sim_mgmt *g = o;

	if (id != MGMT_MACHINE)
		return act(g, id, vm_service_resume, err, len);
	if (!g->stopped) {
		snprintf(err, len, "the machine is not stopped");
		return -1;
	}
	g->stopped = false;
	return 0;
}

static int g_stop(void *o, int id, char *err, size_t len)
{
	return act(o, id, vm_service_stop, err, len);
}

static int g_reset(void *o, int id, char *err, size_t len)
{
	return act(o, id, vm_service_reset, err, len);
}

/* Hot-remove: the child's VMBus server rescinds channel relid. */
static int g_rescind(void *o, int id, unsigned relid, char *err, size_t len)
{
	struct sim_mgmt *g = o;
	struct vm_service *vs = sim_vm_service(g->s);

	for (unsigned i = 0; i < vm_service_count(vs); i++) {
		struct vm_worker *w = vm_service_worker(vs, i);
		struct vmbus_server *srv;

		if ((int)partition_id(vm_worker_partition(w)) != id)
			continue;
		if (!(srv = vm_worker_vmbus(w))) {
			snprintf(err, len, "the parent has no VMBus devices");
			return -1;
		}
		if (vmbus_server_rescind(srv, relid, hv_now(sim_hv(g->s)))) {
			snprintf(err, len, "no offered channel %u", relid);
			return -1;
		}
		return 0;
	}
	snprintf(err, len, "no partition %d", id);
	return -1;
}

/* system_powerdown: the child's shutdown integration service. */
static int g_powerdown(void *o, int id, unsigned flags, char *err, size_t len)
{
	return mgmt_ic_powerdown(((struct sim_mgmt *)o)->s, id, flags, err,
				 len);
}

/* Exits of the partition by reason (the rows that happened), and each
 * vCPU's time. */
static void part_detail(struct hv_part *hp, struct mgmt_stats *out)
{
	for (int r = 0; r < HV_EXIT_NR && out->nr_exits < MGMT_MAX_EXIT_REASONS;
	     r++) {
		uint64_t n = hv_part_exit_count(hp, (enum hv_exit_reason)r);
		if (!n)
			continue;
		out->exits[out->nr_exits++] = (struct mgmt_exit_stat){
		    hv_exit_name((enum hv_exit_reason)r), n,
		    hv_part_exit_cycles(hp, (enum hv_exit_reason)r)};
	}
	for (unsigned i = 0; i < hv_part_nr_vps(hp) && i < MGMT_MAX_VCPUS; i++) {
		struct hv_vp_stats st;
		hv_vp_stats(hp, i, &st);
		out->vcpus[i] = (struct mgmt_vcpu_stat){
		    st.ring3, st.ring0, st.root, st.idle,
		    st.wait,  st.instret, st.exits};
		out->nr_vcpus = i + 1;
	}
}

static int g_stats(void *o, int id, struct mgmt_stats *out, char *err,
		   size_t len)
{
	struct sim_mgmt *g = o;
	struct partition *p = part_by_id(g, id);
	struct hv_vp_stats sum;

	if (!p) {
		snprintf(err, len, "no partition %d", id);
		return -1;
	}
	part_totals(p, &sum);
	out->cycles = sum.ring3 + sum.ring0 + sum.root;
	out->instructions = sum.instret;
	part_detail(partition_hv(p), out);
	return 0;
}

static void g_status(void *o, struct mgmt_status *out)
{
	struct sim_mgmt *g = o;
	cycles_t now = hv_now(sim_hv(g->s));

	out->status = g->quit ? "shutdown" : g->stopped ? "paused" : "running";
	out->cycles = now;
	out->time_ns =
	    g->freq_hz ? (uint64_t)((double)now * 1e9 / (double)g->freq_hz) : 0;
}

static void g_quit(void *o)
{
	((struct sim_mgmt *)o)->quit = true;
}

static const struct mgmt_target_ops sim_ops = {
    .list_partitions = g_list,
    .pause = g_pause,
    .resume = g_resume,
    .stop = g_stop,
    .reset = g_reset,
    .rescind = g_rescind,
    .powerdown = g_powerdown,
    .query_stats = g_stats,
    .query_status = g_status,
    .quit = g_quit,
};

struct sim_mgmt *sim_mgmt_open(struct sim *s, const char *path,
			       uint64_t freq_hz, char *err, size_t errlen)
{
	struct sim_mgmt *g = calloc(1, sizeof(*g));

	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->s = s;
	g->freq_hz = freq_hz;
	g->m = mgmt_open(path, &sim_ops, g, err, errlen);
	if (!g->m) {
		free(g);
		return NULL;
	}
	note_states(g, false);
	mgmt_ic_note(g->s, g->m, &g->seen_ic, false);
	return g;
}

/* Nothing would run, but a paused partition could be resumed. */
static bool waiting_for_resume(struct sim_mgmt *g)
{
	if (hv_nr_runnable(sim_hv(g->s)) != 0)
		return false;
	for (unsigned i = 0; i < sim_nr_partitions(g->s); i++)
		if (partition_state(sim_partition(g->s, i)) == PART_PAUSED)
			return true;
	return false;
}

/* Announce state changes since the last look (announce=false: only
 * record, as after commands, which announce their own). */
static void note_states(struct sim_mgmt *g, bool announce)
{
	unsigned n = sim_nr_partitions(g->s);

	for (unsigned i = 0; i < n && i < MGMT_MAX_PARTITIONS; i++) {
		struct partition *p = sim_partition(g->s, i);
		enum part_state st = partition_state(p);
		json_t *d;
		char *text;
		if (st == g->seen[i])
			continue;
		g->seen[i] = st;
		if (!announce)
			continue;
		d = json_pack("{s:s?,s:i,s:s}", "partition", partition_name(p),
			      "id", (int)partition_id(p), "state",
			      run_state(st));
		text = json_dumps(d, JSON_COMPACT);
		mgmt_emit_event(g->m, "X_HV_PARTITION_STATE_CHANGE", text);
		free(text);
		json_decref(d);
	}
}

static void serve(struct sim_mgmt *g)
{
	note_states(g, true);
	mgmt_ic_note(g->s, g->m, &g->seen_ic, true);
	mgmt_poll(g->m);
	note_states(g, false);
}

bool sim_mgmt_between_slices(struct sim_mgmt *g)
{
	long long t;

	if (!g) /* no --mgmt: not even the clock (this runs every event) */
		return false;
	t = now_ns();
	if (t - g->last_poll_ns >= SIM_MGMT_POLL_NS) {
		g->last_poll_ns = t;
		serve(g);
	}
	while (!g->quit && (g->stopped || waiting_for_resume(g))) {
		struct timespec nap = {0, SIM_MGMT_WAIT_NS};
		nanosleep(&nap, NULL);
		serve(g);
	}
	return g->quit;
}

void sim_mgmt_close(struct sim_mgmt *g, const char *reason)
{
	json_t *data;
	char *text;

	if (!g)
		return;
	note_states(g, true); /* e.g. the guest that ended the run */
	mgmt_ic_note(g->s, g->m, &g->seen_ic, true);
	if (!g->quit) {	      /* after `quit`, SHUTDOWN was announced already */
		data = json_pack("{s:b,s:s}", "guest", 1, "reason",
				 "guest-shutdown");
		json_object_set_new(data, "detail",
				    json_string(reason ? reason : ""));
		text = json_dumps(data, JSON_COMPACT);
		mgmt_emit_event(g->m, "SHUTDOWN", text);
		free(text);
		json_decref(data);
	}
	mgmt_close(g->m);
	free(g);
}
