/*
 * sim/bootmap.c — the guest's physical memory map for the Linux boot
 * protocols (the E820 table of a bzImage's zero page, PVH's memmap).
 *
 * The default layout is a PC's: RAM [0, BOOT_LOWMEM_END), reserved up to
 * 1 MiB (where a PC has its EBDA, video memory and BIOS), RAM from 1 MiB
 * to the end of guest RAM. The caller lays its own ranges over it (the
 * ACPI tables, later devices' windows); where ranges overlap, the later
 * one wins, so the map never has two entries covering one byte.
 * Method: cut the address space at every range boundary, give each piece
 * the type of the last range covering it, merge equal neighbours.
 */
#include <stdlib.h>

#include "sim/loader.h"

#define MAX_CUTS (2 * (LOADER_MAX_RESERVED + 3))

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The type of [at, at+1): the last reserved range holding it, else the
 * default layout's; 0 = not in the map (above RAM, in no range). */
static uint32_t type_at(uint64_t at, uint64_t ram,
			const struct boot_mem_range *res, int nres)
{
	for (int i = nres - 1; i >= 0; i--)
		if (at >= res[i].start && at - res[i].start < res[i].len)
			return res[i].type;
	if (at >= ram)
		return 0;
	if (at >= BOOT_LOWMEM_END && at < BOOT_KERNEL_MIN)
		return BOOT_MEM_RESERVED;
	return BOOT_MEM_RAM;
}

int boot_memmap(uint64_t ram, const struct boot_mem_range *res, int nres,
		struct boot_mem_range *out, int max)
{
	uint64_t cuts[MAX_CUTS];
	int ncut = 0, n = 0;

	if (nres < 0 || nres > LOADER_MAX_RESERVED || (nres && !res))
		return -1;
	cuts[ncut++] = 0;
	cuts[ncut++] = BOOT_LOWMEM_END;
	cuts[ncut++] = BOOT_KERNEL_MIN;
	cuts[ncut++] = ram;
	for (int i = 0; i < nres; i++) {
		uint64_t end;
		if (!res[i].len ||
		    __builtin_add_overflow(res[i].start, res[i].len, &end) ||
		    res[i].type < BOOT_MEM_RAM || res[i].type > BOOT_MEM_NVS)
			return -1;
		cuts[ncut++] = res[i].start;
		cuts[ncut++] = end;
	}
	qsort(cuts, (size_t)ncut, sizeof(cuts[0]), cmp_u64);
	for (int i = 0; i + 1 < ncut; i++) {
		uint64_t lo = cuts[i], hi = cuts[i + 1];
		uint32_t type = type_at(lo, ram, res, nres);
		if (lo == hi || !type)
			continue;
		if (n && out[n - 1].type == type &&
		    out[n - 1].start + out[n - 1].len == lo) {
			out[n - 1].len += hi - lo;
			continue;
		}
		if (n == max)
			return -1;
		out[n++] = (struct boot_mem_range){lo, hi - lo, type};
	}
	return n;
}
