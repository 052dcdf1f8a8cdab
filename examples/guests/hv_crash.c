/*
 * examples/guests/hv_crash.c — a guest reporting a crash through the
 * Hyper-V crash MSRs, as Linux's panic notifier does (vmbus-linux61.md
 * §2.7): P0..P4 with P3 = GPA of the message and P4 its length, then
 * CRASH_CTL = notify | notify-with-message. The hypervisor hands them to
 * the partition's owner, which ends the partition with status 6 and shows
 * the message; nothing after the WRMSR should run.
 */
#include "hyperv.h"
#include "rt.h"

#define NOTIFY	   (HV_CRASH_CTL_NOTIFY | HV_CRASH_CTL_NOTIFY_MSG)
#define CRASH_P(n) (HV_MSR_CRASH_P0 + (n)) /* P0..P4 are consecutive */

/* The message as a kernel's log buffer would hold it. */
static const char crash_msg[] = "hv_crash: Kernel panic - not syncing: "
				"hvsim crash test";

int kmain(struct hvsim_boot_info *bi)
{
	uint64_t ctl = 0;
	volatile uint64_t spin = 0;

	(void)bi;
	rt_init();
	printf("hv_crash: reporting a crash through the crash MSRs\n");
	if (hv_rdmsr_safe(HV_MSR_CRASH_CTL, &ctl) || !(ctl & NOTIFY)) {
		report(0, "CRASH_CTL advertises notify with message");
		report_summary();
	}
	wrmsr(CRASH_P(0), 0x1E); /* a bug-check code */
	wrmsr(CRASH_P(1), 0x1111);
	wrmsr(CRASH_P(2), 0x2222);
	wrmsr(CRASH_P(3), (uint64_t)crash_msg); /* identity map: GPA */
	wrmsr(CRASH_P(4), sizeof(crash_msg) - 1);
	printf("hv_crash: P0..P4 written, notifying\n");
	wrmsr(HV_MSR_CRASH_CTL, NOTIFY);
	/* Only reached if the partition was not ended. */
	for (int i = 0; i < 100000; i++)
		spin += (uint64_t)i;
	report(0, "the partition still runs after CRASH_CTL notify");
	report_summary();
}
