/*
 * traces/trace.c — the trace recorder: header, record buffer, zlib deflate
 * stream, trailer (format: docs/TRACE.md), and the little-endian record
 * encoding shared with the reader (trace_read.c).
 *
 * trace_emit() only copies the record into a buffer; every
 * TRACE_BUF_RECS records the block is packed (each record as its
 * differences from the previous one of its kind: trace_block_pack,
 * trace_pack.c) and goes through deflate, and the compressed bytes to
 * the file, so the per-record cost is a copy plus a share of packing and
 * deflate (bench/trace_bench.c measures it). A write error is remembered,
 * later records are dropped (counted) and trace_close() reports it: a full disk
 * never stops or crashes the simulation. The simulator (lead's wiring)
 * calls open/emit/close; nothing here is global.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "traces/trace.h"
#include "traces/trace_int.h"

#define TRACE_BUF_RECS	4096	    /* records per deflate call */
#define TRACE_OUT_BYTES (64u << 10) /* compressed bytes per write */

struct trace {
	FILE *f;
	z_stream z;
	bool z_ready;
	struct trace_rec *recs; /* TRACE_BUF_RECS records */
	size_t used;		/* records in recs */
	uint32_t version;	/* the format written: TRACE_VERSION or 1 */
	uint8_t *packed;	/* the block, packed (trace_block_pack) */
	uint8_t *out;		/* deflate output */
	uint64_t count, dropped;
	bool failed;
	char msg[256];
};

/* ---- little-endian encoding -------------------------------------------- */

void trace_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void trace_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void trace_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint16_t trace_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t trace_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t trace_get64(const uint8_t *p)
{
	return (uint64_t)trace_get32(p) | (uint64_t)trace_get32(p + 4) << 32;
}

/* Record layout: cycle@0 kind@8 part@10 vp@12 chan@14 txn@16 arg0@24
 * arg1@32. */
void trace_rec_encode(const struct trace_rec *r, uint8_t out[TRACE_RECORD_SIZE])
{
	trace_put64(out, r->cycle);
	trace_put16(out + 8, r->kind);
	trace_put16(out + 10, r->part);
	trace_put16(out + 12, r->vp);
	trace_put16(out + 14, r->chan);
	trace_put64(out + 16, r->txn);
	trace_put64(out + 24, r->arg0);
	trace_put64(out + 32, r->arg1);
}

void trace_rec_decode(const uint8_t in[TRACE_RECORD_SIZE], struct trace_rec *r)
{
	r->cycle = trace_get64(in);
	r->kind = trace_get16(in + 8);
	r->part = trace_get16(in + 10);
	r->vp = trace_get16(in + 12);
	r->chan = trace_get16(in + 14);
	r->txn = trace_get64(in + 16);
	r->arg0 = trace_get64(in + 24);
	r->arg1 = trace_get64(in + 32);
}

void trace_errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* ---- writing ----------------------------------------------------------- */

static void fail(struct trace *t, const char *what)
{
	if (!t->failed)
		snprintf(t->msg, sizeof(t->msg), "trace: %s: %s", what,
			 strerror(errno ? errno : EIO));
	t->failed = true;
}

static void write_bytes(struct trace *t, const void *p, size_t n)
{
	errno = 0;
	if (!t->failed && n && fwrite(p, 1, n, t->f) != n)
		fail(t, "write");
}

/* Build the header (docs/TRACE.md) in a malloc'd buffer; NULL if the
 * info breaks a limit (message in err). */
static uint8_t *build_header(const struct trace_info *in, size_t *len,
			     char *err, size_t errlen)
{
	size_t slen = in->scenario ? strlen(in->scenario) : 0;
	size_t n = TRACE_HDR_FIXED + slen;
	uint8_t *h, *p;

	if (in->freq_hz == 0 || in->nr_parts > TRACE_MAX_PARTS ||
	    slen > TRACE_MAX_SCENARIO || (in->nr_parts && !in->part_names)) {
		trace_errf(err, errlen,
			   "trace: bad header info (freq %llu, "
			   "%u partitions, scenario %zu bytes)",
			   (unsigned long long)in->freq_hz, in->nr_parts, slen);
		return NULL;
	}
	for (unsigned i = 0; i < in->nr_parts; i++) {
		const char *nm = in->part_names[i] ? in->part_names[i] : "";
		if (strlen(nm) > TRACE_MAX_NAME) {
			trace_errf(err, errlen,
				   "trace: partition %u: name "
				   "longer than %u bytes",
				   i, TRACE_MAX_NAME);
			return NULL;
		}
		n += 2 + strlen(nm);
	}
	n += 4; /* crc32 */
	if (!(h = malloc(n))) {
		trace_errf(err, errlen, "trace: out of memory");
		return NULL;
	}
	memcpy(h, TRACE_MAGIC, 8);
	trace_put32(h + 8, in->version ? in->version : TRACE_VERSION);
	trace_put32(h + 12, (uint32_t)n);
	trace_put32(h + 16, TRACE_RECORD_SIZE);
	trace_put32(h + 20, in->nr_parts);
	trace_put64(h + 24, in->freq_hz);
	trace_put32(h + 32, TRACE_BUF_RECS);
	trace_put32(h + 36, (uint32_t)slen);
	memcpy(h + TRACE_HDR_FIXED, in->scenario ? in->scenario : "", slen);
	p = h + TRACE_HDR_FIXED + slen;
	for (unsigned i = 0; i < in->nr_parts; i++) {
		const char *nm = in->part_names[i] ? in->part_names[i] : "";
		size_t l = strlen(nm);
		trace_put16(p, (uint16_t)l);
		memcpy(p + 2, nm, l);
		p += 2 + l;
	}
	trace_put32(p, (uint32_t)crc32(0, h, (uInt)(n - 4)));
	*len = n;
	return h;
}

struct trace *trace_open(const char *path, const struct trace_info *info,
			 char *err, size_t errlen)
{
	struct trace *t = calloc(1, sizeof(*t));
	int level = info->level ? info->level : 1;
	uint8_t *hdr = NULL;
	size_t hlen;

	if (!t) {
		trace_errf(err, errlen, "trace: out of memory");
		return NULL;
	}
	if (level < 1 || level > 9) {
		trace_errf(err, errlen, "trace: bad zlib level %d", level);
		goto bad;
	}
	t->version = info->version ? info->version : TRACE_VERSION;
	if (t->version != 1 && t->version != TRACE_VERSION) {
		trace_errf(err, errlen, "trace: cannot write format version %u",
			   t->version);
		goto bad;
	}
	if (!(hdr = build_header(info, &hlen, err, errlen)))
		goto bad;
	t->recs = malloc(TRACE_BUF_RECS * sizeof(*t->recs));
	t->packed = malloc(TRACE_BLOCK_HDR +
			   (size_t)TRACE_BUF_RECS * TRACE_PACKED_MAX);
	t->out = malloc(TRACE_OUT_BYTES);
	if (!t->recs || !t->packed || !t->out ||
	    deflateInit(&t->z, level) != Z_OK) {
		trace_errf(err, errlen, "trace: out of memory");
		goto bad;
	}
	t->z_ready = true;
	if (!(t->f = fopen(path, "wb"))) {
		trace_errf(err, errlen, "trace: %s: %s", path, strerror(errno));
		goto bad;
	}
	write_bytes(t, hdr, hlen);
	free(hdr);
	return t;
bad:
	free(hdr);
	if (t->z_ready)
		deflateEnd(&t->z);
	free(t->recs);
	free(t->packed);
	free(t->out);
	free(t);
	return NULL;
}

/* Pack the buffered records (a version 2 block: count, length, the
 * packed records; a version 1 block: the byte planes alone), feed them to
 * deflate, write what comes out. */
static void deflate_buf(struct trace *t, int flush)
{
	size_t len;
	int rc;

	if (t->version == 1) {
		trace_block_pack_v1(t->recs, t->used, t->packed);
		len = t->used * TRACE_RECORD_SIZE;
	} else if (t->used) {
		len = trace_block_pack(t->recs, t->used,
				       t->packed + TRACE_BLOCK_HDR);
		trace_put32(t->packed, (uint32_t)t->used);
		trace_put32(t->packed + 4, (uint32_t)len);
		len += TRACE_BLOCK_HDR;
	} else {
		len = 0; /* no empty blocks: the stream just ends */
	}
	t->z.next_in = t->packed;
	t->z.avail_in = (uInt)len;
	do {
		t->z.next_out = t->out;
		t->z.avail_out = TRACE_OUT_BYTES;
		rc = deflate(&t->z, flush);
		if (rc == Z_STREAM_ERROR) {
			errno = EIO;
			fail(t, "deflate");
			break;
		}
		write_bytes(t, t->out, TRACE_OUT_BYTES - t->z.avail_out);
	} while (t->z.avail_out == 0 ||
		 (flush == Z_FINISH && rc != Z_STREAM_END));
	t->used = 0;
}

void trace_emit(struct trace *t, const struct trace_rec *r)
{
	if (!t)
		return;
	if (t->failed) {
		t->dropped++;
		return;
	}
	t->recs[t->used++] = *r;
	t->count++;
	if (t->used == TRACE_BUF_RECS)
		deflate_buf(t, Z_NO_FLUSH);
}

uint64_t trace_count(const struct trace *t)
{
	return t ? t->count : 0;
}

int trace_close(struct trace *t, char *err, size_t errlen)
{
	uint8_t trailer[16];
	int rc = 0;

	if (!t)
		return 0;
	deflate_buf(t, Z_FINISH);
	memcpy(trailer, TRACE_END_MAGIC, 8);
	trace_put64(trailer + 8, t->count);
	write_bytes(t, trailer, sizeof(trailer));
	errno = 0;
	if (fflush(t->f) != 0)
		fail(t, "write");
	if (fclose(t->f) != 0)
		fail(t, "close");
	if (t->failed) {
		trace_errf(err, errlen, "%s (%llu records dropped)", t->msg,
			   (unsigned long long)t->dropped);
		rc = -1;
	}
	deflateEnd(&t->z);
	free(t->recs);
	free(t->packed);
	free(t->out);
	free(t);
	return rc;
}
