/*
 * tests/unit/traces/test_trace.c — the trace file (traces/trace.c,
 * traces/trace_read.c, docs/TRACE.md): the kind table is consistent,
 * records round-trip exactly, the header is kept and checked, and
 * truncated or corrupted files are rejected with a message (never a crash,
 * never different records); write errors are reported.
 */
#include <sys/stat.h>
#include <zlib.h>

#include "trace_test.h"

Test(trace_kinds, table_ids_match_rows_and_stages_are_in_order)
{
	char buf[32];

	for (unsigned id = 1; id < TRACE_NR_KINDS; id++) {
		const struct trace_kind_info *k = trace_kind(id);
		cr_assert_not_null(k, "kind %u has no row", id);
		cr_assert_eq(k->id, id);
		cr_assert_not_null(k->name);
		cr_assert_not_null(k->cat);
		/* A duration or a counter is drawn under arg1's name. */
		cr_assert(k->arg1_use == TA_VALUE || k->arg1, "%s", k->name);
		cr_assert(k->lane <= TL_HV, "%s", k->name);
		/* Stage kinds are ids 1..9, in order (trace_stage_kind). */
		cr_assert(k->stage == 0 || k->stage == id, "%s", k->name);
		for (unsigned j = 1; j < id; j++)
			cr_assert_str_neq(trace_kind(j)->name, k->name);
	}
	for (unsigned s = 1; s <= TRACE_NR_STAGES; s++)
		cr_assert_eq(trace_stage_kind(s)->stage, s);
	cr_assert_null(trace_kind(0));
	cr_assert_null(trace_kind(TRACE_NR_KINDS));
	cr_assert_str_eq(trace_kind_name(TK_VMBUS_ONOFFER, buf, sizeof(buf)),
			 "vmbus_onoffer");
	cr_assert_str_eq(trace_kind_name(999, buf, sizeof(buf)), "kind#999");
}

Test(trace_file, random_records_round_trip_exactly)
{
	enum { N = 50000 };
	struct trace_rec *w = malloc(N * sizeof(*w)),
			 *r = malloc(N * sizeof(*r));
	uint64_t seed = 0x1234567;
	char *path = tt_tmp(), err[256] = "";
	long n;

	for (size_t i = 0; i < N; i++)
		w[i] = (struct trace_rec){
		    .cycle = i * 100 + tt_rand(&seed) % 100,
		    .kind =
			(uint16_t)(1 + tt_rand(&seed) % (TRACE_NR_KINDS - 1)),
		    .part = (uint16_t)(tt_rand(&seed) % 3),
		    .vp = (uint16_t)tt_rand(&seed),
		    .chan = (uint16_t)tt_rand(&seed),
		    .txn = tt_rand(&seed),
		    .arg0 = tt_rand(&seed),
		    .arg1 = tt_rand(&seed),
		};
	tt_write(path, w, N, 2500000000ull);
	n = tt_read(path, r, N, err, sizeof(err));
	cr_assert_eq(n, N, "%s", err);
	cr_assert_eq(memcmp(w, r, N * sizeof(*w)), 0);
	unlink(path);
	free(path);
	free(w);
	free(r);
}

Test(trace_file, header_keeps_scenario_freq_and_partition_names)
{
	char *path = tt_tmp(), err[256] = "";
	struct trace_reader *r;
	const struct trace_file_info *fi;
	struct trace_rec x;

	tt_write(path, NULL, 0, 3000000000ull);
	r = trace_reader_open(path, err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	fi = trace_reader_info(r);
	cr_assert_eq(fi->version, TRACE_VERSION);
	cr_assert_eq(fi->freq_hz, 3000000000ull);
	cr_assert_str_eq(fi->scenario, "[partition child1]\nkernel = x.elf\n");
	cr_assert_eq(fi->nr_parts, 3);
	cr_assert_str_eq(fi->part_names[0], "parent");
	cr_assert_str_eq(fi->part_names[2], "child2");
	cr_assert_eq(trace_reader_next(r, &x), 0, "empty trace ends cleanly");
	trace_reader_close(r);
	unlink(path);
	free(path);
}

Test(trace_file, open_rejects_bad_info)
{
	struct trace_info in = tt_info(0);
	char err[256] = "";

	cr_assert_null(trace_open("/tmp/never-written", &in, err, sizeof(err)));
	cr_assert(strstr(err, "freq"), "%s", err);
	in = tt_info(1000);
	in.level = 12;
	cr_assert_null(trace_open("/tmp/never-written", &in, err, sizeof(err)));
	cr_assert(strstr(err, "level"), "%s", err);
	in.level = 0;
	cr_assert_null(trace_open("/nonexistent/dir/t", &in, err, sizeof(err)));
	cr_assert(strstr(err, "No such file"), "%s", err);
}

Test(trace_file, null_trace_ignores_everything)
{
	struct trace_rec x = {.kind = TK_HV_EXIT};

	trace_emit(NULL, &x);
	cr_assert_eq(trace_count(NULL), 0);
	cr_assert_eq(trace_close(NULL, NULL, 0), 0);
}

Test(trace_file, full_disk_is_reported_at_close)
{
	struct trace_info in = tt_info(1000);
	struct trace_rec x = {.kind = TK_HV_EXIT, .part = 1};
	char err[256] = "";
	struct trace *t = trace_open("/dev/full", &in, err, sizeof(err));

	cr_assert_not_null(t, "%s", err);
	for (unsigned i = 0; i < 100000; i++) {
		x.cycle = i;
		x.arg0 = i * 7919u;
		trace_emit(t, &x);
	}
	cr_assert_eq(trace_close(t, err, sizeof(err)), -1);
	cr_assert(strstr(err, "No space left"), "%s", err);
}

/* Write a small realistic trace into memory (the file's bytes). */
static uint8_t *sample_file(size_t *len, struct trace_rec *recs, size_t n)
{
	char *path = tt_tmp();
	uint64_t at[TRACE_NR_STAGES] = {0,    50,   900,  2000, 2100,
					5000, 5100, 7000, 7300};
	struct stat st;
	uint8_t *buf;
	FILE *f;

	for (size_t i = 0; i + TRACE_NR_STAGES <= n; i += TRACE_NR_STAGES)
		tt_request(recs + i, 1, i, i * 1000, at);
	tt_write(path, recs, n, 1000000000);
	cr_assert_eq(stat(path, &st), 0);
	buf = malloc((size_t)st.st_size);
	f = fopen(path, "rb");
	cr_assert_eq(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	unlink(path);
	free(path);
	*len = (size_t)st.st_size;
	return buf;
}

static long read_bytes(const uint8_t *b, size_t len, struct trace_rec *out,
		       size_t max, char *err, size_t errlen)
{
	char *path = tt_tmp();
	FILE *f = fopen(path, "wb");
	long n;

	cr_assert_eq(fwrite(b, 1, len, f), len);
	fclose(f);
	n = tt_read(path, out, max, err, errlen);
	unlink(path);
	free(path);
	return n;
}

Test(trace_file, every_truncation_is_rejected)
{
	enum { N = 900 };
	struct trace_rec recs[N], back[N];
	size_t len;
	uint8_t *b = sample_file(&len, recs, N);
	char err[256];

	cr_assert_eq(read_bytes(b, len, back, N, err, sizeof(err)), N, "%s",
		     err);
	for (size_t cut = 0; cut < len; cut++) {
		err[0] = '\0';
		cr_assert_eq(read_bytes(b, cut, back, N, err, sizeof(err)), -1,
			     "a file cut at %zu of %zu bytes was accepted", cut,
			     len);
		cr_assert(err[0], "no message for a cut at %zu", cut);
	}
	free(b);
}

Test(trace_file, corruptions_are_rejected_or_harmless)
{
	enum { N = 900, TRIES = 400 };
	struct trace_rec recs[N], back[N];
	uint64_t seed = 42;
	size_t len, rejected = 0;
	uint8_t *b = sample_file(&len, recs, N);
	char err[256];

	for (int i = 0; i < TRIES; i++) {
		uint8_t *c = malloc(len);
		size_t at = tt_rand(&seed) % len;
		long n;

		memcpy(c, b, len);
		/* A flipped bit, or a random byte. */
		if (i % 2)
			c[at] ^= (uint8_t)(1u << (tt_rand(&seed) % 8));
		else
			c[at] = (uint8_t)(c[at] + 1 + tt_rand(&seed) % 255);
		err[0] = '\0';
		n = read_bytes(c, len, back, N, err, sizeof(err));
		if (n < 0) {
			cr_assert(err[0]);
			rejected++;
		} else {
			/* Deflate has redundant encodings (padding bits,
			 * Huffman table headers with several spellings), so
			 * a change may decode to the same bytes; zlib's
			 * Adler-32 guarantees it is never different data. */
			cr_assert_eq(n, N, "corruption at %zu accepted", at);
			cr_assert_eq(memcmp(back, recs, sizeof(recs)), 0,
				     "corruption at %zu changed records", at);
		}
		free(c);
	}
	cr_assert_geq(rejected, TRIES * 80 / 100, "only %zu of %d rejected",
		      rejected, TRIES);
	free(b);
}

Test(trace_file, wrong_version_and_garbage_get_clear_messages)
{
	enum { N = 9 };
	struct trace_rec recs[N], back[N];
	size_t len;
	uint8_t *b = sample_file(&len, recs, N);
	char err[256];

	b[8] = 7; /* version 7 */
	cr_assert_eq(read_bytes(b, len, back, N, err, sizeof(err)), -1);
	cr_assert(strstr(err, "version 7"), "%s", err);
	memcpy(b, "GARBAGE!", 8);
	cr_assert_eq(read_bytes(b, len, back, N, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not an hvsim trace"), "%s", err);
	free(b);
}

Test(trace_file, bytes_after_the_trailer_are_rejected)
{
	enum { N = 9 };
	struct trace_rec recs[N], back[N];
	size_t len;
	uint8_t *b = sample_file(&len, recs, N);
	char err[256];

	b = realloc(b, len + 1);
	b[len] = 0;
	cr_assert_eq(read_bytes(b, len + 1, back, N, err, sizeof(err)), -1);
	cr_assert(strstr(err, "after the trailer"), "%s", err);
	free(b);
}

Test(trace_file, block_boundaries_and_cycles_going_backwards)
{
	/* Blocks are 4096 records: end exactly on one, one short, one over.
	 * Cycles go down as well as up (records from several pCPUs). */
	static const size_t sizes[] = {1, 4095, 4096, 4097, 8192};
	enum { MAX = 8192 };
	struct trace_rec *w = malloc(MAX * sizeof(*w)),
			 *r = malloc(MAX * sizeof(*r));
	uint64_t seed = 99;
	char err[256] = "";

	for (size_t i = 0; i < MAX; i++)
		w[i] = (struct trace_rec){
		    .cycle = i % 3 ? UINT64_MAX - tt_rand(&seed) % 1000
				   : tt_rand(&seed) % 5000,
		    .kind = TK_VSP_READ,
		    .part = 0,
		    .chan = 7,
		    .txn = i};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char *path = tt_tmp();
		tt_write(path, w, sizes[k], 1000);
		cr_assert_eq(tt_read(path, r, MAX, err, sizeof(err)),
			     (long)sizes[k], "%zu: %s", sizes[k], err);
		cr_assert_eq(memcmp(w, r, sizes[k] * sizeof(*w)), 0, "%zu",
			     sizes[k]);
		unlink(path);
		free(path);
	}
	free(w);
	free(r);
}

/* Set a u32 header field and fix the CRC, so the range checks (not the
 * CRC) must catch it. */
static void poke_header(uint8_t *b, size_t off, uint32_t v)
{
	uint32_t n = b[12] | b[13] << 8 | b[14] << 16 | (uint32_t)b[15] << 24;
	uint32_t crc;

	for (int i = 0; i < 4; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
	crc = (uint32_t)crc32(0, b, n - 4);
	for (int i = 0; i < 4; i++)
		b[n - 4 + i] = (uint8_t)(crc >> (8 * i));
}

Test(trace_file, header_fields_out_of_range_are_rejected_despite_crc)
{
	static const struct {
		size_t off;
		uint32_t val;
		const char *msg;
	} cases[] = {
	    {16, 48, "record size 48"},
	    {32, 0, "sizes out of range"}, /* records per block */
	    {32, 1u << 20, "sizes out of range"},
	    {20, 5000, "sizes out of range"}, /* partitions */
	    {20, 2, "size does not match"},   /* names left over */
	    {20, 4, "partition names"},	      /* names missing */
	    {24, 0, "sizes out of range"},    /* freq (low half) */
	    {36, 0xFFFFFF, "scenario length"},
	    {12, 39, "sizes out of range"}, /* header size */
	};
	enum { N = 9 };
	struct trace_rec recs[N], back[N];
	size_t len;
	uint8_t *b = sample_file(&len, recs, N);
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *c = malloc(len);
		memcpy(c, b, len);
		if (cases[i].off == 24) /* freq is 64-bit: clear both halves */
			poke_header(c, 28, 0);
		if (cases[i].off == 12)
			c[12] = (uint8_t)cases[i].val; /* CRC moves with it */
		else
			poke_header(c, cases[i].off, cases[i].val);
		err[0] = '\0';
		cr_assert_eq(read_bytes(c, len, back, N, err, sizeof(err)), -1,
			     "case %zu accepted", i);
		cr_assert(strstr(err, cases[i].msg), "case %zu: %s", i, err);
		free(c);
	}
	free(b);
}
