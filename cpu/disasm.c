/*
 * cpu/disasm.c — Capstone wrapper (traces, error messages, `hvsim
 * disasm`), our decoder's Capstone-style mnemonics, and the once-per-
 * opcode log of unimplemented instructions.
 *
 * Spec: Capstone 4.0 C API (cs_open/cs_disasm, Intel syntax). Capstone is
 * never on the execution path: the interpreter decodes with decode.c; this
 * file only turns bytes into text for people and for the differential
 * test (tests/diff/test_decode_vs_capstone.c).
 *
 * Invariants: no state outside the handles callers own; the unimplemented
 * log fetches only bytes the decoder already fetched or that lie in the
 * same page (so logging can never turn a #UD into a #PF), and raises #UD.
 */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_int.h"
#include "cpu/disasm.h"

struct disasm {
	csh cs;
};

struct disasm *disasm_open(enum cpu_mode m)
{
	cs_mode mode = m == MODE_LONG64	  ? CS_MODE_64
		       : m == MODE_PROT32 ? CS_MODE_32
					  : CS_MODE_16;
	struct disasm *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (cs_open(CS_ARCH_X86, mode, &h->cs) != CS_ERR_OK) {
		free(h);
		return NULL;
	}
	return h;
}

void disasm_close(struct disasm *h)
{
	if (!h)
		return;
	cs_close(&h->cs);
	free(h);
}

size_t disasm_decode(struct disasm *h, const uint8_t *b, size_t n,
		     uint64_t addr, struct disasm_insn *out)
{
	cs_insn *insn = NULL;
	memset(out, 0, sizeof(*out));
	if (!h || !n || cs_disasm(h->cs, b, n, addr, 1, &insn) != 1)
		return 0;
	out->len = insn->size;
	snprintf(out->mnem, sizeof(out->mnem), "%s", insn->mnemonic);
	snprintf(out->ops, sizeof(out->ops), "%s", insn->op_str);
	cs_free(insn, 1);
	return out->len;
}

size_t disasm_one(struct disasm *h, const uint8_t *b, size_t n, uint64_t addr,
		  char *out, size_t outsz)
{
	struct disasm_insn in;
	if (!outsz)
		return disasm_decode(h, b, n, addr, &in);
	if (!disasm_decode(h, b, n, addr, &in))
		snprintf(out, outsz, "(bad)");
	else if (in.ops[0])
		snprintf(out, outsz, "%s %s", in.mnem, in.ops);
	else
		snprintf(out, outsz, "%s", in.mnem);
	return in.len;
}

size_t disasm_format(const uint8_t *b, size_t n, uint64_t addr, enum cpu_mode m,
		     char *out, size_t outsz)
{
	struct disasm *h = disasm_open(m);
	size_t len = disasm_one(h, b, n, addr, out, outsz);
	disasm_close(h);
	return len;
}

/* Pick alternative `which` (0..2) of "a|b|c" into buf. */
static const char *pick_alternative(const char *s, int which, char *buf,
				    size_t n)
{
	for (int i = 0; i < which; i++) {
		const char *bar = strchr(s, '|');
		if (!bar)
			break;
		s = bar + 1;
	}
	size_t len = strcspn(s, "|");
	if (len >= n)
		len = n ? n - 1 : 0;
	if (n) {
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	return buf;
}

const char *disasm_mnemonic(const struct dinsn *d, char *buf, size_t n)
{
	const char *m = d->op && d->op->mnem ? d->op->mnem : "(bad)";
	if (!strchr(m, '|')) {
		snprintf(buf, n, "%s", m);
		return buf;
	}
	unsigned size = d->osize;
	if (m[0] == '@') {
		m++;
		size = d->asize;
	}
	int which = size <= 2 ? 0 : size == 4 ? 1 : 2;
	return pick_alternative(m, which, buf, n);
}

const char *disasm_strip_prefixes(const char *m)
{
	static const char *const words[] = {
	    "lock ",  "rep ", "repe ",	  "repne ",    "repz ",
	    "repnz ", "bnd ", "notrack ", "xacquire ", "xrelease ",
	};
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			size_t len = strlen(words[i]);
			if (strncmp(m, words[i], len) == 0) {
				m += len;
				again = true;
			}
		}
	}
	return m;
}

/* How many bytes of the failing instruction can be read again without a
 * new fault: what the decoder fetched, or up to 15 within its page (and
 * within the CS limit outside 64-bit mode). */
static int loggable_bytes(const struct cpu *c, const struct dinsn *d,
			  uint64_t lin)
{
	uint64_t page_left = 4096 - (lin & 4095);
	uint64_t n = page_left < 15 ? page_left : 15;
	if (c->mode != MODE_LONG64) {
		uint64_t lim = c->seg[SEG_CS].limit;
		uint64_t left = c->insn_rip <= lim ? lim - c->insn_rip + 1 : 1;
		if (left < n)
			n = left;
	}
	if (d && d->len > n && d->len <= 15)
		n = d->len;
	return (int)n;
}

_Noreturn void cpu_unimplemented(struct cpu *c, const struct dinsn *d)
{
	uint64_t cs_base = c->mode == MODE_LONG64 ? 0 : c->seg[SEG_CS].base;
	uint64_t lin = cs_base + c->insn_rip;
	uint8_t buf[15];
	int n = loggable_bytes(c, d, lin);
	cpu_fetch(c, lin, buf, n);
	int key = decode_opcode_key(buf, n, c->mode);
	if (key < 0)
		key = 0;
	uint8_t *slot = &c->ud_logged[key >> 8][(key & 0xFF) >> 3];
	uint8_t bit = (uint8_t)(1u << (key & 7));
	if (c->log && !(*slot & bit)) {
		char text[96], hex[48], msg[224];
		struct dinsn dd;
		int len =
		    decode_insn(buf, n, c->mode, &dd) == DEC_OK ? dd.len : 0;
		size_t cl = disasm_format(buf, (size_t)n, c->insn_rip, c->mode,
					  text, sizeof(text));
		int show = len ? len : cl ? (int)cl : (n < 4 ? n : 4);
		for (int i = 0; i < show; i++)
			snprintf(hex + 3 * i, sizeof(hex) - 3 * (size_t)i,
				 "%02x ", buf[i]);
		hex[3 * show - 1] = '\0';
		snprintf(msg, sizeof(msg),
			 "#UD: unimplemented or undefined instruction at "
			 "rip=0x%llx: %s (capstone: %s)",
			 (unsigned long long)c->insn_rip, hex, text);
		c->log(c->log_opaque, msg);
	}
	*slot |= bit;
	cpu_raise_ud(c);
}
