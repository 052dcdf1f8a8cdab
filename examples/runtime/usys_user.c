/*
 * examples/runtime/usys_user.c — uprintf(): printf for ring-3 code. Lives
 * in the user region (its name ends in _user.c, see link64.ld) and calls
 * only format.c, which lives there too; the text reaches the console
 * through write() system calls, 128 bytes at a time.
 */
#include <stdarg.h>

#include "format.h"
#include "usys.h"

struct ubuf {
	char b[128];
	size_t n;
};

static void ubuf_flush(struct ubuf *u)
{
	if (u->n)
		u_write(u->b, u->n);
	u->n = 0;
}

static void ubuf_put(void *ctx, char c)
{
	struct ubuf *u = ctx;

	u->b[u->n++] = c;
	if (u->n == sizeof(u->b))
		ubuf_flush(u);
}

int uprintf(const char *fmt, ...)
{
	struct ubuf u;
	va_list ap;

	u.n = 0;
	va_start(ap, fmt);
	int n = fmt_vformat(ubuf_put, &u, fmt, ap);
	va_end(ap);
	ubuf_flush(&u);
	return n;
}
