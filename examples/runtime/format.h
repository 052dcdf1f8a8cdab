/*
 * examples/runtime/format.h — the printf engine shared by ring 0 (printf.c,
 * straight to the UART) and ring 3 (usys_user.c, through write()).
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, with flags '-' '0' '#', a width
 * (digits or '*'), a precision for %s, and the length modifiers hh h l ll z.
 */
#ifndef HVRT_FORMAT_H_
#define HVRT_FORMAT_H_

#include <stdarg.h>
#include <stddef.h>

/* Receives the output one character at a time. */
typedef void (*fmt_sink)(void *ctx, char c);

/* Formats `fmt` into `sink`; returns the number of characters produced. */
int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* A bounded buffer sink: always NUL-terminated, truncates silently. */
struct fmt_buf {
	char *buf;
	size_t size, len;
};
void fmt_buf_put(void *ctx, char c);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
