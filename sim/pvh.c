/*
 * sim/pvh.c — the PVH boot protocol (Xen's direct boot, as QEMU -kernel
 * and Firecracker use it for an uncompressed Linux vmlinux).
 *
 * Facts (Xen public headers: elfnote.h, arch-x86/hvm/start_info.h; Linux
 * Documentation/x86/boot.rst and arch/x86/platform/pvh):
 * - The kernel names its 32-bit entry in an ELF note of owner "Xen", type
 *   18 (XEN_ELFNOTE_PHYS32_ENTRY), descriptor a 4- or 8-byte little-endian
 *   physical address (Linux x86-64 writes 8 bytes).
 * - Entry: 32-bit protected mode, paging off, flat 4 GiB CS (read/execute)
 *   and DS/ES/SS (read/write), CR4 = 0, EFER = 0, EBX = the physical
 *   address of struct hvm_start_info; other registers undefined.
 * - hvm_start_info, version 1 (56 bytes): magic 0x336ec578, version,
 *   flags, nr_modules, modlist_paddr, cmdline_paddr, rsdp_paddr,
 *   memmap_paddr, memmap_entries, reserved. A module entry (32 bytes):
 *   paddr, size, cmdline_paddr, reserved. A memmap entry (24 bytes): addr,
 *   size, type (E820 numbering), reserved. Address 0 means "absent".
 * Placement (docs/BOOT.md): start_info at BOOT_INFO, its memory map at
 * BOOT_INFO + 0x100, the command line at BOOT_CMDLINE, the module list at
 * BOOT_MODULES. Everything the kernel is given lies below 4 GiB, since it
 * starts with paging off.
 */
#include <string.h>

#include "sim/loader_int.h"

#define XEN_NOTE_PHYS32_ENTRY 18u
#define PVH_START_MAGIC	      0x336EC578u
#define PVH_START_VERSION     1u
#define PVH_START_SIZE	      56u
#define PVH_MODLIST_ENTRY     32u
#define PVH_MEMMAP_ENTRY      24u
#define PVH_MEMMAP_AT	      (BOOT_INFO + 0x100u)
#define FOUR_GIB	      0x100000000ull

/* Walk one PT_NOTE segment's notes [off, off+len) of the file. */
static int scan_notes(struct ldr *l, uint64_t off, uint64_t len,
		      uint64_t *entry)
{
	uint64_t end = off + len; /* checked against the file by the caller */

	while (end - off >= 12) {
		const uint8_t *n = l->img + off;
		uint32_t namesz = get_le32(n), descsz = get_le32(n + 4);
		uint32_t type = get_le32(n + 8);
		uint64_t name_pad = ((uint64_t)namesz + 3) & ~3ull;
		uint64_t desc_pad = ((uint64_t)descsz + 3) & ~3ull;
		const uint8_t *desc = n + 12 + name_pad;

		if (12 + name_pad + desc_pad > end - off)
			return ldr_fail(l, LOADER_ERR_FORMAT,
					"ELF note at offset %#llx runs past "
					"its segment",
					(unsigned long long)off);
		if (namesz == 4 && memcmp(n + 12, "Xen", 4) == 0 &&
		    type == XEN_NOTE_PHYS32_ENTRY) {
			if (descsz != 4 && descsz != 8)
				return ldr_fail(l, LOADER_ERR_FORMAT,
						"Xen PHYS32_ENTRY note has "
						"%u bytes, not 4 or 8",
						descsz);
			*entry = get_le32(desc);
			if (descsz == 8 && get_le32(desc + 4) != 0)
				return ldr_fail(l, LOADER_ERR_FORMAT,
						"PVH entry lies above 4 GiB");
			return 1;
		}
		off += 12 + name_pad + desc_pad;
	}
	return 0;
}

int pvh_find_entry(struct ldr *l, Elf *e, uint64_t *entry)
{
	size_t phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &phnum) != 0)
		return 0; /* ldr_load_elf reports a bad table */
	for (size_t i = 0; i < phnum; i++) {
		uint64_t end;
		int rc;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		if (__builtin_add_overflow(ph.p_offset, ph.p_filesz, &end) ||
		    end > l->size)
			return ldr_fail(l, LOADER_ERR_FORMAT,
					"note segment %zu lies past the end "
					"of the file",
					i);
		rc = scan_notes(l, ph.p_offset, ph.p_filesz, entry);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int write_memmap(struct ldr *l, uint32_t *count)
{
	struct boot_mem_range map[BOOT_MEMMAP_MAX];
	uint8_t ent[PVH_MEMMAP_ENTRY];
	int n = ldr_memmap(l, map), rc;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		memset(ent, 0, sizeof(ent));
		put_le64(ent, map[i].start);
		put_le64(ent + 8, map[i].len);
		put_le32(ent + 16, map[i].type);
		rc = ldr_copy(l, PVH_MEMMAP_AT + PVH_MEMMAP_ENTRY * (unsigned)i,
			      ent, sizeof(ent));
		if (rc != LOADER_OK)
			return rc;
	}
	*count = (uint32_t)n;
	return LOADER_OK;
}

static int write_modlist(struct ldr *l)
{
	uint8_t ent[PVH_MODLIST_ENTRY];
	int rc;

	for (int i = 0; i < l->bs->nr_modules; i++) {
		const struct boot_module *m = &l->bs->modules[i];
		memset(ent, 0, sizeof(ent));
		put_le64(ent, m->start);
		put_le64(ent + 8, m->end - m->start);
		rc = ldr_copy(l, BOOT_MODULES + PVH_MODLIST_ENTRY * (unsigned)i,
			      ent, sizeof(ent));
		if (rc != LOADER_OK)
			return rc;
	}
	return LOADER_OK;
}

static int write_start_info(struct ldr *l, uint32_t memmap_entries)
{
	uint8_t si[PVH_START_SIZE];

	memset(si, 0, sizeof(si));
	put_le32(si + 0, PVH_START_MAGIC);
	put_le32(si + 4, PVH_START_VERSION);
	put_le32(si + 12, (uint32_t)l->bs->nr_modules);
	put_le64(si + 16, l->bs->nr_modules ? BOOT_MODULES : 0);
	put_le64(si + 24, BOOT_CMDLINE);
	put_le64(si + 32, l->args->rsdp_gpa);
	put_le64(si + 40, PVH_MEMMAP_AT);
	put_le32(si + 48, memmap_entries);
	return ldr_copy(l, BOOT_INFO, si, sizeof(si));
}

int pvh_load(struct ldr *l, Elf *e, uint64_t entry)
{
	const char *cmd = l->args->cmdline ? l->args->cmdline : "";
	struct boot_state *bs = l->bs;
	uint32_t memmap_entries = 0;
	int rc;

	bs->proto = BOOT_PVH;
	if ((rc = ldr_load_elf(l, e, false)) != LOADER_OK)
		return rc;
	if (bs->kernel_end > FOUR_GIB)
		return ldr_fail(l, LOADER_ERR_RANGE,
				"PVH kernel ends at %#llx, above 4 GiB",
				(unsigned long long)bs->kernel_end);
	if (entry < bs->kernel_start || entry >= bs->kernel_end)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"PVH entry %#llx lies outside the loaded "
				"kernel [%#llx, %#llx)",
				(unsigned long long)entry,
				(unsigned long long)bs->kernel_start,
				(unsigned long long)bs->kernel_end);
	bs->entry = entry;
	if ((rc = ldr_load_modules(l)) != LOADER_OK ||
	    (rc = initrd_check(l)) != LOADER_OK)
		return rc;
	l->path = l->args->kernel;
	if (bs->nr_modules &&
	    bs->modules[bs->nr_modules - 1].end > FOUR_GIB)
		return ldr_fail(l, LOADER_ERR_RANGE,
				"modules end above 4 GiB; PVH needs them "
				"below");
	if ((rc = write_memmap(l, &memmap_entries)) != LOADER_OK ||
	    (rc = ldr_copy(l, BOOT_CMDLINE, cmd, strlen(cmd) + 1)) !=
		LOADER_OK ||
	    (rc = write_modlist(l)) != LOADER_OK ||
	    (rc = write_start_info(l, memmap_entries)) != LOADER_OK)
		return rc;
	bs->info = BOOT_INFO;
	return LOADER_OK;
}
