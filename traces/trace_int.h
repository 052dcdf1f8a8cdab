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

/* Blocks (docs/TRACE.md "Blocks"), traces/trace_pack.c. Version 2: in
 * the stream a block is its record count (u32), its packed length (u32)
 * and that many bytes, each record coded as its differences from the
 * previous record of the same kind; at most TRACE_PACKED_MAX bytes per
 * record (flags 1, kind 3, cycle 10, part/vp/chan 3 each, txn/arg0/arg1
 * 10 each). */
#define TRACE_BLOCK_HDR	 8u
#define TRACE_PACKED_MAX 53u
/* Packs n records into out (room for n * TRACE_PACKED_MAX bytes);
 * returns the bytes written. */
size_t trace_block_pack(const struct trace_rec *recs, size_t n, uint8_t *out);
/* Unpacks exactly n records from exactly len bytes: 0, or -1 if the bytes
 * are not that (a bad flag, an overlong integer, a u16 field out of range,
 * bytes short or left over). */
int trace_block_unpack(const uint8_t *in, size_t len, size_t n,
		       struct trace_rec *recs);

/* Version 1: the n records encoded (trace_rec_encode, cycle made the
 * difference from the previous record's), then transposed into 40 byte
 * planes of n bytes (byte b of record i at b * n + i); n is the block's
 * length / 40. Read for older files; written only when asked
 * (trace_info.version = 1, tests). */
void trace_block_pack_v1(const struct trace_rec *recs, size_t n, uint8_t *out);
void trace_block_unpack_v1(const uint8_t *in, size_t n, struct trace_rec *recs);

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
