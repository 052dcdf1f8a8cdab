/*
 * sim/bzimage.c — the Linux x86 boot protocol, 64-bit entry, for a
 * bzImage: the kernel's own decompressor runs in the guest.
 *
 * Facts (Linux Documentation/arch/x86/boot.rst and zero-page.rst):
 * - The setup header lies at file offset 0x1F1 and is copied to the same
 *   offset of the zero page (struct boot_params, 4 KiB). "HdrS" at 0x202;
 *   its length is 0x202 + the byte at 0x201 (the jump at 0x200).
 * - Header fields used here (offset/size): setup_sects 0x1F1/1 (0 means
 *   4), syssize 0x1F4/4 (protected-mode size in 16-byte units), vid_mode
 *   0x1FA/2, version 0x206/2, type_of_loader 0x210/1, loadflags 0x211/1,
 *   code32_start 0x214/4, ramdisk_image 0x218/4, ramdisk_size 0x21C/4,
 *   cmd_line_ptr 0x228/4, initrd_addr_max 0x22C/4, kernel_alignment
 *   0x230/4, relocatable_kernel 0x234/1, xloadflags 0x236/2 (bit 0: has
 *   the 64-bit entry; bit 1: may be loaded above 4 GiB), cmdline_size
 *   0x238/4, pref_address 0x258/8, init_size 0x260/4.
 * - Zero page fields: acpi_rsdp_addr 0x070/8 (2.14+), ext_ramdisk_image
 *   0x0C0/4, ext_ramdisk_size 0x0C4/4, ext_cmd_line_ptr 0x0C8/4,
 *   e820_entries 0x1E8/1, e820_table 0x2D0 (128 entries of 20 bytes:
 *   addr 8, size 8, type 4).
 * - The protected-mode kernel is the file from (setup_sects + 1) * 512 on;
 *   it is loaded at pref_address (aligned to kernel_alignment when
 *   relocatable) and needs init_size bytes from there. The 64-bit entry is
 *   the load address + 0x200, in long mode with identity-mapped pages for
 *   the kernel, the zero page and the command line, interrupts off,
 *   RSI = the zero page. Protocol 2.12 is the first with xloadflags.
 * Everything read from the file is checked before use; the zero page,
 * the E820 table and the command line sit in the boot area
 * (docs/BOOT.md). The identity map covers 4 GiB, so the kernel, initrd
 * and zero page must lie below 4 GiB (checked).
 */
#include <string.h>

#include "sim/loader_int.h"

#define HDR_START	 0x1F1u
#define HDR_END_MAX	 0x290u /* the header never reaches past this */
#define ZP_RSDP		 0x070u
#define ZP_EXT_RD_IMAGE	 0x0C0u
#define ZP_EXT_RD_SIZE	 0x0C4u
#define ZP_EXT_CMDLINE	 0x0C8u
#define ZP_E820_ENTRIES	 0x1E8u
#define ZP_E820_TABLE	 0x2D0u
#define ZP_E820_MAX	 128u
#define ZP_SIZE		 4096u
#define XLF_KERNEL_64	 0x0001u
#define XLF_ABOVE_4G	 0x0002u
#define LOADED_HIGH	 0x01u
#define ENTRY64_OFFSET	 0x200u
#define MIN_VERSION	 0x020Cu /* 2.12: xloadflags */
#define RSDP_VERSION	 0x020Eu /* 2.14: acpi_rsdp_addr */
#define FOUR_GIB	 0x100000000ull

/* The header fields the loader needs, read once from the file. */
struct bzhdr {
	unsigned setup_sects;
	uint32_t syssize, initrd_addr_max, kernel_alignment, cmdline_size;
	uint32_t init_size;
	uint16_t version, xloadflags;
	uint8_t loadflags, relocatable;
	uint64_t pref_address;
	size_t pm_offset, pm_size, hdr_end;
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

bool bzimage_detect(const uint8_t *img, size_t size)
{
	return size >= 0x206 && memcmp(img + 0x202, "HdrS", 4) == 0;
}

static int parse_header(struct ldr *l, struct bzhdr *h)
{
	const uint8_t *p = l->img;

	if (l->size < 0x268)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"bzImage setup header is truncated");
	h->version = le16(p + 0x206);
	if (h->version < MIN_VERSION)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"boot protocol %u.%02u is older than 2.12 (no "
				"64-bit entry)",
				h->version >> 8, h->version & 0xFF);
	h->xloadflags = le16(p + 0x236);
	if (!(h->xloadflags & XLF_KERNEL_64))
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"not an x86-64 kernel (xloadflags bit 0, the "
				"64-bit entry, is clear)");
	h->setup_sects = p[0x1F1] ? p[0x1F1] : 4;
	h->syssize = get_le32(p + 0x1F4);
	h->loadflags = p[0x211];
	h->initrd_addr_max = get_le32(p + 0x22C);
	h->kernel_alignment = get_le32(p + 0x230);
	h->relocatable = p[0x234];
	h->cmdline_size = get_le32(p + 0x238);
	h->pref_address = (uint64_t)get_le32(p + 0x258) |
			  (uint64_t)get_le32(p + 0x25C) << 32;
	h->init_size = get_le32(p + 0x260);
	h->hdr_end = 0x202u + p[0x201];
	if (h->hdr_end > HDR_END_MAX)
		h->hdr_end = HDR_END_MAX;
	h->pm_offset = (h->setup_sects + 1) * 512u;
	if (!(h->loadflags & LOADED_HIGH))
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"not a bzImage (loadflags LOADED_HIGH clear)");
	if (h->pm_offset >= l->size ||
	    (uint64_t)h->syssize * 16 > l->size - h->pm_offset)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"truncated bzImage: %zu bytes, the header "
				"says %zu + %llu",
				l->size, h->pm_offset,
				(unsigned long long)h->syssize * 16);
	/* What follows syssize (a PE signature, say) is not the kernel's. */
	h->pm_size = h->syssize ? (size_t)h->syssize * 16
				: l->size - h->pm_offset;
	return LOADER_OK;
}

/* Where the protected-mode kernel goes, checked against guest RAM. */
static int place_kernel(struct ldr *l, const struct bzhdr *h, uint64_t *at)
{
	uint64_t need = h->init_size > h->pm_size ? h->init_size : h->pm_size;
	uint64_t load = h->pref_address, align = h->kernel_alignment;

	if (load >= FOUR_GIB || (align && align >= (1u << 30)))
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"pref_address %#llx / kernel_alignment %#llx "
				"out of range",
				(unsigned long long)load,
				(unsigned long long)align);
	if (load < BOOT_KERNEL_MIN)
		load = BOOT_KERNEL_MIN;
	if (h->relocatable && align && !(align & (align - 1)))
		load = (load + align - 1) & ~(align - 1);
	if (load + need > l->ram || load + need > FOUR_GIB)
		return ldr_fail(l, LOADER_ERR_RANGE,
				"kernel [%#llx, %#llx) (init_size) does not "
				"fit in guest RAM (%llu MiB)",
				(unsigned long long)load,
				(unsigned long long)(load + need),
				(unsigned long long)(l->ram >> 20));
	*at = load;
	return LOADER_OK;
}

static int write_e820(struct ldr *l, uint8_t *zp)
{
	struct boot_mem_range map[BOOT_MEMMAP_MAX];
	int n = ldr_memmap(l, map);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		uint8_t *ent = zp + ZP_E820_TABLE + 20u * (unsigned)i;
		put_le64(ent, map[i].start);
		put_le64(ent + 8, map[i].len);
		put_le32(ent + 16, map[i].type);
	}
	zp[ZP_E820_ENTRIES] = (uint8_t)n; /* BOOT_MEMMAP_MAX < 128 */
	return LOADER_OK;
}

/* The initrd: one range from the first module's start to the last one's
 * end (several files are concatenated archives, page-aligned, with zero
 * padding between them, which the kernel's unpacker skips). */
static int set_ramdisk(struct ldr *l, const struct bzhdr *h, uint8_t *zp)
{
	const struct boot_state *bs = l->bs;
	uint64_t start, size;

	if (!bs->nr_modules)
		return LOADER_OK;
	start = bs->modules[0].start;
	size = bs->modules[bs->nr_modules - 1].end - start;
	if (!(h->xloadflags & XLF_ABOVE_4G) &&
	    start + size - 1 > h->initrd_addr_max)
		return ldr_fail(l, LOADER_ERR_RANGE,
				"initrd ends at %#llx, above this kernel's "
				"initrd_addr_max %#x",
				(unsigned long long)(start + size),
				h->initrd_addr_max);
	put_le32(zp + 0x218, (uint32_t)start);
	put_le32(zp + 0x21C, (uint32_t)size);
	put_le32(zp + ZP_EXT_RD_IMAGE, (uint32_t)(start >> 32));
	put_le32(zp + ZP_EXT_RD_SIZE, (uint32_t)(size >> 32));
	return LOADER_OK;
}

static int write_zero_page(struct ldr *l, const struct bzhdr *h,
			   uint64_t load)
{
	uint8_t zp[ZP_SIZE];
	int rc;

	memset(zp, 0, sizeof(zp));
	memcpy(zp + HDR_START, l->img + HDR_START, h->hdr_end - HDR_START);
	zp[0x1FA] = 0xFF; /* vid_mode: "normal" */
	zp[0x1FB] = 0xFF;
	zp[0x210] = 0xFF; /* type_of_loader: undefined */
	put_le32(zp + 0x214, (uint32_t)load);
	put_le32(zp + 0x228, BOOT_CMDLINE);
	put_le32(zp + ZP_EXT_CMDLINE, 0);
	if (h->version >= RSDP_VERSION)
		put_le64(zp + ZP_RSDP, l->args->rsdp_gpa);
	if ((rc = set_ramdisk(l, h, zp)) != LOADER_OK ||
	    (rc = write_e820(l, zp)) != LOADER_OK)
		return rc;
	return ldr_copy(l, BOOT_INFO, zp, sizeof(zp));
}

int bzimage_load(struct ldr *l)
{
	const char *cmd = l->args->cmdline ? l->args->cmdline : "";
	size_t len = strlen(cmd);
	struct boot_state *bs = l->bs;
	struct bzhdr h;
	uint64_t load = 0;
	int rc;

	bs->proto = BOOT_LINUX64;
	if ((rc = parse_header(l, &h)) != LOADER_OK)
		return rc;
	if (len > h.cmdline_size) {
		l->path = "--append";
		return ldr_fail(l, LOADER_ERR_ARGS,
				"command line is %zu bytes; this kernel takes "
				"at most %u (cmdline_size)",
				len, h.cmdline_size);
	}
	if ((rc = place_kernel(l, &h, &load)) != LOADER_OK ||
	    (rc = ldr_copy(l, load, l->img + h.pm_offset, h.pm_size)) !=
		LOADER_OK)
		return rc;
	bs->kernel_start = load;
	bs->kernel_end = load + (h.init_size > h.pm_size ? h.init_size
							 : h.pm_size);
	bs->entry = load + ENTRY64_OFFSET;
	if ((rc = ldr_load_modules(l)) != LOADER_OK ||
	    (rc = initrd_check(l)) != LOADER_OK)
		return rc;
	l->path = l->args->kernel;
	if (bs->nr_modules &&
	    bs->modules[bs->nr_modules - 1].end > FOUR_GIB)
		return ldr_fail(l, LOADER_ERR_RANGE,
				"initrd ends above 4 GiB, outside the boot "
				"identity map");
	if ((rc = boot_write_identity_map(l)) != LOADER_OK ||
	    (rc = ldr_copy(l, BOOT_CMDLINE, cmd, len + 1)) != LOADER_OK ||
	    (rc = write_zero_page(l, &h, load)) != LOADER_OK)
		return rc;
	bs->info = BOOT_INFO;
	return LOADER_OK;
}
