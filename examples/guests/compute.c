/*
 * examples/guests/compute.c — the demo's computing child: integer-only
 * work whose answers can be checked, with a progress line per step.
 *
 *   1. primes below PRIME_LIMIT by the sieve of Eratosthenes: the count
 *      (pi(200000) = 17984) and the largest;
 *   2. the Mandelbrot set drawn in characters: fixed-point arithmetic with
 *      FIX_BITS fraction bits in 64-bit integers, escape radius 2, a row
 *      of text per line (the shade is the iteration count it escaped at);
 *   3. SORT_N pseudo-random numbers (xorshift64, fixed seed) sorted with a
 *      heap sort, checked in order, summed before and after (same sum).
 *
 * The boot command line may say `rounds=N` (1..100, default 1): steps 1
 * and 3 are repeated N times, to make the run longer. Every step prints
 * the simulated cycles it took (RDTSC). The guest returns 0 from kmain
 * (debug-exit 0: hvsim status 1) when every check holds, 1 otherwise.
 * Plain C without floating point (the guests build with
 * -mgeneral-regs-only); deterministic: same output on every run.
 */
#include "rt.h"

#define PRIME_LIMIT 200000
#define SORT_N	    20000
#define MANDEL_W    64
#define MANDEL_H    20
#define MANDEL_ITER 48
#define FIX_BITS    24 /* Q39.24: |z|^2 < 4 keeps products in range */

static uint8_t composite[PRIME_LIMIT];
static uint64_t numbers[SORT_N];

/* "rounds=N" anywhere in the command line; 1 if absent or out of range. */
static unsigned parse_rounds(const struct hvsim_boot_info *bi)
{
	const char *s = bi && bi->magic == HVSIM_BOOT_MAGIC && bi->cmdline
				? strstr((const char *)bi->cmdline, "rounds=")
				: NULL;
	unsigned n = 0;

	if (!s)
		return 1;
	for (s += 7; *s >= '0' && *s <= '9' && n <= 100; s++)
		n = n * 10 + (unsigned)(*s - '0');
	return n >= 1 && n <= 100 ? n : 1;
}

/* The sieve; returns how many primes lie below PRIME_LIMIT. */
static unsigned sieve(unsigned *largest)
{
	unsigned count = 0;

	memset(composite, 0, sizeof(composite));
	for (unsigned i = 2; i < PRIME_LIMIT; i++) {
		if (composite[i])
			continue;
		count++;
		*largest = i;
		for (uint64_t j = (uint64_t)i * i; j < PRIME_LIMIT; j += i)
			composite[j] = 1;
	}
	return count;
}

/* Iterations until z = z^2 + c leaves the circle of radius 2. */
static unsigned mandel_escape(int64_t cr, int64_t ci)
{
	const int64_t four = (int64_t)4 << FIX_BITS;
	int64_t zr = 0, zi = 0;
	unsigned n;

	for (n = 0; n < MANDEL_ITER; n++) {
		int64_t zr2 = (zr * zr) >> FIX_BITS, zi2 = (zi * zi) >> FIX_BITS;

		if (zr2 + zi2 > four)
			break;
		zi = ((2 * zr * zi) >> FIX_BITS) + ci;
		zr = zr2 - zi2 + cr;
	}
	return n;
}

/* Draws [-2.1, 0.9] x [-1.2, 1.2]; returns the points inside the set. */
static unsigned mandelbrot(void)
{
	static const char shades[] = " .:-=+*%#";
	const int64_t one = (int64_t)1 << FIX_BITS;
	unsigned inside = 0;

	for (int y = 0; y < MANDEL_H; y++) {
		char row[MANDEL_W + 1];
		int64_t ci = -one * 12 / 10 + (one * 24 / 10) * y / (MANDEL_H - 1);

		for (int x = 0; x < MANDEL_W; x++) {
			int64_t cr = -one * 21 / 10 + (one * 3) * x / MANDEL_W;
			unsigned n = mandel_escape(cr, ci);

			inside += n == MANDEL_ITER;
			row[x] = n == MANDEL_ITER
				     ? '@'
				     : shades[n * (sizeof(shades) - 2) /
					      MANDEL_ITER];
		}
		row[MANDEL_W] = '\0';
		printf("  %s\n", row);
	}
	return inside;
}

static void sift_down(uint64_t *a, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		uint64_t t = a[root];
		a[root] = a[child];
		a[child] = t;
	}
}

static void heap_sort(uint64_t *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end-- > 1;) {
		uint64_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

/* Fill, sort, check. Returns 1 when the result is in order and holds the
 * same numbers (same sum) as before. */
static int sort_check(uint64_t seed, uint64_t *sum_out)
{
	uint64_t x = seed, before = 0, after = 0;
	int ordered = 1;

	for (size_t i = 0; i < SORT_N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		numbers[i] = x >> 16;
		before += numbers[i];
	}
	heap_sort(numbers, SORT_N);
	for (size_t i = 0; i < SORT_N; i++) {
		after += numbers[i];
		if (i && numbers[i - 1] > numbers[i])
			ordered = 0;
	}
	*sum_out = after;
	return ordered && before == after;
}

int kmain(struct hvsim_boot_info *bi)
{
	unsigned rounds, count = 0, largest = 0, inside;
	uint64_t t, sum = 0;
	int ok = 1, sorted = 1;

	rt_init();
	rounds = parse_rounds(bi);
	printf("compute: integer work, %u round(s): primes, Mandelbrot, "
	       "sort\n", rounds);
	t = rdtsc();
	for (unsigned r = 0; r < rounds; r++)
		count = sieve(&largest);
	printf("compute: %u primes below %u, the largest %u "
	       "(%lu cycles)\n", count, PRIME_LIMIT, largest, rdtsc() - t);
	ok &= count == 17984 && largest == 199999;

	t = rdtsc();
	printf("compute: the Mandelbrot set, %dx%d, %d iterations:\n",
	       MANDEL_W, MANDEL_H, MANDEL_ITER);
	inside = mandelbrot();
	printf("compute: %u of %d points inside (%lu cycles)\n", inside,
	       MANDEL_W * MANDEL_H, rdtsc() - t);
	ok &= inside > 0 && inside < MANDEL_W * MANDEL_H;

	t = rdtsc();
	for (unsigned r = 0; r < rounds; r++)
		sorted &= sort_check(0x9E3779B97F4A7C15ull + r, &sum);
	printf("compute: sorted %d numbers, %s, sum %#lx (%lu cycles)\n",
	       SORT_N, sorted ? "in order" : "OUT OF ORDER", sum, rdtsc() - t);
	ok &= sorted;
	printf("compute: %s\n", ok ? "done, every check passed"
				   : "FAIL: a check did not hold");
	return ok ? 0 : 1;
}
