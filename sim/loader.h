/*
 * sim/loader.h — load a guest kernel and its modules into guest RAM and
 * set up the boot hand-off, exactly as docs/BOOT.md specifies:
 *   ELF64 x86-64 with a Xen PHYS32_ENTRY note → PVH (protected mode)
 *   other ELF64 x86-64      → hvsim native boot (long mode, paging on)
 *   Linux bzImage ("HdrS")  → Linux 64-bit boot protocol (long mode)
 *   ELF32 with a multiboot v1 header (or any file whose multiboot header
 *   sets the address fields, bit 16) → multiboot v1 (protected mode)
 * Every file is untrusted: a bad one gets a one-line message naming it and
 * the problem ("FILE: problem") and a negative error code, never a crash.
 */
#ifndef HVSIM_SIM_LOADER_H_
#define HVSIM_SIM_LOADER_H_

#include <stddef.h>
#include <stdint.h>

struct cpu;
struct physmem;

/* Guest-physical layout of the boot area (docs/BOOT.md). */
#define BOOT_GDT	0x000800u
#define BOOT_PML4	0x001000u
#define BOOT_PDPT	0x002000u
#define BOOT_PD		0x003000u /* four page directories, 0x3000..0x6FFF */
#define BOOT_INFO	0x007000u /* hvsim_boot_info, or the multiboot info */
#define BOOT_CMDLINE	0x008000u
#define BOOT_MODULES	0x009000u
#define BOOT_MOD_NAMES	0x00A000u /* multiboot module strings */
#define BOOT_STACK	0x080000u
#define BOOT_KERNEL_MIN 0x100000u /* everything loaded lies at or above */

#define BOOT_CMDLINE_MAX   4095u /* bytes, without the NUL */
#define LOADER_MAX_MODULES 64
#define LOADER_MAX_FILE	   (1ull << 30) /* kernel files larger are refused */

/* struct hvsim_boot_info (little-endian, at BOOT_INFO). */
#define HVSIM_BOOT_MAGIC     0x4D535648u /* "HVSM" */
#define HVSIM_BOOT_VERSION   1u
#define HVSIM_BOOT_INFO_SIZE 40u

/* Multiboot v1 (Multiboot Specification 0.6.96). */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOT_MAGIC   0x2BADB002u /* in EAX at entry */
#define MULTIBOOT_SEARCH       8192u	   /* header lies in these bytes */
#define MULTIBOOT_INFO_SIZE    116u

enum loader_err {
	LOADER_OK = 0,
	LOADER_ERR_IO = -1,	/* cannot open or read a file */
	LOADER_ERR_FORMAT = -2, /* not a kernel we can boot, or corrupt */
	LOADER_ERR_RANGE =
	    -3,		      /* does not fit in RAM / overlaps the boot area */
	LOADER_ERR_ARGS = -4, /* command line too long, too many modules */
	LOADER_ERR_NOMEM = -5, /* the host ran out of memory */
};

/* Address-range types of the E820 map and of PVH's memory map (the same
 * numbers: the ACPI specification's address range types). */
enum boot_mem_type {
	BOOT_MEM_RAM = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3, /* ACPI tables, reclaimable after boot */
	BOOT_MEM_NVS = 4,
};

struct boot_mem_range {
	uint64_t start, len;
	uint32_t type; /* enum boot_mem_type */
};

#define LOADER_MAX_RESERVED 16 /* caller's ranges carved out of RAM */
#define BOOT_MEMMAP_MAX	    40 /* entries of a built memory map */
/* The default map (sim/bootmap.c): RAM below BOOT_LOWMEM_END, reserved
 * up to 1 MiB (EBDA, video, BIOS area), RAM from 1 MiB to the RAM size. */
#define BOOT_LOWMEM_END 0x9F000u

/* The kernel comes from a file (kernel = its path), or from memory
 * (image != NULL: image_size bytes, e.g. a guest built into hvsim,
 * sim/builtin.h; kernel is then only its name in messages). An image
 * gets every check a file gets. */
struct loader_args {
	const char *kernel;	   /* path of the kernel file, or its name */
	const char *cmdline;	   /* NULL = empty */
	const char *const *initrd; /* module paths, in order */
	int nr_initrd;
	const void *image; /* NULL: read the file `kernel` */
	size_t image_size;
	/* For the Linux protocols (PVH, bzImage); ignored by the others. */
	uint64_t rsdp_gpa; /* the ACPI RSDP, 0 = none */
	const struct boot_mem_range *reserved; /* e.g. the ACPI tables */
	int nr_reserved;
};

enum boot_proto { BOOT_NATIVE64, BOOT_MULTIBOOT1, BOOT_PVH, BOOT_LINUX64 };

struct boot_module {
	uint64_t start, end; /* [start, end) in guest-physical memory */
};

/* What loader_load() did; loader_enter() hands it to the CPU. */
struct boot_state {
	enum boot_proto proto;
	uint64_t entry;			   /* first instruction (GPA) */
	uint64_t kernel_start, kernel_end; /* [lowest, highest) loaded byte */
	uint64_t info;			   /* boot info / multiboot info GPA */
	int nr_modules;
	struct boot_module modules[LOADER_MAX_MODULES];
};

/*
 * Load the kernel and modules into `pm` and write the boot structures
 * (page tables, boot info or multiboot info, command line, module list).
 * Returns LOADER_OK, or an enum loader_err with a message in err[errlen].
 */
int loader_load(struct physmem *pm, const struct loader_args *args,
		struct boot_state *bs, char *err, size_t errlen);

/*
 * The guest's memory map: the default layout above over `ram` bytes, with
 * each `reserved` range (later ones win) laid over it; adjacent ranges of
 * one type merged, sorted by address. Returns the number of entries
 * written to out[max], or -1 if a reserved range is empty, wraps, has an
 * unknown type or the map needs more than `max` entries.
 */
int boot_memmap(uint64_t ram, const struct boot_mem_range *reserved,
		int nr_reserved, struct boot_mem_range *out, int max);

/* Write the boot GDT and put the CPU in the entry state. */
void loader_enter(struct cpu *cpu, struct physmem *pm,
		  const struct boot_state *bs);

#endif
