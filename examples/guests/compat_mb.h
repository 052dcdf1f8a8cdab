/*
 * examples/guests/compat_mb.h — the parts of the compat_mb guest: the
 * 32-bit entry (compat_mb_entry.S), the 64-bit kernel (compat_mb.c,
 * compat_mb_long.c), compiler-generated SSE code (compat_mb_sse.c, the
 * one file built with SSE allowed) and ring 3 (compat_mb_user.c).
 */
#ifndef GUEST_COMPAT_MB_H_
#define GUEST_COMPAT_MB_H_

#include <stdint.h>

#define CM_DEMAND_PAGES 4 /* pages ring 3 touches at DEMAND_BASE */

/* compat_mb_long.c: each reports its checks. */
void compat_check_sse(void);
void compat_check_ring3(void);

/* compat_mb_sse.c: results of SSE code GCC generated itself, as integers
 * (the kernel is built without SSE and cannot take doubles). */
enum compat_sse_result {
	SSE_SQRT2_BITS,	   /* bits of sqrt(2.0) */
	SSE_DIV_TRUNC,	   /* (int64_t)(1e10 / 3.0) */
	SSE_HARMONIC_BITS, /* bits of 1/1 + 1/2 + ... + 1/100, in order */
	SSE_FLOAT_THIRD,   /* bits of 1.0f / 3.0f */
	SSE_VECTOR_SUM,	   /* lanes of ((a + b) << 1) ^ a, summed */
	SSE_RESULTS
};
void compat_sse_selftest(uint64_t out[SSE_RESULTS]);

/* What ring 3 saw (compat_mb_user.c, in the user region). */
struct compat_user_view {
	uint64_t cpl;
	uint64_t syscall_ret, int80_ret; /* write() results */
	uint64_t pages_ok;		 /* demand pages read back right */
	uint64_t sse_bits;		 /* bits of 1.5 + 1.5 by ADDSD */
};
extern struct compat_user_view cm_uview;
extern const uint64_t cm_msg_syscall_len, cm_msg_int80_len;
uint64_t compat_user_main(uint64_t arg);

#endif
