/*
 * examples/runtime/printf.c — printf for ring-0 code: the shared engine
 * (format.c) with the UART (uart.c) as its sink. Output is unbuffered, so
 * everything printed before a crash has reached the console.
 */
#include "printf.h"

#include "format.h"
#include "uart.h"

static void uart_sink(void *ctx, char c)
{
	(void)ctx;
	uart_putc(c);
}

int vprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(uart_sink, 0, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	int n = 0;

	for (; s[n]; n++)
		uart_putc(s[n]);
	uart_putc('\n');
	return n + 1;
}
