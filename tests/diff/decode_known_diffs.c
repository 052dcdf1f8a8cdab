/*
 * tests/diff/decode_known_diffs.c — the allowlist of known differences
 * between our decoder and Capstone 4.0.2, each with its reason.
 *
 * Three sorts of entry:
 *  - out of scope: instructions Capstone decodes that the model does not
 *    implement (no handler in cpu/ops.h) or does not advertise in CPUID
 *    (SSE3), so we raise #UD — matched by Capstone's mnemonic or by opcode
 *    range, and for SSE3 only where our table names that instruction;
 *  - we follow the SDM (Intel) where Capstone 4 does not — each names the
 *    SDM rule, and its predicate is as narrow as the rule. Where the rule
 *    is "reserved encoding, #UD", the Intel host this was written on
 *    raises #UD for every such encoding too (checked natively);
 *  - naming: the same instruction under another mnemonic (assembler
 *    pseudo-ops, Capstone's names for the 8087 no-ops).
 * An entry matches when its kind, mode, opcode range, Capstone mnemonic
 * list and predicate all agree (decode_diff.h).
 */
#include <stdio.h>
#include <string.h>

#include "cpu/optab.h"
#include "decode_diff.h"

/* ---- predicates -------------------------------------------------------- */

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

/* Our leaf row for the encoding, following prefix and group rows the way
 * the decoder does (cpu/decode.c resolve_row); NULL outside maps 0-1. */
static const struct opdesc *our_row(const struct enc *e, int mand)
{
	const struct opdesc *r = e->map == 0   ? &optab_1b[e->op]
				 : e->map == 1 ? &optab_0f[e->op]
					       : NULL;
	for (int depth = 0; r && depth < 4; depth++) {
		if (!(r->flags & (F_PREFIX | F_GROUP)))
			return r;
		if (!r->sub_table)
			return NULL;
		if (r->flags & F_PREFIX) {
			r = &r->sub_table[mand];
			continue;
		}
		unsigned reg = (e->modrm >> 3) & 7, idx = reg;
		if ((e->modrm >> 6) == 3 && (r->flags & F_GROUP_RM))
			idx = 8 + (e->modrm & 0x3Fu);
		else if ((e->modrm >> 6) == 3 && (r->flags & F_GROUP_MOD))
			idx = 8 + reg;
		r = &r->sub_table[idx];
	}
	return r;
}

/* Our row is a #UD row named after the instruction Capstone decoded: the
 * table's way of saying "exists, but not advertised" (SSE3). */
static bool ud_row_named_as_capstone(const struct enc *e,
				     const struct outcome *o)
{
	const struct opdesc *r = our_row(e, e->mand);
	return r && (r->flags & F_INVALID) && r->mnem &&
	       !strcmp(r->mnem, o->cs_mnem);
}

/* The mandatory prefix selects a blank ("(bad)") cell, and Capstone
 * decoded the no-prefix instruction instead. */
static bool blank_prefix_cell(const struct enc *e, const struct outcome *o)
{
	if (e->map != 1 || e->mand == 0)
		return false;
	const struct opdesc *r = our_row(e, e->mand);
	const struct opdesc *np = our_row(e, 0);
	return r && (r->flags & F_INVALID) && r->mnem &&
	       !strcmp(r->mnem, "(bad)") && np && np->mnem &&
	       !strcmp(np->mnem, o->cs_mnem);
}

/* A memory-only (O_M) row with a register ModRM. */
static bool memory_only_with_mod3(const struct enc *e, const struct outcome *o)
{
	(void)o;
	const struct opdesc *r = our_row(e, e->mand);
	return r && (e->modrm >> 6) == 3 &&
	       (r->opnd[0] == O_M || r->opnd[1] == O_M);
}

/* No 66: our row is the (#UD) MMX form, and Capstone, misled by 67 with
 * REX.W, decoded the 66 (XMM) form. */
static bool mmx_form_as_xmm(const struct enc *e, const struct outcome *o)
{
	if (e->map != 1 || e->mand != 0 || !e->p67 || !(e->rex & 8))
		return false;
	const struct opdesc *r = our_row(e, 0);
	const struct opdesc *x = our_row(e, 1);
	return r && (r->flags & F_INVALID) && x && x->mnem &&
	       !strcmp(x->mnem, o->cs_mnem);
}

/* CMPPS/CMPPD/CMPSS/CMPSD with a predicate 0-7: Capstone prints the
 * pseudo-op, cmp<pred><ps|pd|ss|sd>, of our mnemonic. */
static bool cmp_pseudo_op(const struct enc *e, const struct outcome *o)
{
	(void)e;
	size_t cl = strlen(o->cs_mnem), ol = strlen(o->our_mnem);
	return o->our_ok && ol == 5 && !strncmp(o->our_mnem, "cmp", 3) &&
	       cl > ol && !strncmp(o->cs_mnem, "cmp", 3) &&
	       !strcmp(o->cs_mnem + cl - 2, o->our_mnem + 3) &&
	       (o->d.imm & 0xFF) < 8;
}

static bool f3_with_rexw(const struct enc *e, const struct outcome *o)
{
	(void)o;
	return e->mand == 2 && (e->rex & 8);
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
	{D_WE_REJECT, BOTH, -1, 0, 0, " lar lsl ", NULL,
	 "LAR/LSL (descriptor probes): no handler in ops.h"},
	{D_WE_REJECT, BOTH, -1, 0, 0,
	 " monitor mwait xgetbv xsetbv vmfunc xend xtest encls enclu"
	 " enclv vmlaunch vmresume vmxoff vmrun vmmcall vmload vmsave stgi clgi"
	 " skinit invlpga rdpkru wrpkru monitorx mwaitx clzero rdpru ",
	 NULL, "0F 01 forms without a handler: MONITOR/MWAIT, XCR0, "
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
	{D_WE_REJECT, BOTH, 1, 0x00, 0xFF,
	 " movsldup movshdup movddup haddps haddpd hsubps hsubpd addsubps"
	 " addsubpd lddqu ", ud_row_named_as_capstone,
	 "SSE3 is not advertised (CPUID.01H:ECX.SSE3[bit 0] = 0, cpu/cpuid.c): "
	 "#UD (SDM Vol. 2, each instruction's #UD condition)"},
	{D_WE_REJECT, BOTH, 0, 0xDB, 0xDF, " fisttp ", ud_row_named_as_capstone,
	 "FISTTP (DB/DD/DF /1) is SSE3, not advertised: #UD (SDM Vol. 2A "
	 "FISTTP: #UD if CPUID.01H:ECX.SSE3[bit 0] = 0)"},
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
	{D_WE_REJECT, BOTH, 1, 0x10, 0xFF, NULL, blank_prefix_cell,
	 "66/F3/F2 selecting a blank cell of SDM Vol. 2D Table A-3 (e.g. F3 "
	 "0F 28, F2 0F 54, 66 0F 52, F2 0F 5B, F3 0F C6): reserved, #UD — the "
	 "Intel host raises #UD for every such cell; Capstone 4 ignores the "
	 "prefix and decodes the no-prefix instruction"},
	{D_WE_REJECT, BOTH, 1, 0x12, 0x16, " movhlps movlhps ",
	 memory_only_with_mod3,
	 "66 0F 12 / 66 0F 16 are MOVLPD/MOVHPD, m64 only (SDM Vol. 2B); "
	 "mod = 11 is reserved, #UD (also on the Intel host); Capstone 4 "
	 "ignores the 66 and decodes MOVHLPS/MOVLHPS"},
	{D_WE_REJECT, BOTH, 1, 0x2B, 0x2B, " movntss movntsd ", NULL,
	 "F3/F2 0F 2B are AMD SSE4a MOVNTSS/MOVNTSD; the cells are blank on "
	 "Intel (Table A-3): #UD, as on the Intel host"},
	{D_WE_REJECT, M64, 1, 0x60, 0xFF, NULL, mmx_form_as_xmm,
	 "No 66: the MMX form (SDM Table A-3), #UD without MMX state; "
	 "Capstone 4 decodes the 66 (XMM) form when 67 and REX.W are present"},
	{D_MNEMONIC, M64, 1, 0x7E, 0x7E, " movd ", f3_with_rexw,
	 "F3 [REX.W] 0F 7E is MOVQ xmm, xmm/m64 (SDM MOVQ; REX.W changes "
	 "nothing, checked on the host); Capstone 4 lets REX.W pick the "
	 "no-prefix MOVQ r/m64, mm"},
	/* ---- naming: the same instruction ------------------------------ */
	{D_MNEMONIC, BOTH, 1, 0xC2, 0xC2, NULL, cmp_pseudo_op,
	 "CMPPS/CMPPD/CMPSS/CMPSD with imm8 0-7: Capstone prints the "
	 "assembler pseudo-op (CMPEQPS ... CMPORDSD, SDM Vol. 2A CMPPS "
	 "pseudo-op table); same instruction and operands"},
	{D_MNEMONIC, BOTH, 0, 0xDB, 0xDB, " feni8087_nop fdisi8087_nop ", NULL,
	 "DB E0/E1 (8087 FENI/FDISI) are no-ops on every x87 since the 287; "
	 "Capstone calls them feni8087_nop/fdisi8087_nop, we fneni/fndisi"},
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
