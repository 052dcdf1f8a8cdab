/*
 * sim/loader.c — reads the kernel file, tells the boot protocol apart, loads
 * ELF segments and modules, and puts the CPU in the entry state.
 *
 * Spec: docs/BOOT.md (what a guest sees); ELF: System V ABI gABI ch. 5
 * "Program Loading" (PT_LOAD: p_filesz bytes from p_offset, zero-filled up
 * to p_memsz, placed at p_paddr here, as a boot loader does).
 * Invariants: the file is untrusted. Every size and offset is checked
 * against the file and guest RAM with overflow-safe arithmetic before any
 * byte is copied; all segments are validated before the first one is
 * written; nothing below BOOT_KERNEL_MIN (the boot area) is ever written
 * from a file. libelf parses the headers; the numbers it returns are
 * checked here again. Errors are "FILE: problem" plus an enum loader_err.
 * Called by sim/sim.c; the protocol-specific parts are in boot_native.c,
 * multiboot.c, pvh.c and bzimage.c (initrd.c checks Linux initrds,
 * bootmap.c builds their memory map).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "sim/loader_int.h"

#define MODULE_CHUNK (1u << 20) /* module files are copied in pieces */
#define MAX_PHDRS    4096	/* more program headers than this: corrupt */

int ldr_fail(struct ldr *l, int code, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!l->err || !l->errlen)
		return code;
	if (l->path)
		n = snprintf(l->err, l->errlen, "%s: ", l->path);
	if (n >= 0 && (size_t)n < l->errlen) {
		va_start(ap, fmt);
		vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return code;
}

void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int ldr_check_range(struct ldr *l, uint64_t gpa, uint64_t len, const char *what)
{
	uint64_t end;

	if (__builtin_add_overflow(gpa, len, &end))
		return ldr_fail(l, LOADER_ERR_RANGE,
				"%s at %#llx, %#llx bytes, wraps around the "
				"address space",
				what, (unsigned long long)gpa,
				(unsigned long long)len);
	if (gpa < BOOT_KERNEL_MIN)
		return ldr_fail(
		    l, LOADER_ERR_RANGE,
		    "%s at %#llx overlaps the boot area below 1 MiB", what,
		    (unsigned long long)gpa);
	if (end > l->ram)
		return ldr_fail(l, LOADER_ERR_RANGE,
				"%s [%#llx, %#llx) does not fit in guest RAM "
				"(%llu MiB)",
				what, (unsigned long long)gpa,
				(unsigned long long)end,
				(unsigned long long)(l->ram >> 20));
	return LOADER_OK;
}

int ldr_copy(struct ldr *l, uint64_t gpa, const void *src, uint64_t len)
{
	if (len && physmem_copy_to(l->pm, gpa, src, len) != 0)
		return ldr_fail(
		    l, LOADER_ERR_RANGE, "cannot write %#llx bytes at %#llx",
		    (unsigned long long)len, (unsigned long long)gpa);
	return LOADER_OK;
}

int ldr_zero(struct ldr *l, uint64_t gpa, uint64_t len)
{
	uint8_t *p = len ? physmem_ram_ptr(l->pm, gpa, len) : NULL;

	if (!len)
		return LOADER_OK;
	if (!p)
		return ldr_fail(
		    l, LOADER_ERR_RANGE, "cannot clear %#llx bytes at %#llx",
		    (unsigned long long)len, (unsigned long long)gpa);
	memset(p, 0, len);
	physmem_note_write(l->pm, gpa, len);
	return LOADER_OK;
}

/* Open a regular file; *size gets its length. Returns an fd or -1. */
static int open_regular(struct ldr *l, const char *path, uint64_t *size,
			int *rc)
{
	struct stat st;
	int fd;

	l->path = path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*rc = ldr_fail(l, LOADER_ERR_IO, "cannot open: %s",
			       strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*rc = ldr_fail(l, LOADER_ERR_IO, "not a regular file");
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* read() exactly n bytes; -1 with a message on error or a short file. */
static int read_full(struct ldr *l, int fd, uint8_t *buf, size_t n)
{
	while (n) {
		ssize_t r = read(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ldr_fail(l, LOADER_ERR_IO, "read error: %s",
					strerror(errno));
		if (r == 0)
			return ldr_fail(l, LOADER_ERR_IO,
					"file shrank while being read");
		buf += r;
		n -= (size_t)r;
	}
	return LOADER_OK;
}

/* A private copy of the kernel's bytes in l->img (fd < 0: from memory,
 * args->image), after the size check both sources share. */
static int take_kernel(struct ldr *l, int fd, uint64_t size)
{
	if (size > LOADER_MAX_FILE)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"file is %llu bytes; kernels are limited to "
				"%llu MiB",
				(unsigned long long)size,
				LOADER_MAX_FILE >> 20);
	l->size = (size_t)size;
	l->img = malloc(l->size ? l->size : 1);
	if (!l->img)
		return ldr_fail(l, LOADER_ERR_NOMEM, "out of host memory");
	if (fd < 0) {
		memcpy(l->img, l->args->image, l->size);
		return LOADER_OK;
	}
	return read_full(l, fd, l->img, l->size);
}

static int read_kernel(struct ldr *l)
{
	uint64_t size;
	int rc = LOADER_OK, fd;

	if (l->args->image) {
		l->path = l->args->kernel;
		return take_kernel(l, -1, l->args->image_size);
	}
	fd = open_regular(l, l->args->kernel, &size, &rc);
	if (fd < 0)
		return rc;
	rc = take_kernel(l, fd, size);
	close(fd);
	return rc;
}

/* Check one PT_LOAD header against the file and guest RAM. */
static int check_segment(struct ldr *l, size_t i, const GElf_Phdr *ph)
{
	char what[48];
	uint64_t fend;

	if (ph->p_filesz > ph->p_memsz)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"segment %zu: p_filesz %#llx exceeds p_memsz "
				"%#llx",
				i, (unsigned long long)ph->p_filesz,
				(unsigned long long)ph->p_memsz);
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &fend) ||
	    fend > l->size)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"segment %zu: file data at offset %#llx, %#llx "
				"bytes, lies past the end of the file (%zu "
				"bytes)",
				i, (unsigned long long)ph->p_offset,
				(unsigned long long)ph->p_filesz, l->size);
	snprintf(what, sizeof(what), "segment %zu", i);
	return ldr_check_range(l, ph->p_paddr, ph->p_memsz, what);
}

/* Program-header count, with the table checked against the file. */
static int elf_phdrs(struct ldr *l, Elf *e, size_t *phnum)
{
	GElf_Ehdr eh;
	size_t entsize, bytes;
	uint64_t end;

	if (!gelf_getehdr(e, &eh) || elf_getphdrnum(e, phnum) != 0)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"bad ELF or program header table: %s",
				elf_errmsg(-1));
	if (*phnum == 0)
		return ldr_fail(l, LOADER_ERR_FORMAT, "no program headers");
	if (*phnum > MAX_PHDRS)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"%zu program headers (corrupt?)", *phnum);
	entsize = gelf_getclass(e) == ELFCLASS64 ? sizeof(Elf64_Phdr)
						 : sizeof(Elf32_Phdr);
	if (eh.e_phentsize != entsize)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"e_phentsize is %u, expected %zu",
				eh.e_phentsize, entsize);
	bytes = *phnum * entsize;
	if (__builtin_add_overflow(eh.e_phoff, bytes, &end) || end > l->size)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"program header table at offset %#llx lies "
				"past the end of the file",
				(unsigned long long)eh.e_phoff);
	return LOADER_OK;
}

/* Validate every PT_LOAD, then copy them; sets kernel_start/end. */
static int load_segments(struct ldr *l, Elf *e, size_t phnum)
{
	struct boot_state *bs = l->bs;
	GElf_Phdr ph;
	int rc, nload = 0;

	bs->kernel_start = UINT64_MAX;
	bs->kernel_end = 0;
	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph))
			return ldr_fail(l, LOADER_ERR_FORMAT,
					"cannot read program header %zu: %s", i,
					elf_errmsg(-1));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if ((rc = check_segment(l, i, &ph)) != LOADER_OK)
			return rc;
		nload++;
		if (ph.p_paddr < bs->kernel_start)
			bs->kernel_start = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > bs->kernel_end)
			bs->kernel_end = ph.p_paddr + ph.p_memsz;
	}
	if (!nload)
		return ldr_fail(l, LOADER_ERR_FORMAT, "no loadable segments");
	for (size_t i = 0; i < phnum; i++) {
		gelf_getphdr(e, (int)i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		rc = ldr_copy(l, ph.p_paddr, l->img + ph.p_offset, ph.p_filesz);
		if (rc == LOADER_OK)
			rc = ldr_zero(l, ph.p_paddr + ph.p_filesz,
				      ph.p_memsz - ph.p_filesz);
		if (rc != LOADER_OK)
			return rc;
	}
	return LOADER_OK;
}

/* e_entry as a physical address: through the PT_LOAD segment whose
 * virtual range holds it (identity when p_vaddr == p_paddr). */
static uint64_t entry_paddr(Elf *e, size_t phnum, uint64_t entry)
{
	GElf_Phdr ph;

	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (entry >= ph.p_vaddr && entry - ph.p_vaddr < ph.p_memsz)
			return entry - ph.p_vaddr + ph.p_paddr;
	}
	return entry;
}

int ldr_load_elf(struct ldr *l, Elf *e, bool entry_to_paddr)
{
	GElf_Ehdr eh;
	size_t phnum;
	int rc;

	if ((rc = elf_phdrs(l, e, &phnum)) != LOADER_OK)
		return rc;
	if ((rc = load_segments(l, e, phnum)) != LOADER_OK)
		return rc;
	gelf_getehdr(e, &eh);
	l->bs->entry =
	    entry_to_paddr ? entry_paddr(e, phnum, eh.e_entry) : eh.e_entry;
	return LOADER_OK;
}

/* Copy one module file to guest RAM at `at`. */
static int load_module(struct ldr *l, const char *path, uint64_t at,
		       uint8_t *buf, struct boot_module *m)
{
	uint64_t size, done = 0;
	int rc = LOADER_OK, fd = open_regular(l, path, &size, &rc);

	if (fd < 0)
		return rc;
	rc = ldr_check_range(l, at, size, "module");
	while (rc == LOADER_OK && done < size) {
		size_t n = size - done < MODULE_CHUNK ? (size_t)(size - done)
						      : MODULE_CHUNK;
		rc = read_full(l, fd, buf, n);
		if (rc == LOADER_OK)
			rc = ldr_copy(l, at + done, buf, n);
		done += n;
	}
	close(fd);
	*m = (struct boot_module){at, at + size};
	return rc;
}

int ldr_load_modules(struct ldr *l)
{
	struct boot_state *bs = l->bs;
	uint64_t at = (bs->kernel_end + PAGE_SIZE - 1) & PAGE_MASK;
	uint8_t *buf;
	int rc = LOADER_OK;

	if (!l->args->nr_initrd)
		return LOADER_OK;
	buf = malloc(MODULE_CHUNK);
	if (!buf)
		return ldr_fail(l, LOADER_ERR_NOMEM, "out of host memory");
	for (int i = 0; i < l->args->nr_initrd && rc == LOADER_OK; i++) {
		struct boot_module *m = &bs->modules[i];
		rc = load_module(l, l->args->initrd[i], at, buf, m);
		bs->nr_modules = i + 1;
		/* m->end <= RAM size here, so aligning it cannot wrap. */
		at = (m->end + PAGE_SIZE - 1) & PAGE_MASK;
	}
	free(buf);
	return rc;
}

int ldr_memmap(struct ldr *l, struct boot_mem_range *out)
{
	int n = boot_memmap(l->ram, l->args->reserved, l->args->nr_reserved,
			    out, BOOT_MEMMAP_MAX);

	if (n < 0)
		return ldr_fail(l, LOADER_ERR_ARGS,
				"the reserved memory ranges are invalid or "
				"too many for the memory map");
	return n;
}

/* ELF64: must be little-endian x86-64; boots by PVH if it names a PVH
 * entry, natively otherwise. */
static int load_elf64(struct ldr *l, Elf *e)
{
	GElf_Ehdr eh;
	uint64_t pvh_entry;
	int rc;

	if (!gelf_getehdr(e, &eh))
		return ldr_fail(l, LOADER_ERR_FORMAT, "bad ELF header: %s",
				elf_errmsg(-1));
	if (eh.e_machine != EM_X86_64)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"ELF64 file for machine %u, not x86-64 (62)",
				eh.e_machine);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"ELF type %u is not an executable", eh.e_type);
	rc = pvh_find_entry(l, e, &pvh_entry);
	if (rc == 1)
		return pvh_load(l, e, pvh_entry);
	if (rc != 0)
		return rc;
	l->bs->proto = BOOT_NATIVE64;
	if ((rc = ldr_load_elf(l, e, false)) != LOADER_OK ||
	    (rc = ldr_load_modules(l)) != LOADER_OK)
		return rc;
	l->path = l->args->kernel;
	return boot_native_setup(l);
}

/* ELF32: must be i386 and carry a multiboot header. */
static int load_elf32(struct ldr *l, Elf *e)
{
	long hdr = multiboot_find_header(l->img, l->size);
	GElf_Ehdr eh;

	if (!gelf_getehdr(e, &eh))
		return ldr_fail(l, LOADER_ERR_FORMAT, "bad ELF header: %s",
				elf_errmsg(-1));
	if (eh.e_machine != EM_386)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"ELF32 file for machine %u, not i386 (3)",
				eh.e_machine);
	if (hdr < 0)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"ELF32 file without a multiboot v1 header in "
				"its first %u bytes",
				MULTIBOOT_SEARCH);
	return multiboot_load(l, e, hdr);
}

/* Tell the formats apart and load. */
static int load_kernel(struct ldr *l)
{
	const uint8_t *id = l->img;
	Elf *e;
	int rc;

	if (bzimage_detect(l->img, l->size))
		return bzimage_load(l);
	if (l->size < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0) {
		long hdr = multiboot_find_header(l->img, l->size);
		if (hdr >= 0 && (get_le32(l->img + hdr + 4) & (1u << 16)))
			return multiboot_load(l, NULL, hdr);
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"not an ELF file, a bzImage or a file "
				"with a multiboot header with load "
				"addresses");
	}
	if (l->size < sizeof(Elf32_Ehdr) ||
	    (id[EI_CLASS] == ELFCLASS64 && l->size < sizeof(Elf64_Ehdr)))
		return ldr_fail(l, LOADER_ERR_FORMAT, "truncated ELF header");
	if (id[EI_DATA] != ELFDATA2LSB)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"not a little-endian ELF file (EI_DATA %u)",
				id[EI_DATA]);
	if (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64)
		return ldr_fail(l, LOADER_ERR_FORMAT,
				"ELF class %u is neither ELF32 nor ELF64",
				id[EI_CLASS]);
	if (elf_version(EV_CURRENT) == EV_NONE ||
	    !(e = elf_memory((char *)l->img, l->size)))
		return ldr_fail(l, LOADER_ERR_FORMAT, "libelf: %s",
				elf_errmsg(-1));
	rc = id[EI_CLASS] == ELFCLASS64 ? load_elf64(l, e) : load_elf32(l, e);
	elf_end(e);
	return rc;
}

static int check_args(struct ldr *l)
{
	const struct loader_args *a = l->args;
	size_t len = a->cmdline ? strlen(a->cmdline) : 0;

	l->path = "--append";
	if (len > BOOT_CMDLINE_MAX)
		return ldr_fail(l, LOADER_ERR_ARGS,
				"command line is %zu bytes; at most %u fit",
				len, BOOT_CMDLINE_MAX);
	l->path = "--initrd";
	if (a->nr_initrd < 0 || a->nr_initrd > LOADER_MAX_MODULES)
		return ldr_fail(l, LOADER_ERR_ARGS,
				"%d modules; at most %d are supported",
				a->nr_initrd, LOADER_MAX_MODULES);
	l->path = "rsdp";
	if (a->rsdp_gpa && a->rsdp_gpa >= physmem_ram_size(l->pm))
		return ldr_fail(l, LOADER_ERR_ARGS,
				"RSDP address %#llx lies outside guest RAM",
				(unsigned long long)a->rsdp_gpa);
	l->path = "--kernel";
	if (!a->kernel)
		return ldr_fail(l, LOADER_ERR_ARGS, "no kernel file given");
	l->path = NULL;
	return LOADER_OK;
}

int loader_load(struct physmem *pm, const struct loader_args *args,
		struct boot_state *bs, char *err, size_t errlen)
{
	struct ldr l = {
	    .pm = pm,
	    .ram = physmem_ram_size(pm),
	    .args = args,
	    .bs = bs,
	    .err = err,
	    .errlen = errlen,
	};
	int rc;

	memset(bs, 0, sizeof(*bs));
	if (err && errlen)
		err[0] = '\0';
	if ((rc = check_args(&l)) == LOADER_OK &&
	    (rc = read_kernel(&l)) == LOADER_OK)
		rc = load_kernel(&l);
	free(l.img);
	return rc;
}

void loader_enter(struct cpu *cpu, struct physmem *pm,
		  const struct boot_state *bs)
{
	/* Every boot state points GDTR at BOOT_GDT, so all get its table. */
	cpu_write_boot_gdt(pm, BOOT_GDT);
	switch (bs->proto) {
	case BOOT_MULTIBOOT1:
		cpu_setup_protected32(cpu);
		cpu_set_gpr(cpu, RAX, MULTIBOOT_BOOT_MAGIC);
		cpu_set_gpr(cpu, RBX, bs->info);
		break;
	case BOOT_PVH: /* flat 32-bit, paging off, EBX = hvm_start_info */
		cpu_setup_protected32(cpu);
		cpu_set_gpr(cpu, RBX, bs->info);
		break;
	case BOOT_LINUX64: /* long mode, identity map, RSI = zero page */
		cpu_setup_long64(cpu, BOOT_PML4, BOOT_GDT);
		cpu_set_gpr(cpu, RSI, bs->info);
		cpu_set_gpr(cpu, RSP, BOOT_STACK);
		break;
	case BOOT_NATIVE64:
		cpu_setup_long64(cpu, BOOT_PML4, BOOT_GDT);
		cpu_set_gpr(cpu, RDI, bs->info);
		cpu_set_gpr(cpu, RSP, BOOT_STACK);
		break;
	}
	cpu_set_rip(cpu, bs->entry);
}
