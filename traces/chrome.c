/* traces/chrome.c — placeholder until the exporter lands. */
#include "traces/trace_int.h"
#include "traces/trace_tools.h"

int trace_export_chrome(const char *path, const char *out_path, char *err,
			size_t errlen)
{
	(void)path;
	(void)out_path;
	trace_errf(err, errlen, "trace: --chrome export not written yet");
	return -1;
}
