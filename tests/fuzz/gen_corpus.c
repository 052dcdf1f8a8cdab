/*
 * tests/fuzz/gen_corpus.c — writes the seed corpus of one fuzz target:
 *   gen_corpus TARGET DIR     (TARGET: chanmsg, gpadl, ring, storvsp)
 * Seeds are well-formed protocol sequences built here from the protocol
 * (chanmsg_encode for channel messages, the layouts of vmbus.md §4–§6),
 * so the fuzzers start deep in the state machines and mutate from there.
 * Run at build time (tests/fuzz/meson.build); the files are seed-NN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz_chanmsg_ops.h"
#include "tests/fuzz/gen_corpus.h"
#include "vmbus/chanmsg.h"

static const char *out_dir;
static unsigned nseeds;

void save(const struct seed *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02u", out_dir, nseeds++);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
		fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* ---- chanmsg --------------------------------------------------------------- */

static void post(struct seed *s, uint8_t sel, const struct chanmsg *m)
{
	uint8_t b[VMBUS_MSG_MAX];
	int n = chanmsg_encode(m, b, sizeof(b));

	if (n < 0) {
		fprintf(stderr, "gen_corpus: encode %u failed\n", m->type);
		exit(1);
	}
	u8(s, FZ_POST);
	u8(s, sel);
	u8(s, (uint8_t)n);
	bytes(s, b, (size_t)n);
}

static void take_all(struct seed *s, bool timed)
{
	if (timed) {
		u8(s, FZ_RUN);
		u16(s, 2500); /* 1 ms */
	}
	u8(s, FZ_TAKE_ALL);
}

static void connect(struct seed *s, uint32_t version, bool timed)
{
	struct chanmsg m = {.type = CHANMSG_INITIATE_CONTACT};

	m.u.initiate.version = version;
	m.u.initiate.interrupt_page = version >= VMBUS_VERSION_V5_0 ? 2 : 0;
	post(s, version >= VMBUS_VERSION_V5_0 ? 1 : 0, &m);
	take_all(s, timed);
	m = (struct chanmsg){.type = CHANMSG_REQUESTOFFERS};
	post(s, 0, &m);
	take_all(s, timed);
}

/* Feature bits = 1 in both ring headers (Linux at open). */
static void ring_init(struct seed *s, uint8_t page, uint8_t npages)
{
	for (unsigned r = 0; r < 2; r++) {
		u8(s, FZ_RAM);
		u8(s, (uint8_t)(page + r * npages));
		u16(s, 64);
		u8(s, 4);
		u32(s, 1);
	}
}

/* GPADL over pages [page, page + n): the header, then bodies. */
static void gpadl(struct seed *s, uint32_t relid, uint32_t handle,
		  uint64_t page, unsigned n, bool timed)
{
	uint8_t ranges[8 + 26 * 8], pfns[28 * 8];
	struct chanmsg m = {.type = CHANMSG_GPADL_HEADER};
	unsigned inhdr = n < 26 ? n : 26, done;
	uint32_t bytes_ = n * 4096u;

	memcpy(ranges, &bytes_, 4);
	memset(ranges + 4, 0, 4);
	for (unsigned i = 0; i < inhdr; i++) {
		uint64_t pfn = page + i;
		memcpy(ranges + 8 + 8 * i, &pfn, 8);
	}
	m.u.gpadl_header.relid = relid;
	m.u.gpadl_header.gpadl = handle;
	m.u.gpadl_header.rangecount = 1;
	m.u.gpadl_header.range_buflen = (uint16_t)(8 + 8 * n);
	m.u.gpadl_header.ranges = ranges;
	m.u.gpadl_header.ranges_len = 8 + 8 * inhdr;
	post(s, 0, &m);
	for (done = inhdr; done < n;) {
		unsigned k = n - done < 28 ? n - done : 28;

		for (unsigned i = 0; i < k; i++) {
			uint64_t pfn = page + done + i;
			memcpy(pfns + 8 * i, &pfn, 8);
		}
		m = (struct chanmsg){.type = CHANMSG_GPADL_BODY};
		m.u.gpadl_body.gpadl = handle;
		m.u.gpadl_body.pfns = pfns;
		m.u.gpadl_body.pfns_len = 8 * k;
		post(s, 0, &m);
		done += k;
	}
	take_all(s, timed);
}

static void open_chan(struct seed *s, uint32_t relid, uint32_t handle,
		      uint32_t npages, bool timed)
{
	struct chanmsg m = {.type = CHANMSG_OPENCHANNEL};

	m.u.open.relid = relid;
	m.u.open.openid = relid;
	m.u.open.gpadl = handle;
	m.u.open.downstream_offset = npages;
	post(s, 0, &m);
	take_all(s, timed);
}

static void send(struct seed *s, uint8_t page, uint8_t npages, uint8_t type,
		 uint64_t tid, const void *p, uint16_t len)
{
	u8(s, FZ_SEND);
	u8(s, page);
	u8(s, npages);
	u8(s, type);
	u8(s, 1); /* completion requested */
	u8(s, 2); /* payload right after the descriptor */
	u64(s, tid);
	u16(s, len);
	bytes(s, p, len);
}

/* A GPA-direct packet (type 9): reserved u32, range_cnt 1, one range
 * {byte_count, offset 0, PFNs first..}, then the vstor_packet. */
static void send_gpa(struct seed *s, uint8_t page, uint8_t npages,
		     uint64_t tid, uint32_t count, uint64_t first,
		     unsigned npfn, const uint8_t vp[64])
{
	uint8_t b[16 + 8 * 8 + 64] = {0};
	uint32_t one = 1, n = 16 + 8 * npfn;

	memcpy(b + 4, &one, 4);
	memcpy(b + 8, &count, 4);
	for (unsigned i = 0; i < npfn; i++) {
		uint64_t pfn = first + i;
		memcpy(b + 16 + 8 * i, &pfn, 8);
	}
	memcpy(b + n, vp, 64);
	u8(s, FZ_SEND);
	u8(s, page);
	u8(s, npages);
	u8(s, 2); /* GPA direct */
	u8(s, 1);
	u8(s, (uint8_t)((16 + n) / 8));
	u64(s, tid);
	u16(s, (uint16_t)(n + 64));
	bytes(s, b, n + 64);
}

static void signal_(struct seed *s, uint8_t relid, bool timed)
{
	u8(s, FZ_SIGNAL);
	u8(s, relid);
	u8(s, 0);
	if (timed) {
		u8(s, FZ_RUN);
		u16(s, 2500);
	}
}

static void drain(struct seed *s, uint8_t page, uint8_t npages)
{
	u8(s, FZ_DRAIN);
	u8(s, page);
	u8(s, npages);
}

static void simple(struct seed *s, uint32_t type, uint32_t relid)
{
	struct chanmsg m = {.type = type};

	m.u.chan.relid = relid;
	post(s, 0, &m);
}

static void echo_session(bool timed)
{
	static struct seed s;
	struct chanmsg m = {.type = CHANMSG_GPADL_TEARDOWN};

	s.n = 0;
	u8(&s, timed ? FZ_MODE_PARENT : 0);
	connect(&s, VMBUS_VERSION_V5_3, timed);
	ring_init(&s, 32, 4);
	gpadl(&s, 1, 0xE1, 32, 8, timed);
	open_chan(&s, 1, 0xE1, 4, timed);
	for (unsigned i = 0; i < 3; i++)
		send(&s, 32, 4, 0, 100 + i, "hello, echo", 12);
	signal_(&s, 1, timed);
	drain(&s, 32, 4);
	simple(&s, CHANMSG_CLOSECHANNEL, 1);
	m.u.gpadl_teardown.relid = 1;
	m.u.gpadl_teardown.gpadl = 0xE1;
	post(&s, 0, &m);
	take_all(&s, timed);
	simple(&s, CHANMSG_UNLOAD, 0);
	take_all(&s, timed);
	save(&s);
}

static void storage_session(bool timed)
{
	static struct seed s;
	uint8_t p[64];

	s.n = 0;
	u8(&s, timed ? FZ_MODE_PARENT : 0);
	connect(&s, VMBUS_VERSION_V5_2, timed);
	ring_init(&s, 40, 2);
	gpadl(&s, 2, 0x5C, 40, 4, timed);
	open_chan(&s, 2, 0x5C, 2, timed);
	vstor(p, 7, 0);
	send(&s, 40, 2, 0, 1, p, 48);
	vstor(p, 9, 0x0602);
	send(&s, 40, 2, 0, 2, p, 48);
	vstor(p, 10, 0);
	send(&s, 40, 2, 0, 3, p, 48);
	vstor(p, 8, 0);
	send(&s, 40, 2, 0, 4, p, 48);
	signal_(&s, 2, timed);
	drain(&s, 40, 2);
	srb(p, 1, 8, cdb_capacity, 10);
	send_gpa(&s, 40, 2, 5, 8, 50, 1, p);
	srb(p, 2, 0, cdb_sync, 10);
	send(&s, 40, 2, 0, 6, p, 64);
	signal_(&s, 2, timed);
	drain(&s, 40, 2);
	srb(p, 1, 36, cdb_inquiry, 6);
	send_gpa(&s, 40, 2, 7, 36, 50, 1, p);
	srb(p, 0, 4096, cdb_write, 10);
	send_gpa(&s, 40, 2, 8, 4096, 51, 1, p);
	srb(p, 1, 8192, cdb_read, 10);
	send_gpa(&s, 40, 2, 9, 8192, 52, 2, p);
	signal_(&s, 2, timed);
	drain(&s, 40, 2);
	simple(&s, CHANMSG_CLOSECHANNEL, 2);
	save(&s);
}

/* Hostile sessions: wrong connections and versions, GPADLs outside RAM
 * and oversized, a child that never reads its slot, rescind and reset. */
static void hostile_sessions(void)
{
	static struct seed s;
	struct chanmsg m = {.type = CHANMSG_INITIATE_CONTACT};

	s.n = 0;
	u8(&s, 0);
	m.u.initiate.version = VMBUS_VERSION_V5_3;
	post(&s, 0, &m); /* 5.3 on connection 1: refused */
	m.u.initiate.version = VMBUS_VERSION_WIN10;
	post(&s, 0, &m); /* 4.0 on connection 1: accepted */
	take_all(&s, false);
	simple(&s, CHANMSG_REQUESTOFFERS, 0);
	/* never take: the answers queue */
	gpadl(&s, 1, 0x77, 1000, 4, false); /* outside RAM */
	gpadl(&s, 1, 0x78, 60, 40, false);  /* runs off the end of RAM */
	u8(&s, FZ_RESCIND);
	u8(&s, 1);
	simple(&s, CHANMSG_RELID_RELEASED, 1);
	u8(&s, FZ_RESET);
	connect(&s, VMBUS_VERSION_V5_0, false);
	save(&s);

	s.n = 0;
	u8(&s, 0);
	connect(&s, VMBUS_VERSION_V5_3, false);
	ring_init(&s, 32, 4);
	gpadl(&s, 1, 0xE1, 32, 8, false);
	open_chan(&s, 1, 0xE1, 4, false);
	/* Never drained: the echo VSP meets a full ring. */
	for (unsigned i = 0; i < 40; i++)
		send(&s, 32, 4, 0, i, "................................", 32);
	signal_(&s, 1, false);
	u8(&s, FZ_RAM); /* then a write index beyond the ring */
	u8(&s, 32);
	u16(&s, 0);
	u8(&s, 4);
	u32(&s, 0xFFFF0);
	signal_(&s, 1, false);
	save(&s);
}

/* Rings of 15 pages each: a GPADL of 30 pages, header + one body. */
static void big_gpadl_session(void)
{
	static struct seed s;

	s.n = 0;
	u8(&s, 0);
	connect(&s, VMBUS_VERSION_V4_1, false);
	ring_init(&s, 20, 15);
	gpadl(&s, 1, 0xB16, 20, 30, false);
	open_chan(&s, 1, 0xB16, 15, false);
	for (unsigned i = 0; i < 4; i++)
		send(&s, 20, 15, 0, i, "a packet in a big ring", 23);
	signal_(&s, 1, false);
	save(&s);
}

void gen_chanmsg(void)
{
	big_gpadl_session();
	echo_session(false);
	echo_session(true);
	storage_session(false);
	storage_session(true);
	hostile_sessions();
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*gen)(void);
	} targets[] = {{"chanmsg", gen_chanmsg},
		       {"gpadl", gen_gpadl},
		       {"ring", gen_ring},
		       {"storvsp", gen_storvsp}};

	if (argc != 3) {
		fprintf(stderr, "usage: gen_corpus TARGET DIR\n");
		return 2;
	}
	out_dir = argv[2];
	if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_corpus: %s: %s\n", out_dir,
			strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (!strcmp(argv[1], targets[i].name)) {
			targets[i].gen();
			return 0;
		}
	fprintf(stderr, "gen_corpus: unknown target %s\n", argv[1]);
	return 2;
}
