/*
 * examples/runtime/gdt.h — the guest's own GDT and 64-bit TSS.
 */
#ifndef HVRT_GDT_H_
#define HVRT_GDT_H_

#include <stdint.h>

#include "layout.h"

/* IST slots the IDT uses (idt.c). */
#define IST_DF  1 /* #DF runs on its own stack, so a broken RSP still reports */
#define IST_NMI 2 /* NMI and #MC */

struct stack_range {
	uint64_t lo, hi; /* [lo, hi): hi is the initial RSP */
};

/* Builds and loads the GDT (layout.h order), reloads CS/DS/ES/SS, loads TR. */
void gdt_init(void);
/* The stack the CPU switches to on a ring 3 -> 0 event (TSS.RSP0). */
struct stack_range gdt_rsp0_stack(void);
/* The stack of IST slot n (1 or 2). */
struct stack_range gdt_ist_stack(int n);
/* Raw 8-byte descriptor n (for tests that inspect the busy bit etc.). */
uint64_t gdt_descriptor(int n);

#endif
