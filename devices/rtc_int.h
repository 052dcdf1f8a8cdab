/*
 * devices/rtc_int.h — what rtc.c and rtc_calendar.c share: the
 * broken-down time and its conversions to and from Unix seconds.
 */
#ifndef HVSIM_DEVICES_RTC_INT_H_
#define HVSIM_DEVICES_RTC_INT_H_

#include <stdint.h>

/* Broken-down time, binary, 24-hour. */
struct tm_rtc {
	int sec, min, hour, wday, mday, month, year; /* year: full, e.g. 2025 */
};

/* Unix seconds (UTC) to broken-down time, wday 1 = Sunday; and back
 * (wday ignored). */
struct tm_rtc rtc_tm_from_secs(int64_t t);
int64_t rtc_secs_from_tm(const struct tm_rtc *tm);
/* Days in month m (1..12) of year y. */
int rtc_month_days(int y, int m);

#endif
