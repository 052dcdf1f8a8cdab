/*
 * tests/fuzz/gen_corpus.h — what the seed generator's two files share
 * (gen_corpus.c: main, the chanmsg seeds; gen_corpus_data.c: the gpadl,
 * ring and storvsp seeds, and the storvsc packet builders both use): a
 * seed being written, little-endian field writers, and save().
 */
#ifndef HVSIM_TESTS_FUZZ_GEN_CORPUS_H_
#define HVSIM_TESTS_FUZZ_GEN_CORPUS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEED_MAX (64 * 1024)

struct seed {
	uint8_t b[SEED_MAX];
	size_t n;
};

static inline void u8(struct seed *s, uint8_t v)
{
	if (s->n < SEED_MAX)
		s->b[s->n++] = v;
}

static inline void u16(struct seed *s, uint16_t v)
{
	u8(s, (uint8_t)v);
	u8(s, (uint8_t)(v >> 8));
}

static inline void u32(struct seed *s, uint32_t v)
{
	u16(s, (uint16_t)v);
	u16(s, (uint16_t)(v >> 16));
}

static inline void u64(struct seed *s, uint64_t v)
{
	u32(s, (uint32_t)v);
	u32(s, (uint32_t)(v >> 32));
}

static inline void bytes(struct seed *s, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		u8(s, ((const uint8_t *)p)[i]);
}

/* Write s as the next seed-NN file of the output directory (exits on
 * error). */
void save(const struct seed *s);

/* storvsc packets (gen_corpus_data.c): a 64-byte vstor_packet with
 * operation op and the union's first u16; an EXECUTE_SRB. */
void vstor(uint8_t p[64], uint32_t op, uint16_t u0);
void srb(uint8_t p[64], uint8_t dir, uint32_t xfer, const uint8_t *cdb,
	 uint8_t cdb_len);
extern const uint8_t cdb_inquiry[6], cdb_capacity[10], cdb_read[10],
    cdb_write[10], cdb_sync[10];

/* One target's seeds. */
void gen_chanmsg(void);
void gen_gpadl(void);
void gen_ring(void);
void gen_storvsp(void);

#endif
