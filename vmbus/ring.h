/*
 * vmbus/ring.h — VMBus ring buffers, host side (vmbus.md §5): the parent
 * reads the child's guest→host ("outbound") ring and writes the
 * host→guest ("inbound") ring. Both live in one GPADL (§5.1): the
 * guest→host ring at page 0, the host→guest ring at
 * downstream_ringbuffer_pageoffset; each is one header page (§5.2) plus
 * data pages used as a circular byte buffer. Accesses go through the
 * GPADL's page list (gpadl_copy_*), so the data pages may be scattered;
 * when the header page, or the whole data area, is on consecutive guest
 * pages (Linux allocates rings so) ring_open keeps a host pointer to it
 * and accesses are plain memory copies (the same bytes, the same
 * physmem_note_write calls).
 *
 * The guest can change any header or data byte at any moment: each call
 * reads the guest-owned index once, validates it (multiple of 8, < data
 * size) and every packet descriptor (§5.3: type in {6, 7, 9, 0xB}, flags
 * only bit 0, 16 <= offset8*8 <= len8*8, len8*8 + 8 <= used bytes). The
 * host keeps its own copy of the index it owns. The first corruption found
 * returns its specific status and makes the ring dead: later calls return
 * RING_ERR_DEAD, so the caller traces it once and closes the channel.
 *
 * Signalling (§5.5): ring_write says whether to signal the guest (ring was
 * empty before the write and the guest's interrupt_mask is clear);
 * ring_consume says whether to signal the guest writer (feature bit set,
 * pending_send_sz != 0, free space crossed it: old <= pss < new).
 *
 * Users: vmbus/server.c (open/close), VSPs through the server. Pure: no
 * hv/ dependency, no time; costs are charged by the caller.
 */
#ifndef HVSIM_VMBUS_RING_H_
#define HVSIM_VMBUS_RING_H_

#include <stdbool.h>
#include <stdint.h>

#include "vmbus/gpadl.h"

/* Header page layout (§5.2), byte offsets. */
#define RING_HDR_WRITE_INDEX 0u
#define RING_HDR_READ_INDEX 4u
#define RING_HDR_INTERRUPT_MASK 8u
#define RING_HDR_PENDING_SEND_SZ 12u
#define RING_HDR_FEATURE_BITS 64u
#define RING_FEAT_PENDING_SEND_SZ 0x1u
#define RING_HDR_SIZE 4096u

/* Packets (§5.3). */
#define RING_DESC_SIZE 16u    /* vmpacket_descriptor */
#define RING_TRAILER_SIZE 8u  /* previous-indices word: start << 32 */
#define RING_PKT_INBAND 0x6u
#define RING_PKT_XFER_PAGES 0x7u
#define RING_PKT_GPA_DIRECT 0x9u
#define RING_PKT_COMP 0xBu
#define RING_FLAG_COMPLETION_REQUESTED 0x1u

enum ring_status {
	RING_OK = 0,
	RING_EMPTY,	      /* reader: nothing to read */
	RING_FULL,	      /* writer: not enough space now; retry after
				 the guest frees space (pending_send_sz set) */
	RING_ERR_TOO_BIG,     /* packet can never fit (ring or max_pkt) */
	RING_ERR_ARG,	      /* host caller error (bad type/length/buffer) */
	RING_ERR_GEOMETRY,    /* ring_open: pages / GPADL size unusable */
	RING_ERR_BAD_INDEX,   /* guest index unaligned or >= data size */
	RING_ERR_BAD_DESC,    /* type, flags or offset8 invalid */
	RING_ERR_BAD_LEN,     /* len8 too small or larger than used bytes */
	RING_ERR_MEM,	      /* a GPADL page vanished from the child's RAM */
	RING_ERR_DEAD,	      /* corruption reported earlier */
	RING_NR_STATUS
};

const char *ring_status_name(enum ring_status st);

/* One direction. Fields are private to ring.c (public only so the server
 * can embed it). */
struct ring {
	const struct gpadl *g;
	uint64_t hdr_off;     /* linear GPADL offset of the header page */
	uint32_t data_size;   /* bytes in the data area, multiple of 4096 */
	uint32_t priv_index;  /* the index the host owns (read or write) */
	uint32_t max_pkt;     /* writer: largest packet incl. trailer, 0 = any */
	bool is_writer;	      /* host writes this ring (host→guest) */
	bool pending_set;     /* writer: we set pending_send_sz */
	enum ring_status dead; /* RING_OK while healthy */
	/* Shortcuts (gpadl_contig), NULL when the pages are scattered:
	 * the header page and the data area in host memory, their GPAs. */
	struct physmem *mem;
	uint8_t *hdr_host, *data_host;
	uint64_t hdr_gpa, data_gpa;
};

/* A validated packet seen by the reader. */
struct ring_pkt {
	uint16_t type, flags;
	uint64_t trans_id;
	uint32_t start;	      /* data-area offset of the descriptor */
	uint32_t offset;      /* payload offset from start, bytes (offset8*8) */
	uint32_t len;	      /* packet length without trailer (len8*8) */
};

/* Set up both rings of a channel over a complete GPADL: `down_page` is
 * OPENCHANNEL's downstream_ringbuffer_pageoffset. Each ring needs >= 2
 * pages (header + data). Reads the current indices (Linux zeroes them)
 * and validates them; leaves headers as the guest set them. */
enum ring_status ring_open_pair(const struct gpadl *g, uint32_t down_page,
				struct ring *from_guest, struct ring *to_guest);
/* One ring of `npages` pages starting at page `first_page` of g. */
enum ring_status ring_open(struct ring *r, const struct gpadl *g,
			   uint32_t first_page, uint32_t npages,
			   bool host_writes);

/* ---- reader (guest→host ring) ------------------------------------- */

/* Look at the next packet without consuming it: RING_OK and *pkt, or
 * RING_EMPTY, or an error (ring now dead). */
enum ring_status ring_peek(struct ring *r, struct ring_pkt *pkt);
/* Copy bytes [off, off+len) of packet pkt (offset 0 = descriptor) into
 * dst; refused if off+len > pkt->len. */
enum ring_status ring_copy_pkt(struct ring *r, const struct ring_pkt *pkt,
			       uint32_t off, void *dst, uint32_t len);
/* Consume pkt (the one ring_peek returned): publish read_index past its
 * trailer. *signal = true if the guest writer must be signalled now
 * (pending_send_sz rule). */
enum ring_status ring_consume(struct ring *r, const struct ring_pkt *pkt,
			      bool *signal);
/* Peek + copy the whole packet (descriptor included) into buf of `size`
 * bytes (RING_ERR_TOO_BIG if it does not fit; nothing consumed) +
 * consume. The packet's payload is buf + pkt->offset. */
enum ring_status ring_read(struct ring *r, void *buf, uint32_t size,
			   struct ring_pkt *pkt, bool *signal);
/* The host's interrupt_mask in the guest→host ring (1 = "I am draining,
 * do not signal me"). */
enum ring_status ring_set_interrupt_mask(struct ring *r, bool masked);

/* ---- writer (host→guest ring) ------------------------------------- */

/* Largest packet the guest reader accepts, descriptor + payload, without
 * trailer (Linux max_pkt_size: 80 for storvsc, 4096 default; §5.6). */
void ring_set_max_pkt(struct ring *r, uint32_t bytes);
/* Write one packet: descriptor {type, offset8 = (16 + hdr_len)/8,
 * len8, flags, trans_id}, hdr (type-specific header, hdr_len multiple of
 * 8, may be 0), payload, zero padding to 8, trailer. RING_FULL if the
 * free space is not strictly greater than the packet + trailer (then
 * pending_send_sz is set so the guest signals when it frees space; it is
 * cleared by the next successful write). *signal: the guest must be
 * signalled (§5.5). */
enum ring_status ring_write(struct ring *r, uint16_t type, uint16_t flags,
			    uint64_t trans_id, const void *hdr,
			    uint32_t hdr_len, const void *payload,
			    uint32_t payload_len, bool *signal);

/* Bytes used in the ring as the host sees them now (0 on error). */
uint32_t ring_used(struct ring *r);

/* Debug hook for tests (STYLE §5): the host-owned state is consistent
 * (index aligned and inside the data area, ring inside its GPADL). */
bool ring_check_invariants(const struct ring *r);

/* ---- GPA-direct packets (§5.3, type 9) ----------------------------- */

/* Parse the page list of a GPA-direct packet copied whole into pkt_buf
 * (pkt_len = pkt->len bytes): reserved u32, range_cnt u32 at offset 16,
 * ranges up to offset8*8. Every PFN must be in the child's RAM. */
enum gpadl_status ring_parse_gpa_direct(struct physmem *mem,
					const void *pkt_buf, uint32_t pkt_len,
					struct gpadl **out);

#endif /* HVSIM_VMBUS_RING_H_ */
