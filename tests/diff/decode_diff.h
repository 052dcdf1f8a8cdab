/*
 * tests/diff/decode_diff.h — shared types of the decoder-vs-Capstone
 * differential test: one generated encoding, the two decoders' outcomes,
 * and the allowlist of known, explained differences
 * (decode_known_diffs.c).
 */
#ifndef HVSIM_TESTS_DECODE_DIFF_H_
#define HVSIM_TESTS_DECODE_DIFF_H_

#include <capstone/capstone.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpu/dinsn.h"

/* One generated encoding and what the generator knows about it. */
struct enc {
	uint8_t b[32];
	int n; /* bytes in b (more than the instruction needs) */
	enum cpu_mode mode;
	int map;	     /* 0 one-byte, 1 0F, 2 0F 38, 3 0F 3A */
	int op;		     /* opcode byte within the map */
	int op_pos;	     /* offset of the first opcode byte (0F or op) */
	int lock_pos;	     /* offset of an F0 prefix, -1 if none */
	uint8_t last_legacy; /* the last legacy prefix byte, 0 if none */
	bool p66, p67, lock;
	int mand;      /* mandatory-prefix column: 0, 1 (66), 2 (F3), 3 (F2) */
	uint8_t rex;   /* effective REX, 0 if none */
	uint8_t modrm; /* the byte after the opcode */
};

/* What each decoder made of it. */
struct outcome {
	bool cs_ok;
	int cs_len;
	char cs_mnem[32];  /* Capstone's mnemonic without prefix words */
	char cs_text[256]; /* full Capstone text, for messages */
	cs_x86 cs_detail;
	bool our_ok;
	enum decode_err err;
	struct dinsn d;
	char our_mnem[32];
};

/* Kinds of difference. */
enum diff_kind {
	D_NONE = 0,
	D_WE_REJECT = 1 << 0,  /* Capstone decodes it, we say #UD */
	D_CS_REJECTS = 1 << 1, /* we decode it, Capstone does not */
	D_LENGTH = 1 << 2,     /* both decode, lengths differ */
	D_MNEMONIC = 1 << 3,   /* both decode, mnemonics differ */
	D_OPERAND = 1 << 4,    /* same length and mnemonic, operands differ */
};

#define M64 1u
#define M32 2u

/* A known difference: which encodings it covers and why it is right (or
 * out of scope). All set conditions must hold. */
struct known_diff {
	unsigned kinds;	      /* D_* this entry explains */
	unsigned modes;	      /* M64 | M32 */
	int map;	      /* -1: any map */
	int lo, hi;	      /* opcode range within the map */
	const char *cs_mnems; /* " a b c " Capstone mnemonics, NULL = any */
	bool (*when)(const struct enc *e, const struct outcome *o);
	const char *reason;
};

extern const struct known_diff known_diffs[];
extern const int n_known_diffs;

/* Does entry k explain a difference of kind `kind`? */
bool known_diff_matches(const struct known_diff *k, enum diff_kind kind,
			const struct enc *e, const struct outcome *o);

#endif
