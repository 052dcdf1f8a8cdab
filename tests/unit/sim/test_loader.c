/*
 * tests/unit/sim/test_loader.c — the kernel loader (sim/loader.c,
 * boot_native.c, multiboot.c) on ELF64, ELF32-multiboot and a.out-kludge
 * images written byte by byte here, against docs/BOOT.md; every bad-input
 * case gets a "FILE: problem" message and an error code; truncated and
 * corrupted copies never crash it.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "sim/loader.h"

#define RAM (16u << 20)

static _Alignas(8) uint8_t img[0x4000];
static char err[512];
static struct boot_state bs;

/* ---- building images --------------------------------------------------- */

static const uint8_t code64[16] = "\x48\x31\xc0\xf4KERNEL64CODE";
static const uint8_t data64[8] = "DATADATA";

/* ELF64: ehdr, 3 phdrs (2 PT_LOAD + a PT_NOTE), code at 0x200. */
static size_t make_elf64(void)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));

	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x100000;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 3;
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = 0x200,
			     .p_vaddr = 0x100000,
			     .p_paddr = 0x100000,
			     .p_filesz = 16,
			     .p_memsz = 0x2000};
	ph[1] = (Elf64_Phdr){.p_type = PT_NOTE,
			     .p_offset = 0x210,
			     .p_paddr = 0x10,
			     .p_filesz = 8,
			     .p_memsz = 8};
	ph[2] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = 0x210,
			     .p_vaddr = 0x300000,
			     .p_paddr = 0x300000,
			     .p_filesz = 8,
			     .p_memsz = 8};
	memcpy(img + 0x200, code64, 16);
	memcpy(img + 0x210, data64, 8);
	return 0x218;
}

static Elf64_Ehdr *eh64(void)
{
	return (Elf64_Ehdr *)img;
}
static Elf64_Phdr *ph64(int i)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A multiboot v1 header at `off` with the given flags. */
static void mb_header(size_t off, uint32_t flags)
{
	put32(img + off, 0x1BADB002u);
	put32(img + off + 4, flags);
	put32(img + off + 8, -(0x1BADB002u + flags));
}

/* ELF32 i386: one PT_LOAD linked high (vaddr 0xC0100000 → paddr 1 MiB). */
static size_t make_elf32_mb(void)
{
	Elf32_Ehdr *eh = (Elf32_Ehdr *)img;
	Elf32_Phdr *ph = (Elf32_Phdr *)(img + sizeof(*eh));

	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0xC0100010;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph[0] = (Elf32_Phdr){.p_type = PT_LOAD,
			     .p_offset = 0x200,
			     .p_vaddr = 0xC0100000,
			     .p_paddr = 0x100000,
			     .p_filesz = 0x20,
			     .p_memsz = 0x1000};
	mb_header(0x100, 0x3);
	memset(img + 0x200, 0xAB, 0x20);
	return 0x220;
}

/* Flat binary with an a.out-kludge multiboot header at file offset 8. */
static size_t make_kludge(void)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "FLATBIN!", 8);
	mb_header(8, 0x00010002);
	put32(img + 20, 0x100008); /* header_addr */
	put32(img + 24, 0x100000); /* load_addr */
	put32(img + 28, 0x100040); /* load_end_addr */
	put32(img + 32, 0x102000); /* bss_end_addr */
	put32(img + 36, 0x100020); /* entry_addr */
	memset(img + 40, 0xCD, 0x18);
	memset(img + 0x40, 0xEE, 0x40); /* past load_end: not loaded */
	return 0x80;
}

/* ---- files and machines ------------------------------------------------ */

static char *write_tmp(const void *data, size_t len)
{
	char *path = strdup("/tmp/hvsim-test-loader-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq((ssize_t)len, write(fd, data, len));
	close(fd);
	return path;
}

static struct physmem *pm;

static void setup(void)
{
	pm = physmem_create(RAM);
	cr_assert_not_null(pm);
	/* Garbage everywhere, so zero-fill is observable. */
	memset(physmem_ram_ptr(pm, 0, RAM), 0x5A, RAM);
}

static void teardown(void)
{
	physmem_destroy(pm);
}

static int load_img(size_t len, const char *cmdline, int nmod,
		    const char *const *mods, char **path_out)
{
	char *path = write_tmp(img, len);
	struct loader_args a = {.kernel = path, .cmdline = cmdline, .initrd = mods,
				 .nr_initrd = nmod};
	int rc = loader_load(pm, &a, &bs, err, sizeof(err));

	if (path_out)
		*path_out = path;
	else {
		unlink(path);
		free(path);
	}
	return rc;
}

static uint64_t peek(uint64_t gpa, int size)
{
	uint64_t v = 0;
	cr_assert_eq(0, physmem_copy_from(pm, &v, gpa, (uint64_t)size));
	return v;
}

static const char *gstr(uint64_t gpa)
{
	return (const char *)physmem_ram_ptr(pm, gpa, 1);
}

/* The load fails with `code`, and the message names the file. */
static void expect_fail(size_t len, int code, const char *needle)
{
	char *path;
	int rc = load_img(len, NULL, 0, NULL, &path);

	cr_expect_eq(code, rc, "rc %d, message: %s", rc, err);
	cr_expect_eq(0, strncmp(err, path, strlen(path)),
		     "message names the file: %s", err);
	cr_expect_not_null(strstr(err, needle), "'%s' not in: %s", needle, err);
	cr_expect_null(strchr(err, '\n'), "one line");
	unlink(path);
	free(path);
}

/* ---- good images -------------------------------------------------------- */

TestSuite(loader, .init = setup, .fini = teardown);

Test(loader, elf64_segments_load_at_paddr_with_bss_zeroed)
{
	cr_assert_eq(LOADER_OK, load_img(make_elf64(), "", 0, NULL, NULL), "%s",
		     err);
	cr_assert_eq(BOOT_NATIVE64, bs.proto);
	cr_assert_eq(0x100000, bs.entry);
	cr_assert_eq(0x100000, bs.kernel_start);
	cr_assert_eq(0x300008, bs.kernel_end);
	cr_assert_arr_eq(code64, physmem_ram_ptr(pm, 0x100000, 16), 16);
	for (uint64_t a = 0x100010; a < 0x102000; a += 0x7F0)
		cr_assert_eq(0, peek(a, 8), "bss at %#lx", (unsigned long)a);
	cr_assert_eq(0x5A5A5A5A5A5A5A5Aull, peek(0x102000, 8),
		     "nothing past p_memsz is touched");
	cr_assert_arr_eq(data64, physmem_ram_ptr(pm, 0x300000, 8), 8);
	cr_assert_eq(0x5A, peek(0x10, 1), "PT_NOTE is not loaded");
}

Test(loader, elf64_identity_maps_4gib_with_2mib_pages)
{
	cr_assert_eq(LOADER_OK, load_img(make_elf64(), NULL, 0, NULL, NULL));
	cr_assert_eq(0x2003, peek(BOOT_PML4, 8));
	cr_assert_eq(0, peek(BOOT_PML4 + 8, 8));
	for (int i = 0; i < 4; i++)
		cr_assert_eq(0x3003 + 0x1000 * i, peek(BOOT_PDPT + 8 * i, 8));
	cr_assert_eq(0, peek(BOOT_PDPT + 32, 8));
	cr_assert_eq(0x83, peek(BOOT_PD, 8));
	cr_assert_eq(0x200083, peek(BOOT_PD + 8, 8));
	cr_assert_eq(0xFFE00083ull, peek(BOOT_PD + 0x3FF8, 8),
		     "last PDE maps 4 GiB - 2 MiB");
}

Test(loader, elf64_boot_info_cmdline_and_modules)
{
	static const char m1[] = "first module", m2[] = "second";
	char *p1 = write_tmp(m1, sizeof(m1)), *p2 = write_tmp(m2, sizeof(m2));
	const char *mods[] = {p1, p2};

	cr_assert_eq(
	    LOADER_OK,
	    load_img(make_elf64(), "console=ttyS0 quiet", 2, mods, NULL), "%s",
	    err);
	cr_assert_eq(BOOT_INFO, bs.info);
	cr_assert_eq(0x4D535648, peek(0x7000, 4));
	cr_assert_eq(1, peek(0x7004, 4));
	cr_assert_eq(RAM, peek(0x7008, 8));
	cr_assert_eq(0x8000, peek(0x7010, 8));
	cr_assert_eq(19, peek(0x7018, 4));
	cr_assert_eq(2, peek(0x701C, 4));
	cr_assert_eq(0x9000, peek(0x7020, 8));
	cr_assert_str_eq("console=ttyS0 quiet", gstr(0x8000));
	/* modules: page-aligned after the kernel's end (0x300008) */
	cr_assert_eq(0x301000, peek(0x9000, 8));
	cr_assert_eq(0x301000 + sizeof(m1), peek(0x9008, 8));
	cr_assert_eq(0x302000, peek(0x9010, 8));
	cr_assert_eq(0x302000 + sizeof(m2), peek(0x9018, 8));
	cr_assert_str_eq(m1, gstr(0x301000));
	cr_assert_str_eq(m2, gstr(0x302000));
	cr_assert_eq(2, bs.nr_modules);
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
}

Test(loader, elf64_empty_cmdline_is_nul_with_length_zero)
{
	cr_assert_eq(LOADER_OK, load_img(make_elf64(), NULL, 0, NULL, NULL));
	cr_assert_eq(0, peek(0x7018, 4));
	cr_assert_eq(0, peek(0x8000, 1));
	cr_assert_eq(0, peek(0x701C, 4));
}

Test(loader, elf32_multiboot_loads_and_translates_entry)
{
	cr_assert_eq(LOADER_OK, load_img(make_elf32_mb(), "a b", 0, NULL, NULL),
		     "%s", err);
	cr_assert_eq(BOOT_MULTIBOOT1, bs.proto);
	cr_assert_eq(0x100010, bs.entry, "vaddr entry mapped to paddr");
	cr_assert_eq(0xABABABABu, peek(0x100000, 4));
	cr_assert_eq(0, peek(0x100020, 8), "bss zeroed");
	cr_assert_eq(0x7000, bs.info);
}

Test(loader, multiboot_info_has_memory_cmdline_mmap_and_name)
{
	uint64_t mmap;
	char *path, want[128];

	cr_assert_eq(LOADER_OK,
		     load_img(make_elf32_mb(), "root=/dev/x", 0, NULL, &path));
	cr_assert_eq((1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9),
		     peek(0x7000, 4));
	cr_assert_eq(640, peek(0x7004, 4));
	cr_assert_eq((RAM - 0x100000) / 1024, peek(0x7008, 4));
	snprintf(want, sizeof(want), "%s root=/dev/x", path);
	cr_assert_str_eq(want, gstr(peek(0x7010, 4)), "file name, then args");
	unlink(path);
	free(path);
	cr_assert_eq(0, peek(0x7014, 4), "no modules");
	cr_assert_str_eq("hvsim", gstr(peek(0x7040, 4)));
	cr_assert_eq(72, peek(0x702C, 4));
	mmap = peek(0x7030, 4);
	cr_assert_eq(20, peek(mmap, 4));
	cr_assert_eq(0, peek(mmap + 4, 8));
	cr_assert_eq(0xA0000, peek(mmap + 12, 8));
	cr_assert_eq(1, peek(mmap + 20, 4));
	cr_assert_eq(2, peek(mmap + 24 + 20, 4), "legacy hole reserved");
	cr_assert_eq(0x100000, peek(mmap + 48 + 4, 8));
	cr_assert_eq(RAM - 0x100000, peek(mmap + 48 + 12, 8));
	cr_assert_eq(1, peek(mmap + 48 + 20, 4));
	cr_assert_eq(0, peek(0x7000 + 88, 8), "no framebuffer info");
}

Test(loader, multiboot_modules_have_file_names_as_strings)
{
	static const char m[] = "initrd-bytes";
	char *p = write_tmp(m, sizeof(m));
	const char *mods[] = {p};
	uint64_t list;

	cr_assert_eq(LOADER_OK, load_img(make_elf32_mb(), NULL, 1, mods, NULL));
	cr_assert_eq(1, peek(0x7014, 4));
	list = peek(0x7018, 4);
	cr_assert_eq(0x101000, peek(list, 4), "page-aligned after the kernel");
	cr_assert_eq(0x101000 + sizeof(m), peek(list + 4, 4));
	cr_assert_str_eq(p, gstr(peek(list + 8, 4)));
	cr_assert_eq(0, peek(list + 12, 4));
	cr_assert_str_eq(m, gstr(0x101000));
	unlink(p);
	free(p);
}

Test(loader, aout_kludge_loads_by_header_addresses)
{
	cr_assert_eq(LOADER_OK, load_img(make_kludge(), NULL, 0, NULL, NULL),
		     "%s", err);
	cr_assert_eq(BOOT_MULTIBOOT1, bs.proto);
	cr_assert_eq(0x100020, bs.entry);
	cr_assert_arr_eq(img, physmem_ram_ptr(pm, 0x100000, 0x40), 0x40);
	cr_assert_eq(0, peek(0x100040, 8), "bss starts at load_end_addr");
	cr_assert_eq(0, peek(0x101FF8, 8));
	cr_assert_eq(0x5A, peek(0x102000, 1));
	cr_assert_eq(0x102000, bs.kernel_end);
}

Test(loader, aout_kludge_overrides_elf_program_headers)
{
	size_t len = make_elf32_mb();

	/* header at 0x100 says: file offset 0 is at 0x200000 */
	mb_header(0x100, 0x00010000);
	put32(img + 0x10C, 0x200100);
	put32(img + 0x110, 0x200000);
	put32(img + 0x114, 0);
	put32(img + 0x118, 0);
	put32(img + 0x11C, 0x200200);
	cr_assert_eq(LOADER_OK, load_img(len, NULL, 0, NULL, NULL), "%s", err);
	cr_assert_eq(0x200200, bs.entry);
	cr_assert_eq(0x464C457F, peek(0x200000, 4), "whole file from 0x200000");
	cr_assert_eq(0x5A, peek(0x100000, 1), "program headers ignored");
}

Test(loader, enter_native_sets_long_mode_registers)
{
	struct cpu_env env = {0};
	struct cpu *cpu = cpu_create(pm, &env);

	cr_assert_eq(LOADER_OK, load_img(make_elf64(), NULL, 0, NULL, NULL));
	loader_enter(cpu, pm, &bs);
	cr_assert_eq(0x100000, cpu_get_rip(cpu));
	cr_assert_eq(0x7000, cpu_get_gpr(cpu, RDI));
	cr_assert_eq(0x80000, cpu_get_gpr(cpu, RSP));
	cr_assert_eq(0, cpu_get_gpr(cpu, RAX));
	cr_assert(cpu_in_long_mode(cpu));
	cr_assert_eq(0, cpu_get_cpl(cpu));
	cpu_destroy(cpu);
}

Test(loader, enter_multiboot_sets_magic_and_info_pointer)
{
	struct cpu_env env = {0};
	struct cpu *cpu = cpu_create(pm, &env);

	cr_assert_eq(LOADER_OK, load_img(make_elf32_mb(), NULL, 0, NULL, NULL));
	loader_enter(cpu, pm, &bs);
	cr_assert_eq(0x100010, cpu_get_rip(cpu));
	cr_assert_eq(0x2BADB002, cpu_get_gpr(cpu, RAX));
	cr_assert_eq(0x7000, cpu_get_gpr(cpu, RBX));
	cr_assert_not(cpu_in_long_mode(cpu));
	cr_assert_neq(0x5A5A5A5A5A5A5A5Aull, peek(BOOT_GDT + 0x18, 8),
		      "GDTR points at a written boot GDT");
	cpu_destroy(cpu);
}

/* ---- bad input ---------------------------------------------------------- */

Test(loader, missing_file_is_an_io_error)
{
	struct loader_args a = {.kernel = "/nonexistent/kernel.elf"};

	cr_assert_eq(LOADER_ERR_IO, loader_load(pm, &a, &bs, err, sizeof(err)));
	cr_assert_str_eq("/nonexistent/kernel.elf: cannot open: "
			 "No such file or directory",
			 err);
}

Test(loader, directory_is_not_a_regular_file)
{
	struct loader_args a = {.kernel = "/tmp"};

	cr_assert_eq(LOADER_ERR_IO, loader_load(pm, &a, &bs, err, sizeof(err)));
	cr_assert_str_eq("/tmp: not a regular file", err);
}

Test(loader, empty_and_non_elf_files_are_refused)
{
	expect_fail(0, LOADER_ERR_FORMAT, "not an ELF file");
	memset(img, 0, sizeof(img));
	memcpy(img, "#!/bin/sh\necho hi\n", 18);
	expect_fail(18, LOADER_ERR_FORMAT, "not an ELF file");
}

Test(loader, flat_binary_with_multiboot_header_but_no_addresses_is_refused)
{
	memset(img, 0, sizeof(img));
	mb_header(0, 0x2);
	expect_fail(64, LOADER_ERR_FORMAT, "not an ELF file");
}

Test(loader, truncated_elf_header_is_refused)
{
	make_elf64();
	expect_fail(40, LOADER_ERR_FORMAT, "truncated ELF header");
	make_elf32_mb();
	expect_fail(20, LOADER_ERR_FORMAT, "truncated ELF header");
}

Test(loader, big_endian_and_unknown_class_are_refused)
{
	size_t len = make_elf64();

	img[EI_DATA] = ELFDATA2MSB;
	expect_fail(len, LOADER_ERR_FORMAT, "little-endian");
	make_elf64();
	img[EI_CLASS] = 3;
	expect_fail(len, LOADER_ERR_FORMAT, "ELF class 3");
}

Test(loader, wrong_machine_is_refused)
{
	size_t len = make_elf64();

	eh64()->e_machine = EM_AARCH64;
	expect_fail(len, LOADER_ERR_FORMAT, "not x86-64");
	len = make_elf32_mb();
	((Elf32_Ehdr *)img)->e_machine = EM_ARM;
	expect_fail(len, LOADER_ERR_FORMAT, "not i386");
}

Test(loader, non_executable_elf_type_is_refused)
{
	size_t len = make_elf64();

	eh64()->e_type = ET_REL;
	expect_fail(len, LOADER_ERR_FORMAT, "not an executable");
}

Test(loader, elf32_without_multiboot_header_is_refused)
{
	size_t len = make_elf32_mb();

	memset(img + 0x100, 0, 12);
	expect_fail(len, LOADER_ERR_FORMAT, "without a multiboot v1 header");
	make_elf32_mb();
	put32(img + 0x108, 0x12345678); /* bad checksum: not a header */
	expect_fail(len, LOADER_ERR_FORMAT, "without a multiboot v1 header");
}

Test(loader, multiboot_header_past_8k_is_not_found)
{
	size_t len = make_elf32_mb();

	memset(img + 0x100, 0, 12);
	mb_header(0x2000, 0x3);
	expect_fail(0x2010 > len ? 0x2010 : len, LOADER_ERR_FORMAT,
		    "without a multiboot v1 header");
}

Test(loader, multiboot_unknown_requirement_flag_is_refused)
{
	size_t len = make_elf32_mb();

	mb_header(0x100, 0x3 | 0x8);
	expect_fail(len, LOADER_ERR_FORMAT, "unsupported features");
}

Test(loader, multiboot_video_request_is_accepted_without_video_info)
{
	size_t len = make_elf32_mb();

	mb_header(0x100, 0x7);
	cr_assert_eq(LOADER_OK, load_img(len, NULL, 0, NULL, NULL), "%s", err);
	cr_assert_eq(0, peek(0x7000, 4) & (3u << 11));
}

Test(loader, bad_program_header_table_is_refused)
{
	size_t len = make_elf64();

	eh64()->e_phentsize = 40;
	expect_fail(len, LOADER_ERR_FORMAT, "e_phentsize");
	make_elf64();
	eh64()->e_phoff = 0x1000;
	expect_fail(len, LOADER_ERR_FORMAT, "program header");
	make_elf64();
	eh64()->e_phoff = ~0ull - 8;
	expect_fail(len, LOADER_ERR_FORMAT, "program header");
	make_elf64();
	eh64()->e_phnum = 0;
	expect_fail(len, LOADER_ERR_FORMAT, "no program headers");
}

Test(loader, no_loadable_segment_is_refused)
{
	size_t len = make_elf64();

	ph64(0)->p_type = PT_NULL;
	ph64(2)->p_memsz = 0;
	ph64(2)->p_filesz = 0;
	expect_fail(len, LOADER_ERR_FORMAT, "no loadable segments");
}

Test(loader, filesz_above_memsz_is_refused)
{
	size_t len = make_elf64();

	ph64(2)->p_filesz = 9;
	expect_fail(len, LOADER_ERR_FORMAT, "exceeds p_memsz");
}

Test(loader, segment_data_past_end_of_file_is_refused)
{
	size_t len = make_elf64();

	ph64(2)->p_offset = 0x214;
	expect_fail(len, LOADER_ERR_FORMAT, "past the end of the file");
	make_elf64();
	ph64(2)->p_offset = ~0ull - 3; /* offset + size wraps */
	expect_fail(len, LOADER_ERR_FORMAT, "past the end of the file");
}

Test(loader, segment_in_boot_area_is_refused)
{
	size_t len = make_elf64();

	ph64(0)->p_paddr = 0xFF000;
	expect_fail(len, LOADER_ERR_RANGE, "boot area");
	make_elf64();
	ph64(2)->p_paddr = 0x7000;
	expect_fail(len, LOADER_ERR_RANGE, "boot area");
}

Test(loader, segment_beyond_ram_is_refused)
{
	size_t len = make_elf64();

	ph64(2)->p_paddr = RAM - 4;
	expect_fail(len, LOADER_ERR_RANGE, "does not fit in guest RAM");
	make_elf64();
	ph64(0)->p_memsz = RAM;
	expect_fail(len, LOADER_ERR_RANGE, "does not fit in guest RAM");
	make_elf64();
	ph64(2)->p_paddr = ~0ull - 3; /* paddr + memsz wraps */
	expect_fail(len, LOADER_ERR_RANGE, "wraps around");
}

Test(loader, failed_load_writes_no_segment)
{
	size_t len = make_elf64();

	ph64(2)->p_paddr = RAM; /* the second PT_LOAD is bad */
	cr_assert_eq(LOADER_ERR_RANGE, load_img(len, NULL, 0, NULL, NULL));
	cr_assert_eq(0x5A5A5A5A5A5A5A5Aull, peek(0x100000, 8),
		     "segments are validated before any is copied");
}

Test(loader, command_line_longer_than_4095_is_refused)
{
	char *cmd = malloc(4097);
	size_t len = make_elf64();

	memset(cmd, 'x', 4096);
	cmd[4096] = 0;
	cr_assert_eq(LOADER_ERR_ARGS, load_img(len, cmd, 0, NULL, NULL));
	cr_assert_str_eq("--append: command line is 4096 bytes; at most 4095 "
			 "fit",
			 err);
	cmd[4095] = 0;
	cr_assert_eq(LOADER_OK, load_img(len, cmd, 0, NULL, NULL), "%s", err);
	cr_assert_eq(4095, peek(0x7018, 4));
	free(cmd);
}

Test(loader, multiboot_file_name_counts_toward_the_4095_bytes)
{
	char *cmd = malloc(4096);

	memset(cmd, 'y', 4095);
	cmd[4095] = 0;
	cr_assert_eq(LOADER_ERR_ARGS,
		     load_img(make_elf32_mb(), cmd, 0, NULL, NULL));
	cr_assert_not_null(strstr(err, "--append: kernel file name plus"), "%s",
			   err);
	free(cmd);
}

Test(loader, too_many_modules_is_refused)
{
	const char *mods[LOADER_MAX_MODULES + 1];

	for (int i = 0; i <= LOADER_MAX_MODULES; i++)
		mods[i] = "/dev/null";
	cr_assert_eq(
	    LOADER_ERR_ARGS,
	    load_img(make_elf64(), NULL, LOADER_MAX_MODULES + 1, mods, NULL));
	cr_assert_not_null(strstr(err, "--initrd:"), "%s", err);
}

Test(loader, missing_or_oversized_module_is_refused)
{
	const char *mods[] = {"/nonexistent/initrd"};
	char *big_path;
	FILE *f;

	cr_assert_eq(LOADER_ERR_IO,
		     load_img(make_elf64(), NULL, 1, mods, NULL));
	cr_assert_str_eq("/nonexistent/initrd: cannot open: No such file or "
			 "directory",
			 err);
	big_path = write_tmp("", 0);
	f = fopen(big_path, "w");
	cr_assert_eq(0, fseek(f, RAM, SEEK_SET)); /* sparse, RAM + 1 bytes */
	fputc(1, f);
	fclose(f);
	mods[0] = big_path;
	cr_assert_eq(LOADER_ERR_RANGE,
		     load_img(make_elf64(), NULL, 1, mods, NULL));
	cr_assert_eq(0, strncmp(err, big_path, strlen(big_path)), "%s", err);
	cr_assert_not_null(strstr(err, "does not fit"), "%s", err);
	unlink(big_path);
	free(big_path);
}

Test(loader, aout_kludge_bad_addresses_are_refused)
{
	size_t len = make_kludge();

	put32(img + 24, 0x100010); /* load_addr > header_addr */
	expect_fail(len, LOADER_ERR_FORMAT, "before the start of the file");
	make_kludge();
	put32(img + 24, 0x0FF000); /* header_addr - load_addr > offset */
	expect_fail(len, LOADER_ERR_FORMAT, "before the start of the file");
	make_kludge();
	put32(img + 28, 0x0FFFF0); /* load_end < load_addr */
	expect_fail(len, LOADER_ERR_FORMAT, "load_end_addr below");
	make_kludge();
	put32(img + 28, 0x100100); /* past end of file */
	expect_fail(len, LOADER_ERR_FORMAT, "past the end of the file");
	make_kludge();
	put32(img + 32, 0x100020); /* bss_end < load_end */
	expect_fail(len, LOADER_ERR_FORMAT, "bss_end_addr");
	make_kludge();
	put32(img + 32, 0xFFFFF000); /* bss beyond RAM */
	expect_fail(len, LOADER_ERR_RANGE, "does not fit in guest RAM");
}

Test(loader, aout_kludge_truncated_header_is_refused)
{
	make_kludge();
	expect_fail(28, LOADER_ERR_FORMAT, "truncated multiboot header");
}

/* ---- fuzz: truncations and corruptions never crash -------------------- */

static void fuzz_one(size_t len)
{
	char *path = write_tmp(img, len);
	struct loader_args a = {.kernel = path, .cmdline = "x"};
	int rc = loader_load(pm, &a, &bs, err, sizeof(err));

	cr_assert(rc == LOADER_OK || rc == LOADER_ERR_FORMAT ||
		      rc == LOADER_ERR_RANGE,
		  "rc %d", rc);
	if (rc != LOADER_OK) {
		cr_assert_eq(0, strncmp(err, path, strlen(path)), "%s", err);
		cr_assert_gt(strlen(err), strlen(path) + 2);
	} else {
		cr_assert_geq(bs.kernel_start, BOOT_KERNEL_MIN);
		cr_assert_leq(bs.kernel_end, RAM);
	}
	unlink(path);
	free(path);
}

Test(loader, every_truncation_is_handled)
{
	size_t (*makers[])(void) = {make_elf64, make_elf32_mb, make_kludge};

	for (size_t m = 0; m < 3; m++) {
		size_t len = makers[m]();
		for (size_t cut = 0; cut < len; cut++) {
			makers[m]();
			fuzz_one(cut);
		}
	}
}

Test(loader, random_corruptions_are_handled)
{
	size_t (*makers[])(void) = {make_elf64, make_elf32_mb, make_kludge};
	uint64_t s = 0x243F6A8885A308D3ull;

	for (int iter = 0; iter < 3000; iter++) {
		size_t len = makers[iter % 3]();
		int flips = 1 + (int)(s % 4);
		for (int f = 0; f < flips; f++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			/* bias toward the headers, where the numbers are */
			size_t at = (s >> 8) % (s & 1 ? 0x80 : len);
			img[at] = (uint8_t)(s >> 32);
		}
		fuzz_one(len);
	}
}
