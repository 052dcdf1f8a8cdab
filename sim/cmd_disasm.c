/*
 * sim/cmd_disasm.c — `hvsim disasm FILE`: every instruction of an ELF's
 * executable sections (or PF_X PT_LOAD segments when there are no section
 * headers), as Capstone prints it and as our decoder (cpu/decode.c) sees
 * it: address, bytes, Capstone's text, our length and mnemonic, and "!!"
 * where the two disagree; a summary line with the counts at the end.
 *
 * The file is untrusted input: libelf parses it, and every range taken
 * from a program header is checked against the file size before use. An
 * ELFCLASS64 x86-64 file is decoded in 64-bit mode, an EM_386 file in
 * 32-bit mode. Errors: one line on stderr, exit status 2 (docs/BOOT.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* <unistd.h> names a lockf() command F_LOCK; cpu/optab.h uses the name
 * for its LOCK-allowed flag, and this file needs neither lockf nor it. */
#undef F_LOCK
#include "cpu/disasm.h"
#include "sim/cmd_disasm.h"

#define EXIT_BAD_INPUT 2

struct disasm_counts {
	unsigned long insns, agree, len_differ, mnem_differ, ours_bad, cs_bad;
};

/* Compare one instruction; returns the bytes to advance. */
static size_t disasm_line(struct disasm *h, enum cpu_mode mode,
			  const uint8_t *p, size_t left, uint64_t addr,
			  struct disasm_counts *c)
{
	struct disasm_insn cs;
	struct dinsn d;
	char ours[32] = "(bad)", hex[48] = "";
	size_t cl = disasm_decode(h, p, left, addr, &cs);
	int avail = left < 64 ? (int)left : 64;
	bool ok = decode_insn(p, avail, mode, &d) == DEC_OK;
	if (ok)
		disasm_mnemonic(&d, ours, sizeof(ours));
	size_t step = cl ? cl : ok ? d.len : 1;
	for (size_t i = 0; i < step && i < 10; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", p[i]);
	bool same = cl && ok && cl == d.len &&
		    !strcmp(disasm_strip_prefixes(cs.mnem), ours);
	c->insns++;
	c->agree += same;
	c->cs_bad += !cl && ok;
	c->ours_bad += cl && !ok;
	c->len_differ += cl && ok && cl != d.len;
	c->mnem_differ += cl && ok && cl == d.len && !same;
	char text[200];
	snprintf(text, sizeof(text), "%s%s%s", cl ? cs.mnem : "(bad)",
		 cs.ops[0] ? " " : "", cs.ops);
	printf("%12llx:  %-30s%s %-44s | %2d %-10s%s\n",
	       (unsigned long long)addr, hex, step > 10 ? "+" : " ", text,
	       ok ? d.len : 0, ours, same || (!cl && !ok) ? "" : " !!");
	return step;
}

static void disasm_range(struct disasm *h, enum cpu_mode mode, const uint8_t *p,
			 size_t n, uint64_t addr, struct disasm_counts *c)
{
	for (size_t off = 0; off < n;)
		off += disasm_line(h, mode, p + off, n - off, addr + off, c);
}

/* Executable PROGBITS sections; returns how many were found. */
static int disasm_sections(Elf *e, struct disasm *h, enum cpu_mode mode,
			   struct disasm_counts *c)
{
	size_t shstrndx = 0;
	int found = 0;
	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		shstrndx = 0;
	for (Elf_Scn *scn = elf_nextscn(e, NULL); scn;
	     scn = elf_nextscn(e, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		const char *name = elf_strptr(e, shstrndx, sh.sh_name);
		printf("section %s at 0x%llx, %zu bytes\n", name ? name : "?",
		       (unsigned long long)sh.sh_addr, data->d_size);
		disasm_range(h, mode, data->d_buf, data->d_size, sh.sh_addr, c);
		found++;
	}
	return found;
}

/* PF_X PT_LOAD segments, for files without section headers. */
static int disasm_segments(Elf *e, struct disasm *h, enum cpu_mode mode,
			   struct disasm_counts *c)
{
	size_t nph = 0, fsize = 0;
	const uint8_t *raw = (const uint8_t *)elf_rawfile(e, &fsize);
	int found = 0;
	if (!raw || elf_getphdrnum(e, &nph) != 0)
		return 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_X))
			continue;
		if (ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset)
			continue; /* points outside the file */
		printf("segment %zu at 0x%llx, %llu bytes\n", i,
		       (unsigned long long)ph.p_vaddr,
		       (unsigned long long)ph.p_filesz);
		disasm_range(h, mode, raw + ph.p_offset, ph.p_filesz,
			     ph.p_vaddr, c);
		found++;
	}
	return found;
}

static int disasm_elf(Elf *e, const char *path)
{
	GElf_Ehdr eh;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		fprintf(stderr, "hvsim: disasm: %s: not an ELF file\n", path);
		return EXIT_BAD_INPUT;
	}
	enum cpu_mode mode;
	if (eh.e_machine == EM_X86_64 && gelf_getclass(e) == ELFCLASS64)
		mode = MODE_LONG64;
	else if (eh.e_machine == EM_386)
		mode = MODE_PROT32;
	else {
		fprintf(stderr, "hvsim: disasm: %s: not an x86 ELF file\n",
			path);
		return EXIT_BAD_INPUT;
	}
	struct disasm *h = disasm_open(mode);
	if (!h) {
		fprintf(stderr, "hvsim: disasm: cannot open Capstone\n");
		return 1;
	}
	struct disasm_counts c = {0};
	size_t nsh = 0;
	if (elf_getshdrnum(e, &nsh) != 0 || nsh == 0 ||
	    disasm_sections(e, h, mode, &c) == 0)
		disasm_segments(e, h, mode, &c);
	disasm_close(h);
	printf("%lu instructions: %lu agree, %lu length differ, %lu mnemonic "
	       "differ, %lu only Capstone decodes, %lu only we decode\n",
	       c.insns, c.agree, c.len_differ, c.mnem_differ, c.ours_bad,
	       c.cs_bad);
	return 0;
}

int cmd_disasm(int argc, char **argv)
{
	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts(
		    "usage: hvsim disasm FILE\n"
		    "Disassemble the code of an x86 ELF file with Capstone and "
		    "with hvsim's decoder;\n\"!!\" marks lines where length "
		    "or mnemonic disagree.");
		return 0;
	}
	if (argc != 2) {
		fputs("hvsim: disasm: expected one ELF file (try 'hvsim disasm "
		      "--help')\n",
		      stderr);
		return EXIT_BAD_INPUT;
	}
	const char *path = argv[1];
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fputs("hvsim: disasm: libelf is unusable\n", stderr);
		return 1;
	}
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "hvsim: disasm: cannot open %s: %s\n", path,
			strerror(errno));
		return EXIT_BAD_INPUT;
	}
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	int rc;
	if (!e) {
		fprintf(stderr, "hvsim: disasm: %s: %s\n", path,
			elf_errmsg(-1));
		rc = EXIT_BAD_INPUT;
	} else {
		rc = disasm_elf(e, path);
		elf_end(e);
	}
	close(fd);
	return rc;
}
