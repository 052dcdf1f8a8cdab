/*
 * tests/common/fixture.c — build the tiny test machine described in
 * fixture.h: RAM, a core in 64-bit (or 32-bit) mode at CPL 0, a GDT with
 * kernel and user segments and a TSS, identity paging of the first GiB,
 * and an IDT whose every vector halts in its own stub so tests can tell
 * which exception was taken.
 *
 * The state is written directly into struct cpu (not through modes.c) so
 * the fixture depends only on physmem and the interpreter.
 */
#include "tests/common/fixture.h"

#include <stdlib.h>
#include <string.h>

/* GDT entries (SDM Vol. 3A §3.4.5): base 0, limit 4 GiB. */
static const uint64_t fx_gdt[] = {
	0,                     /* 0x00 null */
	0x00AF9A000000FFFFull, /* 0x08 kernel code, 64-bit */
	0x00CF92000000FFFFull, /* 0x10 kernel data */
	0x00CF9A000000FFFFull, /* 0x18 kernel code, 32-bit */
	0x00CFFA000000FFFFull, /* 0x20 user code, 32-bit (SYSRET compat) */
	0x00CFF2000000FFFFull, /* 0x28 user data */
	0x00AFFA000000FFFFull, /* 0x30 user code, 64-bit */
	0,                     /* 0x38 unused */
	/* 0x40 TSS: filled in by fx_write_tss_descriptor */
};

static void fx_write64(struct fx *fx, uint64_t gpa, uint64_t v)
{
	physmem_write(fx->mem, gpa, 8, v);
}

static void fx_write_tss_descriptor(struct fx *fx)
{
	uint64_t base = FX_TSS, limit = 0x67;
	uint64_t lo = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
		      (0x89ull << 40) /* P, type 9: available 64-bit TSS */ |
		      ((base >> 24) & 0xFF) << 56;
	fx_write64(fx, FX_GDT + 0x40, lo);
	fx_write64(fx, FX_GDT + 0x48, base >> 32);
	fx_write64(fx, FX_TSS + 4, 0x1F0000);     /* RSP0 */
	fx_write64(fx, FX_TSS + 0x24, 0x1E0000);  /* IST1 */
}

static void fx_write_page_tables(struct fx *fx)
{
	fx_write64(fx, FX_PML4, 0x2000 | 3);
	fx_write64(fx, 0x2000, 0x3000 | 3);
	for (uint64_t i = 0; i < 512; i++)
		fx_write64(fx, 0x3000 + i * 8, (i << 21) | 0x83); /* P RW PS */
}

/* 64-bit interrupt gates (16 bytes) or 32-bit ones (8 bytes) to stubs. */
static void fx_write_idt(struct fx *fx, bool long_mode)
{
	for (uint64_t v = 0; v < 256; v++) {
		uint64_t off = FX_STUBS + v * 16;
		uint64_t sel = long_mode ? 0x08 : 0x18;
		uint64_t lo = (off & 0xFFFF) | (sel << 16) | (0x8Eull << 40) |
			      ((off >> 16) & 0xFFFF) << 48;
		if (long_mode) {
			fx_write64(fx, FX_IDT + v * 16, lo);
			fx_write64(fx, FX_IDT + v * 16 + 8, off >> 32);
		} else {
			fx_write64(fx, FX_IDT + v * 8, lo);
		}
		physmem_write(fx->mem, off, 1, 0xF4); /* hlt */
	}
}

static void fx_set_seg(struct seg_cache *s, uint16_t sel, uint16_t attr)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xFFFFFFFF;
	s->attr = attr;
}

static void fx_setup_cpu(struct fx *fx, enum fx_mode mode)
{
	struct cpu *c = fx->cpu;
	const uint16_t data = SEGA_P | SEGA_S | 0x3 | SEGA_DB | SEGA_G;
	bool lm = mode == FX_LONG64;

	for (int i = 0; i < 6; i++)
		fx_set_seg(&c->seg[i], 0x10, data);
	fx_set_seg(&c->seg[SEG_FS], 0, data);
	fx_set_seg(&c->seg[SEG_GS], 0, data);
	if (lm)
		fx_set_seg(&c->seg[SEG_CS], 0x08,
			   SEGA_P | SEGA_S | 0xB | SEGA_L | SEGA_G);
	else
		fx_set_seg(&c->seg[SEG_CS], 0x18,
			   SEGA_P | SEGA_S | 0xB | SEGA_DB | SEGA_G);
	c->gdtr = (struct dtr){FX_GDT, 0x4F};
	c->idtr = (struct dtr){FX_IDT, lm ? 0xFFF : 0x7FF};
	c->tr = (struct seg_cache){.sel = 0x40, .attr = SEGA_P | 0xB,
				   .limit = 0x67, .base = FX_TSS};
	c->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE;
	c->cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
	c->efer = 0;
	if (lm) {
		c->cr0 |= CR0_WP | CR0_PG;
		c->cr4 |= CR4_PAE;
		c->cr3 = FX_PML4;
		c->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	}
	c->rflags = RF_FIXED1;
	c->gpr[RSP] = FX_STACK;
	c->cpl = 0;
	c->mode = lm ? MODE_LONG64 : MODE_PROT32;
}

static int fx_io_in(void *opaque, struct cpu *cpu, uint16_t port, int size,
		    uint32_t *val, cycles_t *cost)
{
	struct fx *fx = opaque;
	(void)cpu;
	(void)size;
	(void)cost;
	fx->last_port = port;
	*val = fx->in_val;
	return ENV_OK;
}

static int fx_io_out(void *opaque, struct cpu *cpu, uint16_t port, int size,
		     uint32_t val, cycles_t *cost)
{
	struct fx *fx = opaque;
	(void)cpu;
	(void)cost;
	fx->last_port = port;
	for (int i = 0; i < size && fx->outlen < sizeof(fx->out); i++)
		fx->out[fx->outlen++] = (uint8_t)(val >> (8 * i));
	return ENV_OK;
}

struct fx *fx_new(enum fx_mode mode)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		abort();
	fx->mem = physmem_create(FX_RAM);
	struct cpu_env env = {.opaque = fx, .io_in = fx_io_in,
			      .io_out = fx_io_out};
	fx->cpu = cpu_create(fx->mem, &env);
	if (!fx->mem || !fx->cpu)
		abort();
	physmem_copy_to(fx->mem, FX_GDT, fx_gdt, sizeof(fx_gdt));
	fx_write_tss_descriptor(fx);
	fx_write_page_tables(fx);
	fx_write_idt(fx, mode == FX_LONG64);
	fx_setup_cpu(fx, mode);
	return fx;
}

void fx_free(struct fx *fx)
{
	if (!fx)
		return;
	cpu_destroy(fx->cpu);
	physmem_destroy(fx->mem);
	free(fx);
}

void fx_load(struct fx *fx, const void *code, size_t len)
{
	physmem_copy_to(fx->mem, FX_CODE, code, len);
	fx->cpu->rip = FX_CODE;
	fx->cpu->halted = false;
}

struct cpu_exit fx_run(struct fx *fx, uint64_t max_cycles)
{
	return cpu_run(fx->cpu, max_cycles);
}

struct cpu_exit fx_exec(struct fx *fx, const void *code, size_t len)
{
	fx_load(fx, code, len);
	return fx_run(fx, 1000000);
}

int fx_vector(const struct fx *fx)
{
	uint64_t hlt = fx->cpu->rip - 1;
	if (!fx->cpu->halted || hlt < FX_STUBS || hlt >= FX_STUBS + 256 * 16)
		return -1;
	return (int)((hlt - FX_STUBS) / 16);
}

uint64_t fx_stack_qword(const struct fx *fx, int index)
{
	return physmem_read(fx->mem, fx->cpu->gpr[RSP] + 8ull * index, 8);
}

void fx_user_pages(struct fx *fx)
{
	fx_write64(fx, FX_PML4, 0x2000 | 7);
	fx_write64(fx, 0x2000, 0x3000 | 7);
	for (uint64_t i = 0; i < 512; i++)
		fx_write64(fx, 0x3000 + i * 8, (i << 21) | 0x87);
	memset(&fx->cpu->tlb, 0xFF, sizeof(fx->cpu->tlb));
}

void fx_to_user(struct fx *fx)
{
	struct cpu *c = fx->cpu;
	const uint16_t dpl3 = 3 << 5;

	fx_user_pages(fx);
	c->seg[SEG_CS].sel = 0x33;
	c->seg[SEG_CS].attr = SEGA_P | SEGA_S | 0xB | SEGA_L | SEGA_G | dpl3;
	c->seg[SEG_SS].sel = 0x2B;
	c->seg[SEG_SS].attr = SEGA_P | SEGA_S | 0x3 | SEGA_DB | SEGA_G | dpl3;
	c->cpl = 3;
}

int fx_try(struct fx *fx, const void *code, size_t len)
{
	fx_exec(fx, code, len);
	return fx_vector(fx);
}

void fx_poke(struct fx *fx, uint64_t gpa, const void *src, size_t len)
{
	physmem_copy_to(fx->mem, gpa, src, len);
}

uint64_t fx_peek(struct fx *fx, uint64_t gpa, int size)
{
	return physmem_read(fx->mem, gpa, size);
}

/* push 0x2b; push FX_USER_STACK; push 2; push 0x33; lea rcx, [rip + 3];
 * push rcx; iretq — 21 bytes, so user code starts at FX_USER_CODE. */
static const uint8_t fx_to_user64[] = {
	0x6a, 0x2b, 0x68, 0x00, 0xf0, 0x1f, 0x00, 0x6a, 0x02, 0x6a, 0x33,
	0x48, 0x8d, 0x0d, 0x03, 0x00, 0x00, 0x00, 0x51, 0x48, 0xcf,
};
_Static_assert(sizeof(fx_to_user64) == FX_USER_CODE - FX_CODE,
	       "the prologue ends where FX_USER_CODE says");

struct cpu_exit fx_exec_user(struct fx *fx, const void *code, size_t len)
{
	uint8_t buf[4096];

	if (sizeof(fx_to_user64) + len > sizeof(buf))
		abort();
	memcpy(buf, fx_to_user64, sizeof(fx_to_user64));
	memcpy(buf + sizeof(fx_to_user64), code, len);
	fx_user_pages(fx);
	return fx_exec(fx, buf, sizeof(fx_to_user64) + len);
}
