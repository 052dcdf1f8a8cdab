/*
 * tests/fuzz/fuzz_input.h — reading a libFuzzer input as a stream of
 * little-endian fields, and the invariant check the harnesses use.
 *
 * A read past the end yields zeros and marks the stream exhausted, so a
 * harness loop is simply `while (!in_done(&in)) { op = in_u8(&in); ... }`:
 * every input, however short, is a valid (possibly empty) sequence.
 */
#ifndef HVSIM_TESTS_FUZZ_INPUT_H_
#define HVSIM_TESTS_FUZZ_INPUT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool in_done(const struct fuzz_in *in)
{
	return in->n == 0;
}

static inline uint8_t in_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static inline uint16_t in_u16(struct fuzz_in *in)
{
	uint16_t lo = in_u8(in);

	return (uint16_t)(lo | in_u8(in) << 8);
}

static inline uint32_t in_u32(struct fuzz_in *in)
{
	uint32_t lo = in_u16(in);

	return lo | (uint32_t)in_u16(in) << 16;
}

static inline uint64_t in_u64(struct fuzz_in *in)
{
	uint64_t lo = in_u32(in);

	return lo | (uint64_t)in_u32(in) << 32;
}

/* Up to `want` bytes (fewer if the input ends): a pointer into the input
 * and the count in *got. */
static inline const uint8_t *in_bytes(struct fuzz_in *in, size_t want,
				      size_t *got)
{
	const uint8_t *p = in->p;

	*got = want < in->n ? want : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

/* Does the 4 KiB page p hold only the byte v? One memcmp, not a loop:
 * harness code is coverage-instrumented too, and a byte loop would make
 * every comparison a coverage callback. */
static inline bool page_all(const uint8_t *p, uint8_t v)
{
	return p[0] == v && !memcmp(p, p + 1, 4095);
}

/* An invariant of the code under test failed: report and abort, which
 * libFuzzer records as a crash with the input that caused it. */
#define FUZZ_CHECK(cond, ...)                                                 \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "fuzz invariant failed at %s:%d: ",   \
				__FILE__, __LINE__);                          \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
			abort();                                              \
		}                                                             \
	} while (0)

#endif
