/*
 * examples/runtime/string.c — <string.h> basics (string.h).
 *
 * memset and memcpy are one REP STOSB / REP MOVSB each (the way kernels do
 * it on CPUs with fast short REP MOV): one instruction that hvsim runs as
 * a bulk copy, where a byte loop costs four guest instructions a byte —
 * most of a VMBus round trip's guest time went into copying packets
 * (docs/PERFORMANCE.md, "VMBus"). The rest are deliberately simple loops;
 * -fno-tree-loop-distribute-patterns (examples/meson.build) keeps GCC
 * from turning them back into calls to these functions.
 */
#include "string.h"

#include <stdint.h>

/* The direction flag is clear: the SysV ABI requires it at every call. */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	asm volatile("rep stosb"
		     : "+D"(d), "+c"(n)
		     : "a"((unsigned char)c)
		     : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	asm volatile("rep movsb"
		     : "+D"(d), "+S"(src), "+c"(n)
		     :
		     : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d <= (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] - y[i];
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

const char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++) {
		if (!strncmp(hay, needle, n))
			return hay;
	}
	return n ? 0 : hay;
}
