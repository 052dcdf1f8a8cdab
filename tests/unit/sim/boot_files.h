/*
 * tests/unit/sim/boot_files.h — what the Linux boot-protocol tests
 * (test_pvh.c, test_bzimage.c) share: temporary files, a guest RAM filled
 * with garbage, little-endian peeks, and initrd images (newc cpio, gzip)
 * built here byte by byte or with zlib.
 */
#ifndef HVSIM_TESTS_BOOT_FILES_H_
#define HVSIM_TESTS_BOOT_FILES_H_

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "mmu/mmu.h"
#include "sim/loader.h"

static struct physmem *pm;
static char err[512];
static struct boot_state bs;

static char *write_tmp(const void *data, size_t len)
{
	char *path = strdup("/tmp/hvsim-test-boot-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq((ssize_t)len, write(fd, data, len));
	close(fd);
	return path;
}

static void drop_tmp(char *path)
{
	unlink(path);
	free(path);
}

/* Load the kernel image `data` (len bytes, through a temporary file)
 * with tmpl's other arguments into pm; the loader's return code. */
static int load_image(const void *data, size_t len,
		      const struct loader_args *tmpl)
{
	char *path = write_tmp(data, len);
	struct loader_args a = *tmpl;
	int rc;

	a.kernel = path;
	rc = loader_load(pm, &a, &bs, err, sizeof(err));
	drop_tmp(path);
	return rc;
}

static void make_ram(uint64_t size)
{
	pm = physmem_create(size);
	cr_assert_not_null(pm);
	memset(physmem_ram_ptr(pm, 0, size), 0x5A, size);
}

static uint64_t peek(uint64_t gpa, int size)
{
	uint64_t v = 0;

	cr_assert_eq(0, physmem_copy_from(pm, &v, gpa, (uint64_t)size));
	return v;
}

/* A newc cpio archive with one file "init" and the trailer; its size. */
static size_t make_cpio(uint8_t *out, size_t max)
{
	static const char *const names[2] = {"init", "TRAILER!!!"};
	static const char body[] = "#!/bin/sh\n";
	size_t off = 0;

	for (int i = 0; i < 2; i++) {
		size_t nlen = strlen(names[i]) + 1;
		size_t flen = i == 0 ? sizeof(body) - 1 : 0;
		char hdr[160]; /* 110 used; room for the %zX widths gcc assumes */
		snprintf(hdr, sizeof(hdr),
			 "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X"
			 "%08zX%08X",
			 i + 1, i == 0 ? 0100755 : 0, 0, 0, 1, 0, flen, 0, 0, 0,
			 0, nlen, 0);
		cr_assert_leq(off + 110 + nlen + 3 + flen + 3, max);
		memcpy(out + off, hdr, 110);
		memcpy(out + off + 110, names[i], nlen);
		off = (off + 110 + nlen + 3) & ~(size_t)3;
		memcpy(out + off, body, flen);
		off = (off + flen + 3) & ~(size_t)3;
	}
	return off;
}

/* gzip (RFC 1952) of `in` with zlib; its size. */
static size_t make_gzip(const uint8_t *in, size_t len, uint8_t *out,
			size_t max)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	cr_assert_eq(Z_OK, deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
					Z_DEFAULT_STRATEGY));
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)max;
	cr_assert_eq(Z_STREAM_END, deflate(&z, Z_FINISH));
	deflateEnd(&z);
	return max - z.avail_out;
}

#endif
