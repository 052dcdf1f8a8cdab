/*
 * partitions/mgmt_cmds.c — the management API's commands, as a table
 * {name, handler, accepted arguments, help}. Names follow QEMU's QMP where
 * QMP has the command (query-version, query-commands, query-status, stop,
 * cont, quit; shared/reference/ecosystem.md §2.2) and Hyper-V's verbs for
 * partitions (Suspend-VM/Resume-VM/Stop-VM/reset: partition-pause,
 * partition-resume, partition-stop, partition-reset).
 *
 * Each handler reads the machine through struct mgmt_target_ops and never
 * holds anything of it past the call. A partition is named by "name" (a
 * string) or "id" (an integer), resolved against list_partitions. State
 * changes made here are announced as events (STOP, RESUME, SHUTDOWN as
 * QMP does; X_HV_PARTITION_STATE_CHANGE for a partition).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partitions/mgmt_int.h"
#include "sim/hvsim_version.h"

json_t *mgmt_version_json(void)
{
	unsigned maj = 0, min = 0, mic = 0;

	if (sscanf(HVSIM_VERSION, "%u.%u.%u", &maj, &min, &mic) < 1)
		maj = min = mic = 0;
	/* "qemu" is the key QMP clients look for; the values are hvsim's. */
	return json_pack("{s:{s:i,s:i,s:i},s:s}", "qemu", "major", (int)maj,
			 "minor", (int)min, "micro", (int)mic, "package",
			 "hvsim " HVSIM_VERSION);
}

static bool unsupported(const void *fn, const char *what, struct mgmt_error *e)
{
	if (fn)
		return false;
	mgmt_fail(e, "GenericError", "%s is not supported by this machine",
		  what);
	return true;
}

/* ---- partitions -------------------------------------------------------- */

/* All partitions, or NULL (e). *n gets the count. Caller frees. */
static struct mgmt_partition_info *list_all(struct mgmt *m, unsigned *n,
					    struct mgmt_error *e)
{
	struct mgmt_partition_info *p;

	if (unsupported((const void *)m->ops.list_partitions,
			"listing partitions", e))
		return NULL;
	p = calloc(MGMT_MAX_PARTITIONS, sizeof(*p));
	if (!p) {
		mgmt_fail(e, "GenericError", "out of memory");
		return NULL;
	}
	*n = m->ops.list_partitions(m->opaque, p, MGMT_MAX_PARTITIONS);
	if (*n > MGMT_MAX_PARTITIONS)
		*n = MGMT_MAX_PARTITIONS;
	for (unsigned i = 0; i < *n; i++)
		p[i].name[MGMT_NAME_MAX - 1] = '\0';
	return p;
}

/* The partition args name ("name" or "id"). Returns 1 and fills *out, 0
 * if args name none and !required, -1 on an error (e). */
static int find_partition(struct mgmt *m, json_t *args, bool required,
			  struct mgmt_partition_info *out, struct mgmt_error *e)
{
	json_t *name = json_object_get(args, "name");
	json_t *id = json_object_get(args, "id");
	struct mgmt_partition_info *all;
	unsigned n = 0;
	int found = -1;

	if (name && id) {
		mgmt_fail(e, "GenericError", "give 'name' or 'id', not both");
		return -1;
	}
	if (!name && !id) {
		if (required)
			mgmt_fail(e, "GenericError",
				  "Parameter 'name' is missing");
		return required ? -1 : 0;
	}
	if ((name && !json_is_string(name)) || (id && !json_is_integer(id))) {
		mgmt_fail(e, "GenericError",
			  "Invalid parameter type for '%s', expected: %s",
			  name ? "name" : "id", name ? "string" : "integer");
		return -1;
	}
	if (!(all = list_all(m, &n, e)))
		return -1;
	for (unsigned i = 0; i < n && found < 0; i++)
		if (name ? !strcmp(all[i].name, json_string_value(name))
			 : all[i].id == json_integer_value(id))
			found = (int)i;
	if (found >= 0)
		*out = all[found];
	else if (name)
		mgmt_fail(e, "GenericError", "partition '%.64s' not found",
			  json_string_value(name));
	else
		mgmt_fail(e, "GenericError", "partition %lld not found",
			  (long long)json_integer_value(id));
	free(all);
	return found >= 0 ? 1 : -1;
}

static json_t *partition_json(const struct mgmt_partition_info *p)
{
	json_t *o = json_pack(
	    "{s:i,s:o,s:s,s:s,s:i,s:I,s:I,s:I}", "id", p->id, "name",
	    mgmt_text(p->name), "role", p->role ? p->role : "child", "state",
	    p->state ? p->state : "unknown", "vcpus", (int)p->vcpus, "memory",
	    (json_int_t)p->mem_bytes, "cycles", (json_int_t)p->cycles,
	    "instructions", (json_int_t)p->instructions);

	if (o && p->heartbeat) /* the integration services' view */
		json_object_set_new(
		    o, "integration",
		    json_pack("{s:s,s:I,s:I,s:s}", "heartbeat", p->heartbeat,
			      "heartbeats", (json_int_t)p->heartbeats,
			      "missed-heartbeats",
			      (json_int_t)p->missed_heartbeats, "shutdown",
			      p->shutdown ? p->shutdown : "none"));
	return o;
}

static json_t *cmd_query_partitions(struct mgmt *m, json_t *args,
				    struct mgmt_error *e)
{
	struct mgmt_partition_info *all;
	unsigned n = 0;
	json_t *arr;

	(void)args;
	if (!(all = list_all(m, &n, e)))
		return NULL;
	arr = json_array();
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(arr, partition_json(&all[i]));
	free(all);
	return arr;
}

typedef int (*part_action_fn)(void *opaque, int id, char *err, size_t len);

/* partition-pause/-resume/-stop/-reset: one shape, the op differs. */
static json_t *partition_action(struct mgmt *m, json_t *args, part_action_fn fn,
				const char *verb, struct mgmt_error *e)
{
	struct mgmt_partition_info p, after;
	char err[200] = "";

	if (unsupported((const void *)fn, verb, e))
		return NULL;
	if (find_partition(m, args, true, &p, e) < 0)
		return NULL;
	if (fn(m->opaque, p.id, err, sizeof(err)) != 0) {
		mgmt_fail(e, "GenericError", "%s %.64s: %s", verb, p.name,
			  err[0] ? err : "failed");
		return NULL;
	}
	after = p;
	args = json_pack("{s:i}", "id", p.id);
	if (find_partition(m, args, true, &after, e) < 0)
		after.state = "unknown";
	json_decref(args);
	mgmt_emit_json(m, "X_HV_PARTITION_STATE_CHANGE",
		       json_pack("{s:o,s:i,s:s,s:s}", "partition",
				 mgmt_text(p.name), "id", p.id, "action", verb,
				 "state",
				 after.state ? after.state : "unknown"));
	return json_object();
}

static json_t *cmd_partition_pause(struct mgmt *m, json_t *a,
				   struct mgmt_error *e)
{
	return partition_action(m, a, m->ops.pause, "pause", e);
}

static json_t *cmd_partition_resume(struct mgmt *m, json_t *a,
				    struct mgmt_error *e)
{
	return partition_action(m, a, m->ops.resume, "resume", e);
}

static json_t *cmd_partition_stop(struct mgmt *m, json_t *a,
				  struct mgmt_error *e)
{
	return partition_action(m, a, m->ops.stop, "stop", e);
}

static json_t *cmd_partition_reset(struct mgmt *m, json_t *a,
				   struct mgmt_error *e)
{
	return partition_action(m, a, m->ops.reset, "reset", e);
}

/* x-vmbus-rescind {name|id, relid}: hot-remove one of a child's VMBus
 * devices (its offer is rescinded; the guest closes the channel). */
static json_t *cmd_vmbus_rescind(struct mgmt *m, json_t *a,
				 struct mgmt_error *e)
{
	struct mgmt_partition_info p;
	json_t *relid = json_object_get(a, "relid");
	char err[200] = "";

	if (unsupported((const void *)m->ops.rescind, "x-vmbus-rescind", e))
		return NULL;
	if (!relid || !json_is_integer(relid) ||
	    json_integer_value(relid) < 1 ||
	    json_integer_value(relid) > 0xFFFF) {
		mgmt_fail(e, "GenericError",
			  "Parameter 'relid' must be an integer 1..65535");
		return NULL;
	}
	if (find_partition(m, a, true, &p, e) < 0)
		return NULL;
	if (m->ops.rescind(m->opaque, p.id, (unsigned)json_integer_value(relid),
			   err, sizeof(err)) != 0) {
		mgmt_fail(e, "GenericError", "rescind on %.64s: %s", p.name,
			  err[0] ? err : "failed");
		return NULL;
	}
	return json_object();
}

/* A boolean argument (absent: false); -1 on a wrong type (e). */
static int bool_arg(json_t *a, const char *name, struct mgmt_error *e)
{
	json_t *v = json_object_get(a, name);

	if (!v)
		return 0;
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_string(v) && (!strcmp(json_string_value(v), "true") ||
				  !strcmp(json_string_value(v), "false")))
		return !strcmp(json_string_value(v), "true");
	mgmt_fail(e, "GenericError",
		  "Invalid parameter type for '%s', expected: boolean", name);
	return -1;
}

/* The only child, for commands whose partition may be left out. */
static int only_child(struct mgmt *m, struct mgmt_partition_info *out,
		      struct mgmt_error *e)
{
	struct mgmt_partition_info *all;
	unsigned n = 0, found = 0;

	if (!(all = list_all(m, &n, e)))
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (all[i].role && !strcmp(all[i].role, "child") && !found++)
			*out = all[i];
	free(all);
	if (found == 1)
		return 1;
	mgmt_fail(e, "GenericError",
		  found ? "several children: give 'name' or 'id'"
			: "no child partition");
	return -1;
}

/* system_powerdown [name|id] [force] [reboot]: QMP's ACPI power button,
 * here the child's shutdown integration service (vmbus/ic_services.h).
 * Returns once the request is on its way, as QMP does; the guest's
 * answer shows in query-partitions and as X_HV_GUEST_SHUTDOWN. */
static json_t *cmd_system_powerdown(struct mgmt *m, json_t *a,
				    struct mgmt_error *e)
{
	struct mgmt_partition_info p;
	int force, reboot, r;
	char err[200] = "";

	if (unsupported((const void *)m->ops.powerdown, "system_powerdown", e))
		return NULL;
	if ((force = bool_arg(a, "force", e)) < 0 ||
	    (reboot = bool_arg(a, "reboot", e)) < 0)
		return NULL;
	if ((r = find_partition(m, a, false, &p, e)) < 0 ||
	    (r == 0 && only_child(m, &p, e) < 0))
		return NULL;
	if (m->ops.powerdown(m->opaque, p.id,
			     (force ? MGMT_POWERDOWN_FORCE : 0) |
				 (reboot ? MGMT_POWERDOWN_REBOOT : 0),
			     err, sizeof(err)) != 0) {
		mgmt_fail(e, "GenericError", "system_powerdown %.64s: %s",
			  p.name, err[0] ? err : "failed");
		return NULL;
	}
	return json_object();
}

/* ---- statistics -------------------------------------------------------- */

/* Per-vCPU time: [{"ring3": .., "ring0": .., "root": .., "idle": ..,
 * "wait": .., "instructions": .., "exits": ..}, ...] in cycles. */
static json_t *vcpus_json(const struct mgmt_stats *st)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < st->nr_vcpus && i < MGMT_MAX_VCPUS; i++) {
		const struct mgmt_vcpu_stat *v = &st->vcpus[i];
		json_array_append_new(
		    a, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "ring3",
				 (json_int_t)v->ring3, "ring0",
				 (json_int_t)v->ring0, "root",
				 (json_int_t)v->root, "idle",
				 (json_int_t)v->idle, "wait",
				 (json_int_t)v->wait, "instructions",
				 (json_int_t)v->instructions, "exits",
				 (json_int_t)v->exits));
	}
	return a;
}

static json_t *stats_json(struct mgmt *m, const struct mgmt_partition_info *p,
			  struct mgmt_error *e)
{
	struct mgmt_stats *st = calloc(1, sizeof(*st));
	char err[200] = "";
	json_t *exits, *o;

	if (!st) {
		mgmt_fail(e, "GenericError", "out of memory");
		return NULL;
	}
	if (m->ops.query_stats(m->opaque, p->id, st, err, sizeof(err))) {
		mgmt_fail(e, "GenericError", "statistics of %.64s: %s", p->name,
			  err[0] ? err : "failed");
		free(st);
		return NULL;
	}
	exits = json_object();
	for (unsigned i = 0; i < st->nr_exits && i < MGMT_MAX_EXIT_REASONS; i++)
		if (st->exits[i].reason)
			json_object_set_new(
			    exits, st->exits[i].reason,
			    json_pack("{s:I,s:I}", "count",
				      (json_int_t)st->exits[i].count, "cycles",
				      (json_int_t)st->exits[i].cycles));
	o = json_pack("{s:i,s:o,s:I,s:I,s:o}", "id", p->id, "name",
		      mgmt_text(p->name), "cycles", (json_int_t)st->cycles,
		      "instructions", (json_int_t)st->instructions, "exits",
		      exits);
	if (o && st->nr_vcpus)
		json_object_set_new(o, "vcpus", vcpus_json(st));
	free(st);
	return o;
}

/* query-stats [name|id]: one partition, or all of them. */
static json_t *cmd_query_stats(struct mgmt *m, json_t *args,
			       struct mgmt_error *e)
{
	struct mgmt_partition_info one, *all;
	unsigned n = 0;
	json_t *arr, *o;
	int r;

	if (unsupported((const void *)m->ops.query_stats, "query-stats", e))
		return NULL;
	if ((r = find_partition(m, args, false, &one, e)) < 0)
		return NULL;
	if (r == 1)
		return stats_json(m, &one, e);
	if (!(all = list_all(m, &n, e)))
		return NULL;
	arr = json_array();
	for (unsigned i = 0; i < n && arr; i++) {
		if ((o = stats_json(m, &all[i], e)))
			json_array_append_new(arr, o);
		else {
			json_decref(arr);
			arr = NULL;
		}
	}
	free(all);
	return arr;
}

/* ---- the machine ------------------------------------------------------- */

static json_t *cmd_query_status(struct mgmt *m, json_t *args,
				struct mgmt_error *e)
{
	struct mgmt_status st = {.status = "running"};

	(void)args;
	if (unsupported((const void *)m->ops.query_status, "query-status", e))
		return NULL;
	m->ops.query_status(m->opaque, &st);
	if (!st.status)
		st.status = "running";
	return json_pack("{s:b,s:s,s:I,s:I}", "running",
			 !strcmp(st.status, "running"), "status", st.status,
			 "sim-cycles", (json_int_t)st.cycles, "sim-time-ns",
			 (json_int_t)st.time_ns);
}

static json_t *machine_action(struct mgmt *m, part_action_fn fn,
			      const char *cmd, const char *event,
			      struct mgmt_error *e)
{
	char err[200] = "";

	if (unsupported((const void *)fn, cmd, e))
		return NULL;
	if (fn(m->opaque, MGMT_MACHINE, err, sizeof(err)) != 0) {
		mgmt_fail(e, "GenericError", "%s: %s", cmd,
			  err[0] ? err : "failed");
		return NULL;
	}
	mgmt_emit_json(m, event, NULL);
	return json_object();
}

static json_t *cmd_stop(struct mgmt *m, json_t *a, struct mgmt_error *e)
{
	(void)a;
	return machine_action(m, m->ops.pause, "stop", "STOP", e);
}

static json_t *cmd_cont(struct mgmt *m, json_t *a, struct mgmt_error *e)
{
	(void)a;
	return machine_action(m, m->ops.resume, "cont", "RESUME", e);
}

static json_t *cmd_quit(struct mgmt *m, json_t *a, struct mgmt_error *e)
{
	(void)a;
	if (unsupported((const void *)m->ops.quit, "quit", e))
		return NULL;
	m->ops.quit(m->opaque);
	mgmt_emit_json(
	    m, "SHUTDOWN",
	    json_pack("{s:b,s:s}", "guest", 0, "reason", "host-qmp-quit"));
	return json_object();
}

static json_t *cmd_query_version(struct mgmt *m, json_t *a,
				 struct mgmt_error *e)
{
	(void)m;
	(void)a;
	(void)e;
	return mgmt_version_json();
}

static json_t *cmd_query_commands(struct mgmt *m, json_t *a,
				  struct mgmt_error *e);

static const struct mgmt_cmd cmds[] = {
    {"query-version", cmd_query_version, {NULL}, "hvsim's version"},
    {"query-commands",
     cmd_query_commands,
     {NULL},
     "the commands, with one line of help each"},
    {"query-status",
     cmd_query_status,
     {NULL},
     "running/paused/shutdown and the simulated time"},
    {"query-partitions",
     cmd_query_partitions,
     {NULL},
     "every partition: id, name, role, state, vcpus, memory, cycles, "
     "instructions"},
    {"query-stats",
     cmd_query_stats,
     {"name", "id", NULL},
     "cycles, instructions and exits by reason, of one partition or all"},
    {"stop", cmd_stop, {NULL}, "pause the whole machine"},
    {"cont", cmd_cont, {NULL}, "resume the whole machine"},
    {"partition-pause",
     cmd_partition_pause,
     {"name", "id", NULL},
     "pause one partition (Suspend-VM)"},
    {"partition-resume",
     cmd_partition_resume,
     {"name", "id", NULL},
     "resume a paused partition (Resume-VM)"},
    {"partition-stop",
     cmd_partition_stop,
     {"name", "id", NULL},
     "turn a partition off (Stop-VM -TurnOff)"},
    {"partition-reset",
     cmd_partition_reset,
     {"name", "id", NULL},
     "reset a partition and start it again"},
    {"x-vmbus-rescind",
     cmd_vmbus_rescind,
     {"name", "id", "relid", NULL},
     "hot-remove a child's VMBus device (channel relid)"},
    {"system_powerdown",
     cmd_system_powerdown,
     {"name", "id", "force", "reboot", NULL},
     "ask a child to shut down (its shutdown integration service)"},
    {"quit", cmd_quit, {NULL}, "end the simulation"},
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static json_t *cmd_query_commands(struct mgmt *m, json_t *a,
				  struct mgmt_error *e)
{
	json_t *arr = json_array();

	(void)m;
	(void)a;
	(void)e;
	json_array_append_new(arr, json_pack("{s:s,s:s}", "name",
					     "qmp_capabilities", "help",
					     "leave capabilities negotiation"));
	for (size_t i = 0; i < NR_CMDS; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s}", "name",
						     cmds[i].name, "help",
						     cmds[i].help));
	return arr;
}

const struct mgmt_cmd *mgmt_find_cmd(const char *name)
{
	for (size_t i = 0; i < NR_CMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

const struct mgmt_cmd *mgmt_cmd_table(size_t *n)
{
	*n = NR_CMDS;
	return cmds;
}
