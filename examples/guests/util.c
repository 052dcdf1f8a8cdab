/*
 * examples/guests/util.c — a child that runs Hyper-V's integration
 * services the way Linux's hv_utils does (examples/runtime/ic.h): it
 * opens the shutdown, timesync and heartbeat channels, lets the host
 * negotiate, answers every heartbeat, takes the time from timesync and
 * obeys a shutdown request: it answers S_OK and powers off, which for
 * this kernel means "print a line and halt for good" (CLI; HLT), so the
 * run ends with status 0. Between host messages it halts (STI; HLT): the
 * VMBus interrupt wakes it.
 *
 * It prints each channel's negotiated versions, the first heartbeats, the
 * first SYNC (the host's time and the epoch parenttime - vmreferencetime,
 * which is the scenario's start_time exactly), and "util: ready" once it
 * has negotiated all three and seen two heartbeats and a SYNC — a test
 * then sends `system_powerdown` through the management API
 * (tests/guest/run_util.py).
 */
#include "hyperv.h"
#include "ic.h"
#include "rt.h"
#include "vmbus.h"

#define WAIT_CYCLES	 500000000ull /* bound of each VMBus set-up step */
#define PRINT_HEARTBEATS 3

static struct vmbus_client c;
static struct ic_client ic;

static _Noreturn void power_off(void)
{
	printf("util: powering off (halting for good)\n");
	for (;;)
		asm volatile("cli; hlt" : : : "memory");
}

static void print_negotiated(unsigned *seen)
{
	for (unsigned i = 0; i < IC_CLIENT_NR; i++) {
		const struct ic_client_chan *k = &ic.chan[i];
		if (!k->negotiated || (*seen & 1u << i))
			continue;
		*seen |= 1u << i;
		printf("util: %s: negotiated framework %u.%u, message %u.%u\n",
		       ic_client_name(i), k->fw_major, k->fw_minor,
		       k->msg_major, k->msg_minor);
	}
}

static void print_timesync(void)
{
	char now[21], epoch[21];

	ic_format_filetime(ic.parenttime, now);
	ic_format_filetime(ic.parenttime - ic.reftime, epoch);
	printf("util: timesync %s: host time %s, epoch %s (vmreferencetime "
	       "%s)\n",
	       ic.ts_flags == 1 ? "SYNC" : "SAMPLE", now, epoch,
	       ic.reftime ? "given" : "absent");
}

int kmain(struct hvsim_boot_info *bi)
{
	struct hv_info info;
	unsigned seen = 0, beats = 0, syncs = 0, shutdowns = 0;
	int ready = 0, n;

	(void)bi;
	rt_init();
	printf("util: integration services (shutdown, timesync, heartbeat)\n");
	if (!hv_detect(&info) || hv_hypercall_enable() != 0 ||
	    vmbus_init(&c, WAIT_CYCLES) != 0 || vmbus_connect(&c) != 0 ||
	    vmbus_request_offers(&c) != 0) {
		printf("FAIL: util: no VMBus connection\n");
		return 1;
	}
	n = ic_client_open(&ic, &c);
	printf("util: %d integration channels open\n", n);
	if (n != IC_CLIENT_NR) {
		printf("FAIL: util: expected %d channels\n", IC_CLIENT_NR);
		return 1;
	}
	for (;;) {
		ic_client_poll(&ic);
		print_negotiated(&seen);
		for (; beats < ic.heartbeats; beats++)
			if (beats < PRINT_HEARTBEATS)
				printf("util: heartbeat %u answered (seq_num "
				       "%lu)\n",
				       beats + 1,
				       (unsigned long)(ic.last_seq -
						       (ic.heartbeats - 1 -
							beats)));
		if (syncs == 0 && ic.timesyncs)
			print_timesync();
		syncs = ic.timesyncs;
		if (!ready && seen == 7 && ic.heartbeats >= 2 && syncs) {
			ready = 1;
			printf("util: ready\n");
		}
		for (; shutdowns < ic.shutdowns; shutdowns++)
			printf("util: shutdown request, flags %#x: %s\n",
			       ic.shutdown_flags,
			       ic.shutdown ? "accepted" : "refused (E_FAIL)");
		if (ic.shutdown)
			power_off();
		ic_client_wait();
	}
}
