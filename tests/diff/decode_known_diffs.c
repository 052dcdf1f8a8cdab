/*
 * tests/diff/decode_known_diffs.c — the allowlist of known differences
 * between our decoder and Capstone 4.0.2, each with its reason.
 *
 * Three sorts of entry:
 *  - out of scope: instructions Capstone decodes that the model does not
 *    implement (no handler in cpu/ops.h), so we raise #UD — matched by
 *    Capstone's mnemonic or by opcode range;
 *  - not written yet: rows another file owns (the SSE prefix tables and
 *    x87 escapes in cpu/optab_fp.c) — matched only while those rows are
 *    still empty, so the entries expire by themselves;
 *  - we follow the SDM (Intel) where Capstone 4 does not — each names the
 *    SDM rule, and its predicate is as narrow as the rule.
 * An entry matches when its kind, mode, opcode range, Capstone mnemonic
 * list and predicate all agree (decode_diff.h).
 */
#include <stdio.h>
#include <string.h>

#include "cpu/optab.h"
#include "decode_diff.h"

/* ---- predicates -------------------------------------------------------- */

static bool row_is_empty(const struct opdesc *r)
{
	return !r->fn && !r->mnem && !r->flags;
}

/* LOCK on a row that does not take it, or with a register destination:
 * the SDM says #UD; Capstone 4 decodes (and often drops) the prefix. The
 * same bytes without the F0 prefixes must decode for us. */
static bool lock_is_the_reason(const struct enc *e, const struct outcome *o)
{
	(void)o;
	if (!e->lock)
		return false;
	struct enc t = *e;
	t.n = 0;
	for (int i = 0; i < e->n; i++)
		if (i >= e->op_pos || e->b[i] != 0xF0)
			t.b[t.n++] = e->b[i];
	struct dinsn d;
	return decode_insn(t.b, t.n, e->mode, &d) == DEC_OK;
}

/* The SSE prefix variant for this 0F opcode is not written yet. */
static bool sse_row_missing(const struct enc *e, const struct outcome *o)
{
	(void)o;
	const struct opdesc *r = &optab_0f[e->op];
	if (e->map != 1 || !(r->flags & F_PREFIX) ||
	    r->sub_table != optab_0f_pfx[e->op])
		return false;
	return row_is_empty(&optab_0f_pfx[e->op][e->mand]);
}

/* The x87 row for this escape and ModRM is not written yet. */
static bool x87_row_missing(const struct enc *e, const struct outcome *o)
{
	(void)o;
	uint8_t m = e->modrm;
	unsigned idx = (m >> 6) == 3 ? 8 + (m & 0x3F) : (m >> 3) & 7;
	return e->map == 0 && e->op >= 0xD8 && e->op <= 0xDF &&
	       row_is_empty(&optab_x87[e->op - 0xD8][idx]);
}

/* An MMX register operand (mm0-mm7, not xmm). */
static bool mmx_operand(const struct enc *e, const struct outcome *o)
{
	(void)e;
	for (const char *p = o->cs_text; (p = strstr(p, "mm")); p++)
		if ((p == o->cs_text || p[-1] != 'x') && p[2] >= '0' &&
		    p[2] <= '7')
			return true;
	return false;
}

/* Capstone 4 honours 66 / 67 / F2 / F3 only when no other legacy prefix
 * follows them (e.g. 66 3E 99 is CDQ to it, CWD to the CPU). The SDM
 * (Vol. 2A §2.1.1) lets prefixes come in any order. */
static bool opsize_not_last(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return e->p66 && e->last_legacy != 0x66;
}

static bool adsize_not_last(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return e->p67 && e->last_legacy != 0x67;
}

/* (F2/F3 also select a mandatory-prefix row, whatever 66 says and
 * wherever it stands; Capstone takes the last prefix given.) */
static bool rep_not_last(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return e->mand >= 2 && e->last_legacy != 0xF2 && e->last_legacy != 0xF3;
}

/* REX.W wins over 66 (SDM Vol. 2A §2.2.1.2); Capstone 4 sometimes lets
 * 66 (or 67) decide instead. */
static bool rexw_with_66_or_67(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return (e->rex & 8) && (e->p66 || e->p67);
}

/* Intel ignores 66 on near CALL/JMP/Jcc in 64-bit mode (rel32 stays, the
 * operand size is 64: "rel16 N.S."); Capstone decodes rel16 as AMD does. */
static bool near_branch_66(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return e->p66 && e->mode == MODE_LONG64;
}

/* REX.R is ignored when ModRM.reg names a segment register (SDM Vol. 2A
 * §2.2.1.2); Capstone rejects it. */
static bool rex_r(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return (e->rex & 4) != 0;
}

/* An address-size prefix anywhere among the prefixes. */
static bool adsize_67(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return e->p67;
}

static bool has_mandatory_prefix(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return e->mand != 0;
}

static bool mod_is_reg(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return (e->modrm >> 6) == 3;
}

#define ANY  (D_WE_REJECT | D_CS_REJECTS | D_LENGTH | D_MNEMONIC | D_OPERAND)
#define BOTH (M64 | M32)

/* clang-format off */
const struct known_diff known_diffs[] = {
	/* ---- out of scope: no handler in cpu/ops.h, #UD here ---------- */
	{D_WE_REJECT, BOTH, -1, 0, 0,
	 " daa das aaa aas aam aad salc xlatb les lds arpl ",
	 NULL, "legacy BCD/XLAT/BOUND/LES/LDS/ARPL: no handler in ops.h"},
	{D_WE_REJECT, BOTH, -1, 0, 0, " lar lsl verr verw ", NULL,
	 "LAR/LSL/VERR/VERW (descriptor probes): no handler in ops.h"},
	{D_WE_REJECT, BOTH, -1, 0, 0,
	 " monitor mwait clac stac xgetbv xsetbv vmfunc xend xtest encls enclu"
	 " enclv vmlaunch vmresume vmxoff vmrun vmmcall vmload vmsave stgi clgi"
	 " skinit invlpga rdpkru wrpkru monitorx mwaitx clzero rdpru ",
	 NULL, "0F 01 forms without a handler: MONITOR/MWAIT, SMAP, XCR0, "
	 "VMX/SVM, TSX, SGX, PKU"},
	{D_WE_REJECT, BOTH, -1, 0, 0,
	 " sysenter sysexit getsec rsm emms vmread vmwrite lss lfs lgs"
	 " xsave xrstor xsaveopt xsave64 xrstor64 xsaveopt64 xsavec xsaves"
	 " xrstors xsavec64 xsaves64 xrstors64 rdrand rdseed vmptrld vmptrst"
	 " vmclear vmxon rdpid rdfsbase rdgsbase wrfsbase wrgsbase xabort xbegin"
	 " femms clwb extrq insertq xsha1 xsha256 xstore xcryptecb xcryptcbc"
	 " xcryptctr xcryptcfb xcryptofb montmul ",
	 NULL, "0F-map system/extension instructions without a handler "
	 "(SYSENTER, RDPMC, XSAVE family, RDRAND, FSGSBASE, TSX, VMX, LSS, "
	 "CLWB, AMD SSE4a, VIA PadLock...)"},
	{D_WE_REJECT, BOTH, 1, 0x0F, 0x0F, NULL, NULL,
	 "AMD 3DNow! (0F 0F): not an Intel instruction set"},
	{D_WE_REJECT, BOTH, 2, 0x00, 0xFF, NULL, NULL,
	 "0F 38 map (SSSE3, SSE4.1/4.2, SHA, AES, MOVBE, CRC32, INVPCID): "
	 "not modelled"},
	{D_WE_REJECT, BOTH, 3, 0x00, 0xFF, NULL, NULL,
	 "0F 3A map (PALIGNR, SSE4.1/4.2, SHA1RNDS4, AESKEYGENASSIST): not "
	 "modelled"},
	{D_WE_REJECT, BOTH, 0, 0xC4, 0xC5, NULL, NULL,
	 "VEX prefixes (AVX) — and LES/LDS in 32-bit mode: not modelled"},
	{D_WE_REJECT, BOTH, 0, 0x62, 0x62, NULL, NULL,
	 "EVEX prefix (AVX-512) — and BOUND in 32-bit mode: not modelled"},
	{D_WE_REJECT, BOTH, -1, 0, 0, NULL, mmx_operand,
	 "MMX: no MMX state in the model, so MMX forms are #UD"},
	/* ---- rows another file owns, not written yet ------------------- */
	{D_WE_REJECT, BOTH, 1, 0x00, 0xFF, NULL, sse_row_missing,
	 "SSE/SSE2/SSE3 prefix variants (optab_0f_pfx, cpu/optab_fp.c) not "
	 "written yet"},
	{D_WE_REJECT, BOTH, 0, 0xD8, 0xDF, NULL, x87_row_missing,
	 "x87 escape rows (optab_x87, cpu/optab_fp.c) not written yet"},
	/* ---- the SDM (Intel) where Capstone 4 differs ------------------ */
	{D_WE_REJECT, BOTH, -1, 0, 0, NULL, lock_is_the_reason,
	 "LOCK on an instruction that does not accept it, or with a register "
	 "destination: #UD (SDM Vol. 2A LOCK); Capstone ignores it"},
	{D_WE_REJECT, BOTH, 1, 0xAE, 0xC3, " clflush movnti ",
	 has_mandatory_prefix,
	 "CLFLUSH/MOVNTI are NP: with 66/F2/F3 they are #UD (or another "
	 "instruction); Capstone ignores the prefix"},
	{D_WE_REJECT, M32, 1, 0x05, 0x07, " syscall sysret ", NULL,
	 "SYSCALL/SYSRET outside 64-bit mode: #UD on Intel (AMD allows them)"},
	{D_WE_REJECT, M32, 1, 0x01, 0x01, " swapgs ", NULL,
	 "SWAPGS outside 64-bit mode: #UD (SDM Vol. 2B SWAPGS)"},
	{D_WE_REJECT, BOTH, 1, 0x21, 0x23, " mov ", rex_r,
	 "MOV to/from DR8-DR15 (REX.R): #UD (SDM Vol. 2A MOV DR)"},
	{D_CS_REJECTS, M64, 0, 0x8C, 0x8E, NULL, rex_r,
	 "MOV Sreg with REX.R: REX.R is ignored for segment registers "
	 "(SDM Vol. 2A §2.2.1.2); Capstone rejects it"},
	{D_CS_REJECTS, BOTH, 1, 0x18, 0x1F, NULL, NULL,
	 "0F 18-1F hint-NOP space with register operands or reg != 0: NOP on "
	 "Intel (SDM Vol. 2B NOP, Table A-3); Capstone 4 knows only some"},
	{D_MNEMONIC, BOTH, 1, 0x1E, 0x1E, " endbr64 endbr32 ", NULL,
	 "F3 0F 1E FA/FB: ENDBR64/32 execute as hint NOPs without CET"},
	{D_CS_REJECTS, BOTH, 1, 0xAE, 0xAE, NULL, mod_is_reg,
	 "LFENCE/MFENCE/SFENCE: mod=11 reg=5/6/7 whatever r/m (SDM Table "
	 "A-6); Capstone only accepts r/m = 0"},
	{ANY, BOTH, 1, 0xFF, 0xFF, NULL, NULL,
	 "UD0 takes a ModRM byte (SDM Vol. 2B UD); Capstone 4 decodes it "
	 "without one"},
	{D_LENGTH | D_MNEMONIC, BOTH, 1, 0xB9, 0xB9, " ud2b ", NULL,
	 "UD1 takes a ModRM byte (SDM Vol. 2B UD); Capstone 4 says ud2b "
	 "without one"},
	{D_LENGTH, M64, 0, 0xE8, 0xE9, NULL, near_branch_66,
	 "66 on CALL/JMP rel32 in 64-bit mode: ignored by Intel (rel16 N.S.); "
	 "Capstone decodes rel16 (AMD)"},
	{D_LENGTH, M64, 1, 0x80, 0x8F, NULL, near_branch_66,
	 "66 on Jcc rel32 in 64-bit mode: ignored by Intel (rel16 N.S.); "
	 "Capstone decodes rel16 (AMD)"},
	{D_LENGTH | D_MNEMONIC | D_OPERAND | D_CS_REJECTS, BOTH, -1, 0, 0,
	 NULL, opsize_not_last,
	 "66 followed by another legacy prefix: Capstone 4 drops the 66; the "
	 "CPU takes prefixes in any order (SDM Vol. 2A §2.1.1)"},
	{D_LENGTH | D_MNEMONIC | D_CS_REJECTS, BOTH, -1, 0, 0, NULL,
	 adsize_not_last,
	 "67 followed by another legacy prefix: Capstone 4 drops the 67 for "
	 "moffs/JrCXZ; the CPU takes prefixes in any order"},
	{D_MNEMONIC | D_CS_REJECTS | D_WE_REJECT, BOTH, -1, 0, 0, NULL,
	 rep_not_last,
	 "F2/F3 followed by another legacy prefix: Capstone 4 ignores it as a "
	 "mandatory prefix (POPCNT/TZCNT/LZCNT/PAUSE); the CPU does not"},
	{D_OPERAND, BOTH, 0, 0xE8, 0xE9, NULL, adsize_67,
	 "67 on CALL/JMP rel: the address size does not truncate the target "
	 "(the operand size does; SDM JMP/CALL); Capstone 4 truncates it"},
	{D_OPERAND, BOTH, 1, 0x80, 0x8F, NULL, adsize_67,
	 "67 on Jcc rel: the address size does not truncate the target (the "
	 "operand size does; SDM Jcc); Capstone 4 truncates it"},
	{D_LENGTH | D_MNEMONIC | D_OPERAND, M64, -1, 0, 0, NULL,
	 rexw_with_66_or_67,
	 "REX.W with 66/67: REX.W decides the operand size (SDM Vol. 2A "
	 "§2.2.1.2); Capstone 4 lets 66/67 win on some opcodes"},
};
/* clang-format on */
const int n_known_diffs = sizeof(known_diffs) / sizeof(known_diffs[0]);

bool known_diff_matches(const struct known_diff *k, enum diff_kind kind,
			const struct enc *e, const struct outcome *o)
{
	if (!(k->kinds & kind))
		return false;
	if (!(k->modes & (e->mode == MODE_LONG64 ? M64 : M32)))
		return false;
	if (k->map >= 0 && (k->map != e->map || e->op < k->lo || e->op > k->hi))
		return false;
	if (k->cs_mnems) {
		char w[40];
		snprintf(w, sizeof(w), " %s ", o->cs_mnem);
		if (!o->cs_ok || !strstr(k->cs_mnems, w))
			return false;
	}
	return !k->when || k->when(e, o);
}
