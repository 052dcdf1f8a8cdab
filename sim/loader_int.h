/*
 * sim/loader_int.h — what the loader's files share: the load context,
 * error reporting, range checks and guest-memory writes. Only the
 * loader's files (loader.c, boot_native.c, multiboot.c, pvh.c, bzimage.c,
 * initrd.c) include it.
 */
#ifndef HVSIM_SIM_LOADER_INT_H_
#define HVSIM_SIM_LOADER_INT_H_

#include <stdbool.h>
#include <stdint.h>

#include <gelf.h>

#include "sim/loader.h"

struct ldr {
	struct physmem *pm;
	uint64_t ram; /* guest RAM size */
	const struct loader_args *args;
	struct boot_state *bs;
	char *err;
	size_t errlen;
	const char *path; /* file being processed */
	uint8_t *img;	  /* the kernel file */
	size_t size;
};

/* Record "path: message" and return `code` (an enum loader_err). */
int ldr_fail(struct ldr *l, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Check that [gpa, gpa+len) lies in RAM at or above BOOT_KERNEL_MIN. */
int ldr_check_range(struct ldr *l, uint64_t gpa, uint64_t len,
		    const char *what);
/* Checked writes into guest RAM (ranges already validated). */
int ldr_copy(struct ldr *l, uint64_t gpa, const void *src, uint64_t len);
int ldr_zero(struct ldr *l, uint64_t gpa, uint64_t len);
/* Little-endian stores into a host buffer. */
void put_le32(uint8_t *p, uint32_t v);
void put_le64(uint8_t *p, uint64_t v);
uint32_t get_le32(const uint8_t *p);

/* Load the PT_LOAD segments of an ELF file by p_paddr (loader.c). When
 * `entry_to_paddr` is set, e_entry is translated through the segment that
 * holds it (vaddr → paddr), as multiboot loaders do. */
int ldr_load_elf(struct ldr *l, Elf *e, bool entry_to_paddr);
/* Load the modules page-aligned after bs->kernel_end (loader.c). */
int ldr_load_modules(struct ldr *l);

/* Native boot: page tables, boot info, command line, module list. */
int boot_native_setup(struct ldr *l);
/* Identity page tables for the first 4 GiB at BOOT_PML4 (boot_native.c);
 * the Linux 64-bit protocol uses them too. */
int boot_write_identity_map(struct ldr *l);

/* PVH (pvh.c): the XEN_ELFNOTE_PHYS32_ENTRY address from the PT_NOTE
 * segments into *entry. Returns 1 if found, 0 if there is none, or an
 * enum loader_err (a malformed note) with the message set. */
int pvh_find_entry(struct ldr *l, Elf *e, uint64_t *entry);
/* Load an ELF64 kernel for PVH entry at `entry`, its modules, and write
 * hvm_start_info, the memory map, command line and module list. */
int pvh_load(struct ldr *l, Elf *e, uint64_t entry);

/* Linux bzImage (bzimage.c): true if the file has a setup header. */
bool bzimage_detect(const uint8_t *img, size_t size);
/* Load the protected-mode kernel and the initrd, write the zero page. */
int bzimage_load(struct ldr *l);

/* Check that each loaded module, if it is in a format we can walk (newc
 * cpio, gzip, xz), is complete (initrd.c). */
int initrd_check(struct ldr *l);
/* The memory map of the Linux protocols into out[BOOT_MEMMAP_MAX]. */
int ldr_memmap(struct ldr *l, struct boot_mem_range *out);

/* Multiboot v1: find the header in the image; -1 if there is none. */
long multiboot_find_header(const uint8_t *img, size_t size);
/* Load a multiboot kernel whose header is at `hdr_off` (e: its ELF view,
 * or NULL for a non-ELF file) and write the multiboot information. */
int multiboot_load(struct ldr *l, Elf *e, long hdr_off);

#endif
