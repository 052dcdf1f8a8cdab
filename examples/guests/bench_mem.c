/*
 * examples/guests/bench_mem.c — workload of bench_mem: random reads and
 * read-modify-writes in a 1 MiB array (128 Ki 64-bit words), the pattern
 * of a hash table or a cache-unfriendly heap. Per step one xorshift64
 * gives a read index and a write index; the write depends on the read, so
 * loads and stores to unpredictable addresses alternate. Stresses the
 * simulator's data TLB and guest-memory access path rather than its ALU.
 *
 * Plain C for guest and host alike (bench_work.h says why). The checksum
 * folds the final array in order, so one lost or misplaced write shows.
 */
#include "bench_work.h"

#define MEM_WORDS (1u << 17) /* 1 MiB of uint64_t */

static uint64_t mem_array[MEM_WORDS];

static uint64_t mem_run(uint32_t steps)
{
	uint64_t x = 0x2545F4914F6CDD1Dull, sum = 0;

	for (uint32_t i = 0; i < MEM_WORDS; i++)
		mem_array[i] = (uint64_t)i * 0x9E3779B97F4A7C15ull;
	for (uint32_t n = 0; n < steps; n++) {
		uint64_t r = bench_xorshift(&x);
		uint32_t from = (uint32_t)r & (MEM_WORDS - 1);
		uint32_t to = (uint32_t)(r >> 40) & (MEM_WORDS - 1);
		mem_array[to] += mem_array[from] ^ r;
	}
	for (uint32_t i = 0; i < MEM_WORDS; i++)
		sum = bench_mix(sum, mem_array[i]);
	return sum;
}

const struct bench_work bench_mem_work = {
    .name = "mem",
    .run = mem_run,
    .scale = {12000000, 200000},
    .expected = {0x57F3FCEC54439212ull, 0x3F5CCFA7F96F8732ull},
};
