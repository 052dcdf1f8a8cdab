/*
 * cpu/ops_sse_int.c — SSE2 packed-integer and bitwise operations on XMM
 * registers, and the shifts by an immediate (groups 12-14, 0F 71-73).
 *
 * Spec: Intel SDM Vol. 2B/2C PADDB..Q, PSUBB..Q, PADDS/PADDUS/PSUBS/PSUBUS,
 * PCMPEQ*, PCMPGT*, PAND/PANDN/POR/PXOR (and ANDPS/ANDNPS/ORPS/XORPS/PD,
 * which are the same bitwise operations), PUNPCK*, UNPCKLPS/HPS/LPD/HPD
 * (= PUNPCKLDQ/HDQ/LQDQ/HQDQ), PACKSSWB/PACKSSDW/PACKUSWB, PMUL*, PMADDWD,
 * PMIN* / PMAX*, PAVG*, PSADBW, PSLL/PSRL/PSRA (by XMM: the count is the whole
 * low quadword; counts beyond the element width give 0, or the sign for PSRA),
 * PSLLDQ/PSRLDQ (byte shifts; counts above 15 give 0).
 *
 * The element operations are the host's SSE2 instructions (intrinsics):
 * integer SIMD has no MXCSR state, so host and guest agree bit for bit.
 * Invariants: the source is read (and may fault) before V is written.
 */
#include "cpu/fp_int.h"
#include "cpu/ops_fp.h"

typedef __m128i (*int_kernel)(__m128i a, __m128i b);

#define I2(name, expr)                                                         \
	static __m128i name(__m128i a, __m128i b)                              \
	{                                                                      \
		return expr;                                                   \
	}

/* clang-format off */
I2(k_paddb, _mm_add_epi8(a, b)) I2(k_paddw, _mm_add_epi16(a, b))
I2(k_paddd, _mm_add_epi32(a, b)) I2(k_paddq, _mm_add_epi64(a, b))
I2(k_psubb, _mm_sub_epi8(a, b)) I2(k_psubw, _mm_sub_epi16(a, b))
I2(k_psubd, _mm_sub_epi32(a, b)) I2(k_psubq, _mm_sub_epi64(a, b))
I2(k_paddsb, _mm_adds_epi8(a, b)) I2(k_paddsw, _mm_adds_epi16(a, b))
I2(k_paddusb, _mm_adds_epu8(a, b)) I2(k_paddusw, _mm_adds_epu16(a, b))
I2(k_psubsb, _mm_subs_epi8(a, b)) I2(k_psubsw, _mm_subs_epi16(a, b))
I2(k_psubusb, _mm_subs_epu8(a, b)) I2(k_psubusw, _mm_subs_epu16(a, b))
I2(k_pcmpeqb, _mm_cmpeq_epi8(a, b)) I2(k_pcmpeqw, _mm_cmpeq_epi16(a, b))
I2(k_pcmpeqd, _mm_cmpeq_epi32(a, b))
I2(k_pcmpgtb, _mm_cmpgt_epi8(a, b)) I2(k_pcmpgtw, _mm_cmpgt_epi16(a, b))
I2(k_pcmpgtd, _mm_cmpgt_epi32(a, b))
I2(k_pand, _mm_and_si128(a, b)) I2(k_pandn, _mm_andnot_si128(a, b))
I2(k_por, _mm_or_si128(a, b)) I2(k_pxor, _mm_xor_si128(a, b))
I2(k_punpcklbw, _mm_unpacklo_epi8(a, b))
I2(k_punpcklwd, _mm_unpacklo_epi16(a, b))
I2(k_punpckldq, _mm_unpacklo_epi32(a, b))
I2(k_punpcklqdq, _mm_unpacklo_epi64(a, b))
I2(k_punpckhbw, _mm_unpackhi_epi8(a, b))
I2(k_punpckhwd, _mm_unpackhi_epi16(a, b))
I2(k_punpckhdq, _mm_unpackhi_epi32(a, b))
I2(k_punpckhqdq, _mm_unpackhi_epi64(a, b))
I2(k_packsswb, _mm_packs_epi16(a, b)) I2(k_packssdw, _mm_packs_epi32(a, b))
I2(k_packuswb, _mm_packus_epi16(a, b))
I2(k_pmullw, _mm_mullo_epi16(a, b)) I2(k_pmulhw, _mm_mulhi_epi16(a, b))
I2(k_pmulhuw, _mm_mulhi_epu16(a, b)) I2(k_pmuludq, _mm_mul_epu32(a, b))
I2(k_pmaddwd, _mm_madd_epi16(a, b))
I2(k_pminub, _mm_min_epu8(a, b)) I2(k_pmaxub, _mm_max_epu8(a, b))
I2(k_pminsw, _mm_min_epi16(a, b)) I2(k_pmaxsw, _mm_max_epi16(a, b))
I2(k_pavgb, _mm_avg_epu8(a, b)) I2(k_pavgw, _mm_avg_epu16(a, b))
I2(k_psadbw, _mm_sad_epu8(a, b))
I2(k_psrlw, _mm_srl_epi16(a, b)) I2(k_psrld, _mm_srl_epi32(a, b))
I2(k_psrlq, _mm_srl_epi64(a, b)) I2(k_psraw, _mm_sra_epi16(a, b))
I2(k_psrad, _mm_sra_epi32(a, b)) I2(k_psllw, _mm_sll_epi16(a, b))
I2(k_pslld, _mm_sll_epi32(a, b)) I2(k_psllq, _mm_sll_epi64(a, b))

static const int_kernel int_kernels[SI_COUNT] = {
	[SI_PADDB] = k_paddb, [SI_PADDW] = k_paddw,
	[SI_PADDD] = k_paddd, [SI_PADDQ] = k_paddq,
	[SI_PSUBB] = k_psubb, [SI_PSUBW] = k_psubw,
	[SI_PSUBD] = k_psubd, [SI_PSUBQ] = k_psubq,
	[SI_PADDSB] = k_paddsb, [SI_PADDSW] = k_paddsw,
	[SI_PADDUSB] = k_paddusb, [SI_PADDUSW] = k_paddusw,
	[SI_PSUBSB] = k_psubsb, [SI_PSUBSW] = k_psubsw,
	[SI_PSUBUSB] = k_psubusb, [SI_PSUBUSW] = k_psubusw,
	[SI_PCMPEQB] = k_pcmpeqb, [SI_PCMPEQW] = k_pcmpeqw,
	[SI_PCMPEQD] = k_pcmpeqd,
	[SI_PCMPGTB] = k_pcmpgtb, [SI_PCMPGTW] = k_pcmpgtw,
	[SI_PCMPGTD] = k_pcmpgtd,
	[SI_PAND] = k_pand, [SI_PANDN] = k_pandn,
	[SI_POR] = k_por, [SI_PXOR] = k_pxor,
	[SI_PUNPCKLBW] = k_punpcklbw, [SI_PUNPCKLWD] = k_punpcklwd,
	[SI_PUNPCKLDQ] = k_punpckldq, [SI_PUNPCKLQDQ] = k_punpcklqdq,
	[SI_PUNPCKHBW] = k_punpckhbw, [SI_PUNPCKHWD] = k_punpckhwd,
	[SI_PUNPCKHDQ] = k_punpckhdq, [SI_PUNPCKHQDQ] = k_punpckhqdq,
	[SI_PACKSSWB] = k_packsswb, [SI_PACKSSDW] = k_packssdw,
	[SI_PACKUSWB] = k_packuswb,
	[SI_PMULLW] = k_pmullw, [SI_PMULHW] = k_pmulhw,
	[SI_PMULHUW] = k_pmulhuw, [SI_PMULUDQ] = k_pmuludq,
	[SI_PMADDWD] = k_pmaddwd,
	[SI_PMINUB] = k_pminub, [SI_PMAXUB] = k_pmaxub,
	[SI_PMINSW] = k_pminsw, [SI_PMAXSW] = k_pmaxsw,
	[SI_PAVGB] = k_pavgb, [SI_PAVGW] = k_pavgw, [SI_PSADBW] = k_psadbw,
	[SI_PSRLW] = k_psrlw, [SI_PSRLD] = k_psrld, [SI_PSRLQ] = k_psrlq,
	[SI_PSRAW] = k_psraw, [SI_PSRAD] = k_psrad,
	[SI_PSLLW] = k_psllw, [SI_PSLLD] = k_pslld, [SI_PSLLQ] = k_psllq,
};
/* clang-format on */

void op_sse_int(struct cpu *c, const struct dinsn *d)
{
	union xmm s;
	unsigned op = d->op->sub;

	sse_check(c);
	if (op >= SI_COUNT || !int_kernels[op])
		cpu_unimplemented(c, d);
	sse_read_w(c, d, &s, 16, true);
	union xmm *x = &c->xmm[d->reg & 15];
	xmm_put(x, int_kernels[op](xmm_get(x), xmm_get(&s)));
}

/* Byte shifts of the whole register (PSLLDQ/PSRLDQ). */
static __m128i byte_shift(__m128i v, unsigned n, bool left)
{
	union xmm in, out = {.q = {0, 0}};

	xmm_put(&in, v);
	for (unsigned i = 0; i < 16 && n < 16; i++) {
		if (left && i >= n)
			out.b[i] = in.b[i - n];
		else if (!left && i + n < 16)
			out.b[i] = in.b[i + n];
	}
	return xmm_get(&out);
}

/* 66 0F 71/72/73 /r ib: U = U shifted by imm8. The count goes through a
 * register, which has the same out-of-range rules as the XMM form. */
void op_sse_shift_imm(struct cpu *c, const struct dinsn *d)
{
	static const int_kernel by_count[SH_COUNT] = {
	    [SH_PSRLW] = k_psrlw, [SH_PSRAW] = k_psraw, [SH_PSLLW] = k_psllw,
	    [SH_PSRLD] = k_psrld, [SH_PSRAD] = k_psrad, [SH_PSLLD] = k_pslld,
	    [SH_PSRLQ] = k_psrlq, [SH_PSLLQ] = k_psllq,
	};
	unsigned op = d->op->sub, n = (unsigned)d->imm & 0xFF;
	union xmm *x = &c->xmm[d->rm & 15];

	sse_check(c);
	if (op == SH_PSLLDQ || op == SH_PSRLDQ) {
		xmm_put(x, byte_shift(xmm_get(x), n, op == SH_PSLLDQ));
		return;
	}
	if (op >= SH_COUNT || !by_count[op])
		cpu_unimplemented(c, d);
	xmm_put(x, by_count[op](xmm_get(x), _mm_cvtsi32_si128((int)n)));
}
