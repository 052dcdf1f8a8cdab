/*
 * examples/runtime/gdt.c — the guest's GDT and 64-bit TSS (Intel SDM Vol. 3A
 * §3.4.5 segment descriptors, §5.8.8/§7.2.3 long-mode TSS, Table 3-1 types).
 *
 * Layout (layout.h): null, kernel code64, kernel data, user code32 (the
 * SYSRET base, unused), user data, user code64, TSS (16 bytes), a
 * not-present data segment and an execute-only code segment (both only for
 * exception tests). The TSS carries RSP0, the stack for ring 3 -> 0 events,
 * and two IST stacks; its I/O-map base is past the limit, so ring-3 IN/OUT
 * with IOPL 0 always #GP.
 *
 * The tables and stacks are file-scope because the CPU reads them by
 * address for the whole run; they are written only by gdt_init().
 */
#include "gdt.h"

#include "string.h"

/*
 * Segment descriptor (8 bytes):
 *  63    56 55 54  53 52  51   48 47 46 45 44 43  40 39          16 15      0
 *  base31:24 G  DB  L AVL limit19:16 P  DPL  S  type   base23:0     limit15:0
 * `access` is bits 47:40 (P DPL S type), `flags` bits 55:52 (G DB L AVL).
 */
#define ACC_P      0x80
#define ACC_DPL3   0x60
#define ACC_S      0x10
#define ACC_CODE   0x08 /* type: code, bit 1 = readable */
#define ACC_RW     0x02 /* data: writable; code: readable */
#define ACC_TSS64  0x09 /* system type 9: available 64-bit TSS */
#define FLG_G      0x8
#define FLG_DB     0x4
#define FLG_L      0x2

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

struct dt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t rsp0_stack[KSTACK_SIZE] __attribute__((aligned(16)));
static uint8_t ist_stacks[2][IST_SIZE] __attribute__((aligned(16)));

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access,
			 uint8_t flags)
{
	return (uint64_t)(limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xF) << 48 |
	       (uint64_t)(flags & 0xF) << 52 | (uint64_t)(base >> 24) << 56;
}

/* A system descriptor in long mode is 16 bytes: the second half holds
 * base[63:32]. */
static void set_tss_desc(int idx, uint64_t base, uint32_t limit)
{
	gdt[idx] = seg_desc((uint32_t)base, limit, ACC_P | ACC_TSS64, 0);
	gdt[idx + 1] = base >> 32;
}

static void build_gdt(void)
{
	const uint8_t code = ACC_P | ACC_S | ACC_CODE | ACC_RW;
	const uint8_t data = ACC_P | ACC_S | ACC_RW;

	gdt[0] = 0;
	gdt[SEL_KCODE >> 3] = seg_desc(0, 0xFFFFF, code, FLG_G | FLG_L);
	gdt[SEL_KDATA >> 3] = seg_desc(0, 0xFFFFF, data, FLG_G | FLG_DB);
	gdt[SEL_UCODE32 >> 3] =
		seg_desc(0, 0xFFFFF, code | ACC_DPL3, FLG_G | FLG_DB);
	gdt[SEL_UDATA >> 3] = seg_desc(0, 0xFFFFF, data | ACC_DPL3, FLG_G | FLG_DB);
	gdt[SEL_UCODE >> 3] = seg_desc(0, 0xFFFFF, code | ACC_DPL3, FLG_G | FLG_L);
	set_tss_desc(SEL_TSS >> 3, (uint64_t)&tss, sizeof(tss) - 1);
	gdt[SEL_NOTPRESENT >> 3] =
		seg_desc(0, 0xFFFFF, data & ~ACC_P, FLG_G | FLG_DB);
	gdt[SEL_KCODE_RO >> 3] =
		seg_desc(0, 0xFFFFF, ACC_P | ACC_S | ACC_CODE, FLG_G | FLG_L);
}

static void build_tss(void)
{
	memset(&tss, 0, sizeof(tss));
	tss.rsp[0] = gdt_rsp0_stack().hi;
	tss.ist[IST_DF - 1] = gdt_ist_stack(IST_DF).hi;
	tss.ist[IST_NMI - 1] = gdt_ist_stack(IST_NMI).hi;
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
}

void gdt_init(void)
{
	struct dt_ptr gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };

	build_tss();
	build_gdt();
	asm volatile("lgdt %0" : : "m"(gdtr) : "memory");
	/* Reload CS with a far return: push CS, push RIP, LRETQ. */
	asm volatile("pushq %0\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:"
		     :
		     : "i"(SEL_KCODE)
		     : "rax", "memory");
	asm volatile("mov %0, %%ds\n\t"
		     "mov %0, %%es\n\t"
		     "mov %0, %%ss"
		     :
		     : "r"((uint16_t)SEL_KDATA)
		     : "memory");
	asm volatile("ltr %0" : : "r"((uint16_t)SEL_TSS) : "memory");
}

struct stack_range gdt_rsp0_stack(void)
{
	uint64_t lo = (uint64_t)rsp0_stack;

	return (struct stack_range){ lo, lo + sizeof(rsp0_stack) };
}

struct stack_range gdt_ist_stack(int n)
{
	uint64_t lo = (uint64_t)ist_stacks[(n - 1) & 1];

	return (struct stack_range){ lo, lo + IST_SIZE };
}

uint64_t gdt_descriptor(int n)
{
	return (n >= 0 && n < GDT_ENTRIES) ? gdt[n] : 0;
}
