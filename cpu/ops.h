/*
 * cpu/ops.h — every instruction handler, by family. This list is the
 * contract between the opcode table (optab.c wires rows to handlers) and the
 * ops_*.c files (which implement them). `sub` is the row's sub field.
 * Operand size is d->osize unless noted; "E" = ModRM r/m, "G" = ModRM reg.
 */
#ifndef HVSIM_CPU_OPS_H_
#define HVSIM_CPU_OPS_H_

#include "cpu/optab.h"

#define OP(name) void name(struct cpu *c, const struct dinsn *d)

/* ops_alu.c — sub for ALU ops: 0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP */
OP(op_alu_EG);      /* E = E op G      (00,08,..,38 / 01,09,..) */
OP(op_alu_GE);      /* G = G op E      (02,03,...) */
OP(op_alu_EI);      /* E = E op imm    (80,81,83 /r; sub = ModRM.reg) */
OP(op_alu_AI);      /* rAX = rAX op imm (04,05,...) */
OP(op_test_EG);     /* 84/85 */
OP(op_test_EI);     /* F6/F7 /0 /1 */
OP(op_test_AI);     /* A8/A9 */
OP(op_inc_E);       /* FE/FF /0 */
OP(op_dec_E);       /* FE/FF /1 */
OP(op_not_E);       /* F6/F7 /2 */
OP(op_neg_E);       /* F6/F7 /3 */
OP(op_xadd_EG);     /* 0F C0/C1 */
OP(op_cmpxchg_EG);  /* 0F B0/B1 */
OP(op_cmpxchg8b16b_M); /* 0F C7 /1: 8 bytes, 16 with REX.W */

/* ops_shift.c — sub: 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL(=SHL) 7 SAR */
OP(op_shift_E1);    /* D0/D1 */
OP(op_shift_ECL);   /* D2/D3 */
OP(op_shift_EI);    /* C0/C1 */
OP(op_shld_EGI);    /* 0F A4 */
OP(op_shld_EGCL);   /* 0F A5 */
OP(op_shrd_EGI);    /* 0F AC */
OP(op_shrd_EGCL);   /* 0F AD */

/* ops_muldiv.c */
OP(op_mul_E);       /* F6/F7 /4: rDX:rAX = rAX * E (unsigned) */
OP(op_imul1_E);     /* F6/F7 /5: one-operand signed */
OP(op_div_E);       /* F6/F7 /6: #DE on zero or overflow */
OP(op_idiv_E);      /* F6/F7 /7 */
OP(op_imul_GE);     /* 0F AF */
OP(op_imul_GEI);    /* 69 (Iz), 6B (Ib) */

/* ops_bit.c — bit tests/scans, cc-consumers, sign extension, flag ops */
OP(op_bt_EG);       /* 0F A3/AB/B3/BB; sub: 0 BT 1 BTS 2 BTR 3 BTC */
OP(op_bt_EI);       /* 0F BA /4../7; sub as above */
OP(op_bsf_GE);      /* 0F BC */
OP(op_bsr_GE);      /* 0F BD */
OP(op_tzcnt_GE);    /* F3 0F BC */
OP(op_lzcnt_GE);    /* F3 0F BD */
OP(op_popcnt_GE);   /* F3 0F B8 */
OP(op_bswap_Z);     /* 0F C8+r */
OP(op_setcc_E);     /* 0F 90+cc; sub = cc; byte destination */
OP(op_cmovcc_GE);   /* 0F 40+cc; sub = cc (32-bit form zero-extends always) */
OP(op_cbw);         /* 98: CBW/CWDE/CDQE by osize */
OP(op_cwd);         /* 99: CWD/CDQ/CQO by osize */
OP(op_clc); OP(op_stc); OP(op_cmc); OP(op_cld); OP(op_std);
OP(op_lahf); OP(op_sahf);   /* 9F / 9E */

/* ops_mov.c */
OP(op_mov_EG);      /* 88/89 */
OP(op_mov_GE);      /* 8A/8B */
OP(op_mov_EI);      /* C6/C7 /0 */
OP(op_mov_ZI);      /* B0-B7 (byte), B8-BF (imm of osize, imm64 with REX.W) */
OP(op_mov_AO);      /* A0/A1: rAX = [moffs] */
OP(op_mov_OA);      /* A2/A3: [moffs] = rAX */
OP(op_movzx_GE);    /* 0F B6 (sub=1) / B7 (sub=2): source size in sub */
OP(op_movsx_GE);    /* 0F BE (sub=1) / BF (sub=2) */
OP(op_movsxd_GE);   /* 63 in 64-bit mode (source 32 bits) */
OP(op_lea_GM);      /* 8D */
OP(op_xchg_EG);     /* 86/87 (always locked with memory) */
OP(op_xchg_AZ);     /* 91-97, and 90 with REX.B (xchg r8, rax) */
OP(op_nop);         /* 90, 0F 1F /0, 0F 18-1F hints, fences */
OP(op_pause);       /* F3 90 */
OP(op_mov_ES);      /* 8C: r/m16 = Sreg (zero-extends into a 32/64 reg) */
OP(op_mov_SE);      /* 8E: Sreg = r/m16 via cpu_load_seg (CS → #UD) */
OP(op_movnti_MG);   /* 0F C3 */

/* ops_stack.c */
OP(op_push_Z);      /* 50+r */
OP(op_pop_Z);       /* 58+r */
OP(op_push_E);      /* FF /6 */
OP(op_pop_E);       /* 8F /0 (address computed after RSP increments) */
OP(op_push_I);      /* 68 (Iz) / 6A (Ib) */
OP(op_pushf);       /* 9C */
OP(op_popf);        /* 9D (IOPL/IF rules by CPL) */
OP(op_push_S);      /* sub = enum sreg: 06 0E 16 1E (not 64), 0F A0 / A8 */
OP(op_pop_S);       /* sub = enum sreg: 07 17 1F (not 64), 0F A1 / A9 */
OP(op_enter);       /* C8 */
OP(op_leave);       /* C9 */
OP(op_pusha);       /* 60 (not 64) */
OP(op_popa);        /* 61 (not 64) */

/* ops_branch.c */
OP(op_jcc_J);       /* 70+cc (Jb), 0F 80+cc (Jz); sub = cc */
OP(op_jmp_J);       /* E9 / EB */
OP(op_jmp_E);       /* FF /4 */
OP(op_call_J);      /* E8 */
OP(op_call_E);      /* FF /2 */
OP(op_ret);         /* C3 */
OP(op_ret_I);       /* C2 */
OP(op_loop_J);      /* E0 LOOPNE (sub 0), E1 LOOPE (1), E2 LOOP (2) */
OP(op_jrcxz_J);     /* E3: size of the count register by asize */

/* ops_string.c — REP/REPE/REPNE from d->pfx; element size d->osize;
 * address size d->asize; source segment d->seg (DS default), dest ES. */
OP(op_movs); OP(op_stos); OP(op_lods); OP(op_cmps); OP(op_scas);
OP(op_ins); OP(op_outs);

/* ops_system.c — system instructions */
OP(op_mov_RC);      /* 0F 20: r64 = CRn (LOCK-prefixed CR0 = CR8 on AMD: #UD here) */
OP(op_mov_CR);      /* 0F 22 */
OP(op_mov_RD);      /* 0F 21 */
OP(op_mov_DR);      /* 0F 23 */
OP(op_lgdt); OP(op_lidt); OP(op_sgdt); OP(op_sidt);  /* 0F 01 /2 /3 /0 /1 */
OP(op_lmsw); OP(op_smsw); OP(op_invlpg);            /* 0F 01 /6 /4 /7 */
OP(op_swapgs);      /* 0F 01 F8 */
OP(op_clac); OP(op_stac); /* 0F 01 CA / CB */
OP(op_verr); OP(op_verw); /* 0F 00 /4 /5 */
OP(op_rdtscp);      /* 0F 01 F9 */
OP(op_vmcall);      /* 0F 01 C1: env->vmcall or #UD */
OP(op_sldt); OP(op_str); OP(op_lldt); OP(op_ltr);   /* 0F 00 /0 /1 /2 /3 */
OP(op_rdmsr); OP(op_wrmsr); OP(op_rdtsc); OP(op_cpuid);
OP(op_rdpmc);       /* 0F 33: #GP(0), no performance counters */
OP(op_hlt); OP(op_cli); OP(op_sti); OP(op_clts);
OP(op_in_AI);       /* E4/E5: port in imm8 */
OP(op_in_AD);       /* EC/ED: port in DX */
OP(op_out_IA);      /* E6/E7 */
OP(op_out_DA);      /* EE/EF */
OP(op_int3);        /* CC */
OP(op_int_I);       /* CD ib */
OP(op_into);        /* CE (not 64) */
OP(op_bound);       /* 62 /r (not 64): #BR when out of bounds */
OP(op_int1);        /* F1 */
OP(op_iret);        /* CF: IRET/IRETD/IRETQ by osize */
OP(op_syscall);     /* 0F 05 */
OP(op_sysret);      /* 0F 07 */
OP(op_wbinvd);      /* 0F 09, also INVD 0F 08 */
OP(op_clflush);     /* 0F AE /7 (memory) */
OP(op_jmp_far_A);   /* EA (not 64) */
OP(op_jmp_far_M);   /* FF /5 */
OP(op_call_far_A);  /* 9A (not 64) */
OP(op_call_far_M);  /* FF /3 */
OP(op_retf);        /* CB */
OP(op_retf_I);      /* CA */
OP(op_ud);          /* 0F 0B UD2, 0F B9 UD1, 0F FF UD0, and F_INVALID rows */

/* SSE/SSE2 and x87 handlers are declared in ops_fp.h and wired in
 * optab_fp.c. The few that sit in the main maps: */
OP(op_ldmxcsr); OP(op_stmxcsr); OP(op_fxsave); OP(op_fxrstor); /* 0F AE /2 /3 /0 /1 */
OP(op_fwait);       /* 9B */
OP(op_lfence); OP(op_mfence); OP(op_sfence); /* 0F AE E8 / F0 / F8 */

#undef OP
#endif
