/*
 * examples/runtime/vmbus_ring.c — the guest's side of a VMBus ring buffer
 * (vmbus_ring.h says what; ../shared/reference/vmbus.md §5.2–§5.5 are the
 * rules). Called by vmbus.c for each channel's two rings.
 *
 * The data area is a byte stream that wraps at `size`; a packet may
 * straddle the end. Index words are read once into locals and checked
 * (multiple of 8, below size) before any use, so a host that scribbles
 * on the header makes an operation fail, never reach outside the ring.
 */
#include "vmbus_ring.h"

#include "string.h"

static inline void full_barrier(void)
{
	asm volatile("mfence" : : : "memory");
}

/* What the runtime's memcpy does (one REP MOVSB, string.c), inline: a
 * call would cost more guest instructions than the copy of a packet. */
static inline void copy_bytes(void *dst, const void *src, uint32_t n)
{
	size_t count = n;

	asm volatile("rep movsb"
		     : "+D"(dst), "+S"(src), "+c"(count)
		     :
		     : "memory");
}

static int index_ok(const struct vmbus_ring *r, uint32_t idx)
{
	return idx < r->size && (idx & 7) == 0;
}

/* x mod size for x < 2 * size (an index plus at most a ring's worth: the
 * callers check that first), without a division. */
static uint32_t wrap(const struct vmbus_ring *r, uint32_t x)
{
	return x >= r->size ? x - r->size : x;
}

static uint32_t used_bytes(const struct vmbus_ring *r, uint32_t w, uint32_t rd)
{
	return w >= rd ? w - rd : r->size - rd + w;
}

/* Copies n bytes into the ring at off, wrapping; returns the offset
 * after them. n <= size, checked by the callers. */
static uint32_t copy_in(struct vmbus_ring *r, uint32_t off, const void *src,
			uint32_t n)
{
	uint8_t *data = (uint8_t *)r->data;
	uint32_t first = r->size - off < n ? r->size - off : n;

	copy_bytes(data + off, src, first);
	if (n > first) /* wrapped: the rest at the start */
		copy_bytes(data, (const uint8_t *)src + first, n - first);
	off += n;
	return off >= r->size ? off - r->size : off;
}

/* One 8-byte word at off (a multiple of 8, like the size: a word never
 * straddles the end) and the offset after it. Descriptors and trailers
 * go word by word: cheaper than a copy of 8 or 16 bytes. */
static uint32_t put64(struct vmbus_ring *r, uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)(r->data + off) = v;
	return wrap(r, off + 8);
}

static uint64_t get64(const struct vmbus_ring *r, uint32_t off)
{
	return *(const volatile uint64_t *)(r->data + off);
}

static void copy_out(const struct vmbus_ring *r, uint32_t off, void *dst,
		     uint32_t n)
{
	const uint8_t *data = (const uint8_t *)r->data;
	uint32_t first = r->size - off < n ? r->size - off : n;

	copy_bytes(dst, data + off, first);
	if (n > first)
		copy_bytes((uint8_t *)dst + first, data, n - first);
}

void vmbus_ring_init(struct vmbus_ring *r, void *base, uint32_t pages)
{
	memset(r, 0, sizeof(*r));
	r->hdr = (volatile struct vmbus_ring_hdr *)base;
	r->data = (volatile uint8_t *)base + 4096;
	r->size = pages > 1 ? (pages - 1) * 4096 : 0;
	memset(base, 0, 4096);
	r->hdr->feature_bits = VMBUS_RING_FEAT_PENDING_SEND_SZ;
}

uint32_t vmbus_ring_used(const struct vmbus_ring *r)
{
	uint32_t w = r->hdr->write_index, rd = r->hdr->read_index;

	if (!index_ok(r, w) || !index_ok(r, rd))
		return 0;
	return used_bytes(r, w, rd);
}

enum vmbus_ring_status vmbus_ring_write(struct vmbus_ring *r, uint16_t type,
					uint16_t flags, uint64_t trans_id,
					const void *payload, uint32_t len,
					int *signal)
{
	return vmbus_ring_write_hdr(r, type, flags, trans_id, 0, 0, payload,
				    len, signal);
}

/* The writer's first step: room for `total` bytes (packet + trailer)?
 * *w gets the write index to put the packet at. */
static inline enum vmbus_ring_status reserve(struct vmbus_ring *r, uint32_t total,
				      uint32_t *w)
{
	uint32_t rd = r->hdr->read_index;

	*w = r->hdr->write_index;
	if (!index_ok(r, *w) || !index_ok(r, rd))
		return VMBUS_RING_CORRUPT;
	/* The ring never fills completely (vmbus.md §5.3: free space must
	 * stay strictly greater than packet + trailer). */
	if (r->size - used_bytes(r, *w, rd) <= total) {
		r->full++;
		return VMBUS_RING_FULL;
	}
	if (*w + total > r->size)
		r->wraps++;
	return VMBUS_RING_OK;
}

/* The writer's last step: publishes the packet written at w whose
 * trailer ends at `end`, and says whether the host must be signalled. */
static void publish(struct vmbus_ring *r, uint32_t w, uint32_t end,
		    int *signal)
{
	/* The packet must be visible before the index that publishes it,
	 * and the index before we look at the reader's state. */
	full_barrier();
	r->hdr->write_index = end;
	full_barrier();
	if (r->hdr->interrupt_mask == 0 && w == r->hdr->read_index) {
		*signal = 1;
		r->signals++;
	}
}

enum vmbus_ring_status vmbus_ring_write_hdr(struct vmbus_ring *r, uint16_t type,
					    uint16_t flags, uint64_t trans_id,
					    const void *hdr, uint32_t hdr_len,
					    const void *payload, uint32_t len,
					    int *signal)
{
	static const uint8_t zeros[8];
	uint32_t w, start, aligned, total, off;
	enum vmbus_ring_status st;

	*signal = 0;
	/* len8 and offset8 are 16 bits. */
	if ((hdr_len & 7) || hdr_len > r->size || len > r->size ||
	    16 + hdr_len + len > 0xFFFF * 8)
		return VMBUS_RING_TOO_BIG;
	start = 16 + hdr_len;
	aligned = (start + len + 7) & ~7u;
	total = aligned + VMBUS_PKT_TRAILER;
	if (total >= r->size)
		return VMBUS_RING_TOO_BIG;
	st = reserve(r, total, &w);
	if (st != VMBUS_RING_OK)
		return st;
	off = put64(r, w,
		    vmbus_desc_word0(type, (uint16_t)(start / 8),
				     (uint16_t)(aligned / 8), flags));
	off = put64(r, off, trans_id);
	if (hdr_len)
		off = copy_in(r, off, hdr, hdr_len);
	off = copy_in(r, off, payload, len);
	if (aligned - start - len)
		off = copy_in(r, off, zeros, aligned - start - len);
	off = put64(r, off, (uint64_t)w << 32); /* the trailer */
	publish(r, w, off, signal);
	return VMBUS_RING_OK;
}

enum vmbus_ring_status vmbus_ring_write_pkt(struct vmbus_ring *r,
					    const void *pkt, uint32_t len,
					    int *signal)
{
	uint32_t w, off;
	enum vmbus_ring_status st;

	*signal = 0;
	if ((len & 7) || len < 16 || len + VMBUS_PKT_TRAILER >= r->size)
		return VMBUS_RING_TOO_BIG;
	st = reserve(r, len + VMBUS_PKT_TRAILER, &w);
	if (st != VMBUS_RING_OK)
		return st;
	off = copy_in(r, w, pkt, len);
	off = put64(r, off, (uint64_t)w << 32); /* the trailer */
	publish(r, w, off, signal);
	return VMBUS_RING_OK;
}

/* Checks the descriptor at rd against what is in the ring. */
static enum vmbus_ring_status check_desc(const struct vmbus_ring *r,
					 const struct vmbus_pkt_desc *d,
					 uint32_t rd, uint32_t used)
{
	uint32_t plen = (uint32_t)d->len8 * 8, off = (uint32_t)d->offset8 * 8;
	uint64_t trailer;

	if (plen < 16 || off < 16 || off > plen ||
	    plen + VMBUS_PKT_TRAILER > used)
		return VMBUS_RING_CORRUPT;
	trailer = get64(r, wrap(r, rd + plen));
	if ((uint32_t)(trailer >> 32) != rd)
		return VMBUS_RING_CORRUPT;
	return VMBUS_RING_OK;
}

enum vmbus_ring_status vmbus_ring_read(struct vmbus_ring *r,
				       struct vmbus_pkt *pkt, void *buf,
				       uint32_t cap, int *signal)
{
	uint32_t w, rd, used, plen, off, n, pss, free_before, free_after;
	enum vmbus_ring_status st;

	*signal = 0;
	rd = r->hdr->read_index;
	w = r->hdr->write_index;
	if (!index_ok(r, w) || !index_ok(r, rd))
		return VMBUS_RING_CORRUPT;
	if (rd == w)
		return VMBUS_RING_EMPTY;
	/* The index was read before the data it publishes. */
	full_barrier();
	used = used_bytes(r, w, rd);
	if (used < sizeof(pkt->desc) + VMBUS_PKT_TRAILER)
		return VMBUS_RING_CORRUPT;
	{
		uint64_t w0 = get64(r, rd);

		pkt->desc.type = (uint16_t)w0;
		pkt->desc.offset8 = (uint16_t)(w0 >> 16);
		pkt->desc.len8 = (uint16_t)(w0 >> 32);
		pkt->desc.flags = (uint16_t)(w0 >> 48);
		pkt->desc.trans_id = get64(r, wrap(r, rd + 8));
	}
	st = check_desc(r, &pkt->desc, rd, used);
	if (st != VMBUS_RING_OK)
		return st;
	plen = (uint32_t)pkt->desc.len8 * 8;
	off = (uint32_t)pkt->desc.offset8 * 8;
	n = plen - off;
	if (n > cap)
		return VMBUS_RING_TOO_BIG;
	copy_out(r, wrap(r, rd + off), buf, n);
	pkt->len = n;
	if (rd + plen + VMBUS_PKT_TRAILER > r->size)
		r->wraps++;
	free_before = r->size - used;
	free_after = free_before + plen + VMBUS_PKT_TRAILER;
	r->unread = used - plen - VMBUS_PKT_TRAILER;
	/* Done with the data before the space is given back. */
	full_barrier();
	r->hdr->read_index = wrap(r, rd + plen + VMBUS_PKT_TRAILER);
	full_barrier();
	/* A host writer waiting for space gets one signal, when this read
	 * made the free space cross what it asked for (vmbus.md §5.5). */
	pss = r->hdr->pending_send_sz;
	if (pss && free_before <= pss && free_after > pss &&
	    (r->hdr->feature_bits & VMBUS_RING_FEAT_PENDING_SEND_SZ)) {
		*signal = 1;
		r->signals++;
	}
	return VMBUS_RING_OK;
}

const char *vmbus_ring_status_name(enum vmbus_ring_status st)
{
	static const char *const names[] = {
	    [VMBUS_RING_OK] = "ok",	      [VMBUS_RING_EMPTY] = "empty",
	    [VMBUS_RING_FULL] = "full",	      [VMBUS_RING_CORRUPT] = "corrupt",
	    [VMBUS_RING_TOO_BIG] = "too big",
	};

	if ((unsigned)st < sizeof(names) / sizeof(names[0]))
		return names[st];
	return "?";
}
