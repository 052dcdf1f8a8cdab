/*
 * examples/guests/multiboot32.c — the 64-bit half of the multiboot guest
 * (multiboot32_entry.S brings it here in long mode).
 *
 * Checks what the boot loader handed over against the Multiboot 0.6.96
 * specification (§3.2 machine state, §3.3 boot information format) and
 * docs/BOOT.md (which fields hvsim fills in), checks that long mode is
 * really on (EFER.LMA, a 64-bit CS, 64-bit arithmetic), takes one
 * exception through the runtime's IDT, and reports.
 */
#include "rt.h"

#define MB_BOOT_MAGIC 0x2BADB002u
#define MBI_MEM      (1u << 0)
#define MBI_CMDLINE  (1u << 2)
#define MBI_MODS     (1u << 3)
#define MBI_MMAP     (1u << 6)
#define MBI_LOADER   (1u << 9)
#define MMAP_RAM     1

/* The multiboot information structure, as far as this guest reads it. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 640 KiB / above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

/* One memory-map entry; `size` does not count itself. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t base, len;
	uint32_t type;
} __attribute__((packed));

int mb_main(uint32_t magic, uint32_t mbi_addr);

/* Does a usable RAM range of the memory map cover [1 MiB, 2 MiB)? */
static int mmap_covers_1m(const struct mb_info *mbi)
{
	uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;

	while (p + sizeof(struct mb_mmap_entry) <= end) {
		const struct mb_mmap_entry *e = (const void *)p;
		if (e->type == MMAP_RAM && e->base <= 0x100000 &&
		    e->base + e->len >= 0x200000)
			return 1;
		p += e->size + sizeof(e->size);
	}
	return 0;
}

static void check_mbi(const struct mb_info *mbi)
{
	const char *cmdline = (const char *)(uint64_t)mbi->cmdline;
	const char *loader = (const char *)(uint64_t)mbi->boot_loader_name;

	report(mbi->flags & MBI_MEM, "mbi flag 0: mem_lower/mem_upper given");
	if (mbi->flags & MBI_MEM)
		report(mbi->mem_upper >= 1024 && mbi->mem_lower <= 640,
		       "mem_lower <= 640 KiB and mem_upper >= 1024 KiB");
	report(mbi->flags & MBI_CMDLINE, "mbi flag 2: command line given");
	if (mbi->flags & MBI_CMDLINE)
		printf("command line: %s\n", cmdline);
	report(!(mbi->flags & MBI_MODS) || mbi->mods_count == 0,
	       "no modules without --initrd");
	report((mbi->flags & MBI_MMAP) && mmap_covers_1m(mbi),
	       "mbi flag 6: memory map has RAM at 1 MiB");
	report((mbi->flags & MBI_LOADER) && !strcmp(loader, "hvsim"),
	       "mbi flag 9: boot loader name is \"hvsim\"");
	if (mbi->flags & MBI_LOADER)
		printf("boot loader: %s\n", loader);
}

static void check_long_mode(void)
{
	volatile uint64_t a = 0x123456789ull;

	report(rdmsr(MSR_EFER) & EFER_LMA, "EFER.LMA is set");
	report((read_cr0() & CR0_PG) && (read_cr4() & CR4_PAE),
	       "CR0.PG and CR4.PAE are set");
	report(read_cs() == SEL_KCODE, "CS is the 64-bit code selector 0x08");
	report(a * 0x10 == 0x1234567890ull && (a << 28) >> 60 == 1,
	       "64-bit arithmetic works");
}

int mb_main(uint32_t magic, uint32_t mbi_addr)
{
	uart_init();
	printf("long mode reached\n");
	report(magic == MB_BOOT_MAGIC, "EAX held the multiboot magic %#x",
	       MB_BOOT_MAGIC);
	if (magic == MB_BOOT_MAGIC)
		check_mbi((const struct mb_info *)(uint64_t)mbi_addr);
	check_long_mode();

	gdt_init();
	idt_init();
	catch_reset();
	asm volatile(TRY_BEGIN "int3" TRY_END ::: TRY_CLOBBERS);
	catch_check("int3 through the runtime's IDT", 3, 0, AT_TRAP);
	report_summary();
}
