/*
 * examples/runtime/rt.h — everything a 64-bit guest kernel includes, and
 * rt_init(), which sets the machine up in the order the pieces need.
 *
 * A guest defines int kmain(struct hvsim_boot_info *bi); crt0.S calls it
 * and ends the run with debug-exit of its return value.
 */
#ifndef HVRT_RT_H_
#define HVRT_RT_H_

#include "boot_info.h"
#include "catch.h"
#include "format.h"
#include "gdt.h"
#include "idt.h"
#include "io.h"
#include "layout.h"
#include "paging.h"
#include "printf.h"
#include "report.h"
#include "string.h"
#include "syscall.h"
#include "uart.h"
#include "user.h"

int kmain(struct hvsim_boot_info *bi);

/* UART, GDT + TSS, IDT, page tables, user stack, SYSCALL: ready for ring 3. */
void rt_init(void);

#endif
