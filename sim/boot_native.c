/*
 * sim/boot_native.c — the hvsim native boot hand-off for ELF64 kernels
 * (docs/BOOT.md "hvsim native boot"): identity page tables for the first
 * 4 GiB, struct hvsim_boot_info, the command line and the module list.
 *
 * Page tables (SDM Vol. 3A §4.5, 4-level paging): PML4[0] → PDPT,
 * PDPT[0..3] → four page directories, each with 512 2 MiB PDEs (PS=1),
 * present, writable, supervisor, executable (XD clear). Everything here
 * lies in the boot area below 1 MiB, which loader.c never lets a file
 * touch; all stores are little-endian byte stores, independent of the host.
 * Called by loader.c after the kernel and modules are in place.
 */
#include <string.h>

#include "sim/loader_int.h"

#define PTE_P  0x001ull
#define PTE_RW 0x002ull
#define PTE_PS 0x080ull /* 2 MiB page in a PDE */

#define NR_PDS 4 /* 4 x 1 GiB */

int boot_write_identity_map(struct ldr *l)
{
	uint8_t page[4096];
	int rc;

	memset(page, 0, sizeof(page));
	put_le64(page, BOOT_PDPT | PTE_P | PTE_RW);
	if ((rc = ldr_copy(l, BOOT_PML4, page, sizeof(page))) != LOADER_OK)
		return rc;
	memset(page, 0, sizeof(page));
	for (unsigned i = 0; i < NR_PDS; i++)
		put_le64(page + 8 * i,
			 (BOOT_PD + 4096ull * i) | PTE_P | PTE_RW);
	if ((rc = ldr_copy(l, BOOT_PDPT, page, sizeof(page))) != LOADER_OK)
		return rc;
	for (unsigned i = 0; i < NR_PDS; i++) {
		for (unsigned j = 0; j < 512; j++) {
			uint64_t pa = ((uint64_t)i << 30) | ((uint64_t)j << 21);
			put_le64(page + 8 * j, pa | PTE_P | PTE_RW | PTE_PS);
		}
		rc = ldr_copy(l, BOOT_PD + 4096ull * i, page, sizeof(page));
		if (rc != LOADER_OK)
			return rc;
	}
	return LOADER_OK;
}

/* struct hvsim_boot_info, field by field (offsets from docs/BOOT.md). */
static int write_boot_info(struct ldr *l, uint32_t cmdline_len)
{
	uint8_t bi[HVSIM_BOOT_INFO_SIZE];

	memset(bi, 0, sizeof(bi));
	put_le32(bi + 0, HVSIM_BOOT_MAGIC);
	put_le32(bi + 4, HVSIM_BOOT_VERSION);
	put_le64(bi + 8, l->ram);
	put_le64(bi + 16, BOOT_CMDLINE);
	put_le32(bi + 24, cmdline_len);
	put_le32(bi + 28, (uint32_t)l->bs->nr_modules);
	put_le64(bi + 32, BOOT_MODULES);
	return ldr_copy(l, BOOT_INFO, bi, sizeof(bi));
}

static int write_module_list(struct ldr *l)
{
	uint8_t ent[16];
	int rc;

	for (int i = 0; i < l->bs->nr_modules; i++) {
		put_le64(ent, l->bs->modules[i].start);
		put_le64(ent + 8, l->bs->modules[i].end);
		rc = ldr_copy(l, BOOT_MODULES + 16ull * (unsigned)i, ent, 16);
		if (rc != LOADER_OK)
			return rc;
	}
	return LOADER_OK;
}

int boot_native_setup(struct ldr *l)
{
	const char *cmd = l->args->cmdline ? l->args->cmdline : "";
	size_t len = strlen(cmd); /* <= BOOT_CMDLINE_MAX, checked earlier */
	int rc;

	if ((rc = boot_write_identity_map(l)) != LOADER_OK ||
	    (rc = ldr_copy(l, BOOT_CMDLINE, cmd, len + 1)) != LOADER_OK ||
	    (rc = write_module_list(l)) != LOADER_OK ||
	    (rc = write_boot_info(l, (uint32_t)len)) != LOADER_OK)
		return rc;
	l->bs->info = BOOT_INFO;
	return LOADER_OK;
}
