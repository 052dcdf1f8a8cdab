/*
 * examples/guests/storage_stats.c — the storage guest's measurements and
 * command line (storage_stats.h). Integer arithmetic only: the guests are
 * built without SSE (-mgeneral-regs-only).
 */
#include "storage_stats.h"

#include "hyperv.h"
#include "io.h"
#include "printf.h"
#include "string.h"

#define DEFAULT_TSC_HZ 2500000000ull

uint64_t stats_tsc_hz(void)
{
	uint64_t hz = 0;

	if (hv_rdmsr_safe(HV_MSR_TSC_FREQUENCY, &hz) || hz == 0)
		hz = DEFAULT_TSC_HZ;
	return hz;
}

void stats_start(struct io_stats *st, uint64_t tsc_hz, uint64_t bytes_per_op)
{
	memset(st, 0, sizeof(*st));
	st->tsc_hz = tsc_hz;
	st->bytes_per_op = bytes_per_op;
	st->t0 = rdtsc();
}

void stats_stop(struct io_stats *st)
{
	st->t1 = rdtsc();
}

static unsigned bucket_of(uint64_t v)
{
	unsigned e;

	if (v < STATS_SUB)
		return (unsigned)v;
	e = 63 - (unsigned)__builtin_clzll(v); /* >= 4 */
	return (e - 3) * STATS_SUB + (unsigned)((v >> (e - 4)) & 15);
}

/* The largest value of bucket b. */
static uint64_t bucket_top(unsigned b)
{
	unsigned e = b / STATS_SUB + 3, sub = b % STATS_SUB;

	if (b < STATS_SUB)
		return b;
	return ((uint64_t)(STATS_SUB + sub + 1) << (e - 4)) - 1;
}

void stats_add(struct io_stats *st, uint64_t cycles)
{
	st->hist[bucket_of(cycles)]++;
	st->n++;
	if (cycles > st->max)
		st->max = cycles;
}

uint64_t stats_percentile(const struct io_stats *st, unsigned pct)
{
	uint64_t rank = (st->n * pct + 99) / 100, seen = 0;

	if (!st->n)
		return 0;
	if (rank == 0)
		rank = 1;
	for (unsigned b = 0; b < STATS_BUCKETS; b++) {
		seen += st->hist[b];
		if (seen >= rank) {
			uint64_t top = bucket_top(b);
			return top < st->max ? top : st->max;
		}
	}
	return st->max;
}

static uint64_t to_us(const struct io_stats *st, uint64_t cycles)
{
	return cycles * 1000000 / st->tsc_hz;
}

void stats_print(const struct io_stats *st)
{
	uint64_t cycles = st->t1 > st->t0 ? st->t1 - st->t0 : 1;
	/* MB/s x 10 without overflow: bytes and Hz in thousands. */
	uint64_t kbytes = st->n * st->bytes_per_op / 1000;
	uint64_t mbs10 = kbytes * 10 * (st->tsc_hz / 1000) / cycles;

	printf("%4lu ops, %4lu.%lu MB/s, lat us p50 %lu p99 %lu max %lu\n",
	       (unsigned long)st->n, (unsigned long)(mbs10 / 10),
	       (unsigned long)(mbs10 % 10),
	       (unsigned long)to_us(st, stats_percentile(st, 50)),
	       (unsigned long)to_us(st, stats_percentile(st, 99)),
	       (unsigned long)to_us(st, st->max));
}

/* ---- the command line ------------------------------------------------------ */

/* The value of "key=digits" in word w (length n) into *v; 0 if w is not
 * that key or the digits are bad. */
static int key_value(const char *w, size_t n, const char *key, uint32_t *v)
{
	size_t k = strlen(key);
	uint64_t x = 0;

	if (n <= k + 1 || strncmp(w, key, k) != 0 || w[k] != '=')
		return 0;
	for (size_t i = k + 1; i < n; i++) {
		if (w[i] < '0' || w[i] > '9' || x > 0xFFFFFFFFull / 10)
			return 0;
		x = x * 10 + (uint64_t)(w[i] - '0');
	}
	if (x > 0xFFFFFFFFull)
		return 0;
	*v = (uint32_t)x;
	return 1;
}

static int word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && strncmp(w, s, n) == 0;
}

int parse_cmdline(const struct hvsim_boot_info *bi, struct bench_args *a,
		  uint32_t max_qd)
{
	const char *p = "";
	uint32_t len = 0;

	memset(a, 0, sizeof(*a));
	a->size = 4096;
	a->qd = 1;
	a->count = 1000;
	if (bi && bi->magic == HVSIM_BOOT_MAGIC && bi->cmdline) {
		p = (const char *)bi->cmdline;
		len = bi->cmdline_len;
	}
	for (uint32_t i = 0; i < len;) {
		uint32_t n = 0;

		while (i < len && p[i] == ' ')
			i++;
		while (i + n < len && p[i + n] != ' ')
			n++;
		if (!n)
			break;
		if (word_is(p + i, n, "bench"))
			a->bench = 1;
		else if (word_is(p + i, n, "write"))
			a->write = 1;
		else if (!key_value(p + i, n, "size", &a->size) &&
			 !key_value(p + i, n, "qd", &a->qd) &&
			 !key_value(p + i, n, "count", &a->count))
			return 0;
		i += n;
	}
	return a->size >= 512 && a->size <= 65536 && a->size % 512 == 0 &&
	       a->qd >= 1 && a->qd <= max_qd && a->count >= 1;
}
