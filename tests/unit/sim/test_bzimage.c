/*
 * tests/unit/sim/test_bzimage.c — the Linux 64-bit boot protocol
 * (sim/bzimage.c) on bzImage-shaped files written here: a setup header
 * with the fields a loader reads, then a protected-mode part with a
 * pattern. Checked: where the kernel lands, the zero page (header copy,
 * loader fields, command line, initrd, RSDP, E820), the long-mode entry
 * with RSI, and each bad input refused before the guest would start.
 */
#include "cpu/cpu.h"
#include "tests/unit/sim/boot_files.h"

#define RAM	   (64u << 20)
#define PM_OFFSET  0x400u /* setup_sects = 1 */
#define PM_SIZE	   0x800u
#define FILE_SIZE  (PM_OFFSET + PM_SIZE)
#define PREF	   0x1000000u
#define INIT_SIZE  0x200000u
#define ZP	   0x7000u

static _Alignas(8) uint8_t img[FILE_SIZE];

static void put16(size_t at, uint16_t v)
{
	img[at] = (uint8_t)v;
	img[at + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		img[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* Protocol 2.15, 64-bit entry, relocatable, 2 MiB alignment. */
static size_t make_bzimage(void)
{
	memset(img, 0, sizeof(img));
	img[0x1F1] = 1;			   /* setup_sects */
	put32(0x1F4, PM_SIZE / 16);	   /* syssize */
	put16(0x1FE, 0xAA55);		   /* boot_flag */
	img[0x200] = 0xEB;		   /* jmp short */
	img[0x201] = 0x6A;		   /* header ends at 0x26C */
	memcpy(img + 0x202, "HdrS", 4);
	put16(0x206, 0x020F);		   /* version 2.15 */
	img[0x211] = 0x01;		   /* loadflags: LOADED_HIGH */
	put32(0x214, 0x100000);		   /* code32_start */
	put32(0x22C, 0x7FFFFFFF);	   /* initrd_addr_max */
	put32(0x230, 0x200000);		   /* kernel_alignment */
	img[0x234] = 1;			   /* relocatable_kernel */
	put16(0x236, 0x0003);		   /* xloadflags: 64-bit, above 4G */
	put32(0x238, 255);		   /* cmdline_size */
	put32(0x258, PREF);		   /* pref_address */
	put32(0x260, INIT_SIZE);	   /* init_size */
	memcpy(img + PM_OFFSET, "STARTUP_32", 10);
	memcpy(img + PM_OFFSET + 0x200, "STARTUP_64", 10);
	return FILE_SIZE;
}

static int load_with(const struct loader_args *tmpl)
{
	return load_image(img, FILE_SIZE, tmpl);
}

static void setup(void)
{
	make_ram(RAM);
}

static void teardown(void)
{
	physmem_destroy(pm);
}

TestSuite(bzimage, .init = setup, .fini = teardown);

Test(bzimage, kernel_lands_at_pref_address_entry_at_plus_0x200)
{
	struct loader_args a = {0};

	make_bzimage();
	cr_assert_eq(LOADER_OK, load_with(&a), "%s", err);
	cr_assert_eq(BOOT_LINUX64, bs.proto);
	cr_assert_eq(PREF + 0x200, bs.entry);
	cr_assert_eq(0, memcmp(physmem_ram_ptr(pm, PREF, 10), "STARTUP_32", 10));
	cr_assert_eq(0, memcmp(physmem_ram_ptr(pm, PREF + 0x200, 10),
			       "STARTUP_64", 10));
	cr_assert_eq(PREF + INIT_SIZE, bs.kernel_end, "init_size reserved");
}

Test(bzimage, unaligned_pref_address_is_aligned_up_when_relocatable)
{
	struct loader_args a = {0};

	make_bzimage();
	put32(0x258, PREF + 0x1000);
	cr_assert_eq(LOADER_OK, load_with(&a), "%s", err);
	cr_assert_eq(PREF + 0x200000 + 0x200, bs.entry);
}

Test(bzimage, zero_page_has_header_cmdline_initrd_rsdp_and_e820)
{
	uint8_t cpio[512];
	size_t n = make_cpio(cpio, sizeof(cpio));
	char *mod = write_tmp(cpio, n);
	const char *mods[1] = {mod};
	struct boot_mem_range acpi = {0xE0000, 0x20000, BOOT_MEM_ACPI};
	struct loader_args a = {.cmdline = "console=ttyS0",
				.initrd = mods,
				.nr_initrd = 1,
				.rsdp_gpa = 0xE0000,
				.reserved = &acpi,
				.nr_reserved = 1};
	uint64_t e820 = ZP + 0x2D0;

	make_bzimage();
	cr_assert_eq(LOADER_OK, load_with(&a), "%s", err);
	drop_tmp(mod);
	cr_assert_eq(ZP, bs.info);
	cr_assert_eq(0x53726448, peek(ZP + 0x202, 4), "HdrS copied");
	cr_assert_eq(0x020F, peek(ZP + 0x206, 2));
	cr_assert_eq(PREF, peek(ZP + 0x258, 4), "pref_address copied");
	cr_assert_eq(0, peek(ZP + 0x1EF, 1), "sentinel clear");
	cr_assert_eq(0, peek(ZP, 8), "rest of the zero page cleared");
	cr_assert_eq(0xFF, peek(ZP + 0x210, 1), "type_of_loader");
	cr_assert_eq(0xFFFF, peek(ZP + 0x1FA, 2), "vid_mode normal");
	cr_assert_eq(PREF, peek(ZP + 0x214, 4), "code32_start");
	cr_assert_eq(0x8000, peek(ZP + 0x228, 4), "cmd_line_ptr");
	cr_assert_str_eq((const char *)physmem_ram_ptr(pm, 0x8000, 1),
			 "console=ttyS0");
	cr_assert_eq(PREF + INIT_SIZE, peek(ZP + 0x218, 4), "ramdisk_image");
	cr_assert_eq(n, peek(ZP + 0x21C, 4), "ramdisk_size");
	cr_assert_eq(0, memcmp(physmem_ram_ptr(pm, PREF + INIT_SIZE, n), cpio,
			       n));
	cr_assert_eq(0xE0000, peek(ZP + 0x070, 8), "acpi_rsdp_addr");
	cr_assert_eq(4, peek(ZP + 0x1E8, 1), "e820_entries");
	cr_assert_eq(0, peek(e820, 8));
	cr_assert_eq(0x9F000, peek(e820 + 8, 8));
	cr_assert_eq(1, peek(e820 + 16, 4));
	cr_assert_eq(3, peek(e820 + 40 + 16, 4), "ACPI range third");
	cr_assert_eq(0x100000, peek(e820 + 60, 8));
	cr_assert_eq(RAM - 0x100000, peek(e820 + 68, 8));
}

Test(bzimage, no_rsdp_field_before_protocol_2_14)
{
	struct loader_args a = {.rsdp_gpa = 0xE0000};

	make_bzimage();
	put16(0x206, 0x020C);
	cr_assert_eq(LOADER_OK, load_with(&a), "%s", err);
	cr_assert_eq(0, peek(ZP + 0x070, 8));
}

Test(bzimage, enter_is_long_mode_with_rsi_at_the_zero_page)
{
	struct loader_args a = {0};
	struct cpu_env env = {0};
	struct cpu *cpu = cpu_create(pm, &env);

	make_bzimage();
	cr_assert_eq(LOADER_OK, load_with(&a), "%s", err);
	loader_enter(cpu, pm, &bs);
	cr_assert_eq(PREF + 0x200, cpu_get_rip(cpu));
	cr_assert_eq(ZP, cpu_get_gpr(cpu, RSI));
	cr_assert(cpu_in_long_mode(cpu));
	cr_assert_eq(0, cpu_get_cpl(cpu));
	/* Identity map: PML4[0] -> PDPT, PD entry for 16 MiB is 2 MiB page. */
	cr_assert_eq(0x2003, peek(0x1000, 8));
	cr_assert_eq(PREF | 0x83, peek(0x3000 + 8 * (PREF >> 21), 8));
	cpu_destroy(cpu);
}

/* ---- bad input ---------------------------------------------------------- */

static void expect_fail(const struct loader_args *a, int code,
			const char *needle)
{
	cr_assert_eq(code, load_with(a), "rc for '%s': %s", needle, err);
	cr_assert_not_null(strstr(err, needle), "'%s' in: %s", needle, err);
}

Test(bzimage, a_32bit_only_kernel_is_not_x86_64)
{
	struct loader_args a = {0};

	make_bzimage();
	put16(0x236, 0);
	expect_fail(&a, LOADER_ERR_FORMAT, "not an x86-64 kernel");
}

Test(bzimage, old_protocols_are_refused)
{
	struct loader_args a = {0};

	make_bzimage();
	put16(0x206, 0x020B);
	expect_fail(&a, LOADER_ERR_FORMAT, "older than 2.12");
}

Test(bzimage, command_line_longer_than_cmdline_size_is_refused)
{
	char line[300];
	struct loader_args a = {.cmdline = line};

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	make_bzimage();
	expect_fail(&a, LOADER_ERR_ARGS, "at most 255 (cmdline_size)");
	line[255] = '\0';
	cr_assert_eq(LOADER_OK, load_with(&a), "255 bytes fit: %s", err);
}

Test(bzimage, kernel_too_large_for_ram_is_refused)
{
	struct loader_args a = {0};

	make_bzimage();
	put32(0x260, RAM); /* init_size */
	expect_fail(&a, LOADER_ERR_RANGE, "does not fit");
}

Test(bzimage, truncated_or_absurd_headers_are_refused)
{
	struct loader_args a = {0};

	make_bzimage();
	put32(0x1F4, PM_SIZE / 16 + 1); /* syssize beyond the file */
	expect_fail(&a, LOADER_ERR_FORMAT, "truncated bzImage");
	make_bzimage();
	img[0x1F1] = 200; /* setup past the end */
	expect_fail(&a, LOADER_ERR_FORMAT, "truncated bzImage");
	make_bzimage();
	put32(0x25C, 1); /* pref_address above 4 GiB */
	expect_fail(&a, LOADER_ERR_FORMAT, "out of range");
	make_bzimage();
	img[0x211] = 0; /* a zImage (loaded low) */
	expect_fail(&a, LOADER_ERR_FORMAT, "LOADED_HIGH");
}

Test(bzimage, truncated_gzip_initrd_is_refused)
{
	uint8_t cpio[512], gz[512];
	size_t n = make_cpio(cpio, sizeof(cpio));
	size_t gn = make_gzip(cpio, n, gz, sizeof(gz));
	char *cut = write_tmp(gz, gn / 2);
	const char *mods[1] = {cut};
	struct loader_args a = {.initrd = mods, .nr_initrd = 1};

	make_bzimage();
	expect_fail(&a, LOADER_ERR_FORMAT, "truncated");
	drop_tmp(cut);
}
