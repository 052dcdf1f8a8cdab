/*
 * examples/guests/bench_branchy.c — workload of bench_branchy: generic
 * qsorts of 200,000 pseudo-random ints (two rounds at full size), calling
 * the comparison through a function pointer as libc's qsort(3) does.
 * Data-dependent branches that mispredict half the time, an indirect call and
 * return per comparison, and short loops: the branch-heavy side of real
 * programs.
 *
 * The sort is this file's own: quicksort with a median-of-three pivot,
 * insertion sort below 12 elements, and recursion only into the smaller
 * part (so the stack stays O(log n)). It moves elements 4 bytes at a time
 * when the size allows, else byte by byte. It is noipa so that GCC cannot
 * inline the comparison into a specialised copy: the call must stay
 * indirect, as it is across a library boundary.
 *
 * Plain C for guest and host alike (bench_work.h). The checksum folds the
 * sorted array, and a final pass counts out-of-order neighbours into it.
 */
#include <stddef.h>

#include "bench_work.h"

#define SORT_ELEMS  200000u
#define SORT_SMALL  12
#define VALUE_RANGE 1000000u /* duplicates occur, as in real data */

typedef int (*cmp_fn)(const void *, const void *);

static int sort_array[SORT_ELEMS];

static void swap_elems(char *a, char *b, size_t size)
{
	if (size % 4 == 0) {
		for (size_t i = 0; i < size; i += 4) {
			uint32_t t = *(uint32_t *)(a + i);
			*(uint32_t *)(a + i) = *(uint32_t *)(b + i);
			*(uint32_t *)(b + i) = t;
		}
		return;
	}
	for (size_t i = 0; i < size; i++) {
		char t = a[i];
		a[i] = b[i];
		b[i] = t;
	}
}

static void insertion_sort(char *base, size_t n, size_t size, cmp_fn cmp)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			char *p = base + j * size;
			if (cmp(p - size, p) <= 0)
				break;
			swap_elems(p - size, p, size);
		}
}

/* Orders first, middle, last; leaves the median in the middle. */
static char *median_of_three(char *lo, char *hi, size_t size, cmp_fn cmp)
{
	char *mid = lo + (size_t)(hi - lo) / size / 2 * size;

	if (cmp(mid, lo) < 0)
		swap_elems(mid, lo, size);
	if (cmp(hi, mid) < 0) {
		swap_elems(hi, mid, size);
		if (cmp(mid, lo) < 0)
			swap_elems(mid, lo, size);
	}
	return mid;
}

/* Hoare partition of [lo, hi] around the median; returns the split point:
 * everything at or before it is <= pivot, everything after is >= pivot. */
static char *partition(char *lo, char *hi, size_t size, cmp_fn cmp)
{
	char *mid = median_of_three(lo, hi, size, cmp);
	char *i = lo, *j = hi;

	swap_elems(lo, mid, size); /* the pivot waits at lo */
	for (;;) {
		do
			i += size;
		while (i <= hi && cmp(i, lo) < 0);
		do
			j -= size;
		while (cmp(j, lo) > 0);
		if (i >= j)
			break;
		swap_elems(i, j, size);
	}
	swap_elems(lo, j, size);
	return j;
}

__attribute__((noipa)) static void bench_qsort(void *base, size_t n,
					       size_t size, cmp_fn cmp)
{
	char *lo = base;

	while (n > SORT_SMALL) {
		char *hi = lo + (n - 1) * size;
		char *split = partition(lo, hi, size, cmp);
		size_t left = (size_t)(split - lo) / size;
		size_t right = n - left - 1;
		if (left < right) {
			bench_qsort(lo, left, size, cmp);
			lo = split + size;
			n = right;
		} else {
			bench_qsort(split + size, right, size, cmp);
			n = left;
		}
	}
	insertion_sort(lo, n, size, cmp);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Fills the array with n fresh values, sorts it, folds it into sum. */
static uint64_t sort_round(uint64_t *x, uint32_t n, uint64_t sum)
{
	uint64_t disorder = 0;

	for (uint32_t i = 0; i < n; i++)
		sort_array[i] = (int)(bench_xorshift(x) % VALUE_RANGE) -
				(int)(VALUE_RANGE / 2);
	bench_qsort(sort_array, n, sizeof(int), cmp_int);
	for (uint32_t i = 0; i < n; i++) {
		sum = bench_mix(sum, (uint64_t)(int64_t)sort_array[i]);
		disorder += i && sort_array[i - 1] > sort_array[i];
	}
	return bench_mix(sum, disorder);
}

/* Sorts `total` values in rounds of at most SORT_ELEMS. */
static uint64_t branchy_run(uint32_t total)
{
	uint64_t x = 0x853C49E6748FEA9Bull, sum = 0;

	while (total) {
		uint32_t n = total < SORT_ELEMS ? total : SORT_ELEMS;
		sum = sort_round(&x, n, sum);
		total -= n;
	}
	return sum;
}

const struct bench_work bench_branchy_work = {
    .name = "branchy",
    .run = branchy_run,
    .scale = {2 * SORT_ELEMS, 5000},
    .expected = {0x6DE71489F8070951ull, 0x65345F72CDEF647Cull},
};
