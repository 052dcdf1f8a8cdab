/*
 * examples/guests/bench_interp.c — workload of bench_interp: a small stack
 * machine whose dispatch loop is one C switch over the opcode (GCC turns
 * it into a jump table: one indirect jump per bytecode op, whose target
 * changes almost every time). This is how Lua, CPython's fallback loop and
 * many emulators run, and it is hard on any simulator that predicts or
 * chains branch targets.
 *
 * The bytecode program (vm_build) hashes the loop counter into an
 * accumulator with multiply, xor, shifts and a subtraction, and sums the
 * accumulator on three iterations out of four: loads, stores, arithmetic,
 * a compare, a conditional and an unconditional jump every iteration. The
 * program is assembled at run time with back-patched labels, so no offset
 * is counted by hand. The iteration count (the scale) is in register 0.
 *
 * Plain C for guest and host alike (bench_work.h).
 */
#include <stddef.h>

#include "bench_work.h"

enum vm_op {
	OP_HALT,  /* stop; result = pop */
	OP_PUSH,  /* imm: push imm */
	OP_LOAD,  /* r: push reg[r] */
	OP_STORE, /* r: reg[r] = pop */
	OP_ADD,	  /* b = pop, a = pop, push a op b (also SUB..LT) */
	OP_SUB,
	OP_MUL,
	OP_XOR,
	OP_AND,
	OP_LT,
	OP_SHL, /* imm: top <<= imm */
	OP_SHR, /* imm: top >>= imm */
	OP_DUP,
	OP_JZ,	/* target: if pop == 0, pc = target */
	OP_JMP, /* target: pc = target */
};

#define VM_REGS	 4
#define VM_STACK 16
#define VM_CODE	 128
#define R_N	 0 /* iterations */
#define R_I	 1 /* loop counter */
#define R_ACC	 2 /* hash accumulator */
#define R_SUM	 3 /* sum of accumulator values */

struct vm_asm {
	uint32_t code[VM_CODE];
	uint32_t n;
};

static void emit(struct vm_asm *a, uint32_t op)
{
	a->code[a->n++] = op;
}

static void emit1(struct vm_asm *a, uint32_t op, uint32_t arg)
{
	emit(a, op);
	emit(a, arg);
}

/* Emits a jump whose target is not known yet; returns the operand slot. */
static uint32_t emit_fwd(struct vm_asm *a, uint32_t op)
{
	emit1(a, op, 0);
	return a->n - 1;
}

static void vm_build(struct vm_asm *a)
{
	uint32_t loop, to_end, to_skip;

	a->n = 0;
	loop = a->n; /* while (i < n) */
	emit1(a, OP_LOAD, R_I);
	emit1(a, OP_LOAD, R_N);
	emit(a, OP_LT);
	to_end = emit_fwd(a, OP_JZ);
	emit1(a, OP_LOAD, R_ACC); /* acc = (acc * 31) ^ i */
	emit1(a, OP_PUSH, 31);
	emit(a, OP_MUL);
	emit1(a, OP_LOAD, R_I);
	emit(a, OP_XOR);
	emit1(a, OP_LOAD, R_I); /* acc -= i << 3 */
	emit1(a, OP_SHL, 3);
	emit(a, OP_SUB);
	emit(a, OP_DUP); /* acc ^= acc >> 7 */
	emit1(a, OP_SHR, 7);
	emit(a, OP_XOR);
	emit1(a, OP_STORE, R_ACC);
	emit1(a, OP_LOAD, R_I); /* if (i & 3) sum += acc */
	emit1(a, OP_PUSH, 3);
	emit(a, OP_AND);
	to_skip = emit_fwd(a, OP_JZ);
	emit1(a, OP_LOAD, R_SUM);
	emit1(a, OP_LOAD, R_ACC);
	emit(a, OP_ADD);
	emit1(a, OP_STORE, R_SUM);
	a->code[to_skip] = a->n; /* i++ */
	emit1(a, OP_LOAD, R_I);
	emit1(a, OP_PUSH, 1);
	emit(a, OP_ADD);
	emit1(a, OP_STORE, R_I);
	emit1(a, OP_JMP, loop);
	a->code[to_end] = a->n; /* return acc ^ sum */
	emit1(a, OP_LOAD, R_ACC);
	emit1(a, OP_LOAD, R_SUM);
	emit(a, OP_XOR);
	emit(a, OP_HALT);
}

/* The interpreter proper. The program is trusted (vm_build), so stack
 * and register indices are not checked, as in a production VM. */
__attribute__((noipa)) static uint64_t vm_exec(const uint32_t *code,
					       uint64_t *reg)
{
	uint64_t stack[VM_STACK];
	uint32_t pc = 0, sp = 0;

	for (;;) {
		uint32_t op = code[pc++];
		switch (op) {
		case OP_HALT:
			return stack[sp - 1];
		case OP_PUSH:
			stack[sp++] = code[pc++];
			break;
		case OP_LOAD:
			stack[sp++] = reg[code[pc++]];
			break;
		case OP_STORE:
			reg[code[pc++]] = stack[--sp];
			break;
		case OP_ADD:
			sp--;
			stack[sp - 1] += stack[sp];
			break;
		case OP_SUB:
			sp--;
			stack[sp - 1] -= stack[sp];
			break;
		case OP_MUL:
			sp--;
			stack[sp - 1] *= stack[sp];
			break;
		case OP_XOR:
			sp--;
			stack[sp - 1] ^= stack[sp];
			break;
		case OP_AND:
			sp--;
			stack[sp - 1] &= stack[sp];
			break;
		case OP_LT:
			sp--;
			stack[sp - 1] = stack[sp - 1] < stack[sp];
			break;
		case OP_SHL:
			stack[sp - 1] <<= code[pc++];
			break;
		case OP_SHR:
			stack[sp - 1] >>= code[pc++];
			break;
		case OP_DUP:
			stack[sp] = stack[sp - 1];
			sp++;
			break;
		case OP_JZ:
			pc = stack[--sp] ? pc + 1 : code[pc];
			break;
		case OP_JMP:
			pc = code[pc];
			break;
		default:
			return ~0ull; /* corrupted program */
		}
	}
}

static uint64_t interp_run(uint32_t iterations)
{
	struct vm_asm prog;
	uint64_t reg[VM_REGS] = {iterations, 0, 0x6A09E667F3BCC909ull, 0};
	uint64_t result;

	vm_build(&prog);
	result = vm_exec(prog.code, reg);
	return bench_mix(bench_mix(result, reg[R_I]), prog.n);
}

const struct bench_work bench_interp_work = {
    .name = "interp",
    .run = interp_run,
    .scale = {600000, 10000},
    .expected = {0x96056B433FF489A2ull, 0x204FC9A377486C96ull},
};
