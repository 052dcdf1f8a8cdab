/*
 * examples/runtime/vmbus_ring.h — one VMBus ring buffer seen from the
 * guest: the guest writes its outbound (guest→host) ring and reads its
 * inbound (host→guest) ring. Layout and rules from
 * ../shared/reference/vmbus.md §5 (checked against Linux 6.1 in
 * vmbus-linux61.md §2.3).
 *
 * Pure memory operations, no hypercalls: vmbus_ring_write and
 * vmbus_ring_read say whether the other side must be signalled, and the
 * caller (vmbus.c) signals. A ring's header and data area live in guest
 * RAM that the host shares through a GPADL, so every index read from the
 * header is checked before it is used (the host is not trusted either).
 */
#ifndef HVRT_VMBUS_RING_H_
#define HVRT_VMBUS_RING_H_

#include <stddef.h>
#include <stdint.h>

/* The header page (vmbus.md §5.2); data starts 4096 bytes in. */
struct vmbus_ring_hdr {
	uint32_t write_index;	  /* byte offset; owned by the writer */
	uint32_t read_index;	  /* owned by the reader */
	uint32_t interrupt_mask;  /* 1: the reader does not want signals */
	uint32_t pending_send_sz; /* bytes the writer waits for, or 0 */
	uint32_t reserved1[12];
	uint32_t feature_bits; /* bit 0: pending_send_sz is honoured */
	uint8_t reserved2[4096 - 68];
};
_Static_assert(sizeof(struct vmbus_ring_hdr) == 4096,
	       "the ring header is one page");
#define VMBUS_RING_FEAT_PENDING_SEND_SZ 1u

/*
 * Packet descriptor (vmbus.md §5.3), 16 bytes at the packet's start:
 *   0      2        4      6      8                16
 *   | type | offset8 | len8 | flags | trans_id (u64) |
 * offset8: payload offset from the packet start, in 8-byte units;
 * len8: packet length without the 8-byte trailer, in 8-byte units;
 * flags bit 0: completion requested. The trailer after the packet is a
 * u64 whose high 32 bits are the ring offset where the packet started.
 */
struct vmbus_pkt_desc {
	uint16_t type;
	uint16_t offset8;
	uint16_t len8;
	uint16_t flags;
	uint64_t trans_id;
};
_Static_assert(sizeof(struct vmbus_pkt_desc) == 16, "descriptor is 16 bytes");

/* The descriptor's first word as it sits in the ring (little-endian). */
static inline uint64_t vmbus_desc_word0(uint16_t type, uint16_t offset8,
					uint16_t len8, uint16_t flags)
{
	return (uint64_t)type | (uint64_t)offset8 << 16 |
	       (uint64_t)len8 << 32 | (uint64_t)flags << 48;
}

#define VMBUS_PKT_DATA_INBAND		    0x6
#define VMBUS_PKT_DATA_XFER_PAGES	    0x7
#define VMBUS_PKT_DATA_GPA_DIRECT	    0x9
#define VMBUS_PKT_COMP			    0xB
#define VMBUS_PKT_FLAG_COMPLETION_REQUESTED 1u
#define VMBUS_PKT_TRAILER		    8

/* One ring: its header page and data area (virtually contiguous). */
struct vmbus_ring {
	volatile struct vmbus_ring_hdr *hdr;
	volatile uint8_t *data;
	uint32_t size; /* bytes of data: (ring pages - 1) * 4096 */
	/* The reader's own state, kept here so that it needs no re-read of
	 * the shared header: */
	int masked;	 /* interrupt_mask as vmbus_ring_mask/unmask set it */
	uint32_t unread; /* after a read: bytes it saw behind its packet
			  * (the writer may have added more since) */
	/* Counters for the caller to print. */
	uint32_t wraps;	  /* packets that wrapped past the end */
	uint32_t signals; /* times this side had to signal the other */
	uint32_t full;	  /* writes refused for lack of space */
};

/* What a ring operation found. */
enum vmbus_ring_status {
	VMBUS_RING_OK = 0,
	VMBUS_RING_EMPTY = 1,	/* read: nothing to read */
	VMBUS_RING_FULL = 2,	/* write: free space <= packet + trailer */
	VMBUS_RING_CORRUPT = 3, /* an index or a descriptor is impossible */
	VMBUS_RING_TOO_BIG = 4, /* write: larger than the ring can ever take;
				 * read: larger than the caller's buffer */
};

/* A packet read from the inbound ring. */
struct vmbus_pkt {
	struct vmbus_pkt_desc desc;
	uint32_t len; /* payload bytes copied (len8*8 - offset8*8) */
};

/* Sets r up over `pages` pages at `base` (header page first) and zeroes
 * the header with feature_bits = 1, as Linux does on both rings. */
void vmbus_ring_init(struct vmbus_ring *r, void *base, uint32_t pages);

/* Writes one packet: descriptor (type, offset8 = 2, flags, trans_id),
 * `len` bytes of payload, zero padding to 8, trailer. *signal is set to 1
 * when the host must be signalled (the ring was empty before and the
 * host's interrupt_mask is clear, vmbus.md §5.5), else 0. */
enum vmbus_ring_status vmbus_ring_write(struct vmbus_ring *r, uint16_t type,
					uint16_t flags, uint64_t trans_id,
					const void *payload, uint32_t len,
					int *signal);

/* The same with a type-specific header of hdr_len bytes (a multiple of
 * 8) between the descriptor and the payload: offset8 = (16 + hdr_len)/8
 * (GPA-direct ranges, vmbus.md §5.3). */
enum vmbus_ring_status vmbus_ring_write_hdr(struct vmbus_ring *r, uint16_t type,
					    uint16_t flags, uint64_t trans_id,
					    const void *hdr, uint32_t hdr_len,
					    const void *payload, uint32_t len,
					    int *signal);

/* Writes one packet the caller laid out whole at `pkt`: `len` bytes (a
 * multiple of 8, at least 16) from the descriptor, whose offset8 and len8
 * (= len / 8) it filled in, to the zero padding; only the trailer is
 * added. One copy into the ring (vmbus_send_gpa_direct's path). *signal
 * as for vmbus_ring_write. */
enum vmbus_ring_status vmbus_ring_write_pkt(struct vmbus_ring *r,
					    const void *pkt, uint32_t len,
					    int *signal);

/* Reads one packet into pkt and buf (at most cap payload bytes; a larger
 * packet is left in the ring with VMBUS_RING_TOO_BIG). *signal is set to
 * 1 when the host writer waits for space (pending_send_sz) and this read
 * freed enough of it, else 0. */
enum vmbus_ring_status vmbus_ring_read(struct vmbus_ring *r,
				       struct vmbus_pkt *pkt, void *buf,
				       uint32_t cap, int *signal);

/* Bytes waiting in the ring (0 if its indices are corrupt). */
uint32_t vmbus_ring_used(const struct vmbus_ring *r);

/* Batched reading (vmbus.md §5.5): mask the host's signals while
 * draining; unmask returns 1 if data arrived meanwhile (read again;
 * also when the indices differ but are corrupt, which that read reports).
 * r->masked says which of the two was done last. */
/* Inline: a reader calls them for every batch, and each is two stores
 * and a full barrier (MFENCE). */
static inline void vmbus_ring_mask(struct vmbus_ring *r)
{
	r->masked = 1;
	r->hdr->interrupt_mask = 1;
	__asm__ volatile("mfence" : : : "memory");
}

static inline int vmbus_ring_unmask(struct vmbus_ring *r)
{
	r->masked = 0;
	r->hdr->interrupt_mask = 0;
	/* A packet written while we were masked raised no signal: look
	 * again after the unmask is visible. Indices that differ but are
	 * impossible count as data too: the read that follows reports them. */
	__asm__ volatile("mfence" : : : "memory");
	return r->hdr->write_index != r->hdr->read_index;
}

const char *vmbus_ring_status_name(enum vmbus_ring_status st);

#endif
