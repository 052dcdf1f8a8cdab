/*
 * tests/unit/vmbus/test_fuzz_found.c — regression tests for what the
 * libFuzzer targets (tests/fuzz/) found in the VMBus server, each replayed
 * as the minimal guest sequence over the real hypervisor rig
 * (server_rig.h), and checked with vmbus_server_check as the fuzzers do.
 */
#include "server_rig.h"

static void check(struct rig *r)
{
	char why[160] = "";

	cr_assert_eq(0, vmbus_server_check(r->s, why, sizeof(why)), "%s", why);
}

/* fuzz_chanmsg: rescind an open channel, the guest releases the relid
 * without tearing its GPADL down (Linux skips the teardown message of a
 * rescinded channel). The GPADL stayed, under a relid that names no
 * channel: no teardown could ever reach it, its slot was lost until
 * UNLOAD. Now it goes with the channel. */
Test(fuzz_found, released_channel_drops_its_gpadls)
{
	struct rig r;
	struct chanmsg m;

	mk(&r);
	open_echo(&r);
	cr_assert_eq(1, vmbus_server_nr_gpadls(r.s));
	cr_assert_eq(0, vmbus_server_rescind(r.s, ECHO_RELID, 0));
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_RESCIND_CHANNELOFFER, m.type);
	post_simple(&r, CHANMSG_RELID_RELEASED, ECHO_RELID);
	cr_assert_eq(VMBUS_CH_FREE, vmbus_server_chan_state(r.s, ECHO_RELID));
	cr_assert_eq(0, vmbus_server_nr_gpadls(r.s));
	check(&r);
	/* The other channel still takes a GPADL under the same handle. */
	init_rings(&r, RING_GPA);
	gpadl_header(&r, 2, GPADL_HANDLE, RING_GPA >> 12, 2 * RING_PAGES);
	cr_assert_eq(0, created_status(&r, GPADL_HANDLE));
	check(&r);
	rm(&r);
}

/* fuzz_chanmsg: vmbus_server_on_message, the documented any-bytes entry,
 * called with a vCPU index the child does not have (hv/port.c never
 * does; a direct caller may). A refused INITIATE_CONTACT made it the
 * target of every later message, all dropped by the SynIC. Now the
 * answer goes to vCPU 0. */
Test(fuzz_found, refused_contact_from_unknown_vcpu_answers_vcpu_0)
{
	struct rig r;
	struct chanmsg m = {.type = CHANMSG_INITIATE_CONTACT}, resp;
	uint8_t b[VMBUS_MSG_MAX];
	int n;

	mk(&r);
	m.u.initiate.version = 0x00990000; /* not a version we speak */
	n = chanmsg_encode(&m, b, sizeof(b));
	cr_assert_gt(n, 0);
	vmbus_server_on_message(r.s, VMBUS_MESSAGE_CONNECTION_ID, 7, b,
				(size_t)n, 0);
	cr_assert_lt(vmbus_server_target_vp(r.s), 2);
	cr_assert_eq(16, take(&r, 0, &resp));
	cr_assert_eq(CHANMSG_VERSION_RESPONSE, resp.type);
	cr_assert_eq(0, resp.u.version_response.supported);
	cr_assert_eq(0, st(&r)->out_dropped);
	check(&r);
	rm(&r);
}
