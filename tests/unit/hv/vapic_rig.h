/*
 * tests/unit/hv/vapic_rig.h — a real hypervisor (hv/hv.h + sim/evq.h) with
 * one partition of up to four vCPUs in long mode, for the local APIC tests
 * (test_vapic.c): identity-mapped 4 GiB (so the xAPIC page is reachable),
 * one IDT per vCPU whose stubs count each vector, record the TSC at which
 * it arrived and EOI through the Hyper-V EOI MSR, and a tiny x86 emitter
 * for the vCPUs' code.
 *
 * Guest-physical layout (16 MiB of RAM):
 *   0x800 GDT, 0x1000 PML4, 0x2000 PDPT, 0x3000-0x6FFF page directories,
 *   IDT of vCPU i at 0x10000 + i*0x1000, its stubs at 0x20000 + i*0x4000,
 *   counters at CNT(i, v), arrival TSCs at TIME(i, v), stack below
 *   0x80000 - i*0x4000, code at CODE(i), scratch data from 0x70000.
 */
#ifndef HVSIM_TESTS_VAPIC_RIG_H_
#define HVSIM_TESTS_VAPIC_RIG_H_

#include <criterion/criterion.h>
#include <string.h>

#include "cpu/cpu_int.h"
#include "devices/lapic.h"
#include "hv/hv_int.h"
#include "hv/vapic.h"
#include "mmu/mmu.h"
#include "sim/evq.h"

#define RIG_RAM	     (16u << 20)
#define RIG_MAX_VPS  4
#define IDT(i)	     (0x10000u + (i) * 0x1000u)
#define STUB(i, v)   (0x20000u + (i) * 0x4000u + (v) * 64u)
#define CNT(i, v)    (0x40000u + (i) * 0x400u + (v) * 4u)
#define TIME(i, v)   (0x50000u + (i) * 0x800u + (v) * 8u)
#define STACK(i)     (0x80000u - (i) * 0x4000u)
#define CODE(i)	     (0x100000u + (i) * 0x1000u)
#define DATA	     0x70000u
#define X2APIC_BASE  (LAPIC_DEFAULT_BASE | LAPIC_BASE_EN | LAPIC_BASE_EXTD)

struct rig {
	struct evq *q;
	struct hv *hv;
	struct hv_part *p;
};

/* ---- a tiny emitter ------------------------------------------------------ */

struct code {
	uint8_t b[512];
	unsigned n;
};

static inline void emit(struct code *c, unsigned len, const uint8_t *bytes)
{
	cr_assert_leq(c->n + len, sizeof(c->b));
	memcpy(c->b + c->n, bytes, len);
	c->n += len;
}
#define EMIT(c, ...)                                                          \
	emit(c, sizeof((const uint8_t[]){__VA_ARGS__}),                       \
	     (const uint8_t[]){__VA_ARGS__})
#define LE32(x)                                                               \
	(uint8_t)(x), (uint8_t)((x) >> 8), (uint8_t)((x) >> 16),              \
	    (uint8_t)((x) >> 24)

static inline void mov_eax(struct code *c, uint32_t v) { EMIT(c, 0xB8, LE32(v)); }
static inline void mov_ecx(struct code *c, uint32_t v) { EMIT(c, 0xB9, LE32(v)); }
static inline void mov_edx(struct code *c, uint32_t v) { EMIT(c, 0xBA, LE32(v)); }
/* WRMSR ecx <- edx:eax. */
static inline void wrmsr(struct code *c, uint32_t msr, uint64_t v)
{
	mov_ecx(c, msr);
	mov_eax(c, (uint32_t)v);
	mov_edx(c, (uint32_t)(v >> 32));
	EMIT(c, 0x0F, 0x30);
}
/* mov dword [abs32], imm32 through RAX (works for 0xFEE00000 too). */
static inline void store32(struct code *c, uint32_t addr, uint32_t v)
{
	mov_eax(c, addr);
	EMIT(c, 0xC7, 0x00, LE32(v)); /* mov dword [rax], imm32 */
}
/* mov edx, [abs32] (through RAX); mov [dst], edx. */
static inline void copy32(struct code *c, uint32_t dst, uint32_t src)
{
	mov_eax(c, src);
	EMIT(c, 0x8B, 0x10);		  /* mov edx, [rax] */
	EMIT(c, 0x89, 0x14, 0x25, LE32(dst)); /* mov [dst], edx */
}
static inline void sti(struct code *c) { EMIT(c, 0xFB); }
static inline void cli(struct code *c) { EMIT(c, 0xFA); }
/* hlt; jmp back to the hlt: sleep forever, taking interrupts if IF=1. */
static inline void hlt_loop(struct code *c) { EMIT(c, 0xF4, 0xEB, 0xFD); }
static inline void spin(struct code *c) { EMIT(c, 0xEB, 0xFE); }

/* ---- the rig ------------------------------------------------------------- */

/* The interrupt stub of vector v on vCPU i: count, record the TSC, EOI
 * through HV_X64_MSR_EOI (either APIC mode), return. */
static inline void rig_stub(struct rig *r, unsigned i, unsigned v)
{
	struct code c = {.n = 0};

	EMIT(&c, 0x50, 0x51, 0x52);		     /* push rax, rcx, rdx */
	EMIT(&c, 0x0F, 0x31);			     /* rdtsc */
	EMIT(&c, 0x48, 0xC1, 0xE2, 0x20);	     /* shl rdx, 32 */
	EMIT(&c, 0x48, 0x09, 0xD0);		     /* or rax, rdx */
	EMIT(&c, 0x48, 0x89, 0x04, 0x25, LE32(TIME(i, v))); /* mov [t], rax */
	EMIT(&c, 0xFF, 0x04, 0x25, LE32(CNT(i, v)));	    /* inc dword [n] */
	if (v >= 32) /* exceptions take no EOI */
		wrmsr(&c, 0x40000070, 0);
	EMIT(&c, 0x5A, 0x59, 0x58); /* pop rdx, rcx, rax */
	if (v == 13) /* #GP: skip the 2-byte RDMSR/WRMSR that faulted */
		EMIT(&c, 0x48, 0x83, 0x44, 0x24, 0x08, 0x02, /* add [rsp+8], 2 */
		     0x48, 0x83, 0xC4, 0x08); /* add rsp, 8 (error code) */
	EMIT(&c, 0x48, 0xCF); /* iretq */
	cr_assert_leq(c.n, 64u);
	cr_assert_eq(physmem_copy_to(r->p->mem, STUB(i, v), c.b, c.n), 0);
}

static inline void rig_idt(struct rig *r, unsigned i)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t h = STUB(i, v);
		uint64_t gate[2] = {
		    (h & 0xFFFF) | 0x08ull << 16 | 0x8E00ull << 32 |
			((h >> 16) & 0xFFFF) << 48,
		    h >> 32};

		rig_stub(r, i, v);
		cr_assert_eq(physmem_copy_to(r->p->mem, IDT(i) + v * 16, gate,
					     16), 0);
	}
}

/* vCPU i in long mode at CODE(i) running `code`, runnable. */
static inline void rig_vp(struct rig *r, unsigned i, const struct code *code)
{
	struct cpu *c = r->p->vp[i].cpu;

	cr_assert_eq(physmem_copy_to(r->p->mem, CODE(i), code->b, code->n), 0);
	rig_idt(r, i);
	cpu_setup_long64(c, 0x1000, 0x800);
	c->idtr.base = IDT(i);
	c->idtr.limit = 0xFFF;
	cpu_set_gpr(c, RSP, STACK(i));
	cpu_set_rip(c, CODE(i));
	r->p->vp[i].halted = false;
}

/* A partition of `vcpus` vCPUs (all halted) on one pCPU. */
static inline void rig_init(struct rig *r, unsigned vcpus, cycles_t quantum,
			    cycles_t stop_at)
{
	struct hv_config hc = {.pcpus = 1, .quantum = quantum,
			       .stop_at = stop_at};
	struct hv_part_config pc = {.name = "apic", .vcpus = vcpus,
				    .mem_bytes = RIG_RAM, .weight = 100};
	uint64_t pt[512];

	r->q = evq_create();
	cr_assert_not_null(r->q);
	r->hv = hv_create(&hc, r->q);
	cr_assert_not_null(r->hv);
	r->p = hv_part_create(r->hv, &pc, NULL, NULL);
	cr_assert_not_null(r->p);
	cr_assert_eq(cpu_write_boot_gdt(r->p->mem, 0x800), 32);
	memset(pt, 0, sizeof(pt));
	pt[0] = 0x2000 | 3;
	cr_assert_eq(physmem_copy_to(r->p->mem, 0x1000, pt, 4096), 0);
	for (unsigned i = 0; i < 4; i++)
		pt[i] = (0x3000 + i * 0x1000ull) | 3;
	cr_assert_eq(physmem_copy_to(r->p->mem, 0x2000, pt, 4096), 0);
	for (unsigned d = 0; d < 4; d++) {
		for (unsigned i = 0; i < 512; i++)
			pt[i] = ((d * 512ull + i) << 21) | 0x83; /* P W PS */
		cr_assert_eq(physmem_copy_to(r->p->mem, 0x3000 + d * 0x1000,
					     pt, 4096), 0);
	}
	for (unsigned i = 0; i < vcpus; i++)
		r->p->vp[i].halted = true;
}

/* Run the machine until simulated time `until`. */
static inline void rig_run(struct rig *r, cycles_t until)
{
	hv_part_set_runnable(r->p, true);
	cr_assert_eq(hv_start(r->hv), 0);
	evq_run_until(r->q, until);
}

static inline void rig_fini(struct rig *r)
{
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

static inline uint32_t rd32(struct rig *r, uint64_t gpa)
{
	return (uint32_t)physmem_read(r->p->mem, gpa, 4);
}
static inline uint64_t rd64(struct rig *r, uint64_t gpa)
{
	return physmem_read(r->p->mem, gpa, 8);
}
static inline struct hv_vp *vpn(struct rig *r, unsigned i)
{
	return &r->p->vp[i];
}
/* x2APIC mode and software-enabled, from the host side. */
static inline void rig_x2apic(struct rig *r, unsigned i)
{
	cr_assert_eq(vapic_msr_write(vpn(r, i), 0x1B, X2APIC_BASE |
				     (i == 0 ? LAPIC_BASE_BSP : 0)), 0);
	cr_assert_eq(vapic_msr_write(vpn(r, i), 0x80F, 0x1FF), 0);
}

#endif
