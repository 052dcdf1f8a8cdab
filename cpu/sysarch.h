/*
 * cpu/sysarch.h — the helpers shared by the system-architecture files of
 * the core: segment.c (descriptor reads, segment loads), far.c and iret.c
 * (far transfers, IRET), modes.c (mode changes, SYSCALL/SYSRET, boot
 * states), except.c and except_legacy.c (event delivery). Descriptor bit
 * layouts are in desc.h. Only the .c files of cpu/ include this.
 */
#ifndef HVSIM_CPU_SYSARCH_H_
#define HVSIM_CPU_SYSARCH_H_

#include "cpu/cpu_int.h"
#include "cpu/desc.h"

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
