/*
 * cpu/ops_fp.h — SSE/SSE2 and x87 handlers, wired in optab_fp.c.
 * (Written by the SSE/x87 work; empty until then.)
 */
#ifndef HVSIM_CPU_OPS_FP_H_
#define HVSIM_CPU_OPS_FP_H_
#include "cpu/optab.h"
#endif
