/*
 * devices/acpi_aml.c — the AML emitter (acpi_aml.h). Opcodes and encodings
 * from ACPI 6.4 §20.2: NameOp 0x08, ScopeOp 0x10, BufferOp 0x11,
 * PackageOp 0x12, MethodOp 0x14, ReturnOp 0xA4, DeviceOp 0x5B 0x82,
 * integers as ZeroOp/OneOp or a Byte/Word/DWord/QWord prefix, strings as
 * StringPrefix 0x0D + ASCII + NUL, names as NameSegs of 4 characters with
 * RootChar '\', DualNamePrefix 0x2E and MultiNamePrefix 0x2F.
 *
 * A body with a PkgLength (Scope, Device, Method, Buffer, Package) is
 * written first and its PkgLength inserted in front of it when it ends,
 * because the encoding's size (1 to 4 bytes) depends on the body's length.
 */
#include "devices/acpi_aml.h"

#include <string.h>

enum {
	AML_ZERO = 0x00,
	AML_ONE = 0x01,
	AML_NAME = 0x08,
	AML_BYTE = 0x0A,
	AML_WORD = 0x0B,
	AML_DWORD = 0x0C,
	AML_STRING = 0x0D,
	AML_QWORD = 0x0E,
	AML_SCOPE = 0x10,
	AML_BUFFER = 0x11,
	AML_PACKAGE = 0x12,
	AML_METHOD = 0x14,
	AML_DUAL_NAME = 0x2E,
	AML_MULTI_NAME = 0x2F,
	AML_EXT = 0x5B,
	AML_EXT_DEVICE = 0x82,
	AML_ROOT = 0x5C,
	AML_RETURN = 0xA4,
};

void aml_init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

static void put(struct aml *a, uint8_t byte)
{
	if (a->len >= AML_MAX) {
		a->failed = true;
		return;
	}
	a->b[a->len++] = byte;
}

static void put_le(struct aml *a, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		put(a, (uint8_t)(v >> (8 * i)));
}

/* ---- names --------------------------------------------------------------- */

static bool seg_char_ok(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* Parse up to 8 segments into segs[][4]; -1 for a malformed path. */
static int parse_path(const char *p, bool *root, char segs[8][4])
{
	int n = 0;

	*root = *p == '\\';
	if (*root)
		p++;
	while (*p) {
		int k = 0;

		if (n == 8)
			return -1;
		memset(segs[n], '_', 4);
		while (*p && *p != '.') {
			if (k == 4 || !seg_char_ok(*p, k == 0))
				return -1;
			segs[n][k++] = *p++;
		}
		if (k == 0)
			return -1;
		n++;
		if (*p == '.' && !*++p)
			return -1; /* trailing dot */
	}
	return n;
}

void aml_name_path(struct aml *a, const char *path)
{
	char segs[8][4];
	bool root;
	int n = parse_path(path, &root, segs);

	if (n <= 0) {
		a->failed = true;
		return;
	}
	if (root)
		put(a, AML_ROOT);
	if (n == 2) {
		put(a, AML_DUAL_NAME);
	} else if (n > 2) {
		put(a, AML_MULTI_NAME);
		put(a, (uint8_t)n);
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 4; k++)
			put(a, (uint8_t)segs[i][k]);
}

/* ---- data ---------------------------------------------------------------- */

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		put(a, AML_ZERO);
	} else if (v == 1) {
		put(a, AML_ONE);
	} else if (v <= 0xFF) {
		put(a, AML_BYTE);
		put_le(a, v, 1);
	} else if (v <= 0xFFFF) {
		put(a, AML_WORD);
		put_le(a, v, 2);
	} else if (v <= 0xFFFFFFFFu) {
		put(a, AML_DWORD);
		put_le(a, v, 4);
	} else {
		put(a, AML_QWORD);
		put_le(a, v, 8);
	}
}

static void string(struct aml *a, const char *s)
{
	put(a, AML_STRING);
	for (; *s; s++) /* AML strings are 7-bit ASCII, 0x01-0x7F */
		put(a, (uint8_t)(*s & 0x7F ? *s & 0x7F : '?'));
	put(a, 0);
}

/* ---- bodies with a PkgLength ----------------------------------------------- */

static void body_begin(struct aml *a)
{
	if (a->depth == AML_DEPTH) {
		a->failed = true;
		return;
	}
	a->open[a->depth++] = a->len;
}

/* PkgLength counts itself: 1 byte up to 63, else 2..4 bytes with the low
 * nibble in the lead byte and the rest in the following bytes. */
void aml_end(struct aml *a)
{
	size_t start, body, total;
	uint8_t enc[4];
	int n;

	if (a->depth == 0 || a->failed) {
		a->failed = true;
		return;
	}
	start = a->open[--a->depth];
	body = a->len - start;
	for (n = 1; n <= 4; n++) {
		total = body + (size_t)n;
		if (n == 1 ? total <= 63 : total < (1ull << (4 + 8 * (n - 1))))
			break;
	}
	if (n > 4 || a->len + (size_t)n > AML_MAX) {
		a->failed = true;
		return;
	}
	if (n == 1) {
		enc[0] = (uint8_t)total;
	} else {
		enc[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0F));
		for (int i = 1; i < n; i++)
			enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	memmove(a->b + start + n, a->b + start, body);
	memcpy(a->b + start, enc, (size_t)n);
	a->len += (size_t)n;
}

/* ---- terms --------------------------------------------------------------- */

void aml_name_int(struct aml *a, const char *path, uint64_t v)
{
	put(a, AML_NAME);
	aml_name_path(a, path);
	aml_integer(a, v);
}

void aml_name_string(struct aml *a, const char *path, const char *s)
{
	put(a, AML_NAME);
	aml_name_path(a, path);
	string(a, s);
}

void aml_name_buffer(struct aml *a, const char *path, const uint8_t *data,
		     size_t n)
{
	put(a, AML_NAME);
	aml_name_path(a, path);
	put(a, AML_BUFFER);
	body_begin(a);
	aml_integer(a, n);
	for (size_t i = 0; i < n; i++)
		put(a, data[i]);
	aml_end(a);
}

void aml_name_package(struct aml *a, const char *path, const uint64_t *v,
		      size_t n)
{
	if (n > 255) {
		a->failed = true;
		return;
	}
	put(a, AML_NAME);
	aml_name_path(a, path);
	put(a, AML_PACKAGE);
	body_begin(a);
	put(a, (uint8_t)n); /* NumElements */
	for (size_t i = 0; i < n; i++)
		aml_integer(a, v[i]);
	aml_end(a);
}

void aml_scope_begin(struct aml *a, const char *path)
{
	put(a, AML_SCOPE);
	body_begin(a);
	aml_name_path(a, path);
}

void aml_device_begin(struct aml *a, const char *name)
{
	put(a, AML_EXT);
	put(a, AML_EXT_DEVICE);
	body_begin(a);
	aml_name_path(a, name);
}

void aml_method_return_int(struct aml *a, const char *name, uint64_t v)
{
	put(a, AML_METHOD);
	body_begin(a);
	aml_name_path(a, name);
	put(a, 0x00); /* MethodFlags: 0 arguments, NotSerialized */
	put(a, AML_RETURN);
	aml_integer(a, v);
	aml_end(a);
}

/* ---- resource descriptors ------------------------------------------------- */

size_t aml_res_irq_noflags(uint8_t *out, size_t out_len, unsigned irq)
{
	if (out_len < 5 || irq > 15)
		return 0;
	out[0] = 0x22; /* small item: IRQ (type 4), 2 data bytes */
	out[1] = (uint8_t)(1u << irq);
	out[2] = (uint8_t)((1u << irq) >> 8);
	out[3] = 0x79; /* small item: End Tag (type 0xF), 1 data byte */
	out[4] = 0x00; /* checksum 0: "treat as valid" */
	return 5;
}
