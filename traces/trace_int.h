/*
 * traces/trace_int.h — helpers shared inside traces/ only: little-endian
 * byte access (trace.c), message formatting, the request map (reqmap.c).
 */
#ifndef HVSIM_TRACES_TRACE_INT_H_
#define HVSIM_TRACES_TRACE_INT_H_

#include <stddef.h>
#include <stdint.h>

#include "traces/trace.h"

void trace_put16(uint8_t *p, uint16_t v);
void trace_put32(uint8_t *p, uint32_t v);
void trace_put64(uint8_t *p, uint64_t v);
uint16_t trace_get16(const uint8_t *p);
uint32_t trace_get32(const uint8_t *p);
uint64_t trace_get64(const uint8_t *p);

/* Header bytes before the scenario text (docs/TRACE.md). */
#define TRACE_HDR_FIXED 40u
#define TRACE_MAX_BLOCK 65536u /* records per block, reader's limit */

/* A block of n records as stored before deflate: cycle made a difference
 * from the previous record's (the first's from 0), each record encoded
 * (trace_rec_encode), then the bytes transposed into 40 planes of n
 * bytes (byte b of record i at b * n + i). Runs of equal high bytes are
 * what makes deflate fast and small on it. */
void trace_block_pack(const struct trace_rec *recs, size_t n, uint8_t *out);
void trace_block_unpack(const uint8_t *in, size_t n, struct trace_rec *recs);

void trace_errf(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A map from a pair of 64-bit keys to a 64-bit value (open addressing,
 * linear probing, grows by doubling, deletion by backward shift). Follows
 * requests (key = channel, txn) and remembers lanes seen (pid, tid). */
struct reqmap_slot {
	uint64_t a, b, val;
	uint8_t used;
};

struct reqmap {
	struct reqmap_slot *slots;
	size_t cap, n; /* cap is 0 or a power of two */
};

void reqmap_init(struct reqmap *m);
void reqmap_free(struct reqmap *m);
/* Pointer to the value of (a, b), or NULL. */
uint64_t *reqmap_get(const struct reqmap *m, uint64_t a, uint64_t b);
/* Set (a, b) to val; -1 when out of memory. */
int reqmap_put(struct reqmap *m, uint64_t a, uint64_t b, uint64_t val);
void reqmap_del(struct reqmap *m, uint64_t a, uint64_t b);

#endif
