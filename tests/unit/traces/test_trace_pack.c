/*
 * tests/unit/traces/test_trace_pack.c — the block layouts
 * (traces/trace_pack.c, docs/TRACE.md "Blocks"): version 2 blocks give
 * back exactly the records packed (random fields, values that wrap,
 * unknown kinds, kinds sharing a context), malformed ones are refused,
 * and version 1 files are still read.
 */
#include <sys/stat.h>

#include "trace_test.h"
#include "traces/trace_int.h"

/* Pack n records, unpack them, compare; returns the packed length. */
static size_t round_trip(const struct trace_rec *w, size_t n)
{
	uint8_t *buf = malloc(n * TRACE_PACKED_MAX + 1);
	struct trace_rec *r = malloc(n * sizeof(*r) + 1);
	size_t len = trace_block_pack(w, n, buf);

	cr_assert_leq(len, n * TRACE_PACKED_MAX);
	cr_assert_eq(trace_block_unpack(buf, len, n, r), 0);
	cr_assert_eq(memcmp(w, r, n * sizeof(*w)), 0);
	free(buf);
	free(r);
	return len;
}

Test(trace_pack, random_records_round_trip)
{
	enum { N = 20000 };
	struct trace_rec *w = malloc(N * sizeof(*w));
	uint64_t seed = 7;

	for (size_t i = 0; i < N; i++) {
		uint64_t pick = tt_rand(&seed);
		w[i] = (struct trace_rec){
		    .cycle = tt_rand(&seed),
		    /* Few kinds, so fields often repeat; some share the
		     * context kind % 64 (1, 65, 129); 0xFFFF the top. */
		    .kind = (uint16_t)(pick % 4 == 0   ? 0xFFFF
				       : pick % 4 == 1 ? 1 + 64 * (pick % 3)
						       : 1 + pick % 8),
		    .part = (uint16_t)(tt_rand(&seed) % 3 ? 1 : 0xFFFF),
		    .vp = (uint16_t)(tt_rand(&seed) % 2),
		    .chan = (uint16_t)tt_rand(&seed),
		    .txn = tt_rand(&seed) % 2 ? i : tt_rand(&seed),
		    .arg0 = tt_rand(&seed) % 2 ? 4096 : UINT64_MAX,
		    .arg1 = tt_rand(&seed)};
	}
	round_trip(w, N);
	free(w);
}

Test(trace_pack, extreme_differences_wrap_back)
{
	/* Every difference sign and size: 0 → max → 0, half-way values. */
	static const uint64_t v[] = {0,
				     UINT64_MAX,
				     0,
				     1ull << 63,
				     (1ull << 63) - 1,
				     1,
				     UINT64_MAX - 1,
				     0x7F,
				     0x80,
				     0x3FFF,
				     0x4000};
	enum { N = sizeof(v) / sizeof(v[0]) };
	struct trace_rec w[N];

	for (size_t i = 0; i < N; i++)
		w[i] = (struct trace_rec){.cycle = v[i],
					  .kind = TK_HV_EXIT,
					  .part = (uint16_t)v[i],
					  .vp = (uint16_t)v[N - 1 - i],
					  .chan = (uint16_t)(v[i] >> 48),
					  .txn = v[i],
					  .arg0 = v[N - 1 - i],
					  .arg1 = ~v[i]};
	round_trip(w, N);
	round_trip(w, 1);
}

Test(trace_pack, repeating_requests_pack_small)
{
	/* The point of version 2: a request's records repeat the previous
	 * request's but for the txn and cycle, so they pack to a few bytes
	 * (flags, kind, cycle difference, txn difference). */
	enum { N = 9 * 100 };
	struct trace_rec w[N];
	uint64_t at[TRACE_NR_STAGES] = {0, 50, 900, 2000, 2100,
					5000, 5100, 7000, 7300};
	size_t len;

	for (size_t i = 0; i < N; i += TRACE_NR_STAGES)
		tt_request(w + i, 3, i / TRACE_NR_STAGES, i * 1000, at);
	len = round_trip(w, N);
	cr_assert_leq(len, (size_t)N * 6, "%zu bytes for %d records", len, N);
}

Test(trace_pack, malformed_blocks_are_refused)
{
	struct trace_rec w[3] = {
	    {.cycle = 5, .kind = 2, .part = 1, .txn = 1000},
	    {.cycle = 9, .kind = 2, .part = 1, .txn = 1001},
	    {.cycle = 4, .kind = 9, .chan = 3, .arg1 = 1ull << 40}};
	struct trace_rec r[4];
	uint8_t buf[3 * TRACE_PACKED_MAX], bad[3 * TRACE_PACKED_MAX + 1];
	size_t len = trace_block_pack(w, 3, buf);

	cr_assert_eq(trace_block_unpack(buf, len, 3, r), 0);
	/* Bytes short, bytes left over, records missing. */
	for (size_t cut = 0; cut < len; cut++)
		cr_assert_eq(trace_block_unpack(buf, cut, 3, r), -1, "%zu",
			     cut);
	memcpy(bad, buf, len);
	bad[len] = 0;
	cr_assert_eq(trace_block_unpack(bad, len + 1, 3, r), -1);
	cr_assert_eq(trace_block_unpack(buf, len, 2, r), -1);
	cr_assert_eq(trace_block_unpack(buf, len, 4, r), -1);
	/* A flag bit that means nothing. */
	memcpy(bad, buf, len);
	bad[0] |= 0x40;
	cr_assert_eq(trace_block_unpack(bad, len, 3, r), -1);
	/* A kind above 0xFFFF: flags, then 0x80 0x80 0x04 = 0x10000. */
	{
		static const uint8_t k[] = {0, 0x80, 0x80, 0x04, 0};
		cr_assert_eq(trace_block_unpack(k, sizeof(k), 1, r), -1);
	}
	/* A cycle difference longer than 64 bits. */
	{
		uint8_t c[16] = {0, 1};
		memset(c + 2, 0xFF, 9);
		c[11] = 0x02; /* the tenth byte may only be 0 or 1 */
		cr_assert_eq(trace_block_unpack(c, 12, 1, r), -1);
		c[11] = 0x01;
		cr_assert_eq(trace_block_unpack(c, 12, 1, r), 0);
		cr_assert_eq(r[0].cycle, 1ull << 63); /* zigzag of 2^64 - 1 */
		cr_assert_eq(r[0].kind, 1);
	}
}

/* The file a given trace_info.version writes: its size, and its records
 * read back. */
static off_t write_version(unsigned version, const struct trace_rec *w,
			   size_t n, struct trace_rec *back)
{
	struct trace_info in = tt_info(1000000000);
	char *path = tt_tmp(), err[256] = "";
	struct trace *t;
	struct trace_reader *r;
	struct stat st;
	size_t got = 0;
	int rc;

	in.version = version;
	t = trace_open(path, &in, err, sizeof(err));
	cr_assert_not_null(t, "%s", err);
	for (size_t i = 0; i < n; i++)
		trace_emit(t, &w[i]);
	cr_assert_eq(trace_close(t, err, sizeof(err)), 0, "%s", err);
	r = trace_reader_open(path, err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cr_assert_eq(trace_reader_info(r)->version, version);
	while ((rc = trace_reader_next(r, &back[got])) == 1)
		cr_assert_lt(++got, n + 1);
	cr_assert_eq(rc, 0, "%s", trace_reader_error(r));
	cr_assert_eq(got, n);
	trace_reader_close(r);
	cr_assert_eq(stat(path, &st), 0);
	unlink(path);
	free(path);
	return st.st_size;
}

Test(trace_pack, version_1_files_are_still_read)
{
	/* Over a block boundary (4096), requests of two children. */
	enum { N = 9 * 500 };
	struct trace_rec *w = malloc(N * sizeof(*w)),
			 *b1 = malloc(N * sizeof(*w)),
			 *b2 = malloc(N * sizeof(*w));
	uint64_t at[TRACE_NR_STAGES] = {0, 50, 900, 2000, 2100,
					5000, 5100, 7000, 7300};
	off_t v1, v2;

	for (size_t i = 0; i < N; i += TRACE_NR_STAGES)
		tt_request_of(w + i, (uint16_t)(1 + i % 2), 1,
			      i / TRACE_NR_STAGES, i * 700, at);
	v1 = write_version(1, w, N, b1);
	v2 = write_version(TRACE_VERSION, w, N, b2);
	cr_assert_eq(memcmp(w, b1, N * sizeof(*w)), 0);
	cr_assert_eq(memcmp(w, b2, N * sizeof(*w)), 0);
	cr_assert_lt(v2, v1, "version 2: %lld bytes, version 1: %lld",
		     (long long)v2, (long long)v1);
	free(w);
	free(b1);
	free(b2);
}

Test(trace_pack, a_format_not_writable_is_refused)
{
	struct trace_info in = tt_info(1000);
	char *path = tt_tmp(), err[256] = "";

	in.version = TRACE_VERSION + 1;
	cr_assert_null(trace_open(path, &in, err, sizeof(err)));
	cr_assert(strstr(err, "version"), "%s", err);
	unlink(path);
	free(path);
}
