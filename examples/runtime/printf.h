/*
 * examples/runtime/printf.h — ring-0 console output (formats with format.c,
 * writes to the UART).
 */
#ifndef HVRT_PRINTF_H_
#define HVRT_PRINTF_H_

#include <stdarg.h>

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s); /* writes s and a newline */

#endif
