/*
 * sim/le.h — little-endian loads and stores on byte buffers: the one place
 * for the byte order of everything hvsim reads or writes in guest-visible
 * structures (VMBus messages and rings, ACPI tables, FXSAVE images,
 * instruction bytes, hypercall parameters). Byte by byte, so any alignment
 * is fine and the host's own byte order does not matter; compilers turn
 * each into one load or store on x86-64.
 */
#ifndef HVSIM_SIM_LE_H_
#define HVSIM_SIM_LE_H_

#include <stdint.h>

static inline uint16_t le_get16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t le_get32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t le_get64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)le_get32(b) | (uint64_t)le_get32(b + 4) << 32;
}

static inline void le_put16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void le_put32(void *p, uint32_t v)
{
	uint8_t *b = p;

	le_put16(b, (uint16_t)v);
	le_put16(b + 2, (uint16_t)(v >> 16));
}

static inline void le_put64(void *p, uint64_t v)
{
	uint8_t *b = p;

	le_put32(b, (uint32_t)v);
	le_put32(b + 4, (uint32_t)(v >> 32));
}

#endif
