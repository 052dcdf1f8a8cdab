/*
 * sim/initrd.c — refuse a truncated initrd before the guest starts,
 * instead of letting the kernel find out halfway through its boot.
 *
 * Formats we can check cheaply, recognised by their first bytes:
 * - newc cpio ("070701"/"070702", the kernel's initramfs format): the
 *   110-byte ASCII headers are walked (name and data each padded to 4
 *   bytes) up to the "TRAILER!!!" entry, which must lie inside the file.
 * - gzip (1F 8B): the stream is inflated to its end and discarded; zlib
 *   checks the CRC-32 and length trailer, so a cut stream is an error.
 * - xz (FD '7' 'z' 'X' 'Z' 00): the stream footer magic "YZ" must end the
 *   file (xz pads streams with zero bytes to 4, which are skipped).
 * Anything else (LZ4, zstd, a multiboot module that is no archive at
 * all) is accepted as it is. Called for the Linux protocols only.
 */
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "mmu/mmu.h"
#include "sim/loader_int.h"

#define CPIO_HDR 110u

static int hexfield(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* NULL if the archive is complete, else what is wrong. */
static const char *check_cpio(const uint8_t *p, uint64_t len)
{
	uint64_t off = 0;

	while (off + CPIO_HDR <= len) {
		const uint8_t *h = p + off;
		uint32_t filesize, namesize;
		uint64_t name_end, data_end;

		if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
			return "bad cpio header";
		if (hexfield(h + 54, &filesize) || hexfield(h + 94, &namesize))
			return "bad cpio header field";
		name_end = (off + CPIO_HDR + namesize + 3) & ~3ull;
		data_end = (name_end + filesize + 3) & ~3ull;
		if (off + CPIO_HDR + namesize > len || name_end + filesize > len)
			return "cpio entry runs past the end";
		if (namesize == 11 && memcmp(h + CPIO_HDR, "TRAILER!!!", 11) == 0)
			return NULL;
		off = data_end;
	}
	return "cpio archive has no TRAILER!!! entry";
}

static const char *check_gzip(const uint8_t *p, uint64_t len)
{
	const uint64_t chunk = 1u << 30; /* zlib's uInt is 32 bits */
	uint64_t left = len;
	uint8_t out[16384];
	z_stream z;
	int ret;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) /* gzip wrapper */
		return "zlib cannot start";
	z.next_in = (Bytef *)p;
	for (;;) {
		if (!z.avail_in && left) {
			z.avail_in = (uInt)(left < chunk ? left : chunk);
			left -= z.avail_in;
		}
		z.next_out = out;
		z.avail_out = sizeof(out);
		ret = inflate(&z, Z_NO_FLUSH);
		if (ret == Z_STREAM_END ||
		    (ret == Z_BUF_ERROR && !z.avail_in && !left) ||
		    (ret != Z_OK && ret != Z_BUF_ERROR))
			break;
	}
	inflateEnd(&z);
	if (ret == Z_STREAM_END)
		return NULL;
	return ret == Z_BUF_ERROR ? "gzip stream ends early (truncated)"
				  : "corrupt gzip stream";
}

static const char *check_xz(const uint8_t *p, uint64_t len)
{
	while (len >= 4 && !p[len - 1] && !p[len - 2] && !p[len - 3] &&
	       !p[len - 4])
		len -= 4;
	if (len < 24 || p[len - 2] != 'Y' || p[len - 1] != 'Z')
		return "xz stream has no footer (truncated)";
	return NULL;
}

int initrd_check(struct ldr *l)
{
	for (int i = 0; i < l->bs->nr_modules; i++) {
		const struct boot_module *m = &l->bs->modules[i];
		uint64_t len = m->end - m->start;
		const uint8_t *p = physmem_ram_ptr(l->pm, m->start, len);
		const char *bad = NULL;

		if (!p || len < 6)
			continue;
		if (memcmp(p, "07070", 5) == 0)
			bad = check_cpio(p, len);
		else if (p[0] == 0x1F && p[1] == 0x8B)
			bad = check_gzip(p, len);
		else if (memcmp(p, "\xFD" "7zXZ\0", 6) == 0)
			bad = check_xz(p, len);
		if (bad) {
			l->path = l->args->initrd[i];
			return ldr_fail(l, LOADER_ERR_FORMAT, "bad initrd: %s",
					bad);
		}
	}
	return LOADER_OK;
}
