/*
 * devices/rtc_calendar.c — the CMOS RTC's calendar (rtc.h, rtc_int.h):
 * proleptic Gregorian dates in UTC, days since 1970-01-01 and back, and
 * Unix seconds to the broken-down time the clock registers show.
 * Counted year by year and month by month: simple to check, and fast
 * enough for dates within a few centuries of 1970.
 */
#include <stdbool.h>

#include "devices/rtc.h"
#include "devices/rtc_int.h"

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int rtc_month_days(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

int64_t rtc_days_from_date(int year, int month, int day)
{
	int64_t days = 0;

	for (int y = 1970; y < year; y++)
		days += leap(y) ? 366 : 365;
	for (int y = year; y < 1970; y++)
		days -= leap(y) ? 366 : 365;
	for (int m = 1; m < month; m++)
		days += rtc_month_days(year, m);
	return days + day - 1;
}

void rtc_date_from_days(int64_t days, int *year, int *month, int *day)
{
	int y = 1970, m = 1;

	while (days < 0)
		days += leap(--y) ? 366 : 365;
	while (days >= (leap(y) ? 366 : 365))
		days -= leap(y++) ? 366 : 365;
	while (days >= rtc_month_days(y, m))
		days -= rtc_month_days(y, m++);
	*year = y;
	*month = m;
	*day = (int)days + 1;
}

struct tm_rtc rtc_tm_from_secs(int64_t t)
{
	int64_t days = t / 86400, rem = t % 86400;
	struct tm_rtc tm;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	rtc_date_from_days(days, &tm.year, &tm.month, &tm.mday);
	tm.hour = (int)(rem / 3600);
	tm.min = (int)(rem / 60 % 60);
	tm.sec = (int)(rem % 60);
	tm.wday = (int)(((days + 4) % 7 + 7) % 7) + 1; /* 1970-01-01: Thu */
	return tm;
}

int64_t rtc_secs_from_tm(const struct tm_rtc *tm)
{
	return rtc_days_from_date(tm->year, tm->month, tm->mday) * 86400 +
	       tm->hour * 3600 + tm->min * 60 + tm->sec;
}

