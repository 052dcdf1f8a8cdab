/*
 * traces/kinds.c — the table of trace event kinds, as data: id (the
 * on-disk value), name, category, request stage, lane (where
 * traces/chrome.c draws it), and what arg0/arg1 mean. Names are Linux's
 * hyperv tracepoints (drivers/hv/hv_trace.h, reference/ecosystem.md §3.5)
 * where one exists, with their argument names; the request steps are
 * DESIGN.md "Traces". Users: traces/stats.c, traces/chrome.c, tests.
 */
#include <stdio.h>

#include "traces/trace.h"

/* Shorthand for the rows: K(id, name, cat, stage, lane, use, arg0, arg1);
 * use says what arg1 is (enum trace_arg1_use: 0 value, D duration,
 * C counter). */
#define D TA_DUR
#define C TA_COUNTER
#define K(id, name, cat, stage, lane, use, a0, a1)                             \
	[id] = {id, name, cat, stage, lane, use, a0, a1}

/* clang-format off */
static const struct trace_kind_info kinds[TRACE_NR_KINDS] = {
    /* id                         name           cat  stage lane use arg0 arg1 */
    K(TK_NONE, "none", "none", 0, TL_HV, 0, NULL, NULL),
    /* One request's path, child VSC → parent VSP → back. */
    K(TK_VSC_WRITE_PACKET, "vsc_write_packet", "request", 1, TL_VSC, C,
      "bytes", "ring_used"),
    K(TK_VSC_SIGNAL, "vsc_signal", "request", 2, TL_VSC, 0,
      "connection_id", NULL),
    K(TK_HV_DELIVER_EVENT, "hv_deliver_event", "request", 3, TL_HV, 0,
      "connection_id", "target_vp"),
    K(TK_VSP_PICKUP, "vsp_pickup", "request", 4, TL_VSP, 0, "parent_vp",
      NULL),
    K(TK_VSP_READ, "vsp_read", "request", 5, TL_VSP, 0, "bytes", NULL),
    K(TK_VSP_COMPLETE, "vsp_complete", "request", 6, TL_VSP, 0, "status",
      "bytes"),
    K(TK_COMPLETION_SIGNAL, "completion_signal", "request", 7, TL_VSP, 0,
      "connection_id", NULL),
    K(TK_CHILD_INTERRUPT, "child_interrupt", "request", 8, TL_VP, 0,
      "vector", NULL),
    K(TK_VSC_CONSUME, "vsc_consume", "request", 9, TL_VSC, 0, "bytes",
      NULL),
    /* Channel management: chan is child_relid where Linux has one. */
    K(TK_VMBUS_ON_MSG_DPC, "vmbus_on_msg_dpc", "vmbus", 0, TL_VP, 0,
      "msgtype", "payload_size"),
    K(TK_VMBUS_ON_MESSAGE, "vmbus_on_message", "vmbus", 0, TL_VP, 0,
      "msgtype", "payload_size"),
    K(TK_VMBUS_ONOFFER, "vmbus_onoffer", "vmbus", 0, TL_VP, 0,
      "monitorid", "connection_id"),
    K(TK_VMBUS_ONOFFER_RESCIND, "vmbus_onoffer_rescind", "vmbus", 0, TL_VP,
      0, NULL, NULL),
    K(TK_VMBUS_ONOPEN_RESULT, "vmbus_onopen_result", "vmbus", 0, TL_VP, 0,
      "openid", "status"),
    K(TK_VMBUS_ONGPADL_CREATED, "vmbus_ongpadl_created", "vmbus", 0, TL_VP,
      0, "gpadl", "creation_status"),
    K(TK_VMBUS_ONGPADL_TORNDOWN, "vmbus_ongpadl_torndown", "vmbus", 0,
      TL_VP, 0, "gpadl", NULL),
    K(TK_VMBUS_ONVERSION_RESPONSE, "vmbus_onversion_response", "vmbus", 0,
      TL_VP, 0, "ver", NULL),
    K(TK_VMBUS_REQUEST_OFFERS, "vmbus_request_offers", "vmbus", 0, TL_VP, 0,
      "ret", NULL),
    K(TK_VMBUS_OPEN, "vmbus_open", "vmbus", 0, TL_VP, 0, "openid",
      "gpadlhandle"),
    K(TK_VMBUS_CLOSE_INTERNAL, "vmbus_close_internal", "vmbus", 0, TL_VP, 0,
      "ret", NULL),
    K(TK_VMBUS_ESTABLISH_GPADL_HEADER, "vmbus_establish_gpadl_header",
      "vmbus", 0, TL_VP, 0, "gpadl", "rangecount"),
    K(TK_VMBUS_ESTABLISH_GPADL_BODY, "vmbus_establish_gpadl_body", "vmbus",
      0, TL_VP, 0, "gpadl", "msgnumber"),
    K(TK_VMBUS_TEARDOWN_GPADL, "vmbus_teardown_gpadl", "vmbus", 0, TL_VP, 0,
      "gpadl", NULL),
    K(TK_VMBUS_NEGOTIATE_VERSION, "vmbus_negotiate_version", "vmbus", 0,
      TL_VP, 0, "ver", "target_vcpu"),
    /* The hypervisor: exits and hypercalls last arg1 cycles of root time
     * on the vCPU; a sched_switch is a slice of arg1 cycles on pCPU vp. */
    K(TK_HV_EXIT, "hv_exit", "exit", 0, TL_VP, D, "reason", "cycles"),
    K(TK_HV_HYPERCALL, "hv_hypercall", "hypercall", 0, TL_VP, D, "code",
      "cycles"),
    K(TK_SCHED_SWITCH, "sched_switch", "sched", 0, TL_HV, D, "next_vp",
      "cycles"),
    K(TK_SYNIC_DELIVER, "synic_deliver", "synic", 0, TL_HV, 0, "sint",
      "target_vp"),
    K(TK_SYNIC_EOM, "synic_eom", "synic", 0, TL_VP, 0, "sint", NULL),
    K(TK_STIMER_EXPIRE, "stimer_expire", "synic", 0, TL_VP, 0, "timer",
      "deadline"),
    /* arg0 the message type (or ring status | 0x200 for a packet), arg1
     * the refusal reason (enum vmbus_refusal). */
    K(TK_VMBUS_REFUSED, "vmbus_refused", "vmbus", 0, TL_VP, 0, "type",
      "reason"),
    /* The storage VSP's own record of each answer: arg0 the NT status
     * (non-zero for a refusal), arg1 the bytes moved; chan the relid,
     * part the child. Not a stage: the request's vsp_complete is the
     * framework's. */
    K(TK_STORVSP_COMPLETE, "storvsp_complete", "storage", 0, TL_VSP, 0,
      "status", "bytes"),
};
/* clang-format on */

#undef K
#undef C
#undef D

const struct trace_kind_info *trace_kind(unsigned id)
{
	if (id == TK_NONE || id >= TRACE_NR_KINDS)
		return NULL;
	return &kinds[id];
}

const struct trace_kind_info *trace_stage_kind(unsigned stage)
{
	/* The stages are the rows right after TK_NONE, in order (tested). */
	if (stage < 1 || stage > TRACE_NR_STAGES)
		return NULL;
	return &kinds[TK_NONE + stage];
}

const char *trace_kind_name(unsigned id, char *buf, size_t len)
{
	const struct trace_kind_info *k = trace_kind(id);

	if (k)
		return k->name;
	snprintf(buf, len, "kind#%u", id);
	return buf;
}
