/*
 * tests/unit/devices/test_disk.c — the physical disk (devices/disk.c):
 * the timing model (latency + size/bandwidth, one queue, N channels,
 * flush as a barrier, determinism), the functional part (data in the
 * image file after a clean stop, range checks) and host I/O errors
 * (missing file, a file that shrinks under the disk).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "devices/disk.h"

#define IMG_SIZE (1u << 20)

/* A zero-filled image of `size` bytes in a fresh temporary file. */
static void mk_image(char *path, size_t n, uint64_t size)
{
	snprintf(path, n, "/tmp/hvsim_disk_XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(0, ftruncate(fd, (off_t)size));
	close(fd);
}

static struct disk *mk_disk(const char *path, cycles_t lat, uint64_t bw,
			    unsigned channels)
{
	struct disk_config c = {.path = path,
				.latency = lat,
				.bytes_per_sec = bw,
				.freq_hz = 1000000000ull, /* 1 cycle = 1 ns */
				.channels = channels};
	char err[128];
	struct disk *d = disk_open(&c, err, sizeof(err));
	cr_assert_not_null(d, "%s", err);
	return d;
}

Test(disk, service_time_is_latency_plus_size_over_bandwidth)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	/* 1 GB/s at 1 GHz: one cycle per byte. */
	struct disk *d = mk_disk(p, 10000, 1000000000ull, 1);
	cr_assert_eq(10000 + 4096, disk_service_time(d, DISK_READ, 4096));
	cr_assert_eq(10000, disk_service_time(d, DISK_READ, 0));
	cr_assert_eq(10000, disk_service_time(d, DISK_FLUSH, 4096));
	uint8_t buf[4096];
	cycles_t done = 0;
	cr_assert_eq(DISK_OK,
		     disk_submit(d, DISK_READ, 0, 4096, buf, 500, &done));
	cr_assert_eq(500 + 10000 + 4096, done);
	cr_assert_eq(0, disk_close(d));
	unlink(p);
}

Test(disk, bandwidth_rounds_up_and_zero_means_infinite)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 7, 3000000000ull, 1); /* 3 B per cycle */
	cr_assert_eq(7 + 2, disk_service_time(d, DISK_WRITE, 4)); /* 1.33→2 */
	disk_close(d);
	d = mk_disk(p, 7, 0, 1);
	cr_assert_eq(7, disk_service_time(d, DISK_WRITE, 1u << 20));
	disk_close(d);
	unlink(p);
}

Test(disk, one_channel_serves_requests_in_order)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 1000, 1000000000ull, 1);
	uint8_t buf[512];
	cycles_t a, b, c;
	disk_submit(d, DISK_READ, 0, 512, buf, 0, &a);
	disk_submit(d, DISK_READ, 512, 512, buf, 0, &b);
	disk_submit(d, DISK_READ, 1024, 512, buf, 100000, &c);
	cr_assert_eq(1512, a);
	cr_assert_eq(3024, b, "the second waits for the first");
	cr_assert_eq(101512, c, "an idle device starts at once");
	disk_close(d);
	unlink(p);
}

Test(disk, two_channels_overlap_two_requests)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 1000, 0, 2);
	uint8_t buf[512];
	cycles_t a, b, c;
	disk_submit(d, DISK_READ, 0, 512, buf, 0, &a);
	disk_submit(d, DISK_READ, 0, 512, buf, 0, &b);
	disk_submit(d, DISK_READ, 0, 512, buf, 0, &c);
	cr_assert_eq(1000, a);
	cr_assert_eq(1000, b);
	cr_assert_eq(2000, c, "the third queues behind one of them");
	disk_close(d);
	unlink(p);
}

Test(disk, flush_waits_for_every_channel)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 1000, 1000000000ull, 2);
	uint8_t buf[4096];
	cycles_t a, f, r;
	disk_submit(d, DISK_WRITE, 0, 4096, buf, 0, &a); /* ends 5096 */
	disk_submit(d, DISK_FLUSH, 0, 0, NULL, 10, &f);
	cr_assert_eq(5096 + 1000, f);
	disk_submit(d, DISK_READ, 0, 0, buf, 20, &r);
	cr_assert_eq(f + 1000, r, "nothing passes a flush");
	disk_close(d);
	unlink(p);
}

/* The same request stream gives the same completion cycles. */
static void run_stream(const char *p, cycles_t *out, int n)
{
	struct disk *d = mk_disk(p, 3333, 123456789ull, 3);
	uint8_t buf[8192];
	uint32_t x = 12345; /* fixed-seed LCG */
	cycles_t now = 0;
	for (int i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		uint64_t len = (x >> 8) % sizeof(buf);
		now += (x >> 4) % 5000;
		disk_submit(d, (x & 1) ? DISK_WRITE : DISK_READ,
			    (x >> 12) % (IMG_SIZE - sizeof(buf)), len, buf, now,
			    &out[i]);
	}
	disk_close(d);
}

Test(disk, timing_is_deterministic)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	cycles_t a[200], b[200];
	run_stream(p, a, 200);
	run_stream(p, b, 200);
	cr_assert_arr_eq(a, b, sizeof(a));
	cr_assert_gt(a[199], a[0]);
	unlink(p);
}

Test(disk, written_data_is_in_the_image_after_close)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 0, 0, 1);
	cr_assert_eq(IMG_SIZE, disk_size(d));
	uint8_t w[1024], r[1024];
	for (unsigned i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 7 + 3);
	cr_assert_eq(DISK_OK,
		     disk_submit(d, DISK_WRITE, 65536, sizeof(w), w, 0, NULL));
	cr_assert_eq(DISK_OK,
		     disk_submit(d, DISK_READ, 65536, sizeof(r), r, 0, NULL));
	cr_assert_arr_eq(w, r, sizeof(w));
	struct disk_stats s;
	disk_get_stats(d, &s);
	cr_assert_eq(1, s.writes);
	cr_assert_eq(1, s.reads);
	cr_assert_eq(sizeof(w), s.bytes_written);
	cr_assert_eq(0, disk_close(d));

	FILE *f = fopen(p, "rb");
	cr_assert_not_null(f);
	memset(r, 0, sizeof(r));
	cr_assert_eq(0, fseek(f, 65536, SEEK_SET));
	cr_assert_eq(sizeof(r), fread(r, 1, sizeof(r), f));
	fclose(f);
	cr_assert_arr_eq(w, r, sizeof(w));
	unlink(p);
}

Test(disk, request_beyond_the_image_is_refused_untouched)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 100, 0, 1);
	uint8_t buf[1024];
	memset(buf, 0xAB, sizeof(buf));
	cycles_t done = 0;
	cr_assert_eq(DISK_E_RANGE, disk_submit(d, DISK_WRITE, IMG_SIZE - 512,
					       1024, buf, 0, &done));
	cr_assert_eq(100, done, "an error still costs the latency");
	cr_assert_eq(DISK_E_RANGE, disk_submit(d, DISK_READ, UINT64_MAX - 10,
					       20, buf, 0, &done));
	cr_assert_eq(DISK_OK, disk_submit(d, DISK_READ, IMG_SIZE - 1024, 1024,
					  buf, 0, &done));
	for (unsigned i = 0; i < sizeof(buf); i++)
		cr_assert_eq(0, buf[i], "the refused write wrote nothing");
	struct disk_stats s;
	disk_get_stats(d, &s);
	cr_assert_eq(2, s.errors);
	cr_assert_eq(DISK_E_ARG,
		     disk_submit(d, DISK_READ, 0, 16, NULL, 0, &done));
	disk_close(d);
	unlink(p);
}

Test(disk, missing_image_fails_to_open_with_a_message)
{
	struct disk_config c = {.path = "/nonexistent/hvsim/disk.img"};
	char err[128] = "";
	cr_assert_null(disk_open(&c, err, sizeof(err)));
	cr_assert_neq(0, err[0]);
	struct disk_config dir = {.path = "/tmp"};
	cr_assert_null(disk_open(&dir, err, sizeof(err)));
}

Test(disk, host_file_shrinking_is_an_io_error_not_a_crash)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 0, 0, 1);
	cr_assert_eq(0, truncate(p, 4096)); /* someone else cut the file */
	uint8_t buf[512];
	cr_assert_eq(DISK_E_IO, disk_submit(d, DISK_READ, 8192, sizeof(buf),
					    buf, 0, NULL));
	cr_assert_eq(DISK_OK,
		     disk_submit(d, DISK_READ, 0, sizeof(buf), buf, 0, NULL));
	disk_close(d);
	unlink(p);
}

/* A host write error (the process's file-size limit makes pwrite fail
 * with EFBIG; Criterion runs each test in its own process). */
Test(disk, host_write_error_is_an_io_error_and_counted)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 10, 0, 1);
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {.rlim_cur = 65536, .rlim_max = RLIM_INFINITY};
	cr_assert_eq(0, setrlimit(RLIMIT_FSIZE, &rl));
	uint8_t buf[4096] = {1};
	cycles_t done = 0;
	cr_assert_eq(DISK_E_IO, disk_submit(d, DISK_WRITE, 131072, sizeof(buf),
					    buf, 0, &done));
	cr_assert_eq(10, done);
	cr_assert_eq(
	    DISK_E_IO,
	    disk_submit(d, DISK_WRITE, 65536 - 512, sizeof(buf), buf, 0, NULL),
	    "a short write is an error too");
	cr_assert_eq(DISK_OK,
		     disk_submit(d, DISK_WRITE, 0, sizeof(buf), buf, 0, NULL));
	struct disk_stats s;
	disk_get_stats(d, &s);
	cr_assert_eq(2, s.errors);
	cr_assert_eq(1, s.writes);
	disk_close(d);
	unlink(p);
}

/* disk_submitv: the first len bytes of a segment list, in order; more
 * segments than one preadv batch (64), empty ones in between; timing as
 * for one buffer of the same length. */
Test(disk, segment_lists_move_bytes_in_order_and_time_like_one_buffer)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 100, 1000000000ull, 1);
	enum { NSEG = 150 };
	static uint8_t w[NSEG * 40], r[NSEG * 40];
	struct iovec wv[NSEG], rv[NSEG];
	size_t total = 0;
	for (unsigned i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 31 + 5);
	for (unsigned i = 0; i < NSEG; i++) {
		size_t n = i % 5 == 3 ? 0 : 1 + (i * 17) % 39;
		wv[i] = (struct iovec){w + total, n};
		rv[i] = (struct iovec){r + total, n};
		total += n;
	}
	cycles_t done = 0;
	cr_assert_eq(DISK_OK, disk_submitv(d, DISK_WRITE, 1000, total, wv,
					   NSEG, 0, &done));
	cr_assert_eq(100 + total, done);
	cr_assert_eq(DISK_OK, disk_submit(d, DISK_READ, 1000, total, r, 0,
					  &done));
	cr_assert_arr_eq(w, r, total);
	/* Read back scattered, only the first total - 10 bytes. */
	memset(r, 0xEE, sizeof(r));
	cr_assert_eq(DISK_OK, disk_submitv(d, DISK_READ, 1000, total - 10, rv,
					   NSEG, 0, &done));
	cr_assert_arr_eq(w, r, total - 10);
	for (size_t i = total - 10; i < total; i++)
		cr_assert_eq(0xEE, r[i], "byte %zu beyond len untouched", i);
	/* Segments that hold too little, or a length without a pointer. */
	cr_assert_eq(DISK_E_ARG, disk_submitv(d, DISK_READ, 0, total + 1, rv,
					      NSEG, 0, &done));
	struct iovec hole[2] = {{r, 8}, {NULL, 8}};
	cr_assert_eq(DISK_E_ARG,
		     disk_submitv(d, DISK_READ, 0, 16, hole, 2, 0, &done));
	cr_assert_eq(DISK_OK,
		     disk_submitv(d, DISK_READ, 0, 8, hole, 2, 0, &done));
	disk_close(d);
	unlink(p);
}

/* A scattered read across the end of a file that shrank: the first
 * preadv is short, the next one finds nothing, DISK_E_IO. */
Test(disk, segment_list_read_past_a_shrunk_file_is_an_io_error)
{
	char p[64];
	mk_image(p, sizeof(p), IMG_SIZE);
	struct disk *d = mk_disk(p, 0, 0, 1);
	cr_assert_eq(0, truncate(p, 4096 + 100));
	uint8_t a[3000], b[3000];
	struct iovec v[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
	cr_assert_eq(DISK_E_IO,
		     disk_submitv(d, DISK_READ, 2048, 6000, v, 2, 0, NULL));
	cr_assert_eq(DISK_OK,
		     disk_submitv(d, DISK_READ, 0, 4196, v, 2, 0, NULL));
	struct disk_stats s;
	disk_get_stats(d, &s);
	cr_assert_eq(1, s.errors);
	disk_close(d);
	unlink(p);
}
