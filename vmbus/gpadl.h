/*
 * vmbus/gpadl.h — GPADLs (guest physical address descriptor lists) on the
 * host side: a list of guest pages a child shares with the parent, built
 * from the child's GPADL_HEADER + GPADL_BODY messages (vmbus.md §4.4), and
 * the page lists of GPA-direct packets (§5.3), which have the same range
 * format. Byte copies go through the page list, one page at a time, via
 * physmem_copy_* (bounds-checked): nothing outside the listed pages of the
 * child's own RAM is ever touched.
 *
 * Range stream (little-endian, as on the wire): rangecount times
 *   { byte_count u32, byte_offset u32, pfn u64[ceil((off+count)/4096)] }.
 * The GPADL's linear byte space is the concatenation of each range's
 * window [byte_offset, byte_offset + byte_count); for the single range
 * with byte_offset 0 Linux always sends, byte x is in page x / 4096.
 *
 * Users: vmbus/server.c (assembly, teardown), vmbus/ring.c (rings),
 * VSPs (GPA-direct data). All guest values are untrusted; every error is
 * a status, never a crash.
 */
#ifndef HVSIM_VMBUS_GPADL_H_
#define HVSIM_VMBUS_GPADL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct physmem;

#define GPADL_PAGE_SIZE 4096u
/* At most 64 MiB described by one GPADL (netvsc's largest receive buffer
 * in Linux 6.1 is 31 MiB; storvsc rings are 256 KiB). */
#define GPADL_MAX_PAGES 16384u
#define GPADL_MAX_RANGES 256u /* Linux sends 1 (GPADLs) or a few (GPA direct) */
/* Bytes of gpa_range[] in a GPADL_HEADER payload: it starts at message
 * offset 20; PFN arrays in a GPADL_BODY start at message offset 16. */
#define GPADL_HEADER_RANGES_OFF 20u
#define GPADL_BODY_PFNS_OFF 16u

enum gpadl_status {
	GPADL_OK = 0,
	GPADL_ERR_BAD_RANGE,	   /* byte_count 0, byte_offset >= 4096, or
				      rangecount 0 / > GPADL_MAX_RANGES */
	GPADL_ERR_TOO_BIG,	   /* more than GPADL_MAX_PAGES pages */
	GPADL_ERR_PFN_OUTSIDE_RAM, /* a page not entirely in the child's RAM */
	GPADL_ERR_LENGTH,	   /* bytes not a multiple of 8 / truncated /
				      range_buflen inconsistent */
	GPADL_ERR_EXTRA,	   /* more PFNs than the ranges imply (e.g. a
				      duplicated body, or a body after completion) */
	GPADL_ERR_INCOMPLETE,	   /* used before all PFNs arrived */
	GPADL_ERR_OUT_OF_RANGE,	   /* copy outside the GPADL's byte space */
	GPADL_ERR_NOMEM,	   /* host allocation failed */
	GPADL_NR_STATUS
};

/* Short name for traces and messages ("bad_range", ...). */
const char *gpadl_status_name(enum gpadl_status st);

struct gpadl; /* opaque */

/* Start a GPADL from a GPADL_HEADER. `ranges` points at the gpa_range[]
 * part of the message (offset GPADL_HEADER_RANGES_OFF) and `len` is how
 * many bytes of it this message holds (payload size - 20; must be a
 * multiple of 8). rangecount and range_buflen are the header fields;
 * range_buflen must equal the total stream size modulo 65536 (it is a u16
 * on the wire and wraps for GPADLs above ~32 MiB). On GPADL_OK *out is
 * the new GPADL (complete or waiting for bodies); on error *out is NULL.
 * `handle` is the guest-chosen id, kept for the caller's lookups. */
enum gpadl_status gpadl_begin(struct physmem *mem, uint32_t handle,
			      uint16_t rangecount, uint16_t range_buflen,
			      const void *ranges, size_t len,
			      struct gpadl **out);
/* Append a GPADL_BODY: `pfns` is the message from offset
 * GPADL_BODY_PFNS_OFF, `len` bytes (multiple of 8). On error the GPADL
 * stays as it was before this call (the caller should destroy it and
 * answer GPADL_CREATED with a failure status). */
enum gpadl_status gpadl_add_body(struct gpadl *g, const void *pfns,
				 size_t len);
bool gpadl_is_complete(const struct gpadl *g);

/* Parse a complete range stream at once (GPA-direct packets): exactly
 * `len` bytes of `rangecount` ranges; trailing bytes are GPADL_ERR_EXTRA,
 * missing ones GPADL_ERR_LENGTH. */
enum gpadl_status gpadl_from_ranges(struct physmem *mem, uint32_t rangecount,
				    const void *ranges, size_t len,
				    struct gpadl **out);

/* The same parse into a GPADL kept across calls (a VSP's per-request
 * page lists): *g is allocated on first use (NULL before) and its arrays
 * are reused, so a request costs no allocation once they are large
 * enough. Same checks and statuses as gpadl_from_ranges; on error *g
 * stays allocated but counts as incomplete (copies and maps refused).
 * Free it with gpadl_destroy. */
enum gpadl_status gpadl_reparse_ranges(struct gpadl **g, struct physmem *mem,
				       uint32_t rangecount, const void *ranges,
				       size_t len);

void gpadl_destroy(struct gpadl *g); /* NULL is fine */

uint32_t gpadl_handle(const struct gpadl *g);
uint32_t gpadl_range_count(const struct gpadl *g);
uint32_t gpadl_page_count(const struct gpadl *g); /* PFNs (all ranges) */
/* Bytes in the linear space (sum of byte_count); 0 until complete. */
uint64_t gpadl_size(const struct gpadl *g);
/* PFN number i (0 <= i < page_count) in arrival order, for tests/traces. */
uint64_t gpadl_pfn(const struct gpadl *g, uint32_t i);

/* The guest-physical address of linear byte `off` (< gpadl_size): 0 and
 * *gpa, or -1 (incomplete, out of range). For watching a ring's header
 * page (vmbus/instrument.c). */
int gpadl_gpa(const struct gpadl *g, uint64_t off, uint64_t *gpa);
/* Copy `len` bytes between the host buffer and the GPADL's linear bytes
 * [off, off+len), page by page through the PFN list. Refused as a whole
 * (nothing copied) if the range is outside the GPADL or the GPADL is
 * incomplete; GPADL_ERR_PFN_OUTSIDE_RAM if a page is no longer RAM
 * (possibly after a partial copy). */
enum gpadl_status gpadl_copy_from(const struct gpadl *g, uint64_t off,
				  void *dst, size_t len);
enum gpadl_status gpadl_copy_to(const struct gpadl *g, uint64_t off,
				const void *src, size_t len);

/* Host access to the GPADL's linear bytes [off, off+len) without a copy
 * (direct disk I/O into a child's pages): one segment per page piece, in
 * order — the child's RAM at `gpa`, reachable at `host` for len bytes.
 * Checked as the copies are (every piece inside the child's RAM; refused
 * as a whole if the span is outside the GPADL or it is incomplete);
 * GPADL_ERR_TOO_BIG if more than `max` pieces. *n = segments filled.
 * A caller that writes through `host` must call physmem_note_write for
 * each segment it changed (code tracking, write watches). At most
 * len / 4096 + 2 * range_count + 1 pieces. */
/* The child's memory the GPADL's pages are in. */
struct physmem *gpadl_mem(const struct gpadl *g);
/* A host pointer to the linear bytes [off, off+len) when they lie in one
 * range on guest-physically consecutive pages (in the child's RAM),
 * *gpa = the GPA of byte off; else NULL (then use the copies). The
 * pointer stays valid as long as the GPADL (a ring's header and data
 * area, vmbus/ring.c). Writers must call physmem_note_write. */
uint8_t *gpadl_contig(const struct gpadl *g, uint64_t off, uint64_t len,
		      uint64_t *gpa);

struct gpadl_seg {
	uint64_t gpa;
	uint8_t *host;
	size_t len;
};
enum gpadl_status gpadl_map(const struct gpadl *g, uint64_t off, uint64_t len,
			    struct gpadl_seg *seg, unsigned max, unsigned *n);

#endif /* HVSIM_VMBUS_GPADL_H_ */
