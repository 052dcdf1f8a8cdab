/*
 * sim/mgmt_ic.h — the management API's view of the children's
 * integration services (vmbus/ic_services.h), for sim/mgmt_glue.c:
 * system_powerdown, the "integration" object of query-partitions, and
 * the events X_HV_GUEST_HEARTBEAT (a child's heartbeat health changed)
 * and X_HV_GUEST_SHUTDOWN (a shutdown request's result is known).
 */
#ifndef HVSIM_SIM_MGMT_IC_H_
#define HVSIM_SIM_MGMT_IC_H_

#include <stdbool.h>
#include <stddef.h>

#include "partitions/mgmt_api.h"
#include "vmbus/ic_services.h"

struct sim;

/* What the clients last heard, per partition slot. */
struct mgmt_ic_seen {
	enum ic_health health[MGMT_MAX_PARTITIONS];
	enum ic_shutdown_result shutdown[MGMT_MAX_PARTITIONS];
};

/* Fill out's integration fields for partition out->id (left NULL when
 * it has no integration services). */
void mgmt_ic_info(struct sim *s, struct mgmt_partition_info *out);
/* mgmt_target_ops.powerdown: the child's shutdown service. */
int mgmt_ic_powerdown(struct sim *s, int id, unsigned flags, char *err,
		      size_t errlen);
/* Announce (announce) or only record what changed since *seen. */
void mgmt_ic_note(struct sim *s, struct mgmt *m, struct mgmt_ic_seen *seen,
		  bool announce);

#endif
