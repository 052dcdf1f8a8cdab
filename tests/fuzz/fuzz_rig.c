/*
 * tests/fuzz/fuzz_rig.c — the fuzzers' machine and the guest's side of
 * VMBus (tests/fuzz/fuzz_rig.h). Built into every fuzz target.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/disk.h"
#include "hv/hv.h"
#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/hvmsr.h"
#include "hv/port.h"
#include "mmu/mmu.h"
#include "sim/evq.h"
#include "traces/trace.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_rig.h"
#include "vmbus/scsi.h"
#include "vmbus/server.h"
#include "vmbus/storvsp.h"
#include "vmbus/vsp.h"

#define PAGE 4096u

static uint64_t simp_gpa(unsigned vp) { return (1u + 2u * vp) * PAGE; }
static uint64_t siefp_gpa(unsigned vp) { return (2u + 2u * vp) * PAGE; }

/* ---- the disk image ------------------------------------------------------ */

/* One memfd per process (a fuzzer runs one input at a time): the only
 * file-scope state, because the image must outlive each input's machine
 * and creating a file per input would dominate the run time. */
static int disk_fd = -1;
static char disk_path[64];

const char *fuzz_disk_path(void)
{
	if (disk_fd < 0) {
		disk_fd = memfd_create("hvsim-fuzz-disk", 0);
		FUZZ_CHECK(disk_fd >= 0, "memfd_create");
		snprintf(disk_path, sizeof(disk_path), "/proc/self/fd/%d",
			 disk_fd);
	}
	/* Same bytes at the start of every input: all zero. */
	FUZZ_CHECK(ftruncate(disk_fd, 0) == 0, "ftruncate");
	FUZZ_CHECK(ftruncate(disk_fd, FUZZ_DISK_BYTES) == 0, "ftruncate");
	return disk_path;
}

/* ---- machine -------------------------------------------------------------- */

static void wrmsr(struct fuzz_child *c, unsigned vp, uint32_t msr, uint64_t v)
{
	FUZZ_CHECK(hv_msr_write(&c->p->vp[vp], msr, v) == 0, "msr %#x", msr);
}

void guest_enable_synic(struct fuzz_child *c, unsigned vp)
{
	wrmsr(c, vp, HV_MSR_SIMP, simp_gpa(vp) | HV_MSR_ENABLE);
	wrmsr(c, vp, HV_MSR_SIEFP, siefp_gpa(vp) | HV_MSR_ENABLE);
	wrmsr(c, vp, HV_MSR_SINT0 + VMBUS_MESSAGE_SINT, 0xF3);
	wrmsr(c, vp, HV_MSR_SCONTROL, 1);
}

/* A new server and VSPs for a child that was just reset. */
static void child_begin(struct fuzz_rig *r, struct fuzz_child *c,
			bool storage)
{
	struct vmbus_server_config sc = {
	    .hv = r->hv, .child = c->p, .trace = r->trace};
	static const uint8_t inst[16] = {0x5c, 0x51, 0xd1, 0x5c};

	FUZZ_CHECK(hv_part_reset(c->p) == 0, "hv_part_reset");
	for (unsigned vp = 0; vp < FUZZ_VCPUS; vp++)
		guest_enable_synic(c, vp);
	c->s = vmbus_server_create(&sc);
	FUZZ_CHECK(c->s, "vmbus_server_create");
	c->echo = vsp_echo_create();
	FUZZ_CHECK(c->echo, "vsp_echo_create");
	FUZZ_CHECK(vmbus_server_add_vsp(c->s, vsp_echo_desc(c->echo), 0) == 1,
		   "echo relid");
	if (!storage)
		return;
	struct disk_config dc = {.path = fuzz_disk_path(), .latency = 20000};
	char err[128];
	c->disk = disk_open(&dc, err, sizeof(err));
	FUZZ_CHECK(c->disk, "disk_open: %s", err);
	c->lun = scsi_lun_create(c->disk, NULL);
	FUZZ_CHECK(c->lun, "scsi_lun_create");
	struct storvsp_config stc = {
	    .lun = c->lun,
	    .trace = r->trace,
	    .trace_part = (uint16_t)hv_part_id(c->p)};
	c->stor = storvsp_dev_create(&stc, inst);
	FUZZ_CHECK(c->stor, "storvsp_dev_create");
	FUZZ_CHECK(vmbus_server_add_vsp(c->s, storvsp_dev_desc(c->stor), 0) ==
		       2,
		   "storage relid");
}

static void child_end(struct fuzz_child *c)
{
	vmbus_server_destroy(c->s); /* closes the channels: on_close */
	vsp_echo_destroy(c->echo);
	storvsp_dev_destroy(c->stor);
	scsi_lun_destroy(c->lun);
	if (c->disk)
		disk_close(c->disk);
	c->s = NULL, c->echo = NULL, c->stor = NULL, c->lun = NULL;
	c->disk = NULL;
}

static void rig_build(struct fuzz_rig *r, bool parent)
{
	static const char *const names[2] = {"fuzzed", "bystander"};
	struct hv_config hc = {.pcpus = parent ? 2 : 1, .quantum = 100000};
	struct hv_part_config pc = {.name = "parent",
				    .parent = true,
				    .vcpus = 1,
				    .mem_bytes = 16 * PAGE,
				    .weight = 100,
				    .cap_pct = 100,
				    .service = true};

	static const char *const parts[3] = {"parent", "fuzzed", "bystander"};
	struct trace_info ti = {.freq_hz = 2500000000ull,
				.nr_parts = 3,
				.part_names = parts};
	char err[128];

	memset(r, 0, sizeof(*r));
	r->trace = trace_open("/dev/null", &ti, err, sizeof(err));
	FUZZ_CHECK(r->trace, "trace_open: %s", err);
	r->q = evq_create();
	FUZZ_CHECK(r->q, "evq_create");
	r->hv = hv_create(&hc, r->q);
	FUZZ_CHECK(r->hv, "hv_create");
	if (parent) {
		r->parent = hv_part_create(r->hv, &pc, NULL, NULL);
		FUZZ_CHECK(r->parent, "parent");
		hv_part_set_runnable(r->parent, true);
		FUZZ_CHECK(hv_start(r->hv) == 0, "hv_start");
	}
	r->nchildren = 2;
	for (unsigned i = 0; i < r->nchildren; i++) {
		struct hv_part_config cc = {.name = names[i],
					    .vcpus = FUZZ_VCPUS,
					    .mem_bytes = FUZZ_RAM_PAGES * PAGE,
					    .weight = 100};

		r->c[i].rig = r;
		r->c[i].p = hv_part_create(r->hv, &cc, NULL, NULL);
		FUZZ_CHECK(r->c[i].p, "hv_part_create");
	}
}

/* The machines, built on first use (see fuzz_rig_get). */
static struct fuzz_rig rigs[2];
static bool built[2];

struct fuzz_rig *fuzz_rig_get(bool parent)
{
	if (!built[parent]) {
		rig_build(&rigs[parent], parent);
		built[parent] = true;
	}
	return &rigs[parent];
}

void fuzz_rig_begin(struct fuzz_rig *r, bool storage)
{
	for (unsigned i = 0; i < r->nchildren; i++)
		child_begin(r, &r->c[i], storage && i == 0);
}

void fuzz_rig_end(struct fuzz_rig *r)
{
	fuzz_run(r, 250000000); /* 100 ms: retries, disk completions */
	for (unsigned i = 0; i < r->nchildren; i++)
		child_end(&r->c[i]);
}

void fuzz_run(struct fuzz_rig *r, uint64_t cycles)
{
	if (r->parent)
		evq_run_until(r->q, evq_now(r->q) + cycles);
}

uint64_t fuzz_now(struct fuzz_rig *r)
{
	return evq_now(r->q);
}

void fuzz_child_reset(struct fuzz_child *c)
{
	FUZZ_CHECK(hv_part_reset(c->p) == 0, "hv_part_reset");
	for (unsigned vp = 0; vp < FUZZ_VCPUS; vp++)
		guest_enable_synic(c, vp);
	FUZZ_CHECK(vmbus_server_reset(c->s) == 0, "vmbus_server_reset");
}

/* ---- messages ------------------------------------------------------------- */

unsigned guest_post(struct fuzz_child *c, unsigned vp, uint32_t conn,
		    const void *b, unsigned len)
{
	return hv_port_post(c->p, vp, conn, VMBUS_MESSAGE_TYPE, b, len);
}

unsigned guest_post_msg(struct fuzz_child *c, uint32_t conn,
			const struct chanmsg *m)
{
	uint8_t b[VMBUS_MSG_MAX];
	int n = chanmsg_encode(m, b, sizeof(b));

	FUZZ_CHECK(n > 0, "chanmsg_encode type %u", m->type);
	return guest_post(c, 0, conn, b, (unsigned)n);
}

unsigned guest_take(struct fuzz_child *c, unsigned vp, struct chanmsg *m)
{
	struct physmem *pm = hv_part_mem(c->p);
	uint64_t slot = simp_gpa(vp) + VMBUS_MESSAGE_SINT * HV_MESSAGE_SIZE;
	uint8_t b[HV_MESSAGE_SIZE];
	uint32_t type, zero = 0;
	unsigned len;

	memset(m, 0, sizeof(*m));
	FUZZ_CHECK(physmem_copy_from(pm, b, slot, sizeof(b)) == 0, "SIMP");
	memcpy(&type, b, 4);
	if (type == 0)
		return 0;
	len = b[4];
	if (type != VMBUS_MESSAGE_TYPE || len > VMBUS_MSG_MAX ||
	    chanmsg_decode(b + 16, len, m) != CHANMSG_OK)
		m->type = CHANMSG_INVALID;
	physmem_copy_to(pm, slot, &zero, 4);
	wrmsr(c, vp, HV_MSR_EOM, 0);
	return len ? len : 1;
}

unsigned guest_signal(struct fuzz_child *c, unsigned vp, uint32_t relid)
{
	return hv_port_signal(c->p, vp, VMBUS_CHAN_CONN_BASE | relid, 0);
}

/* ---- memory and rings ------------------------------------------------------ */

void guest_write(struct fuzz_child *c, uint64_t gpa, const void *b,
		 uint32_t len)
{
	struct physmem *pm = hv_part_mem(c->p);
	uint64_t ram = FUZZ_RAM_PAGES * PAGE;

	if (gpa >= ram)
		return;
	if (len > ram - gpa)
		len = (uint32_t)(ram - gpa);
	FUZZ_CHECK(physmem_copy_to(pm, gpa, b, len) == 0, "guest_write");
}

uint32_t guest_rd32(struct fuzz_child *c, uint64_t gpa)
{
	uint32_t v = 0;

	physmem_copy_from(hv_part_mem(c->p), &v, gpa, 4);
	return v;
}

void guest_wr32(struct fuzz_child *c, uint64_t gpa, uint32_t v)
{
	guest_write(c, gpa, &v, 4);
}

/* Copy into / out of a ring's data area at a byte offset, wrapping. */
static void ring_io(struct fuzz_child *c, uint64_t data_gpa, uint32_t size,
		    uint32_t off, void *b, uint32_t len, bool to_guest)
{
	struct physmem *pm = hv_part_mem(c->p);
	uint8_t *p = b;

	while (len) {
		uint32_t pos = off % size, n = size - pos;

		if (n > len)
			n = len;
		if (to_guest)
			guest_write(c, data_gpa + pos, p, n);
		else if (physmem_copy_from(pm, p, data_gpa + pos, n) != 0)
			memset(p, 0, n);
		p += n, off += n, len -= n;
	}
}

void guest_ring_send(struct fuzz_child *c, uint32_t page, uint32_t npages,
		     uint16_t type, uint16_t flags, uint16_t offset8,
		     uint64_t trans_id, const void *payload, uint32_t len)
{
	uint64_t base = (uint64_t)page * PAGE;
	uint32_t size = (npages < 2 ? 1 : npages - 1) * PAGE;
	uint32_t start = guest_rd32(c, base) % size & ~7u;
	uint32_t len8 = (16 + len + 7) / 8;
	uint8_t d[16], pad[8] = {0};
	uint64_t trailer = (uint64_t)start << 32;
	uint16_t v;

	memcpy(d, &type, 2);
	v = offset8 < 2 ? 2 : offset8, memcpy(d + 2, &v, 2);
	v = (uint16_t)len8, memcpy(d + 4, &v, 2);
	memcpy(d + 6, &flags, 2);
	memcpy(d + 8, &trans_id, 8);
	ring_io(c, base + PAGE, size, start, d, 16, true);
	ring_io(c, base + PAGE, size, start + 16, (void *)payload, len, true);
	ring_io(c, base + PAGE, size, start + 16 + len, pad,
		len8 * 8 - 16 - len, true);
	ring_io(c, base + PAGE, size, start + len8 * 8, &trailer, 8, true);
	guest_wr32(c, base, (start + len8 * 8 + 8) % size);
}

int guest_ring_recv(struct fuzz_child *c, uint32_t page, uint32_t npages,
		    uint16_t *type, uint64_t *trans_id, void *buf,
		    uint32_t cap)
{
	uint64_t in = ((uint64_t)page + npages) * PAGE;
	uint32_t size = (npages - 1) * PAGE;
	uint32_t read = guest_rd32(c, in + 4), write = guest_rd32(c, in);
	uint8_t d[16];
	uint16_t off8, len8;
	uint32_t plen;

	if (read == write || read >= size || read % 8)
		return -1;
	ring_io(c, in + PAGE, size, read, d, 16, false);
	memcpy(type, d, 2);
	memcpy(&off8, d + 2, 2);
	memcpy(&len8, d + 4, 2);
	memcpy(trans_id, d + 8, 8);
	if (off8 < 2 || off8 > len8 || len8 * 8u - off8 * 8u > cap)
		return -1;
	plen = len8 * 8u - off8 * 8u;
	ring_io(c, in + PAGE, size, read + off8 * 8u, buf, plen, false);
	guest_wr32(c, in + 4, (read + len8 * 8u + 8) % size);
	return (int)plen;
}

void guest_ring_drain(struct fuzz_child *c, uint32_t page, uint32_t npages)
{
	uint64_t in = ((uint64_t)page + npages) * PAGE;

	guest_wr32(c, in + 4, guest_rd32(c, in));
}

void guest_ring_init(struct fuzz_child *c, uint32_t page, uint32_t npages)
{
	static const uint8_t zero[PAGE];

	for (uint32_t i = 0; i < 2 * npages; i++)
		guest_write(c, ((uint64_t)page + i) * PAGE, zero, PAGE);
	guest_wr32(c, (uint64_t)page * PAGE + 64, 1);
	guest_wr32(c, ((uint64_t)page + npages) * PAGE + 64, 1);
}

/* ---- a well-behaved guest ------------------------------------------------- */

/* Time for the parent to answer (1 ms). */
#define SETTLE_CYCLES 2500000u

static int take_type(struct fuzz_child *c, uint32_t type, struct chanmsg *m)
{
	fuzz_run(c->rig, SETTLE_CYCLES);
	return guest_take(c, 0, m) && m->type == type ? 0 : -1;
}

int guest_open_channel(struct fuzz_child *c, uint32_t relid, uint32_t handle,
		       uint32_t page, uint32_t npages)
{
	struct chanmsg m = {.type = CHANMSG_INITIATE_CONTACT};
	uint8_t ranges[8 + 8 * 24];
	uint32_t total = 2 * npages, bytes = total * PAGE;

	if (total > 24)
		return -1;
	m.u.initiate.version = VMBUS_VERSION_V5_3;
	m.u.initiate.interrupt_page = VMBUS_MESSAGE_SINT;
	guest_post_msg(c, VMBUS_MESSAGE_CONNECTION_ID_4, &m);
	if (take_type(c, CHANMSG_VERSION_RESPONSE, &m) ||
	    !m.u.version_response.supported)
		return -1;
	m = (struct chanmsg){.type = CHANMSG_REQUESTOFFERS};
	guest_post_msg(c, VMBUS_MESSAGE_CONNECTION_ID, &m);
	do
		fuzz_run(c->rig, SETTLE_CYCLES);
	while (guest_take(c, 0, &m) && m.type == CHANMSG_OFFERCHANNEL);
	if (m.type != CHANMSG_ALLOFFERS_DELIVERED)
		return -1;
	guest_ring_init(c, page, npages);
	memcpy(ranges, &bytes, 4);
	memset(ranges + 4, 0, 4);
	for (uint32_t i = 0; i < total; i++) {
		uint64_t pfn = page + i;
		memcpy(ranges + 8 + 8 * i, &pfn, 8);
	}
	m = (struct chanmsg){.type = CHANMSG_GPADL_HEADER};
	m.u.gpadl_header.relid = relid;
	m.u.gpadl_header.gpadl = handle;
	m.u.gpadl_header.rangecount = 1;
	m.u.gpadl_header.range_buflen = (uint16_t)(8 + 8 * total);
	m.u.gpadl_header.ranges = ranges;
	m.u.gpadl_header.ranges_len = 8 + 8 * total;
	guest_post_msg(c, VMBUS_MESSAGE_CONNECTION_ID, &m);
	if (take_type(c, CHANMSG_GPADL_CREATED, &m) || m.u.gpadl_created.status)
		return -1;
	m = (struct chanmsg){.type = CHANMSG_OPENCHANNEL};
	m.u.open.relid = relid;
	m.u.open.openid = relid;
	m.u.open.gpadl = handle;
	m.u.open.downstream_offset = npages;
	guest_post_msg(c, VMBUS_MESSAGE_CONNECTION_ID, &m);
	if (take_type(c, CHANMSG_OPENCHANNEL_RESULT, &m) ||
	    m.u.open_result.status)
		return -1;
	return 0;
}
