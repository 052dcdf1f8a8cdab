/*
 * traces/trace_pack.c — how a block of records is laid out before deflate
 * (docs/TRACE.md "Blocks"): version 2 (written today) codes each record
 * as its differences from the previous record of the same kind (txn: from
 * that record's txn plus the step it took), in variable-length integers; version 1 (older files, still read) is
 * fixed-size records transposed into byte planes.
 *
 * Why version 2: a storage request makes ~15 records whose fields mostly
 * repeat those of the previous record of the same kind (same partition,
 * vCPU, channel, arguments; the next txn). Coded as differences, a record
 * is ~5 bytes instead of 40 and repeats the previous request's bytes, so
 * deflate gets a tenth of the input, finds long matches in it, and the
 * whole costs ~200 host instructions per record instead of ~1,250.
 */
#include <stdbool.h>
#include <string.h>

#include "traces/trace.h"
#include "traces/trace_int.h"

/* ---- version 2: per-kind differences, LEB128 integers ------------------ */

/* Which fields differ from the previous record of the same kind. */
enum {
	PK_PART = 1u << 0,
	PK_VP = 1u << 1,
	PK_CHAN = 1u << 2,
	PK_TXN = 1u << 3,
	PK_ARG0 = 1u << 4,
	PK_ARG1 = 1u << 5,
	PK_ALL = (1u << 6) - 1, /* the other bits are always 0 */
};

/* The previous record of each kind (kind % TRACE_PACK_CTX), and the
 * previous record's cycle; both start at zero in every block, so a block
 * decodes on its own. */
#define TRACE_PACK_CTX 64u

struct pack_state {
	struct trace_rec prev[TRACE_PACK_CTX];
	uint64_t txn_step[TRACE_PACK_CTX]; /* the last change of txn */
	uint64_t cycle;
};

/* Signed differences as unsigned: 0, -1, 1, -2, ... → 0, 1, 2, 3, ...
 * A bijection on 64-bit values, so a wrapped difference comes back. */
static uint64_t zigzag(uint64_t d)
{
	return (d << 1) ^ (uint64_t)-(d >> 63);
}

static uint64_t unzigzag(uint64_t v)
{
	return (v >> 1) ^ (uint64_t)-(v & 1);
}

/* 7 bits per byte, low first, the top bit set on all but the last. */
static uint8_t *put_uleb(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

size_t trace_block_pack(const struct trace_rec *recs, size_t n, uint8_t *out)
{
	struct pack_state s;
	uint8_t *p = out;

	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < n; i++) {
		const struct trace_rec *r = &recs[i];
		struct trace_rec *prev = &s.prev[r->kind % TRACE_PACK_CTX];
		uint64_t *step = &s.txn_step[r->kind % TRACE_PACK_CTX];
		uint8_t *flags = p++;
		unsigned f = 0;

		p = put_uleb(p, r->kind);
		p = put_uleb(p, zigzag(r->cycle - s.cycle));
		if (r->part != prev->part) {
			f |= PK_PART;
			p = put_uleb(p, r->part);
		}
		if (r->vp != prev->vp) {
			f |= PK_VP;
			p = put_uleb(p, r->vp);
		}
		if (r->chan != prev->chan) {
			f |= PK_CHAN;
			p = put_uleb(p, r->chan);
		}
		if (r->txn != prev->txn + *step) {
			f |= PK_TXN;
			p = put_uleb(p, zigzag(r->txn - (prev->txn + *step)));
		}
		if (r->arg0 != prev->arg0) {
			f |= PK_ARG0;
			p = put_uleb(p, zigzag(r->arg0 - prev->arg0));
		}
		if (r->arg1 != prev->arg1) {
			f |= PK_ARG1;
			p = put_uleb(p, zigzag(r->arg1 - prev->arg1));
		}
		*flags = (uint8_t)f;
		*step = r->txn - prev->txn;
		*prev = *r;
		s.cycle = r->cycle;
	}
	return (size_t)(p - out);
}

/* The reader's side: a cursor that never passes `end`. */
struct unpacker {
	const uint8_t *p, *end;
	bool bad;
};

/* One LEB128 integer of at most 64 bits; a short or overlong one marks
 * the block bad (and gives 0). */
static uint64_t get_uleb(struct unpacker *u)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b;
		if (u->p == u->end)
			break;
		b = *u->p++;
		if (shift == 63 && b > 1)
			break; /* bits beyond 64 */
		v |= (uint64_t)(b & 0x7F) << shift;
		if (!(b & 0x80))
			return v;
	}
	u->bad = true;
	return 0;
}

static uint16_t get_u16(struct unpacker *u)
{
	uint64_t v = get_uleb(u);

	if (v > 0xFFFF)
		u->bad = true;
	return (uint16_t)v;
}

int trace_block_unpack(const uint8_t *in, size_t len, size_t n,
		       struct trace_rec *recs)
{
	struct unpacker u = {.p = in, .end = in + len, .bad = false};
	struct pack_state s;

	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < n && !u.bad; i++) {
		struct trace_rec r, *prev;
		uint64_t *step;
		unsigned f;

		if (u.p == u.end)
			return -1;
		f = *u.p++;
		if (f & ~PK_ALL)
			return -1;
		r.kind = get_u16(&u);
		prev = &s.prev[r.kind % TRACE_PACK_CTX];
		step = &s.txn_step[r.kind % TRACE_PACK_CTX];
		r.cycle = s.cycle + unzigzag(get_uleb(&u)); /* wraps back */
		r.part = f & PK_PART ? get_u16(&u) : prev->part;
		r.vp = f & PK_VP ? get_u16(&u) : prev->vp;
		r.chan = f & PK_CHAN ? get_u16(&u) : prev->chan;
		r.txn = prev->txn + *step +
			(f & PK_TXN ? unzigzag(get_uleb(&u)) : 0);
		r.arg0 = prev->arg0 + (f & PK_ARG0 ? unzigzag(get_uleb(&u)) : 0);
		r.arg1 = prev->arg1 + (f & PK_ARG1 ? unzigzag(get_uleb(&u)) : 0);
		recs[i] = r;
		*step = r.txn - prev->txn;
		*prev = r;
		s.cycle = r.cycle;
	}
	/* Every byte of the block belongs to one of its records. */
	return u.bad || u.p != u.end ? -1 : 0;
}

/* ---- version 1: byte planes --------------------------------------------- */

/* Byte b of record i of an n-record block is at b * n + i. */
static void plane_put(uint8_t *out, size_t n, size_t i, unsigned off,
		      uint64_t v, unsigned bytes)
{
	for (unsigned b = 0; b < bytes; b++)
		out[(off + b) * n + i] = (uint8_t)(v >> (8 * b));
}

static uint64_t plane_get(const uint8_t *in, size_t n, size_t i, unsigned off,
			  unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned b = 0; b < bytes; b++)
		v |= (uint64_t)in[(off + b) * n + i] << (8 * b);
	return v;
}

void trace_block_pack_v1(const struct trace_rec *recs, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct trace_rec *r = &recs[i];
		plane_put(out, n, i, 0, r->cycle - (i ? recs[i - 1].cycle : 0),
			  8);
		plane_put(out, n, i, 8, r->kind, 2);
		plane_put(out, n, i, 10, r->part, 2);
		plane_put(out, n, i, 12, r->vp, 2);
		plane_put(out, n, i, 14, r->chan, 2);
		plane_put(out, n, i, 16, r->txn, 8);
		plane_put(out, n, i, 24, r->arg0, 8);
		plane_put(out, n, i, 32, r->arg1, 8);
	}
}

void trace_block_unpack_v1(const uint8_t *in, size_t n, struct trace_rec *recs)
{
	uint64_t prev = 0;

	for (size_t i = 0; i < n; i++) {
		struct trace_rec *r = &recs[i];
		r->cycle = prev + plane_get(in, n, i, 0, 8); /* wraps back */
		r->kind = (uint16_t)plane_get(in, n, i, 8, 2);
		r->part = (uint16_t)plane_get(in, n, i, 10, 2);
		r->vp = (uint16_t)plane_get(in, n, i, 12, 2);
		r->chan = (uint16_t)plane_get(in, n, i, 14, 2);
		r->txn = plane_get(in, n, i, 16, 8);
		r->arg0 = plane_get(in, n, i, 24, 8);
		r->arg1 = plane_get(in, n, i, 32, 8);
		prev = r->cycle;
	}
}
