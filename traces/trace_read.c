/*
 * traces/trace_read.c — the trace reader: checks the header (magic,
 * version, sizes, limits, CRC-32), inflates the zlib stream one block at
 * a time (unpacked by trace_block_unpack, or trace_block_unpack_v1 for a
 * version 1 file), hands out records one by one,
 * and at the end checks the trailer (magic, record count) and
 * that nothing follows it (docs/TRACE.md). A truncated or corrupt file is
 * a clear error, never a crash: everything read is bounded by the
 * header's own limits. Users: traces/stats.c, traces/chrome.c, tests.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "traces/trace.h"
#include "traces/trace_int.h"

#define IN_BYTES  (64u << 10)
#define HDR_FIXED TRACE_HDR_FIXED
#define HDR_MAX                                                                \
	(HDR_FIXED + TRACE_MAX_SCENARIO +                                      \
	 TRACE_MAX_PARTS * (2 + TRACE_MAX_NAME) + 4)

struct trace_reader {
	FILE *f;
	char *path;
	z_stream z;
	bool z_ready, stream_end, done, failed;
	struct trace_file_info info;
	uint8_t in[IN_BYTES];
	uint32_t block_recs;	/* records per block (header) */
	uint8_t *block;		/* one packed block, being inflated */
	struct trace_rec *recs; /* the block unpacked */
	size_t nr_recs, pos;	/* records in recs, next to return */
	uint64_t nrec;		/* records returned so far */
	char msg[320];
};

static int bad(struct trace_reader *r, const char *what)
{
	if (!r->failed)
		snprintf(r->msg, sizeof(r->msg), "trace %s: %s", r->path, what);
	r->failed = true;
	return -1;
}

/* Parse the variable part of the header (scenario, partition names). */
static int parse_names(struct trace_reader *r, const uint8_t *h, size_t n)
{
	size_t slen = trace_get32(h + 36), off = HDR_FIXED + slen;

	if (slen > TRACE_MAX_SCENARIO || off > n - 4)
		return bad(r, "corrupt header (scenario length)");
	if (!(r->info.scenario = malloc(slen + 1)) ||
	    !(r->info.part_names =
		  calloc(r->info.nr_parts + 1u, sizeof(char *))))
		return bad(r, "out of memory");
	memcpy(r->info.scenario, h + HDR_FIXED, slen);
	r->info.scenario[slen] = '\0';
	for (unsigned i = 0; i < r->info.nr_parts; i++) {
		size_t l;
		if (off + 2 > n - 4)
			return bad(r, "corrupt header (partition names)");
		l = trace_get16(h + off);
		if (l > TRACE_MAX_NAME || off + 2 + l > n - 4)
			return bad(r, "corrupt header (partition name length)");
		if (!(r->info.part_names[i] = malloc(l + 1)))
			return bad(r, "out of memory");
		memcpy(r->info.part_names[i], h + off + 2, l);
		r->info.part_names[i][l] = '\0';
		off += 2 + l;
	}
	if (off != n - 4)
		return bad(r, "corrupt header (size does not match contents)");
	return 0;
}

static int read_header(struct trace_reader *r)
{
	uint8_t fixed[HDR_FIXED], *h;
	uint32_t n, recsz;
	char m[128];
	int rc;

	if (fread(fixed, 1, HDR_FIXED, r->f) != HDR_FIXED)
		return bad(r, "too short for a trace header");
	if (memcmp(fixed, TRACE_MAGIC, 8) != 0)
		return bad(r, "not an hvsim trace (bad magic)");
	r->info.version = trace_get32(fixed + 8);
	if (r->info.version != TRACE_VERSION && r->info.version != 1) {
		snprintf(m, sizeof(m),
			 "format version %u; this hvsim reads "
			 "versions 1 to %u",
			 r->info.version, TRACE_VERSION);
		return bad(r, m);
	}
	n = trace_get32(fixed + 12);
	recsz = trace_get32(fixed + 16);
	r->info.nr_parts = trace_get32(fixed + 20);
	r->info.freq_hz = trace_get64(fixed + 24);
	r->block_recs = trace_get32(fixed + 32);
	if (recsz != TRACE_RECORD_SIZE) {
		snprintf(m, sizeof(m), "record size %u; expected %u", recsz,
			 TRACE_RECORD_SIZE);
		return bad(r, m);
	}
	if (n < HDR_FIXED + 4 || n > HDR_MAX ||
	    r->info.nr_parts > TRACE_MAX_PARTS || r->info.freq_hz == 0 ||
	    r->block_recs < 1 || r->block_recs > TRACE_MAX_BLOCK)
		return bad(r, "corrupt header (sizes out of range)");
	if (!(h = malloc(n)))
		return bad(r, "out of memory");
	memcpy(h, fixed, HDR_FIXED);
	if (fread(h + HDR_FIXED, 1, n - HDR_FIXED, r->f) != n - HDR_FIXED) {
		free(h);
		return bad(r, "truncated header");
	}
	if (crc32(0, h, n - 4) != trace_get32(h + n - 4)) {
		free(h);
		return bad(r, "corrupt header (CRC mismatch)");
	}
	rc = parse_names(r, h, n);
	free(h);
	if (rc == 0 &&
	    (!(r->block = malloc((size_t)r->block_recs * TRACE_PACKED_MAX)) ||
	     !(r->recs = malloc(r->block_recs * sizeof(*r->recs)))))
		rc = bad(r, "out of memory");
	return rc;
}

struct trace_reader *trace_reader_open(const char *path, char *err,
				       size_t errlen)
{
	struct trace_reader *r = calloc(1, sizeof(*r));

	if (!r || !(r->path = strdup(path))) {
		trace_errf(err, errlen, "trace: out of memory");
		free(r);
		return NULL;
	}
	if (!(r->f = fopen(path, "rb"))) {
		trace_errf(err, errlen, "trace %s: %s", path, strerror(errno));
		trace_reader_close(r);
		return NULL;
	}
	if (read_header(r) == 0 && inflateInit(&r->z) != Z_OK)
		bad(r, "out of memory");
	r->z_ready = !r->failed;
	if (r->failed) {
		trace_errf(err, errlen, "%s", r->msg);
		trace_reader_close(r);
		return NULL;
	}
	return r;
}

const struct trace_file_info *trace_reader_info(const struct trace_reader *r)
{
	return &r->info;
}

const char *trace_reader_error(const struct trace_reader *r)
{
	return r->failed ? r->msg : NULL;
}

/* Inflate into buf until it holds `want` bytes or the stream ends;
 * *got says how many it holds. */
static int inflate_upto(struct trace_reader *r, uint8_t *buf, size_t want,
			size_t *got)
{
	char m[160];

	*got = 0;
	while (*got < want && !r->stream_end) {
		int rc;
		if (r->z.avail_in == 0) {
			size_t n = fread(r->in, 1, IN_BYTES, r->f);
			if (n == 0 && ferror(r->f))
				return bad(r, "read error");
			if (n == 0) {
				snprintf(m, sizeof(m),
					 "truncated (the "
					 "compressed data ends after %llu "
					 "records)",
					 (unsigned long long)r->nrec);
				return bad(r, m);
			}
			r->z.next_in = r->in;
			r->z.avail_in = (uInt)n;
		}
		r->z.next_out = buf + *got;
		r->z.avail_out = (uInt)(want - *got);
		rc = inflate(&r->z, Z_NO_FLUSH);
		*got = want - r->z.avail_out;
		if (rc == Z_STREAM_END) {
			r->stream_end = true;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			snprintf(m, sizeof(m),
				 "corrupt compressed data after "
				 "%llu records (zlib: %s)",
				 (unsigned long long)r->nrec,
				 r->z.msg ? r->z.msg : "error");
			return bad(r, m);
		}
	}
	return 0;
}

/* Version 1: blocks of block_recs records of 40 bytes (the last may be
 * shorter), transposed. */
static int inflate_block_v1(struct trace_reader *r)
{
	size_t cap = (size_t)r->block_recs * TRACE_RECORD_SIZE, len;

	if (inflate_upto(r, r->block, cap, &len) != 0)
		return -1;
	if (len % TRACE_RECORD_SIZE)
		return bad(r, "corrupt (a partial record at the end)");
	r->nr_recs = len / TRACE_RECORD_SIZE;
	trace_block_unpack_v1(r->block, r->nr_recs, r->recs);
	return 0;
}

/* Version 2: a block is its record count, its length, its bytes. */
static int inflate_block_v2(struct trace_reader *r)
{
	uint8_t h[TRACE_BLOCK_HDR];
	size_t got, len, n;
	char m[160];

	if (inflate_upto(r, h, sizeof(h), &got) != 0)
		return -1;
	r->nr_recs = 0;
	if (got == 0) /* the stream ended after a whole block */
		return 0;
	if (got < sizeof(h))
		return bad(r, "corrupt (a partial block header at the end)");
	n = trace_get32(h);
	len = trace_get32(h + 4);
	if (n < 1 || n > r->block_recs || len > n * TRACE_PACKED_MAX) {
		snprintf(m, sizeof(m),
			 "corrupt block header after %llu records (%zu "
			 "records in %zu bytes)",
			 (unsigned long long)r->nrec, n, len);
		return bad(r, m);
	}
	if (inflate_upto(r, r->block, len, &got) != 0)
		return -1;
	if (got < len)
		return bad(r, "corrupt (the last block is cut short)");
	if (trace_block_unpack(r->block, len, n, r->recs) != 0) {
		snprintf(m, sizeof(m), "corrupt block after %llu records",
			 (unsigned long long)r->nrec);
		return bad(r, m);
	}
	r->nr_recs = n;
	return 0;
}

/* The next block into recs; nr_recs is 0 after it when the stream has
 * ended. */
static int inflate_block(struct trace_reader *r)
{
	r->pos = 0;
	r->nr_recs = 0;
	return r->info.version == 1 ? inflate_block_v1(r)
				    : inflate_block_v2(r);
}

/* After the stream: the trailer, then end of file. */
static int check_trailer(struct trace_reader *r)
{
	uint8_t t[16];
	size_t have = r->z.avail_in < sizeof(t) ? r->z.avail_in : sizeof(t);
	char m[160];

	if (have) /* what inflate read past the stream's end */
		memcpy(t, r->z.next_in, have);
	if (r->z.avail_in > sizeof(t))
		return bad(r, "corrupt (bytes after the trailer)");
	if (fread(t + have, 1, sizeof(t) - have, r->f) != sizeof(t) - have)
		return bad(r, "truncated (no trailer)");
	if (memcmp(t, TRACE_END_MAGIC, 8) != 0)
		return bad(r, "corrupt trailer (bad magic)");
	if (trace_get64(t + 8) != r->nrec) {
		snprintf(m, sizeof(m),
			 "corrupt trailer (%llu records "
			 "announced, %llu read)",
			 (unsigned long long)trace_get64(t + 8),
			 (unsigned long long)r->nrec);
		return bad(r, m);
	}
	if (fgetc(r->f) != EOF)
		return bad(r, "corrupt (bytes after the trailer)");
	r->done = true;
	return 0;
}

/* What no writer produces: kind 0, a partition that does not exist. */
static int check_record(struct trace_reader *r, const struct trace_rec *x)
{
	char m[160];

	if (x->kind == TK_NONE)
		snprintf(m, sizeof(m), "record %llu: kind 0",
			 (unsigned long long)r->nrec);
	else if (x->part != TRACE_PART_NONE && x->part >= r->info.nr_parts)
		snprintf(m, sizeof(m), "record %llu: partition %u of %u",
			 (unsigned long long)r->nrec, x->part,
			 r->info.nr_parts);
	else
		return 0;
	return bad(r, m);
}

int trace_reader_next(struct trace_reader *r, struct trace_rec *out)
{
	if (r->failed)
		return -1;
	if (r->done)
		return 0;
	if (r->pos == r->nr_recs) {
		if (r->stream_end)
			return check_trailer(r) == 0 ? 0 : -1;
		if (inflate_block(r) != 0)
			return -1;
		if (r->nr_recs == 0)
			return check_trailer(r) == 0 ? 0 : -1;
	}
	*out = r->recs[r->pos++];
	if (check_record(r, out) != 0)
		return -1;
	r->nrec++;
	return 1;
}

void trace_reader_close(struct trace_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	if (r->z_ready)
		inflateEnd(&r->z);
	if (r->info.part_names)
		for (unsigned i = 0; i < r->info.nr_parts; i++)
			free(r->info.part_names[i]);
	free(r->info.part_names);
	free(r->info.scenario);
	free(r->block);
	free(r->recs);
	free(r->path);
	free(r);
}
