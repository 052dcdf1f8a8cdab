/*
 * cpu/sse_host.h — the host SSE kernels (sse_host.c) used by ops_sse_fp.c.
 * Call them only between sse_host_enter() and sse_host_leave().
 */
#ifndef HVSIM_CPU_SSE_HOST_H_
#define HVSIM_CPU_SSE_HOST_H_

#include <emmintrin.h>
#include <stdint.h>

#include "cpu/ops_fp.h"

typedef __m128i (*sse_kernel)(__m128i dst, __m128i src);
typedef uint64_t (*sse_comi_kernel)(__m128i a, __m128i b);

/* Result lanes that may be tiny, for underflow detection with UM=0. */
enum sse_tiny {
	TINY_NONE, /* the operation cannot underflow */
	TINY_PS,   /* 4 floats */
	TINY_PD,   /* 2 doubles */
	TINY_SS,   /* the low float */
	TINY_SD,   /* the low double */
	TINY_PS2,  /* the low 2 floats (CVTPD2PS) */
};

/* What an element computes, for the PE rule of unmasked OE/UE. */
enum sse_opclass {
	OPC_OTHER, /* cannot overflow or underflow */
	OPC_ADD,
	OPC_SUB,
	OPC_MUL,
	OPC_DIV,
	OPC_NARROW, /* double to single */
};

struct sse_fp_kernel {
	sse_kernel fn;
	uint8_t tiny;  /* enum sse_tiny */
	uint8_t lane;  /* bytes per source element (4, 8); 0: no exceptions */
	uint8_t elems; /* source elements the instruction uses */
	uint8_t cls;   /* enum sse_opclass */
};

extern const struct sse_fp_kernel sse_fp_kernels[SF_COUNT];
extern const sse_kernel sse_cmp_kernels[4][8];	  /* [enum sse_kind][pred] */
extern const sse_comi_kernel sse_comi_kernels[4]; /* RF_ZF|RF_PF|RF_CF */
/* CVTSI2SS/SD: low lane of `a` = (float/double) of a `size`-byte integer. */
__m128i sse_cvt_si2f(int to_double, int size, __m128i a, uint64_t v);
/* CVT(T)SS2SI/SD2SI to a `size`-byte integer; sub as op_sse_cvt_f2si. */
uint64_t sse_cvt_f2si(int sub, int size, __m128i a);

#endif
