/*
 * cpu/dinsn.h — the compact decoded instruction.
 *
 * decode.c turns instruction bytes into a `struct dinsn` once; handlers read
 * only this struct, never the bytes. The decoded-instruction cache stores
 * these. Keep it at 32 bytes.
 *
 *  byte  0..7   op      row of the opcode table (handler, cost, flags)
 *  byte  8..15  imm     immediate, sign- or zero-extended per the row
 *  byte 16..19  disp    ModRM/SIB displacement, sign-extended
 *  byte 20      len     instruction length, 1..15
 *  byte 21      osize   operand size in bytes: 1, 2, 4, 8 (16 for XMM rows)
 *  byte 22      asize   address size in bytes: 2, 4, 8
 *  byte 23      reg     ModRM.reg | REX.R<<3, or opcode&7 | REX.B<<3 (O_Z)
 *  byte 24      rm      ModRM.rm | REX.B<<3
 *  byte 25      mod     ModRM.mod (3 = register operand)
 *  byte 26      base    base register, BASE_NONE or BASE_RIP
 *  byte 27      index   index register (| REX.X<<3) or INDEX_NONE
 *  byte 28      scale   SIB scale as a shift, 0..3
 *  byte 29      seg     effective segment (enum sreg)
 *  byte 30      pfx     PFX_* bits
 *  byte 31      imm2    ENTER nesting level / far-pointer selector low byte
 *  (a far pointer's 16-bit selector is stored in disp for IMM_AP)
 */
#ifndef HVSIM_CPU_DINSN_H_
#define HVSIM_CPU_DINSN_H_

#include <stdint.h>

#include "cpu/optab.h"

#define BASE_NONE  0xFF
#define BASE_RIP   0xFE
#define INDEX_NONE 0xFF

/* Prefix bits kept after decoding. */
#define PFX_LOCK  (1u << 0)
#define PFX_REP   (1u << 1) /* F3: REP / REPE */
#define PFX_REPNE (1u << 2) /* F2 */
#define PFX_OPSZ  (1u << 3) /* 66 */
#define PFX_ADSZ  (1u << 4) /* 67 */
#define PFX_REX   (1u << 5) /* any REX prefix (selects SPL..DIL) */
#define PFX_REXW  (1u << 6)
#define PFX_SEGOVR (1u << 7) /* an explicit segment override was given */

struct dinsn {
	const struct opdesc *op;
	uint64_t imm;
	int32_t disp;
	uint8_t len;
	uint8_t osize;
	uint8_t asize;
	uint8_t reg;
	uint8_t rm;
	uint8_t mod;
	uint8_t base;
	uint8_t index;
	uint8_t scale;
	uint8_t seg;
	uint8_t pfx;
	uint8_t imm2;
};
_Static_assert(sizeof(struct dinsn) == 32, "dinsn must stay 32 bytes");

/* Errors the decoder can report; each maps to an architectural fault. */
enum decode_err {
	DEC_OK = 0,
	DEC_UD,       /* undefined opcode or invalid prefix/mode combination */
	DEC_TOO_LONG, /* over 15 bytes: #GP(0) */
	DEC_FETCH,    /* the fetch callback faulted (it already raised) */
};

/* Decode mode, from CS and EFER. */
enum cpu_mode { MODE_REAL16, MODE_PROT16, MODE_PROT32, MODE_LONG64 };

/*
 * Decode one instruction from `bytes` (at least `avail` valid bytes; up to
 * 15 are looked at). Returns DEC_OK and fills *d, or an error. When `avail`
 * is smaller than the instruction needs, returns DEC_FETCH with d->len set
 * to the number of bytes needed so the caller can fetch across the page.
 */
enum decode_err decode_insn(const uint8_t *bytes, int avail,
			    enum cpu_mode mode, struct dinsn *d);

#endif
