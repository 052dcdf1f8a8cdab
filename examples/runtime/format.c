/*
 * examples/runtime/format.c — a small printf engine (see format.h).
 *
 * This file is linked into the user region (link64.ld places every
 * *format.c.o there), because ring-3 code formats its own text before it
 * calls write(). It must therefore stay self-contained: no calls to anything
 * outside this file (no memset/strlen), or ring-3 code would jump into
 * supervisor pages and #PF.
 */
#include "format.h"

#include <stdint.h>

enum { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

struct fmt_spec {
	int left;      /* '-': pad on the right */
	int zero;      /* '0': pad numbers with zeros */
	int alt;       /* '#': 0x prefix on hex */
	int width;
	int prec;      /* -1 if none; only %s uses it */
	int len;       /* LEN_* */
	char conv;
};

struct fmt_out {
	fmt_sink sink;
	void *ctx;
	int count;
};

static void out_char(struct fmt_out *o, char c)
{
	o->sink(o->ctx, c);
	o->count++;
}

static void out_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Parses flags, width, precision and length after a '%'; returns the
 * position after the conversion character. */
static const char *parse_spec(const char *p, struct fmt_spec *s, va_list *ap)
{
	*s = (struct fmt_spec){ .prec = -1 };
	for (;; p++) {
		if (*p == '-')
			s->left = 1;
		else if (*p == '0')
			s->zero = 1;
		else if (*p == '#')
			s->alt = 1;
		else
			break;
	}
	if (*p == '*') {
		s->width = va_arg(*ap, int);
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		s->width = s->width * 10 + (*p - '0');
	if (*p == '.') {
		s->prec = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			s->prec = s->prec * 10 + (*p - '0');
	}
	if (*p == 'h') {
		s->len = (p[1] == 'h') ? LEN_CHAR : LEN_SHORT;
		p += (p[1] == 'h') ? 2 : 1;
	} else if (*p == 'l') {
		s->len = (p[1] == 'l') ? LEN_LLONG : LEN_LONG;
		p += (p[1] == 'l') ? 2 : 1;
	} else if (*p == 'z') {
		s->len = LEN_SIZE;
		p++;
	}
	s->conv = *p;
	return *p ? p + 1 : p;
}

/* Fetches the argument of an integer conversion, widened to 64 bits. */
static uint64_t fetch_int(const struct fmt_spec *s, va_list *ap, int is_signed)
{
	if (s->conv == 'p')
		return (uintptr_t)va_arg(*ap, void *);
	if (s->len == LEN_LONG || s->len == LEN_LLONG || s->len == LEN_SIZE) {
		if (is_signed)
			return (uint64_t)va_arg(*ap, long long);
		return va_arg(*ap, unsigned long long);
	}
	if (!is_signed) {
		unsigned v = va_arg(*ap, unsigned);
		if (s->len == LEN_CHAR)
			v &= 0xFF;
		else if (s->len == LEN_SHORT)
			v &= 0xFFFF;
		return v;
	}
	int v = va_arg(*ap, int);
	if (s->len == LEN_CHAR)
		v = (signed char)v;
	else if (s->len == LEN_SHORT)
		v = (short)v;
	return (uint64_t)(int64_t)v;
}

static void out_number(struct fmt_out *o, const struct fmt_spec *s,
		       uint64_t v, int is_signed)
{
	const char *digits = (s->conv == 'X') ? "0123456789ABCDEF"
					      : "0123456789abcdef";
	unsigned base = (s->conv == 'd' || s->conv == 'i' || s->conv == 'u')
				? 10 : 16;
	char tmp[24];
	int n = 0, neg = 0;

	if (is_signed && (int64_t)v < 0) {
		neg = 1;
		v = -v;
	}
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int prefix = (base == 16 && (s->alt || s->conv == 'p')) ? 2 : 0;
	int pad = s->width - n - neg - prefix;
	if (!s->left && !s->zero)
		out_pad(o, ' ', pad);
	if (neg)
		out_char(o, '-');
	if (prefix) {
		out_char(o, '0');
		out_char(o, s->conv == 'X' ? 'X' : 'x');
	}
	if (!s->left && s->zero)
		out_pad(o, '0', pad);
	while (n)
		out_char(o, tmp[--n]);
	if (s->left)
		out_pad(o, ' ', pad);
}

static void out_string(struct fmt_out *o, const struct fmt_spec *s,
		       const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n] && (s->prec < 0 || n < s->prec))
		n++;
	if (!s->left)
		out_pad(o, ' ', s->width - n);
	for (int i = 0; i < n; i++)
		out_char(o, str[i]);
	if (s->left)
		out_pad(o, ' ', s->width - n);
}

int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out o = { sink, ctx, 0 };
	struct fmt_spec s;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		switch (s.conv) {
		case 'd': case 'i':
			out_number(&o, &s, fetch_int(&s, &args, 1), 1);
			break;
		case 'u': case 'x': case 'X': case 'p':
			out_number(&o, &s, fetch_int(&s, &args, 0), 0);
			break;
		case 's':
			out_string(&o, &s, va_arg(args, const char *));
			break;
		case 'c':
			out_char(&o, (char)va_arg(args, int));
			break;
		case '%':
			out_char(&o, '%');
			break;
		default: /* unknown conversion or a lone '%' at the end */
			out_char(&o, '%');
			if (s.conv)
				out_char(&o, s.conv);
			break;
		}
	}
	va_end(args);
	return o.count;
}

void fmt_buf_put(void *ctx, char c)
{
	struct fmt_buf *b = ctx;

	if (b->len + 1 < b->size)
		b->buf[b->len++] = c;
	if (b->size)
		b->buf[b->len] = '\0';
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct fmt_buf b = { buf, size, 0 };
	va_list ap;

	if (size)
		buf[0] = '\0';
	va_start(ap, fmt);
	int n = fmt_vformat(fmt_buf_put, &b, fmt, ap);
	va_end(ap);
	return n;
}
