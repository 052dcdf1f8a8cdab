/*
 * examples/runtime/string.h — the few <string.h> functions a freestanding
 * kernel needs (GCC may also emit calls to memcpy/memset/memmove/memcmp on
 * its own, so these must exist under exactly these names).
 */
#ifndef HVRT_STRING_H_
#define HVRT_STRING_H_

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
const char *strstr(const char *hay, const char *needle);

#endif
