/*
 * sim/mgmt_ic.c — the integration services in the management API
 * (sim/mgmt_ic.h): each child's VM Worker holds its ic_services
 * (partitions/vm_worker.h); this file finds them by partition id and
 * turns their status into JSON-ready fields and events, and a
 * system_powerdown into a shutdown request at the current simulated time.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "hv/hv.h"
#include "partitions/partition.h"
#include "partitions/vm_service.h"
#include "partitions/vm_worker.h"
#include "sim/mgmt_ic.h"
#include "sim/sim.h"

/* Defined in sim.c (as in mgmt_glue.c). */
struct vm_service *sim_vm_service(struct sim *s);

/* The integration services of partition id, or NULL (the parent, none). */
static struct ic_services *ic_of(struct sim *s, int id)
{
	struct vm_service *vs = sim_vm_service(s);

	for (unsigned i = 0; i < vm_service_count(vs); i++) {
		struct vm_worker *w = vm_service_worker(vs, i);
		if ((int)partition_id(vm_worker_partition(w)) == id)
			return vm_worker_ic(w);
	}
	return NULL;
}

void mgmt_ic_info(struct sim *s, struct mgmt_partition_info *out)
{
	struct ic_services *ics = ic_of(s, out->id);
	struct ic_status st;

	if (!ics)
		return;
	ic_services_status(ics, &st);
	out->heartbeat = ic_health_name(st.heartbeat.health);
	out->heartbeats = st.heartbeat.beats;
	out->missed_heartbeats = st.heartbeat.missed;
	out->shutdown = ic_shutdown_result_name(st.shutdown);
}

int mgmt_ic_powerdown(struct sim *s, int id, unsigned flags, char *err,
		      size_t len)
{
	struct ic_services *ics = ic_of(s, id);
	uint32_t icf = (flags & MGMT_POWERDOWN_FORCE ? IC_SHUTDOWN_FORCE : 0) |
		       (flags & MGMT_POWERDOWN_REBOOT ? IC_SHUTDOWN_RESTART : 0);
	bool known = false;

	for (unsigned i = 0; i < sim_nr_partitions(s); i++)
		known |= (int)partition_id(sim_partition(s, i)) == id;
	if (!known) {
		snprintf(err, len, "no partition %d", id);
		return -1;
	}
	if (!ics) {
		snprintf(err, len, "it has no integration services");
		return -1;
	}
	return ic_services_shutdown(ics, icf, hv_now(sim_hv(s)), err, len);
}

static void emit(struct mgmt *m, const char *name, json_t *d)
{
	char *text = json_dumps(d, JSON_COMPACT);

	mgmt_emit_event(m, name, text);
	free(text);
	json_decref(d);
}

void mgmt_ic_note(struct sim *s, struct mgmt *m, struct mgmt_ic_seen *seen,
		  bool announce)
{
	for (unsigned i = 0; i < sim_nr_partitions(s) && i < MGMT_MAX_PARTITIONS;
	     i++) {
		struct partition *p = sim_partition(s, i);
		struct ic_services *ics = ic_of(s, (int)partition_id(p));
		struct ic_status st;

		if (!ics)
			continue;
		ic_services_status(ics, &st);
		if (st.heartbeat.health != seen->health[i] && announce)
			emit(m, "X_HV_GUEST_HEARTBEAT",
			     json_pack("{s:s?,s:i,s:s,s:I,s:I}", "partition",
				       partition_name(p), "id",
				       (int)partition_id(p), "heartbeat",
				       ic_health_name(st.heartbeat.health),
				       "heartbeats",
				       (json_int_t)st.heartbeat.beats, "missed",
				       (json_int_t)st.heartbeat.missed));
		/* A request still waiting is not news; its result is. */
		if (st.shutdown != seen->shutdown[i] && announce &&
		    st.shutdown != IC_SD_PENDING)
			emit(m, "X_HV_GUEST_SHUTDOWN",
			     json_pack("{s:s?,s:i,s:s,s:I}", "partition",
				       partition_name(p), "id",
				       (int)partition_id(p), "result",
				       ic_shutdown_result_name(st.shutdown),
				       "status",
				       (json_int_t)st.shutdown_status));
		seen->health[i] = st.heartbeat.health;
		seen->shutdown[i] = st.shutdown;
	}
}
