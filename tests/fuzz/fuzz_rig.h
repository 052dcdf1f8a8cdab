/*
 * tests/fuzz/fuzz_rig.h — the machine the VMBus fuzzers run on: a real
 * hypervisor (no parent partition, so parent work runs at once) with
 * child partitions whose SynIC is enabled as a guest's WRMSRs would, each
 * with its own VMBus server offering an echo VSP and a storage VSP (on a
 * small disk image in a memfd), and the guest's side of the protocol
 * done by hand: posting messages, reading the SIMP slot and EOM, writing
 * packets into its guest→host ring and draining its host→guest ring.
 *
 * Guest layout (every child): RAM FUZZ_RAM_PAGES pages; SIMP of vCPU v at
 * page 1 + 2v, SIEFP at page 2 + 2v; the rest is the guest's to use.
 * Rings are named by (first page, pages per ring): the guest→host ring
 * at `page`, the host→guest ring right after it, each one header page
 * plus data pages (vmbus.md §5.1).
 */
#ifndef HVSIM_TESTS_FUZZ_RIG_H_
#define HVSIM_TESTS_FUZZ_RIG_H_

#include <stdbool.h>
#include <stdint.h>

#include "vmbus/chanmsg.h"

struct evq;
struct hv;
struct hv_part;
struct vmbus_server;
struct vsp_echo;
struct storvsp_dev;
struct scsi_lun;
struct disk;
struct trace;

#define FUZZ_RAM_PAGES	64u /* 256 KiB: random PFNs often land inside */
#define FUZZ_VCPUS	2u
#define FUZZ_DISK_BYTES (64u * 1024)

struct fuzz_child {
	struct fuzz_rig *rig;
	struct hv_part *p;
	struct vmbus_server *s;
	struct vsp_echo *echo;	  /* relid 1 */
	struct storvsp_dev *stor; /* relid 2, if the child has a disk */
	struct scsi_lun *lun;
	struct disk *disk;
};

struct fuzz_rig {
	struct evq *q;
	struct hv *hv;
	struct hv_part *parent; /* a service partition, or NULL */
	struct trace *trace;	/* every server and VSP records here
				   (/dev/null: only the counts matter) */
	struct fuzz_child c[2];
	unsigned nchildren;
};

/* A disk image for the storage VSP: a memfd (no fsync cost, nothing left
 * on disk), zeroed at every call so each input starts from the same
 * bytes. Returns its path (/proc/self/fd/N), created once per process. */
const char *fuzz_disk_path(void);

/* The machine: two children (FUZZ_VCPUS each); with `parent`, a service
 * parent partition (1 vCPU, 2 pCPUs) runs the servers' work in its
 * slices, so time matters (fuzz_run); without, parent work runs at once.
 * Built once per process and kept (creating vCPUs costs ~10 ms, which
 * would dominate every input); fuzz_rig_begin gives each input children
 * as good as new. Aborts if the machine cannot be built. */
struct fuzz_rig *fuzz_rig_get(bool parent);
/* Start an input: every child reset (hv_part_reset: RAM zeroed, SynIC,
 * MSRs and connections forgotten), its SynIC enabled, a new VMBus server
 * with the echo VSP (relid 1) and, for child 0 when `storage`, the
 * storage VSP (relid 2) on a zeroed disk. */
void fuzz_rig_begin(struct fuzz_rig *r, bool storage);
/* End an input: let queued parent work finish (parent mode: 100 ms of
 * simulated time), then destroy the servers and VSPs. */
void fuzz_rig_end(struct fuzz_rig *r);

/* Let simulated time pass (with a parent partition; else nothing to
 * do): run the event queue for `cycles`. */
void fuzz_run(struct fuzz_rig *r, uint64_t cycles);
/* The event queue's clock (0 without a parent). */
uint64_t fuzz_now(struct fuzz_rig *r);

/* Child reset as the VM Worker does it: hv_part_reset (RAM zeroed,
 * connections forgotten), SynIC enabled again, vmbus_server_reset. */
void fuzz_child_reset(struct fuzz_child *c);

/* ---- the guest's side --------------------------------------------------- */

void guest_enable_synic(struct fuzz_child *c, unsigned vp);
/* HvPostMessage from vCPU vp on connection conn: the hypercall status. */
unsigned guest_post(struct fuzz_child *c, unsigned vp, uint32_t conn,
		    const void *b, unsigned len);
/* Encode and post m on conn from vCPU 0 (the status). */
unsigned guest_post_msg(struct fuzz_child *c, uint32_t conn,
			const struct chanmsg *m);
/* The message in vCPU vp's SINT 2 slot, if any: clear it and EOM.
 * Returns its payload size (0: slot empty); *m decoded when possible
 * (m->type = CHANMSG_INVALID if it does not decode). */
unsigned guest_take(struct fuzz_child *c, unsigned vp, struct chanmsg *m);
/* HvSignalEvent on the channel's connection (0x2000 | relid). */
unsigned guest_signal(struct fuzz_child *c, unsigned vp, uint32_t relid);
/* Write RAM at gpa (clipped to RAM by physmem: out-of-RAM bytes are
 * simply not written, as a guest cannot write there either). */
void guest_write(struct fuzz_child *c, uint64_t gpa, const void *b,
		 uint32_t len);
uint32_t guest_rd32(struct fuzz_child *c, uint64_t gpa);
void guest_wr32(struct fuzz_child *c, uint64_t gpa, uint32_t v);
/* Write one packet {type, offset8, len8, flags, trans_id} + `len` bytes
 * after the 16-byte descriptor + trailer into the guest→host ring at
 * `page` (npages per ring) at the write index found in its header, then
 * publish the new write index. offset8 (< 2 means 2) says where the
 * payload starts: a GPA-direct packet's range list sits in the bytes
 * before it (vmbus.md §5.3). The guest does not check for room: a fuzzer
 * may overrun its own ring. */
void guest_ring_send(struct fuzz_child *c, uint32_t page, uint32_t npages,
		     uint16_t type, uint16_t flags, uint16_t offset8,
		     uint64_t trans_id, const void *payload, uint32_t len);
/* The guest reads the next packet of the host→guest ring at page +
 * npages (npages per ring): its type, trans_id, payload (up to cap
 * bytes). Returns the payload length, -1 if empty or malformed. */
int guest_ring_recv(struct fuzz_child *c, uint32_t page, uint32_t npages,
		    uint16_t *type, uint64_t *trans_id, void *buf,
		    uint32_t cap);
/* Mark everything in the host→guest ring consumed (read = write). */
void guest_ring_drain(struct fuzz_child *c, uint32_t page, uint32_t npages);
/* Zero both rings' pages and set feature_bits = 1, as Linux does before
 * OPENCHANNEL. */
void guest_ring_init(struct fuzz_child *c, uint32_t page, uint32_t npages);

/* A well-behaved guest, start to finish (time passes between its steps
 * when there is a parent): connect at 5.3 on connection 4, take the offers, a single-range GPADL `handle` over 2*npages pages at
 * `page` on `relid`, open it. Returns 0 or -1 (with no abort: a fuzzer
 * decides what a failure means). */
int guest_open_channel(struct fuzz_child *c, uint32_t relid, uint32_t handle,
		       uint32_t page, uint32_t npages);

#endif
