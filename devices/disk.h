/*
 * devices/disk.h — the parent's physical disk: a raw image file on the
 * host plus a timing model (per-request latency, bandwidth, N channels).
 *
 * The host I/O is functional and synchronous (pread/pwrite at submit
 * time); the model only says *when* the simulated device would have
 * finished, as a cycle. Callers (vmbus/scsi.c for the storage VSP) hold
 * the completion back until that cycle. Deterministic: no host time.
 */
#ifndef HVSIM_DEVICES_DISK_H_
#define HVSIM_DEVICES_DISK_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h> /* struct iovec */

#include "cpu/cpu.h" /* cycles_t */

#define DISK_MAX_CHANNELS 64

struct disk;

struct disk_config {
	const char *path;	/* raw image, opened read-write, fixed size */
	cycles_t latency;	/* per request (cycles), seek + controller */
	uint64_t bytes_per_sec; /* media bandwidth; 0 = infinite */
	uint64_t freq_hz;	/* cycles per second; 0 = 2.5 GHz */
	unsigned channels;	/* requests served at once; 0 = 1 */
};

enum disk_op { DISK_READ, DISK_WRITE, DISK_FLUSH };

/* Status of one request (0 = done; negative = refused or failed). */
enum disk_status {
	DISK_OK = 0,
	DISK_E_RANGE = -1, /* offset + len beyond the image */
	DISK_E_IO = -2,	   /* the host file failed (or was short) */
	DISK_E_ARG = -3,   /* bad op / NULL buffer */
};

struct disk_stats {
	uint64_t reads, writes, flushes, errors;
	uint64_t bytes_read, bytes_written;
	cycles_t busy; /* sum of service times over all channels */
};

/* Open the image. NULL on failure, with a message in err. */
struct disk *disk_open(const struct disk_config *cfg, char *err, size_t errlen);
/* A clean stop: fsync, then close. Returns 0, or -1 if the fsync or the
 * close failed (the data may not be on the host's media). */
int disk_close(struct disk *d);
uint64_t disk_size(const struct disk *d);

/* One request arriving at cycle `now`. READ fills buf, WRITE stores it
 * (host I/O done before returning), FLUSH fsyncs the image (offset, len
 * and buf ignored). *done gets the cycle at which the modeled device
 * completes it (also on error: an error costs the latency). */
enum disk_status disk_submit(struct disk *d, enum disk_op op, uint64_t offset,
			     uint64_t len, void *buf, cycles_t now,
			     cycles_t *done);

/* The same with the data in host segments (scatter/gather: a child's
 * pages, vmbus/storvsp.c): the first `len` bytes of the segments, in
 * order, with preadv/pwritev. Segments holding fewer than len bytes, or
 * one with a length but no pointer, is DISK_E_ARG. Same timing and
 * statuses as disk_submit; after a failed READ the segments may hold
 * part of the data. */
enum disk_status disk_submitv(struct disk *d, enum disk_op op,
			      uint64_t offset, uint64_t len,
			      const struct iovec *iov, unsigned iovcnt,
			      cycles_t now, cycles_t *done);

/* The modeled service time of one request of `len` bytes (no queueing). */
cycles_t disk_service_time(const struct disk *d, enum disk_op op, uint64_t len);
void disk_get_stats(const struct disk *d, struct disk_stats *out);

#endif
