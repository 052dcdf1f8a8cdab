/*
 * examples/runtime/boot_info.h — what hvsim's native ELF64 boot hands the
 * kernel in RDI (docs/BOOT.md, "hvsim native boot"). Little-endian, at GPA
 * 0x7000, identity-mapped at entry.
 */
#ifndef HVRT_BOOT_INFO_H_
#define HVRT_BOOT_INFO_H_

#include <stdint.h>

#define HVSIM_BOOT_MAGIC 0x4D535648u /* "HVSM" */

struct hvsim_boot_info {
	uint32_t magic;       /* HVSIM_BOOT_MAGIC */
	uint32_t version;     /* 1 */
	uint64_t mem_bytes;   /* guest RAM is [0, mem_bytes) */
	uint64_t cmdline;     /* GPA of the NUL-terminated command line */
	uint32_t cmdline_len; /* bytes, without the NUL */
	uint32_t nr_modules;
	uint64_t modules;     /* GPA of struct hvsim_boot_module[nr_modules] */
};

struct hvsim_boot_module {
	uint64_t start, end; /* GPA range [start, end) */
};

_Static_assert(sizeof(struct hvsim_boot_info) == 40, "boot info layout");

#endif
