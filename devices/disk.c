/*
 * devices/disk.c — the parent's physical disk: a raw image file on the
 * host (functional part) and a timing model (when the request would end).
 *
 * Functional: every request does its host I/O at once, synchronously
 * (preadv/pwritev straight between the file and the caller's segments —
 * for the storage VSP, the child's own pages —, continuing after short
 * transfers; FLUSH and disk_close fsync).
 * The image has a fixed size, taken at open; a request beyond it is
 * refused (DISK_E_RANGE) before any I/O. A host error or a short transfer
 * (the file shrank under us) is DISK_E_IO; nothing aborts.
 *
 * Timing (deterministic, no host time): the device has N channels, each
 * serving one request at a time, in arrival order. A request goes to the
 * channel that frees up first (lowest index on a tie), starts at
 * max(now, that channel's busy_until) and takes
 *     latency + ceil(len * freq_hz / bytes_per_sec)
 * cycles. N = 1 is a single queue (a disk arm); N > 1 models an SSD's
 * parallel units. FLUSH is a barrier: it starts when every channel is
 * idle, takes `latency`, and every channel is busy until it ends.
 * Caller: vmbus/scsi.c (the storage VSP's SCSI target); tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/disk.h"

#define DISK_DEFAULT_FREQ_HZ 2500000000ull

struct disk {
	int fd;
	uint64_t size;
	struct disk_config cfg;
	cycles_t busy_until[DISK_MAX_CHANNELS];
	struct disk_stats stats;
};

struct disk *disk_open(const struct disk_config *cfg, char *err, size_t errlen)
{
	if (!cfg || !cfg->path || cfg->channels > DISK_MAX_CHANNELS) {
		snprintf(err, errlen, "disk: bad configuration");
		return NULL;
	}
	int fd = open(cfg->path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "disk: %s: %s", cfg->path,
			 strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "disk: %s: not a regular file",
			 cfg->path);
		close(fd);
		return NULL;
	}
	struct disk *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "disk: out of memory");
		close(fd);
		return NULL;
	}
	d->fd = fd;
	d->size = (uint64_t)st.st_size;
	d->cfg = *cfg;
	d->cfg.path = NULL; /* not owned; do not keep a dangling pointer */
	if (d->cfg.channels == 0)
		d->cfg.channels = 1;
	if (d->cfg.freq_hz == 0)
		d->cfg.freq_hz = DISK_DEFAULT_FREQ_HZ;
	return d;
}

int disk_close(struct disk *d)
{
	if (!d)
		return 0;
	int rc = 0;
	if (fsync(d->fd) != 0)
		rc = -1;
	if (close(d->fd) != 0)
		rc = -1;
	free(d);
	return rc;
}

uint64_t disk_size(const struct disk *d)
{
	return d->size;
}

cycles_t disk_service_time(const struct disk *d, enum disk_op op, uint64_t len)
{
	cycles_t t = d->cfg.latency;
	if (op == DISK_FLUSH || d->cfg.bytes_per_sec == 0)
		return t;
	/* 128-bit product: len * freq overflows 64 bits beyond ~7 GB. */
	unsigned __int128 c = (unsigned __int128)len * d->cfg.freq_hz;
	c = (c + d->cfg.bytes_per_sec - 1) / d->cfg.bytes_per_sec;
	return t + (cycles_t)c;
}

static cycles_t max_cycle(cycles_t a, cycles_t b)
{
	return a > b ? a : b;
}

/* Place a request on the timing model; returns its completion cycle. */
static cycles_t schedule(struct disk *d, enum disk_op op, uint64_t len,
			 cycles_t now)
{
	cycles_t svc = disk_service_time(d, op, len);
	unsigned n = d->cfg.channels;
	d->stats.busy += svc;
	if (op == DISK_FLUSH) {
		cycles_t start = now;
		for (unsigned i = 0; i < n; i++)
			start = max_cycle(start, d->busy_until[i]);
		for (unsigned i = 0; i < n; i++)
			d->busy_until[i] = start + svc;
		return start + svc;
	}
	unsigned best = 0;
	for (unsigned i = 1; i < n; i++)
		if (d->busy_until[i] < d->busy_until[best])
			best = i;
	cycles_t done = max_cycle(now, d->busy_until[best]) + svc;
	d->busy_until[best] = done;
	return done;
}

/* Step the cursor (*i, *skip: bytes of iov[*i] done) past `n` bytes and
 * any empty segments. */
static void advance(const struct iovec *iov, unsigned cnt, unsigned *i,
		    size_t *skip, uint64_t n)
{
	while (*i < cnt) {
		size_t room = iov[*i].iov_len - *skip;
		if (n < room) {
			*skip += (size_t)n;
			return;
		}
		n -= room;
		(*i)++;
		*skip = 0;
	}
}

/* preadv/pwritev the first `len` bytes of the segment list (which holds
 * at least that many) at `offset`, DISK_IOV_BATCH segments per call; a
 * short transfer continues where it stopped, a transfer of nothing (the
 * file shrank) or an error is DISK_E_IO. */
#define DISK_IOV_BATCH 64
static enum disk_status host_io(struct disk *d, bool write, uint64_t offset,
				uint64_t len, const struct iovec *iov,
				unsigned cnt)
{
	unsigned i = 0;
	size_t skip = 0;
	while (len > 0) {
		struct iovec batch[DISK_IOV_BATCH];
		uint64_t want = 0;
		int k = 0;
		advance(iov, cnt, &i, &skip, 0);
		for (unsigned j = i; k < DISK_IOV_BATCH && j < cnt && want < len;
		     j++) {
			size_t off = j == i ? skip : 0;
			size_t n = iov[j].iov_len - off;
			if (n > len - want)
				n = (size_t)(len - want);
			batch[k++] = (struct iovec){
				(uint8_t *)iov[j].iov_base + off, n};
			want += n;
		}
		ssize_t n = write ? pwritev(d->fd, batch, k, (off_t)offset)
				  : preadv(d->fd, batch, k, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return DISK_E_IO;
		offset += (uint64_t)n;
		len -= (uint64_t)n;
		advance(iov, cnt, &i, &skip, (uint64_t)n);
	}
	return DISK_OK;
}

/* Do the segments hold `len` bytes (every one with a length has a
 * pointer)? */
static bool iov_holds(const struct iovec *iov, unsigned cnt, uint64_t len)
{
	for (unsigned i = 0; i < cnt && len > 0; i++) {
		if (iov[i].iov_len && !iov[i].iov_base)
			return false;
		len -= iov[i].iov_len < len ? iov[i].iov_len : len;
	}
	return len == 0;
}

static enum disk_status do_io(struct disk *d, enum disk_op op, uint64_t offset,
			      uint64_t len, const struct iovec *iov,
			      unsigned cnt)
{
	switch (op) {
	case DISK_FLUSH:
		d->stats.flushes++;
		return fsync(d->fd) == 0 ? DISK_OK : DISK_E_IO;
	case DISK_READ:
	case DISK_WRITE:
		break;
	default:
		return DISK_E_ARG;
	}
	if (len > 0 && (!iov || !iov_holds(iov, cnt, len)))
		return DISK_E_ARG;
	if (offset > d->size || len > d->size - offset)
		return DISK_E_RANGE;
	bool write = op == DISK_WRITE;
	enum disk_status st = host_io(d, write, offset, len, iov, cnt);
	if (st == DISK_OK) {
		if (write) {
			d->stats.writes++;
			d->stats.bytes_written += len;
		} else {
			d->stats.reads++;
			d->stats.bytes_read += len;
		}
	}
	return st;
}

enum disk_status disk_submitv(struct disk *d, enum disk_op op,
			      uint64_t offset, uint64_t len,
			      const struct iovec *iov, unsigned iovcnt,
			      cycles_t now, cycles_t *done)
{
	enum disk_status st = do_io(d, op, offset, len, iov, iovcnt);
	/* A refused request never reached the media: no transfer time. */
	uint64_t timed_len = st == DISK_OK ? len : 0;
	cycles_t end = schedule(d, op, timed_len, now);
	if (st != DISK_OK)
		d->stats.errors++;
	if (done)
		*done = end;
	return st;
}

enum disk_status disk_submit(struct disk *d, enum disk_op op, uint64_t offset,
			     uint64_t len, void *buf, cycles_t now,
			     cycles_t *done)
{
	struct iovec one = {buf, (size_t)len};
	return disk_submitv(d, op, offset, len, &one, 1, now, done);
}

void disk_get_stats(const struct disk *d, struct disk_stats *out)
{
	*out = d->stats;
}
