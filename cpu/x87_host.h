/*
 * cpu/x87_host.h — x87 operations run on the host's x87 unit (x87_host.c)
 * under the guest's control word, starting from the guest's condition
 * codes (f is the guest FPU; only fcw and the C0-C3 bits of fsw are used).
 * Each returns the host status word after the operation: exception flags
 * 5:0, C0-C3. Results are 80-bit values in
 * host `long double`s. Memory operands are in guest memory format (little
 * endian, as read by cpu_read_bytes).
 */
#ifndef HVSIM_CPU_X87_HOST_H_
#define HVSIM_CPU_X87_HOST_H_

#include <stdbool.h>
#include <stdint.h>

#include "cpu/ops_fp.h"

struct fpu;

/* *a = *a op b; aop one of XA_ADD, MUL, SUB, SUBR, DIV, DIVR. */
uint16_t x87h_arith(const struct fpu *f, int aop, long double *a,
		    long double b);
/* *a = *a op m, m in format fmt (XF_F32, F64, I16, I32). */
uint16_t x87h_arith_m(const struct fpu *f, int aop, int fmt, long double *a,
		      const void *m);
/* Compare a with b (C3 C2 C0), ordered (FCOM) or unordered (FUCOM). */
uint16_t x87h_com(const struct fpu *f, bool unord, long double a,
		  long double b);
/* Compare a with m in format fmt (FCOM m32/m64, FICOM m16/m32). */
uint16_t x87h_com_m(const struct fpu *f, int fmt, long double a, const void *m);
uint16_t x87h_ftst(const struct fpu *f, long double a);
/* Convert m (XF_F32, F64, BCD) to 80 bits. */
uint16_t x87h_load(const struct fpu *f, int fmt, const void *m,
		   long double *out);
/* Convert a to fmt (XF_F32, F64, I16, I32, I64, BCD) into m (10 bytes). */
uint16_t x87h_store(const struct fpu *f, int fmt, long double a, void *m);
/* FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (sub of op_x87_fldconst);
 * the irrational ones are rounded by the control word's RC. */
uint16_t x87h_const(const struct fpu *f, int which, long double *out);
/* op = enum x87_math on st0 = *a, st1 = *b. Results: *a = new ST0 and
 * *b = new ST1 (for the pushing ops) — see ops_x87_arith.c. */
uint16_t x87h_math(const struct fpu *f, int op, long double *a, long double *b);

#endif
