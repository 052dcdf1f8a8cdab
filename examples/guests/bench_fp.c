/*
 * examples/guests/bench_fp.c — workload of bench_fp: a 64-body gravity
 * simulation in double precision: per step, every pair of bodies gets the
 * inverse cube of its distance (one SQRTSD and one DIVSD per pair) and
 * the velocities and positions are advanced with a fixed time step. GCC
 * compiles it to SSE2 scalar code, with -O2's SLP vectorizer pairing some
 * x/y operations into packed doubles, as in any real -O2 program.
 *
 * Bit-exact across machines: IEEE 754 double with round-to-nearest, no
 * FMA (built with -ffp-contract=off, which keeps a*b+c two roundings on a
 * host that has FMA), sqrt and division correctly rounded by definition,
 * and the same operation order on guest and host (same source, and GCC
 * does not reassociate without -ffast-math). -fno-math-errno makes
 * __builtin_sqrt one SQRTSD with no libm call. The checksum folds the bit
 * patterns of every final position and velocity.
 *
 * Plain C for guest and host alike (bench_work.h).
 */
#include <stddef.h>

#include "bench_work.h"

#define BODIES	  64
#define TIME_STEP 0.001
#define SOFTENING 0.01 /* keeps close encounters finite */

struct body {
	double x, y, z, vx, vy, vz, mass;
};

static struct body bodies[BODIES];

/* A double in [0, 1) from 53 random bits (exact conversion). */
static double unit_random(uint64_t *state)
{
	return (double)(bench_xorshift(state) >> 11) *
	       (1.0 / 9007199254740992.0);
}

static void place_bodies(void)
{
	uint64_t s = 0xB5AD4ECEDA1CE2A9ull;

	for (int i = 0; i < BODIES; i++) {
		struct body *b = &bodies[i];
		b->x = unit_random(&s) * 2.0 - 1.0;
		b->y = unit_random(&s) * 2.0 - 1.0;
		b->z = unit_random(&s) * 2.0 - 1.0;
		b->vx = (unit_random(&s) - 0.5) * 0.1;
		b->vy = (unit_random(&s) - 0.5) * 0.1;
		b->vz = (unit_random(&s) - 0.5) * 0.1;
		b->mass = 0.5 + unit_random(&s);
	}
}

/* Velocities from every pair's attraction, then positions. */
static void step(void)
{
	for (int i = 0; i < BODIES; i++) {
		struct body *a = &bodies[i];
		for (int j = i + 1; j < BODIES; j++) {
			struct body *b = &bodies[j];
			double dx = a->x - b->x, dy = a->y - b->y;
			double dz = a->z - b->z;
			double d2 = dx * dx + dy * dy + dz * dz + SOFTENING;
			double mag = TIME_STEP / (d2 * __builtin_sqrt(d2));
			double ma = a->mass * mag, mb = b->mass * mag;
			a->vx -= dx * mb;
			a->vy -= dy * mb;
			a->vz -= dz * mb;
			b->vx += dx * ma;
			b->vy += dy * ma;
			b->vz += dz * ma;
		}
	}
	for (int i = 0; i < BODIES; i++) {
		bodies[i].x += TIME_STEP * bodies[i].vx;
		bodies[i].y += TIME_STEP * bodies[i].vy;
		bodies[i].z += TIME_STEP * bodies[i].vz;
	}
}

static uint64_t double_bits(double d)
{
	union {
		double d;
		uint64_t u;
	} v = {.d = d};
	return v.u;
}

static uint64_t fp_run(uint32_t steps)
{
	uint64_t sum = 0;

	place_bodies();
	for (uint32_t n = 0; n < steps; n++)
		step();
	for (int i = 0; i < BODIES; i++) {
		const struct body *b = &bodies[i];
		const double state[6] = {b->x, b->y, b->z, b->vx, b->vy, b->vz};
		for (int k = 0; k < 6; k++)
			sum = bench_mix(sum, double_bits(state[k]));
	}
	return sum;
}

const struct bench_work bench_fp_work = {
    .name = "fp",
    .run = fp_run,
    .scale = {2000, 40},
    .expected = {0xF60DCBB75A85D338ull, 0x14D06037724CF87Cull},
};
