/*
 * examples/guests/bench_intloop.S — the integer workload of `hvsim bench`:
 * a fixed-length register-only loop (xorshift64 plus a few adds), no
 * memory traffic, no output. Standalone: no runtime, no stack use.
 *
 * Instruction count (retired, success path), exactly:
 *   setup             6
 *   loop body        16 x 12,500,000 = 200,000,000
 *   check and exit   10 (three XOR, MOVABS, CMP, JNE, XOR, JMP, MOV, OUT)
 *   total   200,000,016 instructions up to the debug-exit OUT.
 *
 * The loop's result is compared with the value the same arithmetic gives
 * on the host (0xdd86cc0c4de25305, computed with a C transcription of the
 * loop), so a wrong result exits with debug-exit 1 (hvsim status 3)
 * instead of 0 (status 1): the benchmark doubles as a correctness check.
 */
#define ITERATIONS 12500000
#define SEED       0x9E3779B97F4A7C15
#define EXPECTED   0xDD86CC0C4DE25305
#define DEBUG_EXIT 0xF4

	.section .text.boot, "ax"
	.globl _start
_start:
	movabsq $SEED, %rax
	xorl %ebx, %ebx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %r8d, %r8d
	movl $ITERATIONS, %ecx
1:	movq %rax, %rdx			/* xorshift64: x ^= x << 13 */
	shlq $13, %rdx
	xorq %rdx, %rax
	movq %rax, %rdx			/* x ^= x >> 7 */
	shrq $7, %rdx
	xorq %rdx, %rax
	movq %rax, %rdx			/* x ^= x << 17 */
	shlq $17, %rdx
	xorq %rdx, %rax
	addq %rax, %rbx			/* a few dependent ALU ops */
	xorq %rbx, %rsi
	addq $0x5BD1E995, %rdi
	subq %rsi, %r8
	xorq %rdi, %r8
	decl %ecx
	jnz 1b

	xorq %rbx, %rax
	xorq %rsi, %rax
	xorq %r8, %rax
	movabsq $EXPECTED, %rdx
	cmpq %rdx, %rax
	jne 2f
	xorl %eax, %eax			/* debug-exit 0: hvsim status 1 */
	jmp 3f
2:	movl $1, %eax			/* debug-exit 1: hvsim status 3 */
3:	movw $DEBUG_EXIT, %dx
	outl %eax, %dx
4:	cli
	hlt
	jmp 4b

	.section .note.GNU-stack, "", @progbits
