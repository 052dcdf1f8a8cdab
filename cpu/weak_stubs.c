/*
 * cpu/weak_stubs.c — TEMPORARY scaffolding while the core is written in
 * parallel: weak definitions of every cross-file function, so that each
 * file's author can link and test before the others land. A real (strong)
 * definition replaces its stub at link time (the library is linked whole).
 * This file is deleted once every function has its real definition.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpu/cpu_int.h"
#include "devices/dev.h"

#define WEAK __attribute__((weak))
#define NOTYET(name) do { fprintf(stderr, "hvsim: %s not implemented yet\n", name); abort(); } while (0)

WEAK const struct opdesc optab_1b[256];
WEAK const struct opdesc optab_0f[256];
WEAK const struct opdesc optab_0f38[256];
WEAK const struct opdesc optab_0f3a[256];
WEAK const struct opdesc optab_0f_pfx[256][4];
WEAK const struct opdesc optab_x87[8][72];
WEAK const struct opdesc optab_invalid;
WEAK enum decode_err decode_insn(const uint8_t *b, int a, enum cpu_mode m, struct dinsn *d) { (void)b; (void)a; (void)m; (void)d; NOTYET("decode_insn"); }

WEAK _Noreturn void cpu_raise(struct cpu *c, int v, uint32_t e) { (void)c; (void)v; (void)e; NOTYET("cpu_raise"); }
WEAK _Noreturn void cpu_raise_ud(struct cpu *c) { cpu_raise(c, EXC_UD, 0); }
WEAK _Noreturn void cpu_raise_gp0(struct cpu *c) { cpu_raise(c, EXC_GP, 0); }
WEAK _Noreturn void cpu_raise_pf(struct cpu *c, uint64_t l, uint32_t e) { c->cr2 = l; cpu_raise(c, EXC_PF, e); }
WEAK void cpu_deliver(struct cpu *c, int v, enum event_kind k, bool h, uint32_t e) { (void)c; (void)v; (void)k; (void)h; (void)e; NOTYET("cpu_deliver"); }
WEAK void cpu_update_mode(struct cpu *c) { (void)c; NOTYET("cpu_update_mode"); }
WEAK void cpu_load_seg(struct cpu *c, int s, uint16_t sel) { (void)c; (void)s; (void)sel; NOTYET("cpu_load_seg"); }
WEAK uint64_t cpu_read_descriptor(struct cpu *c, uint16_t s, int v) { (void)c; (void)s; (void)v; NOTYET("cpu_read_descriptor"); }
WEAK void cpu_far_jump(struct cpu *c, uint16_t s, uint64_t o) { (void)c; (void)s; (void)o; NOTYET("cpu_far_jump"); }
WEAK void cpu_far_call(struct cpu *c, uint16_t s, uint64_t o, uint64_t r) { (void)c; (void)s; (void)o; (void)r; NOTYET("cpu_far_call"); }
WEAK void cpu_far_return(struct cpu *c, uint16_t p) { (void)c; (void)p; NOTYET("cpu_far_return"); }
WEAK void cpu_write_cr(struct cpu *c, int n, uint64_t v) { (void)c; (void)n; (void)v; NOTYET("cpu_write_cr"); }
WEAK void cpu_set_efer(struct cpu *c, uint64_t v) { (void)c; (void)v; NOTYET("cpu_set_efer"); }
WEAK void cpu_setup_protected32(struct cpu *c) { (void)c; NOTYET("cpu_setup_protected32"); }
WEAK void cpu_setup_long64(struct cpu *c, uint64_t cr3, uint64_t g) { (void)c; (void)cr3; (void)g; NOTYET("cpu_setup_long64"); }
WEAK int cpu_write_boot_gdt(struct physmem *m, uint64_t g) { (void)m; (void)g; NOTYET("cpu_write_boot_gdt"); }
WEAK bool cpu_msr_read(struct cpu *c, uint32_t m, uint64_t *v) { (void)c; (void)m; (void)v; NOTYET("cpu_msr_read"); }
WEAK bool cpu_msr_write(struct cpu *c, uint32_t m, uint64_t v) { (void)c; (void)m; (void)v; NOTYET("cpu_msr_write"); }
WEAK void cpu_cpuid(struct cpu *c, uint32_t l, uint32_t s, uint32_t r[4]) { (void)c; (void)l; (void)s; (void)r; NOTYET("cpu_cpuid"); }
WEAK uint64_t cpu_read_tsc(struct cpu *c) { return c->cycles + (uint64_t)c->msr.tsc_offset; }
WEAK uint32_t cpu_io_in(struct cpu *c, uint16_t p, int s) { (void)c; (void)p; (void)s; NOTYET("cpu_io_in"); }
WEAK void cpu_io_out(struct cpu *c, uint16_t p, int s, uint32_t v) { (void)c; (void)p; (void)s; (void)v; NOTYET("cpu_io_out"); }

WEAK uint64_t cpu_seg_lin(struct cpu *c, int s, uint64_t o, int z, unsigned a) { (void)c; (void)s; (void)o; (void)z; (void)a; NOTYET("cpu_seg_lin"); }
WEAK uint64_t cpu_read(struct cpu *c, int s, uint64_t o, int z) { (void)c; (void)s; (void)o; (void)z; NOTYET("cpu_read"); }
WEAK void cpu_write(struct cpu *c, int s, uint64_t o, int z, uint64_t v) { (void)c; (void)s; (void)o; (void)z; (void)v; NOTYET("cpu_write"); }
WEAK void cpu_probe_write(struct cpu *c, int s, uint64_t o, int z) { (void)c; (void)s; (void)o; (void)z; NOTYET("cpu_probe_write"); }
WEAK void cpu_read_bytes(struct cpu *c, int s, uint64_t o, void *d, int n) { (void)c; (void)s; (void)o; (void)d; (void)n; NOTYET("cpu_read_bytes"); }
WEAK void cpu_write_bytes(struct cpu *c, int s, uint64_t o, const void *d, int n) { (void)c; (void)s; (void)o; (void)d; (void)n; NOTYET("cpu_write_bytes"); }
WEAK uint64_t cpu_lin_read(struct cpu *c, uint64_t l, int s, unsigned a) { (void)c; (void)l; (void)s; (void)a; NOTYET("cpu_lin_read"); }
WEAK void cpu_lin_write(struct cpu *c, uint64_t l, int s, uint64_t v, unsigned a) { (void)c; (void)l; (void)s; (void)v; (void)a; NOTYET("cpu_lin_write"); }
WEAK void cpu_fetch(struct cpu *c, uint64_t l, uint8_t *b, int n) { (void)c; (void)l; (void)b; (void)n; NOTYET("cpu_fetch"); }
WEAK const uint8_t *cpu_fetch_ptr(struct cpu *c, uint64_t l, uint64_t *g) { (void)c; (void)l; (void)g; NOTYET("cpu_fetch_ptr"); }
WEAK void cpu_tlb_flush(struct cpu *c, bool k) { (void)c; (void)k; NOTYET("cpu_tlb_flush"); }
WEAK void cpu_tlb_flush_page(struct cpu *c, uint64_t l) { (void)c; (void)l; NOTYET("cpu_tlb_flush_page"); }
WEAK bool cpu_is_canonical(uint64_t a) { return (uint64_t)((int64_t)(a << 16) >> 16) == a; }
WEAK uint64_t cpu_ea(const struct cpu *c, const struct dinsn *d) { (void)c; (void)d; NOTYET("cpu_ea"); }
WEAK void cpu_push(struct cpu *c, int s, uint64_t v) { (void)c; (void)s; (void)v; NOTYET("cpu_push"); }
WEAK uint64_t cpu_pop(struct cpu *c, int s) { (void)c; (void)s; NOTYET("cpu_pop"); }
WEAK int cpu_stack_size(const struct cpu *c) { (void)c; return 8; }
WEAK _Noreturn void cpu_unimplemented(struct cpu *c, const struct dinsn *d) { (void)d; cpu_raise_ud(c); }
WEAK uint64_t cpu_get_rflags(struct cpu *c) { (void)c; NOTYET("cpu_get_rflags"); }
WEAK void cpu_set_rflags(struct cpu *c, uint64_t v, uint64_t m) { (void)c; (void)v; (void)m; NOTYET("cpu_set_rflags"); }
WEAK bool cpu_get_cf(struct cpu *c) { (void)c; NOTYET("cpu_get_cf"); }
WEAK bool cpu_cond(struct cpu *c, unsigned cc) { (void)c; (void)cc; NOTYET("cpu_cond"); }

WEAK struct physmem *physmem_create(uint64_t s) { (void)s; NOTYET("physmem_create"); }
WEAK void physmem_destroy(struct physmem *p) { (void)p; }
WEAK uint64_t physmem_ram_size(const struct physmem *p) { (void)p; NOTYET("physmem_ram_size"); }
WEAK uint8_t *physmem_ram_ptr(struct physmem *p, uint64_t g, uint64_t l) { (void)p; (void)g; (void)l; NOTYET("physmem_ram_ptr"); }
WEAK int physmem_map_mmio(struct physmem *p, uint64_t g, uint64_t l, const struct mmio_ops *o, void *q) { (void)p; (void)g; (void)l; (void)o; (void)q; NOTYET("physmem_map_mmio"); }
WEAK uint64_t physmem_read(struct physmem *p, uint64_t g, int s) { (void)p; (void)g; (void)s; NOTYET("physmem_read"); }
WEAK void physmem_write(struct physmem *p, uint64_t g, int s, uint64_t v) { (void)p; (void)g; (void)s; (void)v; NOTYET("physmem_write"); }
WEAK int physmem_copy_to(struct physmem *p, uint64_t g, const void *s, uint64_t l) { (void)p; (void)g; (void)s; (void)l; NOTYET("physmem_copy_to"); }
WEAK int physmem_copy_from(struct physmem *p, void *d, uint64_t g, uint64_t l) { (void)p; (void)d; (void)g; (void)l; NOTYET("physmem_copy_from"); }
WEAK void physmem_mark_code(struct physmem *p, uint64_t g) { (void)p; (void)g; }
WEAK bool physmem_is_code(const struct physmem *p, uint64_t g) { (void)p; (void)g; return false; }
WEAK uint32_t physmem_code_gen(const struct physmem *p, uint64_t g) { (void)p; (void)g; return 0; }
WEAK void physmem_note_write(struct physmem *p, uint64_t g, uint64_t l) { (void)p; (void)g; (void)l; }
WEAK uint32_t mmu_walk(struct physmem *p, const struct paging_state *s, uint64_t l, unsigned a, struct walk_result *o) { (void)p; (void)s; (void)l; (void)a; (void)o; NOTYET("mmu_walk"); }
WEAK void tlb_flush_all(struct tlb *t, bool k) { (void)t; (void)k; NOTYET("tlb_flush_all"); }
WEAK void tlb_flush_page(struct tlb *t, uint64_t l) { (void)t; (void)l; NOTYET("tlb_flush_page"); }

WEAK int iobus_map(struct iobus *b, uint16_t base, uint16_t len, const struct dev_ops *o, void *q) { (void)b; (void)base; (void)len; (void)o; (void)q; NOTYET("iobus_map"); }
WEAK enum io_status iobus_read(struct iobus *b, uint16_t p, int s, uint64_t *v, cycles_t *l) { (void)b; (void)p; (void)s; (void)v; (void)l; NOTYET("iobus_read"); }
WEAK enum io_status iobus_write(struct iobus *b, uint16_t p, int s, uint64_t v, cycles_t *l) { (void)b; (void)p; (void)s; (void)v; (void)l; NOTYET("iobus_write"); }
WEAK void cpu_exception_entry(struct cpu *c) { (void)c; NOTYET("cpu_exception_entry"); }
WEAK bool cpu_exc_has_errcode(int v) { return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21; }
static const uint32_t zero_counter;
WEAK const uint32_t *physmem_code_write_counter(const struct physmem *p) { (void)p; return &zero_counter; }
#include "sim/scenario.h"
WEAK int scenario_load(const char *p, struct scenario *s, char *e, unsigned n) { (void)p; (void)s; (void)e; (void)n; NOTYET("scenario_load"); }
WEAK int scenario_check(const struct scenario *s, char *e, unsigned n) { (void)s; (void)e; (void)n; return 0; }
