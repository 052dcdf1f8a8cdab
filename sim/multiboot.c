/*
 * sim/multiboot.c — Multiboot v1 (Multiboot Specification 0.6.96):
 * find the OS image header (§3.1.1), load by the a.out-kludge address
 * fields (§3.1.3, flag bit 16) or by the ELF program headers, and write
 * the boot information structure (§3.3) with memory, command line,
 * modules, memory map and boot loader name.
 *
 * Header flags: bits 0 (page-align modules: always done) and 1 (memory
 * information: always given) are honoured; bit 2 (video mode) is accepted
 * without video information (info flags 11/12 clear, as QEMU -kernel does);
 * any other requirement bit 3..15 makes the image unbootable (§3.1.2).
 * Placement in the boot area: the information structure at BOOT_INFO,
 * memory map at +0x100, boot loader name at +0x200, command line at
 * BOOT_CMDLINE, module list at BOOT_MODULES, module strings from
 * BOOT_MOD_NAMES up to BOOT_MOD_NAMES_END. Multiboot fields are 32-bit, so
 * the kernel and modules must lie below 4 GiB.
 */
#include <stdio.h>
#include <string.h>

#include "sim/loader_int.h"

#define MB_FLAG_PAGE_ALIGN 0x00000001u
#define MB_FLAG_MEMINFO	   0x00000002u
#define MB_FLAG_VIDEO	   0x00000004u
#define MB_FLAG_AOUT	   0x00010000u
#define MB_REQ_KNOWN	   (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO | MB_FLAG_VIDEO)
#define MB_REQ_MASK	   0x0000FFFFu

/* Boot information flags (§3.3). */
#define MBI_MEM	    (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS    (1u << 3)
#define MBI_MMAP    (1u << 6)
#define MBI_LOADER  (1u << 9)

#define MBI_MMAP_AT	   (BOOT_INFO + 0x100u)
#define MBI_LOADER_AT	   (BOOT_INFO + 0x200u)
#define BOOT_MOD_NAMES_END 0x070000u

#define LOW_MEM_END 0x0A0000u /* conventional memory: 640 KiB */
#define FOUR_GIB    0x100000000ull

static const char loader_name[] = "hvsim";

long multiboot_find_header(const uint8_t *img, size_t size)
{
	size_t lim = size < MULTIBOOT_SEARCH ? size : MULTIBOOT_SEARCH;

	for (size_t off = 0; off + 12 <= lim; off += 4) {
		uint32_t magic = get_le32(img + off);
		uint32_t sum =
		    magic + get_le32(img + off + 4) + get_le32(img + off + 8);
		if (magic == MULTIBOOT_HEADER_MAGIC && sum == 0)
			return (long)off;
	}
	return -1;
}

/* §3.1.3: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr
 * at header offsets 12..28; file offset of load_addr is
 * hdr_off - (header_addr - load_addr). */
static int load_aout_kludge(struct ldr *l, size_t off)
{
	const uint8_t *h = l->img + off;
	uint64_t header_addr, load_addr, load_end, bss_end;
	uint64_t foff, fsize, mem_end;
	int rc;

	if (off + 32 > l->size)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"truncated multiboot header (address fields)");
	header_addr = get_le32(h + 12);
	load_addr = get_le32(h + 16);
	load_end = get_le32(h + 20);
	bss_end = get_le32(h + 24);
	if (load_addr > header_addr || header_addr - load_addr > off)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"multiboot load_addr %#llx puts the image "
				"before the start of the file",
				(unsigned long long)load_addr);
	foff = off - (header_addr - load_addr);
	if (load_end && load_end < load_addr)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"multiboot load_end_addr below load_addr");
	fsize = load_end ? load_end - load_addr : l->size - foff;
	if (foff + fsize > l->size)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"multiboot image [%#llx, %#llx) lies past the "
				"end of the file (%zu bytes)",
				(unsigned long long)load_addr,
				(unsigned long long)(load_addr + fsize),
				l->size);
	mem_end = load_addr + fsize;
	if (bss_end && bss_end < mem_end)
		return ldr_fail(
		    l, LOADER_ERR_FORMAT,
		    "multiboot bss_end_addr below the loaded image");
	if (bss_end)
		mem_end = bss_end;
	if ((rc = ldr_check_range(l, load_addr, mem_end - load_addr,
				  "multiboot image")) != LOADER_OK ||
	    (rc = ldr_copy(l, load_addr, l->img + foff, fsize)) != LOADER_OK ||
	    (rc = ldr_zero(l, load_addr + fsize, mem_end - load_addr - fsize)))
		return rc;
	l->bs->kernel_start = load_addr;
	l->bs->kernel_end = mem_end;
	l->bs->entry = get_le32(h + 28);
	return LOADER_OK;
}

/* Module list and strings (§3.3 "mods"); strings are the file names. */
static int write_modules(struct ldr *l)
{
	uint64_t name_at = BOOT_MOD_NAMES;
	uint8_t ent[16];
	int rc;

	for (int i = 0; i < l->bs->nr_modules; i++) {
		const char *name = l->args->initrd[i];
		size_t n = strlen(name) + 1;
		const struct boot_module *m = &l->bs->modules[i];

		l->path = name;
		if (m->end > FOUR_GIB)
			return ldr_fail(l, LOADER_ERR_RANGE,
					"module ends above 4 GiB, beyond what "
					"multiboot can describe");
		l->path = "--initrd";
		if (n > BOOT_MOD_NAMES_END - name_at)
			return ldr_fail(l, LOADER_ERR_ARGS,
					"module file names too long in total "
					"(more than %u bytes)",
					BOOT_MOD_NAMES_END - BOOT_MOD_NAMES);
		put_le32(ent, (uint32_t)m->start);
		put_le32(ent + 4, (uint32_t)m->end);
		put_le32(ent + 8, (uint32_t)name_at);
		put_le32(ent + 12, 0);
		if ((rc = ldr_copy(l, name_at, name, n)) != LOADER_OK ||
		    (rc = ldr_copy(l, BOOT_MODULES + 16ull * (unsigned)i, ent,
				   16)) != LOADER_OK)
			return rc;
		name_at += n;
	}
	return LOADER_OK;
}

/* Memory map (§3.3 "mmap"): low memory, the legacy hole, RAM above 1 MiB.
 * Each entry: size (20, not counting itself), base, length, type. */
static int write_mmap(struct ldr *l, uint32_t *len)
{
	const uint64_t ent[3][3] = {
	    {0, LOW_MEM_END, 1},
	    {LOW_MEM_END, BOOT_KERNEL_MIN - LOW_MEM_END, 2},
	    {BOOT_KERNEL_MIN, l->ram - BOOT_KERNEL_MIN, 1},
	};
	uint8_t buf[3 * 24];

	for (int i = 0; i < 3; i++) {
		put_le32(buf + 24 * i, 20);
		put_le64(buf + 24 * i + 4, ent[i][0]);
		put_le64(buf + 24 * i + 12, ent[i][1]);
		put_le32(buf + 24 * i + 20, (uint32_t)ent[i][2]);
	}
	*len = sizeof(buf);
	return ldr_copy(l, MBI_MMAP_AT, buf, sizeof(buf));
}

/* The command line is "KERNEL-FILE ARGS", as QEMU -kernel and GRUB pass
 * it: the kernel's own path comes first, like argv[0]. */
static int write_cmdline(struct ldr *l)
{
	const char *args = l->args->cmdline ? l->args->cmdline : "";
	char buf[BOOT_CMDLINE_MAX + 1];
	int n = snprintf(buf, sizeof(buf), "%s %s", l->args->kernel, args);

	if (n < 0 || (size_t)n > BOOT_CMDLINE_MAX) {
		l->path = "--append";
		return ldr_fail(l, LOADER_ERR_ARGS,
				"kernel file name plus command line is %d "
				"bytes; at most %u fit",
				n, BOOT_CMDLINE_MAX);
	}
	return ldr_copy(l, BOOT_CMDLINE, buf, (uint64_t)n + 1);
}

static int write_info(struct ldr *l)
{
	uint64_t upper_kib = (l->ram - BOOT_KERNEL_MIN) >> 10;
	uint8_t mbi[MULTIBOOT_INFO_SIZE];
	uint32_t mmap_len = 0;
	int rc;

	if ((rc = write_modules(l)) != LOADER_OK ||
	    (rc = write_mmap(l, &mmap_len)) != LOADER_OK ||
	    (rc = write_cmdline(l)) != LOADER_OK ||
	    (rc = ldr_copy(l, MBI_LOADER_AT, loader_name, sizeof(loader_name))))
		return rc;
	memset(mbi, 0, sizeof(mbi));
	put_le32(mbi + 0,
		 MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER);
	put_le32(mbi + 4, LOW_MEM_END >> 10);
	put_le32(mbi + 8,
		 upper_kib > UINT32_MAX ? UINT32_MAX : (uint32_t)upper_kib);
	put_le32(mbi + 16, BOOT_CMDLINE);
	put_le32(mbi + 20, (uint32_t)l->bs->nr_modules);
	put_le32(mbi + 24, BOOT_MODULES);
	put_le32(mbi + 44, mmap_len);
	put_le32(mbi + 48, MBI_MMAP_AT);
	put_le32(mbi + 64, MBI_LOADER_AT);
	l->bs->info = BOOT_INFO;
	return ldr_copy(l, BOOT_INFO, mbi, sizeof(mbi));
}

int multiboot_load(struct ldr *l, Elf *e, long hdr_off)
{
	uint32_t flags = get_le32(l->img + hdr_off + 4);
	int rc;

	l->bs->proto = BOOT_MULTIBOOT1;
	if (flags & MB_REQ_MASK & ~MB_REQ_KNOWN)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"multiboot header requires unsupported "
				"features (flags %#x)",
				flags);
	if (flags & MB_FLAG_AOUT)
		rc = load_aout_kludge(l, (size_t)hdr_off);
	else if (e)
		rc = ldr_load_elf(l, e, true);
	else
		rc = ldr_fail(l, LOADER_ERR_FORMAT,
			      "multiboot header without load addresses in a "
			      "non-ELF file");
	if (rc != LOADER_OK)
		return rc;
	l->path = l->args->kernel;
	if (l->bs->kernel_end > FOUR_GIB)
		return ldr_fail(l, LOADER_ERR_RANGE,
				"multiboot kernel ends above 4 GiB");
	if ((rc = ldr_load_modules(l)) != LOADER_OK)
		return rc;
	return write_info(l);
}
