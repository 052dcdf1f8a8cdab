/*
 * partitions/console.c — a partition's console (console.h): pass-through,
 * or whole prefixed lines.
 *
 * Invariants: in prefixed mode nothing reaches the stream except whole
 * lines "PREFIX TEXT\n" written with one fwrite each, then flushed (the
 * stream may be shared with other consoles and hvsim's own output); the
 * buffer never holds more than CONSOLE_LINE_MAX bytes, whatever the guest
 * sends. Guest bytes are written as they are (no escaping); the guest
 * owns what its own console shows.
 */
#include <stdlib.h>
#include <string.h>

#include "partitions/console.h"

struct console {
	FILE *out;
	size_t prefix_len; /* 0: pass-through */
	size_t len;	   /* bytes of the pending line after the prefix */
	/* prefix, then the pending line, then room for the newline */
	char buf[CONSOLE_PREFIX_MAX + CONSOLE_LINE_MAX + 1];
};

struct console *console_create(FILE *out, const char *prefix)
{
	struct console *c = calloc(1, sizeof(*c));
	size_t n = prefix ? strlen(prefix) : 0;

	if (!c)
		return NULL;
	c->out = out;
	c->prefix_len = n < CONSOLE_PREFIX_MAX ? n : CONSOLE_PREFIX_MAX;
	memcpy(c->buf, prefix ? prefix : "", c->prefix_len);
	return c;
}

/* Write the pending line (prefix + text + newline) in one piece. */
static void write_line(struct console *c)
{
	size_t n = c->prefix_len + c->len;

	c->buf[n++] = '\n';
	fwrite(c->buf, 1, n, c->out);
	fflush(c->out);
	c->len = 0;
}

void console_putc(struct console *c, uint8_t byte)
{
	if (!c || !c->out)
		return;
	if (!c->prefix_len) {
		putc(byte, c->out);
		if (byte == '\n')
			fflush(c->out);
		return;
	}
	if (byte == '\n') {
		write_line(c);
		return;
	}
	c->buf[c->prefix_len + c->len++] = (char)byte;
	if (c->len == CONSOLE_LINE_MAX)
		write_line(c);
}

void console_flush(struct console *c)
{
	if (!c || !c->out)
		return;
	if (c->len)
		write_line(c);
	fflush(c->out);
}

void console_destroy(struct console *c)
{
	console_flush(c);
	free(c);
}
