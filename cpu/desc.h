/*
 * cpu/desc.h — segment descriptors and gates as bits: field layout,
 * type codes and extraction helpers (Intel SDM Vol. 3A §3.4.5 segment
 * descriptors, §3.5 system descriptor types, §6.11 and §6.14.1 IDT gates).
 * Pure definitions; the functions that read descriptor tables are declared
 * in sysarch.h. Only the .c files of cpu/ include this.
 *
 * Segment descriptor (8 bytes), high dword then low dword:
 *   31      24 23 22 21 20  19    16 15 14 13 12 11   8 7           0
 *  | base 31:24| G|DB| L|AVL|lim 19:16| P| DPL |S| type | base 23:16 |
 *  |        base 15:0                 |        limit 15:0             |
 * Bits 8..15 and 20..23 of the high dword are the VMX-style `attr` of
 * struct seg_cache (cpu_int.h): attr = byte 5 | (high nibble of byte 6) << 12.
 *
 * Gate descriptor (IDT): 8 bytes in legacy mode; in IA-32e mode 16 bytes,
 * the second 8 holding offset 63:32 (low dword) and zeros.
 *   31             16 15 14 13 12 11   8 7     3 2   0
 *  |   offset 31:16   | P| DPL |0| type |   0   | IST |
 *  |   selector       |          offset 15:0         |
 * (IST exists only in IA-32e mode; 32-bit gates have zeros there.)
 */
#ifndef HVSIM_CPU_DESC_H_
#define HVSIM_CPU_DESC_H_

#include "cpu/cpu_int.h"

/* Type field (attr bits 3:0) of code/data descriptors (S = 1). */
#define DT_ACCESSED 0x1u
#define DT_WRITABLE 0x2u /* data */
#define DT_READABLE 0x2u /* code */
#define DT_EXPDOWN  0x4u /* data */
#define DT_CONFORM  0x4u /* code */
#define DT_CODE	    0x8u

/* System descriptor and gate types (S = 0). */
enum sys_type {
	ST_TSS16_AVAIL = 0x1,
	ST_LDT = 0x2,
	ST_TSS16_BUSY = 0x3,
	ST_CALL16 = 0x4,
	ST_TASK_GATE = 0x5,
	ST_INT16 = 0x6,
	ST_TRAP16 = 0x7,
	ST_TSS_AVAIL = 0x9, /* 32-bit TSS, or 64-bit TSS in IA-32e mode */
	ST_TSS_BUSY = 0xB,
	ST_CALL = 0xC,
	ST_INT = 0xE,
	ST_TRAP = 0xF,
};

/* Attributes of the flat segments loaded without a descriptor read
 * (SYSCALL/SYSRET, boot states); DPL is or-ed in by the user. */
#define ATTR_CODE64 0xA09Bu /* G, L, P, S, execute/read, accessed */
#define ATTR_CODE32 0xC09Bu /* G, DB, P, S, execute/read, accessed */
#define ATTR_DATA   0xC093u /* G, DB, P, S, read/write, accessed */
#define ATTR_DPL(n) ((uint16_t)((n) << 5))

static inline uint64_t desc_base(uint64_t d)
{
	return ((d >> 16) & 0xFFFFFF) | (((d >> 56) & 0xFF) << 24);
}

static inline uint16_t desc_attr(uint64_t d)
{
	return (uint16_t)(((d >> 40) & 0xFF) | (((d >> 52) & 0xF) << 12));
}

/* Byte-granular limit (scaled by G). */
static inline uint32_t desc_limit(uint64_t d)
{
	uint32_t lim = (uint32_t)((d & 0xFFFF) | (((d >> 48) & 0xF) << 16));
	return (d & (1ull << 55)) ? (lim << 12) | 0xFFF : lim;
}

static inline struct seg_cache desc_to_cache(uint16_t sel, uint64_t d)
{
	struct seg_cache s = {.sel = sel,
			      .attr = desc_attr(d),
			      .limit = desc_limit(d),
			      .base = desc_base(d)};
	return s;
}

static inline struct seg_cache seg_flat(uint16_t sel, uint16_t attr)
{
	struct seg_cache s = {
	    .sel = sel, .attr = attr, .limit = 0xFFFFFFFF, .base = 0};
	return s;
}

static inline bool attr_is_code(uint16_t a)
{
	return (a & SEGA_S) && (SEGA_TYPE(a) & DT_CODE);
}

static inline bool attr_is_wdata(uint16_t a)
{
	return (a & SEGA_S) && !(SEGA_TYPE(a) & DT_CODE) &&
	       (SEGA_TYPE(a) & DT_WRITABLE);
}

/* Error code naming a selector: index, TI, and EXT (SDM Vol. 3A §6.13). */
static inline uint32_t sel_err(uint16_t sel, uint32_t ext)
{
	return (sel & 0xFFFCu) | ext;
}

#endif
