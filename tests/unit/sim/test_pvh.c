/*
 * tests/unit/sim/test_pvh.c — the PVH boot protocol (sim/pvh.c), the
 * Linux memory map (sim/bootmap.c) and the initrd checks (sim/initrd.c)
 * on ELF64 images with Xen notes written byte by byte here: the entry
 * from the PHYS32_ENTRY note, hvm_start_info and what it points at, the
 * CPU state at entry, and every bad input refused with a message.
 */
#include <elf.h>

#include "cpu/cpu.h"
#include "tests/unit/sim/boot_files.h"

#define RAM	    (32u << 20)
#define PVH_ENTRY   0x100010u
#define START_MAGIC 0x336EC578u

static _Alignas(8) uint8_t img[0x1000];

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* the tests run on little-endian hosts */
}

/* One note at `at`: owner "Xen", `type`, descriptor desc[len]. */
static size_t put_note(size_t at, uint32_t type, const void *desc,
		       uint32_t len)
{
	put_u32(img + at, 4);
	put_u32(img + at + 4, len);
	put_u32(img + at + 8, type);
	memcpy(img + at + 12, "Xen", 4);
	memcpy(img + at + 16, desc, len);
	return 16 + ((len + 3) & ~3u);
}

/* ELF64 x86-64, a PT_LOAD at 1 MiB linked high (as vmlinux is) and a
 * PT_NOTE with a GUEST_OS note, then PHYS32_ENTRY (8-byte form). */
static size_t make_vmlinux(uint32_t desc_len)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	uint64_t entry = PVH_ENTRY;
	size_t notes;

	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0xFFFFFFFF81000000ull;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = 0x200,
			     .p_vaddr = 0xFFFFFFFF80100000ull,
			     .p_paddr = 0x100000,
			     .p_filesz = 0x100,
			     .p_memsz = 0x3000};
	memcpy(img + 0x200, "PVHKERNEL", 9);
	notes = put_note(0x300, 6, "linux", 6);
	notes += put_note(0x300 + notes, 18, &entry, desc_len);
	ph[1] = (Elf64_Phdr){.p_type = PT_NOTE,
			     .p_offset = 0x300,
			     .p_filesz = notes,
			     .p_memsz = notes};
	return 0x400;
}

static Elf64_Phdr *phdr(int i)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i;
}

static int load(size_t len, const struct loader_args *tmpl)
{
	return load_image(img, len, tmpl);
}

static void setup(void)
{
	make_ram(RAM);
}

static void teardown(void)
{
	physmem_destroy(pm);
}

TestSuite(pvh, .init = setup, .fini = teardown);

Test(pvh, entry_comes_from_the_phys32_note)
{
	struct loader_args a = {.cmdline = "console=ttyS0"};

	cr_assert_eq(LOADER_OK, load(make_vmlinux(8), &a), "%s", err);
	cr_assert_eq(BOOT_PVH, bs.proto);
	cr_assert_eq(PVH_ENTRY, bs.entry);
	cr_assert_eq(0, memcmp(physmem_ram_ptr(pm, 0x100000, 9), "PVHKERNEL", 9));
	cr_assert_eq(0, peek(0x100100, 8), "bss zeroed");
}

Test(pvh, four_byte_note_works_too)
{
	struct loader_args a = {0};

	cr_assert_eq(LOADER_OK, load(make_vmlinux(4), &a), "%s", err);
	cr_assert_eq(PVH_ENTRY, bs.entry);
}

Test(pvh, start_info_names_cmdline_modules_memmap_and_rsdp)
{
	uint8_t cpio[512];
	size_t n = make_cpio(cpio, sizeof(cpio));
	char *mod = write_tmp(cpio, n);
	const char *mods[1] = {mod};
	struct boot_mem_range acpi = {0xE0000, 0x20000, BOOT_MEM_ACPI};
	struct loader_args a = {.cmdline = "root=/dev/sda quiet",
				.initrd = mods,
				.nr_initrd = 1,
				.rsdp_gpa = 0xE0000,
				.reserved = &acpi,
				.nr_reserved = 1};
	uint64_t memmap;

	cr_assert_eq(LOADER_OK, load(make_vmlinux(8), &a), "%s", err);
	drop_tmp(mod);
	cr_assert_eq(0x7000, bs.info);
	cr_assert_eq(START_MAGIC, peek(0x7000, 4));
	cr_assert_eq(1, peek(0x7004, 4), "version");
	cr_assert_eq(1, peek(0x700C, 4), "nr_modules");
	cr_assert_str_eq((const char *)physmem_ram_ptr(pm, peek(0x7018, 8), 1),
			 "root=/dev/sda quiet");
	cr_assert_eq(0xE0000, peek(0x7020, 8), "rsdp_paddr");
	/* The module: page-aligned after the kernel's 0x3000 bytes. */
	cr_assert_eq(0x103000, peek(peek(0x7010, 8), 8));
	cr_assert_eq(n, peek(peek(0x7010, 8) + 8, 8));
	cr_assert_eq(0, memcmp(physmem_ram_ptr(pm, 0x103000, n), cpio, n));
	/* RAM below 0x9F000; reserved to 0xE0000; ACPI; RAM from 1 MiB. */
	memmap = peek(0x7028, 8);
	cr_assert_eq(4, peek(0x7030, 4), "memmap_entries");
	cr_assert_eq(0, peek(memmap, 8));
	cr_assert_eq(0x9F000, peek(memmap + 8, 8));
	cr_assert_eq(BOOT_MEM_RAM, peek(memmap + 16, 4));
	cr_assert_eq(0x9F000, peek(memmap + 24, 8));
	cr_assert_eq(0xE0000 - 0x9F000, peek(memmap + 32, 8));
	cr_assert_eq(BOOT_MEM_RESERVED, peek(memmap + 40, 4));
	cr_assert_eq(0xE0000, peek(memmap + 48, 8));
	cr_assert_eq(BOOT_MEM_ACPI, peek(memmap + 64, 4));
	cr_assert_eq(0x100000, peek(memmap + 72, 8));
	cr_assert_eq(RAM - 0x100000, peek(memmap + 80, 8));
	cr_assert_eq(BOOT_MEM_RAM, peek(memmap + 88, 4));
}

Test(pvh, enter_is_flat_32bit_paging_off_with_ebx)
{
	struct loader_args a = {0};
	struct cpu_env env = {0};
	struct cpu *cpu = cpu_create(pm, &env);

	cr_assert_eq(LOADER_OK, load(make_vmlinux(8), &a), "%s", err);
	loader_enter(cpu, pm, &bs);
	cr_assert_eq(PVH_ENTRY, cpu_get_rip(cpu));
	cr_assert_eq(0x7000, cpu_get_gpr(cpu, RBX));
	cr_assert(cpu_in_protected_mode(cpu));
	cr_assert_not(cpu_in_long_mode(cpu));
	cr_assert_eq(0, cpu_get_cpl(cpu));
	cpu_destroy(cpu);
}

/* ---- bad input ---------------------------------------------------------- */

static void expect_fail(size_t len, const struct loader_args *a, int code,
			const char *needle)
{
	cr_assert_eq(code, load(len, a), "rc for '%s': %s", needle, err);
	cr_assert_not_null(strstr(err, needle), "'%s' in: %s", needle, err);
}

Test(pvh, not_x86_64_is_refused)
{
	struct loader_args a = {0};
	size_t len = make_vmlinux(8);

	((Elf64_Ehdr *)img)->e_machine = EM_AARCH64;
	expect_fail(len, &a, LOADER_ERR_FORMAT, "not x86-64");
}

Test(pvh, malformed_notes_are_refused)
{
	struct loader_args a = {0};
	size_t len = make_vmlinux(2);

	expect_fail(len, &a, LOADER_ERR_FORMAT, "not 4 or 8");
	len = make_vmlinux(8);
	phdr(1)->p_filesz -= 4; /* the last note's descriptor is cut */
	expect_fail(len, &a, LOADER_ERR_FORMAT, "runs past its segment");
	len = make_vmlinux(8);
	phdr(1)->p_offset = 0x1000; /* past the end of the file */
	expect_fail(len, &a, LOADER_ERR_FORMAT, "past the end of the file");
}

Test(pvh, entry_outside_the_kernel_is_refused)
{
	struct loader_args a = {0};
	size_t len = make_vmlinux(8);
	uint64_t bad = 0x200000;

	memcpy(img + 0x300 + 16 + 8 + 16, &bad, 8);
	expect_fail(len, &a, LOADER_ERR_FORMAT, "outside the loaded kernel");
}

Test(pvh, truncated_initrds_are_refused)
{
	uint8_t cpio[512], gz[512];
	size_t n = make_cpio(cpio, sizeof(cpio));
	size_t gn = make_gzip(cpio, n, gz, sizeof(gz));
	char *full = write_tmp(gz, gn), *cut_gz = write_tmp(gz, gn - 6);
	char *cut_cpio = write_tmp(cpio, n - 16);
	const char *mods[1] = {full};
	struct loader_args a = {.initrd = mods, .nr_initrd = 1};
	size_t len = make_vmlinux(8);

	cr_assert_eq(LOADER_OK, load(len, &a), "complete gzip: %s", err);
	mods[0] = cut_gz;
	expect_fail(len, &a, LOADER_ERR_FORMAT, "gzip stream ends early");
	cr_assert_not_null(strstr(err, cut_gz), "names the file: %s", err);
	mods[0] = cut_cpio;
	expect_fail(len, &a, LOADER_ERR_FORMAT, "bad initrd");
	drop_tmp(full);
	drop_tmp(cut_gz);
	drop_tmp(cut_cpio);
}

Test(pvh, rsdp_outside_ram_is_refused)
{
	struct loader_args a = {.rsdp_gpa = RAM};

	expect_fail(make_vmlinux(8), &a, LOADER_ERR_ARGS, "outside guest RAM");
}

/* ---- the memory map ----------------------------------------------------- */

Test(bootmap, default_layout_is_a_pcs)
{
	struct boot_mem_range m[BOOT_MEMMAP_MAX];

	cr_assert_eq(3, boot_memmap(64u << 20, NULL, 0, m, BOOT_MEMMAP_MAX));
	cr_assert_eq(0, m[0].start);
	cr_assert_eq(BOOT_LOWMEM_END, m[0].len);
	cr_assert_eq(BOOT_MEM_RESERVED, m[1].type);
	cr_assert_eq(0x100000, m[2].start);
	cr_assert_eq((64u << 20) - 0x100000, m[2].len);
}

Test(bootmap, a_reserved_range_splits_ram_and_later_ranges_win)
{
	struct boot_mem_range m[BOOT_MEMMAP_MAX];
	struct boot_mem_range r[2] = {{0x200000, 0x100000, BOOT_MEM_RESERVED},
				      {0x280000, 0x10000, BOOT_MEM_NVS}};

	cr_assert_eq(7, boot_memmap(16u << 20, r, 2, m, BOOT_MEMMAP_MAX));
	cr_assert_eq(0x100000, m[2].start);
	cr_assert_eq(0x100000, m[2].len);
	cr_assert_eq(BOOT_MEM_RESERVED, m[3].type);
	cr_assert_eq(0x80000, m[3].len);
	cr_assert_eq(BOOT_MEM_NVS, m[4].type);
	cr_assert_eq(BOOT_MEM_RESERVED, m[5].type);
	cr_assert_eq(0x290000, m[5].start);
	cr_assert_eq(0x300000, m[6].start);
	cr_assert_eq(BOOT_MEM_RAM, m[6].type);
	for (int i = 0; i + 1 < 7; i++)
		cr_assert_eq(m[i].start + m[i].len, m[i + 1].start, "no gaps");
}

Test(bootmap, bad_ranges_and_overflow_are_refused)
{
	struct boot_mem_range m[BOOT_MEMMAP_MAX];
	struct boot_mem_range empty = {0x200000, 0, BOOT_MEM_RESERVED};
	struct boot_mem_range wraps = {~0ull - 10, 100, BOOT_MEM_RESERVED};
	struct boot_mem_range type9 = {0x200000, 0x1000, 9};

	cr_assert_eq(-1, boot_memmap(16u << 20, &empty, 1, m, 8));
	cr_assert_eq(-1, boot_memmap(16u << 20, &wraps, 1, m, 8));
	cr_assert_eq(-1, boot_memmap(16u << 20, &type9, 1, m, 8));
	cr_assert_eq(-1, boot_memmap(16u << 20, NULL, 0, m, 2), "3 needed");
	cr_assert_eq(-1, boot_memmap(16u << 20, &empty,
				     LOADER_MAX_RESERVED + 1, m, 8));
}
