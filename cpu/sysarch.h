/*
 * cpu/sysarch.h — segment descriptors, gates and the helpers shared by the
 * system-architecture files of the core: segment.c (descriptor reads,
 * segment loads), far.c / iret.c (far transfers, IRET), modes.c (mode
 * changes, SYSCALL/SYSRET, boot states), except.c and except_legacy.c (event
 * delivery). Spec: Intel SDM Vol. 3A §3.4.5 (segment descriptors), §3.5
 * (system descriptor types), §6.11 and §6.14.1 (IDT gates).
 * Only the .c files of cpu/ include this.
 *
 * Segment descriptor (8 bytes), high dword then low dword:
 *   31      24 23 22 21 20  19    16 15 14 13 12 11   8 7           0
 *  | base 31:24| G|DB| L|AVL|lim 19:16| P| DPL |S| type | base 23:16 |
 *  |        base 15:0                 |        limit 15:0             |
 * Bits 8..15 and 20..23 of the high dword are the VMX-style `attr` of
 * struct seg_cache (cpu_int.h): attr = byte 5 | (high nibble of byte 6) << 12.
 *
 * Gate descriptor (IDT): 8 bytes in legacy mode; in IA-32e mode 16 bytes,
 * the second 8 holding offset 63:32 (low dword) and zeros.
 *   31             16 15 14 13 12 11   8 7   5 4   3 2   0
 *  |   offset 31:16   | P| DPL |0| type | 0 0 0 |  0  | IST |
 *  |   selector       |          offset 15:0                |
 */
#ifndef HVSIM_CPU_SYSARCH_H_
#define HVSIM_CPU_SYSARCH_H_

#include "cpu/cpu_int.h"

/* Type field (attr bits 3:0) of code/data descriptors (S = 1). */
#define DT_ACCESSED 0x1u
#define DT_WRITABLE 0x2u /* data */
#define DT_READABLE 0x2u /* code */
#define DT_EXPDOWN  0x4u /* data */
#define DT_CONFORM  0x4u /* code */
#define DT_CODE	    0x8u

/* System descriptor and gate types (S = 0). */
enum sys_type {
	ST_TSS16_AVAIL = 0x1,
	ST_LDT = 0x2,
	ST_TSS16_BUSY = 0x3,
	ST_CALL16 = 0x4,
	ST_TASK_GATE = 0x5,
	ST_INT16 = 0x6,
	ST_TRAP16 = 0x7,
	ST_TSS_AVAIL = 0x9, /* 32-bit TSS, or 64-bit TSS in IA-32e mode */
	ST_TSS_BUSY = 0xB,
	ST_CALL = 0xC,
	ST_INT = 0xE,
	ST_TRAP = 0xF,
};

/* Attributes of the flat segments loaded without a descriptor read
 * (SYSCALL/SYSRET, boot states); DPL is or-ed in by the user. */
#define ATTR_CODE64 0xA09Bu /* G, L, P, S, execute/read, accessed */
#define ATTR_CODE32 0xC09Bu /* G, DB, P, S, execute/read, accessed */
#define ATTR_DATA   0xC093u /* G, DB, P, S, read/write, accessed */
#define ATTR_DPL(n) ((uint16_t)((n) << 5))

static inline uint64_t desc_base(uint64_t d)
{
	return ((d >> 16) & 0xFFFFFF) | (((d >> 56) & 0xFF) << 24);
}

static inline uint16_t desc_attr(uint64_t d)
{
	return (uint16_t)(((d >> 40) & 0xFF) | (((d >> 52) & 0xF) << 12));
}

/* Byte-granular limit (scaled by G). */
static inline uint32_t desc_limit(uint64_t d)
{
	uint32_t lim = (uint32_t)((d & 0xFFFF) | (((d >> 48) & 0xF) << 16));
	return (d & (1ull << 55)) ? (lim << 12) | 0xFFF : lim;
}

static inline struct seg_cache desc_to_cache(uint16_t sel, uint64_t d)
{
	struct seg_cache s = {.sel = sel,
			      .attr = desc_attr(d),
			      .limit = desc_limit(d),
			      .base = desc_base(d)};
	return s;
}

static inline struct seg_cache seg_flat(uint16_t sel, uint16_t attr)
{
	struct seg_cache s = {
	    .sel = sel, .attr = attr, .limit = 0xFFFFFFFF, .base = 0};
	return s;
}

static inline bool attr_is_code(uint16_t a)
{
	return (a & SEGA_S) && (SEGA_TYPE(a) & DT_CODE);
}

static inline bool attr_is_wdata(uint16_t a)
{
	return (a & SEGA_S) && !(SEGA_TYPE(a) & DT_CODE) &&
	       (SEGA_TYPE(a) & DT_WRITABLE);
}

/* Error code naming a selector: index, TI, and EXT (SDM Vol. 3A §6.13). */
static inline uint32_t sel_err(uint16_t sel, uint32_t ext)
{
	return (sel & 0xFFFCu) | ext;
}

/* ---- descriptor tables (segment.c) -------------------------------------- */

/* A descriptor as read from the GDT/LDT and where it lives (linear). */
struct desc_ref {
	uint64_t raw;
	uint64_t lin;
};

/* Read the descriptor for `sel`; raises `vec`(sel | ext) when the index is
 * beyond the table limit or the LDT is null. Null selectors are the
 * caller's business. */
void desc_fetch(struct cpu *c, uint16_t sel, int vec, uint32_t ext,
		struct desc_ref *out);
/* Set the accessed bit in memory (and in r->raw) if it is clear. */
void desc_set_accessed(struct cpu *c, struct desc_ref *r);

/* ---- far transfers (far.c), used by iret.c ----------------------------- */

/* Stack slots relative to RSP at the current stack-address size, without
 * moving RSP: reads at SS:(RSP + up), writes at SS:(RSP - down). */
uint64_t stack_peek(struct cpu *c, uint64_t up, int size);
void stack_poke(struct cpu *c, uint64_t down, int size, uint64_t v);
/* Write RSP at the width of the current stack (SP, ESP or RSP). */
void stack_set_rsp(struct cpu *c, uint64_t v);
/* Checks for a code segment that RETF/IRET returns to (selector RPL >=
 * CPL, conforming/non-conforming DPL rules, present, L/D). */
void far_check_return_cs(struct cpu *c, uint16_t sel, struct desc_ref *r);
/* Validate the stack segment popped by a return to privilege `rpl`; fills
 * *ss with the cache to load (a null SS is legal only into 64-bit code at
 * CPL < 3). */
void far_check_return_ss(struct cpu *c, uint16_t sel, int rpl, uint64_t cs_raw,
			 struct seg_cache *ss);
/* Validate a new RIP against the target code segment: canonical for 64-bit
 * code, within the limit otherwise. Returns the (truncated) RIP. */
uint64_t far_check_ip(struct cpu *c, uint64_t cs_raw, uint64_t ip);
/* Commit CS (with RPL = cpl) from a checked descriptor. */
void far_load_cs(struct cpu *c, uint16_t sel, uint64_t raw, int cpl);
/* After a return to an outer privilege level: null ES/DS/FS/GS that are
 * not usable at the new CPL (SDM Vol. 2B RET/IRET). */
void far_null_outer_segs(struct cpu *c);

/* ---- event delivery (except.c / except_legacy.c) ------------------------ */

struct event {
	int vector;
	enum event_kind kind;
	bool has_err;
	uint32_t err;
};

/* INT n, INT3 and INTO are software events: the gate DPL is checked
 * against CPL and faults during their delivery have EXT = 0. INT1 (ICEBP,
 * EV_SOFTEXC with vector 1) is delivered like a hardware event: no DPL
 * check, EXT = 1 (SDM Vol. 3A §6.12.1.1 and §6.13). */
static inline bool event_is_soft(const struct event *ev)
{
	return ev->kind == EV_SOFTINT ||
	       (ev->kind == EV_SOFTEXC && ev->vector != EXC_DB);
}

/* The EXT bit of error codes raised while delivering this event. */
static inline uint32_t event_ext(const struct event *ev)
{
	return !event_is_soft(ev);
}

/* The code segment an interrupt/trap gate targets, checked. */
struct gate_target {
	struct desc_ref cs;
	int cpl; /* CPL after the transfer */
};
void except_gate_target(struct cpu *c, uint16_t sel, uint32_t ext,
			struct gate_target *t);
/* RFLAGS image to push for this event (RF set for fault-class
 * exceptions, SDM Vol. 3A §17.3.1.1). */
uint64_t except_pushed_rflags(struct cpu *c, const struct event *ev);
/* The last step of every delivery: cycle charge and the state that an
 * event ends (HLT, interrupt shadow). */
void except_finish(struct cpu *c);
void except_deliver_prot(struct cpu *c, const struct event *ev);
void except_deliver_real(struct cpu *c, const struct event *ev);

#endif
