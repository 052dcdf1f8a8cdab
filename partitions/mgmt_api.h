/*
 * partitions/mgmt_api.h — the management API, hvsim's analogue of Hyper-V's
 * WMI: a Unix stream socket speaking QMP-style JSON lines (greeting,
 * `qmp_capabilities`, commands, events; shared/reference/ecosystem.md §2).
 *
 * The server knows nothing about partitions: the machine hands it a table
 * of callbacks (struct mgmt_target_ops) and an opaque pointer. The main
 * loop calls mgmt_poll() between scheduler slices; it never blocks, so a
 * slow, silent or hostile client cannot stall the simulation.
 */
#ifndef HVSIM_PARTITIONS_MGMT_API_H_
#define HVSIM_PARTITIONS_MGMT_API_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MGMT_MAX_CLIENTS      8
#define MGMT_LINE_MAX	      (64u << 10) /* longest request line */
#define MGMT_MAX_PARTITIONS   64
#define MGMT_MAX_EXIT_REASONS 32
#define MGMT_NAME_MAX	      64
#define MGMT_MAX_VCPUS	      64
#define MGMT_MACHINE	      (-1) /* partition id meaning "the machine" */
#define MGMT_POWERDOWN_FORCE  0x1u /* the shutdown request's flags */
#define MGMT_POWERDOWN_REBOOT 0x2u

struct mgmt_partition_info {
	char name[MGMT_NAME_MAX];
	int id;		   /* >= 0 */
	const char *role;  /* "parent" or "child" */
	const char *state; /* QMP RunState: "running", "paused", ... */
	unsigned vcpus;
	uint64_t mem_bytes;
	uint64_t cycles;       /* simulated cycles its vCPUs ran */
	uint64_t instructions; /* guest instructions retired */
	/* Integration services (vmbus/ic_services.h); heartbeat NULL when
	 * the partition has none (the parent, or `integration = off`). */
	const char *heartbeat; /* "off", "none", "healthy", "no-contact" */
	uint64_t heartbeats, missed_heartbeats;
	const char *shutdown; /* last request: "none", "pending", ... */
};

struct mgmt_exit_stat {
	const char *reason; /* "cpuid", "msr", "hlt", ... (static storage) */
	uint64_t count;
	uint64_t cycles;
};

/* One vCPU's time in cycles (hv/hv.h struct hv_vp_stats). */
struct mgmt_vcpu_stat {
	uint64_t ring3, ring0, root, idle, wait;
	uint64_t instructions, exits;
};

struct mgmt_stats {
	uint64_t cycles;
	uint64_t instructions;
	unsigned nr_exits; /* entries used in exits[] */
	struct mgmt_exit_stat exits[MGMT_MAX_EXIT_REASONS];
	unsigned nr_vcpus; /* entries used in vcpus[]; 0 = not reported */
	struct mgmt_vcpu_stat vcpus[MGMT_MAX_VCPUS];
};

struct mgmt_status {
	const char *status; /* "running", "paused" or "shutdown" (finished) */
	uint64_t cycles;    /* simulated time, in cycles */
	uint64_t time_ns;   /* ... and in nanoseconds */
};

/*
 * What the machine implements. Any pointer may be NULL: the command then
 * answers "not supported". Actions take a partition id from
 * list_partitions, or MGMT_MACHINE for pause/resume of the whole machine;
 * they return 0, or -1 with a one-line reason written to err.
 */
struct mgmt_target_ops {
	/* Fill at most max entries; return how many were written. */
	unsigned (*list_partitions)(void *opaque,
				    struct mgmt_partition_info *out,
				    unsigned max);
	int (*pause)(void *opaque, int id, char *err, size_t errlen);
	int (*resume)(void *opaque, int id, char *err, size_t errlen);
	int (*stop)(void *opaque, int id, char *err, size_t errlen);
	int (*reset)(void *opaque, int id, char *err, size_t errlen);
	/* Hot-remove a child's VMBus device: rescind the offer of channel
	 * relid (vmbus/server.c). */
	int (*rescind)(void *opaque, int id, unsigned relid, char *err,
		       size_t errlen);
	/* Ask a child to shut down through its shutdown integration service
	 * (flags MGMT_POWERDOWN_*): 0 once the request is on its way (the
	 * answer comes later: query-partitions' "integration"), or -1 (err:
	 * no open shutdown channel, a request already waiting, ...). */
	int (*powerdown)(void *opaque, int id, unsigned flags, char *err,
			 size_t errlen);
	/* Statistics of one partition; 0 or -1 (err). out is zeroed first. */
	int (*query_stats)(void *opaque, int id, struct mgmt_stats *out,
			   char *err, size_t errlen);
	void (*query_status)(void *opaque, struct mgmt_status *out);
	/* End the run after the current slice. */
	void (*quit)(void *opaque);
};

struct mgmt;

/* Listen on the Unix socket at path (a stale socket file there is
 * replaced; any other kind of file is left alone and refused). Returns
 * NULL with a reason in err if the path is too long or the socket cannot
 * be made. ops is copied; opaque is passed to every callback. */
struct mgmt *mgmt_open(const char *path, const struct mgmt_target_ops *ops,
		       void *opaque, char *err, size_t errlen);
/* Accept clients, read their requests and answer them, without blocking.
 * Returns the number of requests answered. */
int mgmt_poll(struct mgmt *m);
/* Send {"event": name, "data": DATA, "timestamp": ...} to every client
 * past capabilities negotiation. data_json is a JSON object's text, or
 * NULL for none. Returns the number of clients reached, -1 if data_json
 * is not a JSON object. */
int mgmt_emit_event(struct mgmt *m, const char *name, const char *data_json);
/* Clients currently connected (for tests and status lines). */
unsigned mgmt_nr_clients(const struct mgmt *m);
/* Close every client and the socket, and remove the socket file. */
void mgmt_close(struct mgmt *m);

#endif
