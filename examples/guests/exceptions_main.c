/*
 * examples/guests/exceptions_main.c — kernel entry of the exceptions guest
 * (hvsim native boot): set up the runtime, take every exception the suite
 * in exceptions.c can provoke, report. The multiboot compat_mb guest runs
 * the same suite from its own entry.
 */
#include "exceptions.h"
#include "rt.h"

int kmain(struct hvsim_boot_info *bi)
{
	(void)bi;
	rt_init();
	printf("exceptions: taking every exception the guest can cause\n");
	exceptions_run_all();
	report_summary();
}
