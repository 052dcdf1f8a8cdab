/*
 * devices/acpi_aml.h — a small emitter of ACPI Machine Language (ACPI 6.4
 * §20, "ACPI Machine Language Specification"): just the terms hvsim's DSDT
 * needs — Scope, Device, Name with an integer, string, buffer or package
 * of integers, and a Method that returns an integer.
 *
 * Why our own emitter rather than iasl at build time: the DSDT is a handful
 * of objects; the VMBus device's _HID is "VMBus", which Hyper-V, QEMU and
 * OpenVMM all use and Linux matches, but which iasl rejects (error 6033:
 * a _HID string must be 7 or 8 characters); and building it in C lets a
 * partition's tables vary with its settings without a host tool. The
 * output is checked by unit tests (byte-exact encodings) and was
 * cross-checked once with `iasl -d` (docs/ARCHITECTURE.md, "Platform").
 *
 * Usage: aml_init, then terms; *_begin / aml_end nest (Scope, Device,
 * Method bodies get their PkgLength when they end). Output past AML_MAX
 * bytes or nesting past AML_DEPTH sets `failed` and is dropped; check it
 * once at the end.
 */
#ifndef HVSIM_DEVICES_ACPI_AML_H_
#define HVSIM_DEVICES_ACPI_AML_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX	  4096
#define AML_DEPTH 8

struct aml {
	uint8_t b[AML_MAX];
	size_t len;
	size_t open[AML_DEPTH]; /* where each open body starts */
	int depth;
	bool failed; /* overflow, bad name or unbalanced begin/end */
};

void aml_init(struct aml *a);

/* A name path: optional leading '\' (root), then 1..8 segments of up to 4
 * characters ('A'-'Z', '0'-'9', '_'; a segment's first is not a digit)
 * separated by '.', each padded with '_' ("\_SB.VMBS" → \_SB_.VMBS). */
void aml_name_path(struct aml *a, const char *path);
/* An integer with the shortest encoding (Zero, One, Byte/Word/DWord/QWord). */
void aml_integer(struct aml *a, uint64_t v);

/* Name (path, value) */
void aml_name_int(struct aml *a, const char *path, uint64_t v);
void aml_name_string(struct aml *a, const char *path, const char *s);
void aml_name_buffer(struct aml *a, const char *path, const uint8_t *data,
		     size_t n);
void aml_name_package(struct aml *a, const char *path, const uint64_t *v,
		      size_t n);

/* Scope (path) { ... }, Device (name) { ... }; close with aml_end. */
void aml_scope_begin(struct aml *a, const char *path);
void aml_device_begin(struct aml *a, const char *name);
/* Method (name, 0, NotSerialized) { Return (v) } */
void aml_method_return_int(struct aml *a, const char *name, uint64_t v);
void aml_end(struct aml *a);

/* Resource template bytes (ACPI 6.4 §6.4): a small IRQ descriptor with no
 * flags byte (IRQNoFlags) for one IRQ (0..15), then the End Tag with a
 * zero checksum ("treated as valid", as iasl writes it). Returns the
 * bytes written: 5, or 0 if out_len < 5 or irq > 15. */
size_t aml_res_irq_noflags(uint8_t *out, size_t out_len, unsigned irq);

#endif
