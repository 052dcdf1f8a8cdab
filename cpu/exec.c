/*
 * cpu/exec.c — the interpreter: run guest code for a cycle budget.
 *
 * Decoded instructions are cached as blocks (threaded code, STYLE.md §7):
 * a block is a run of decoded instructions starting at one guest-physical
 * address, ending at the first unconditional branch or serialising
 * instruction, at the end of its 4 KiB page, or after BLOCK_MAX
 * instructions (a conditional branch ends the run only when taken).
 * Blocks are keyed by the GPA of their first byte and the decode mode, so
 * they survive CR3 changes and are shared by every linear alias of the
 * page. Next to each instruction the block holds its runner (fastpath.h):
 * a handler specialised for its form, or a generic runner calling the
 * row's handler.
 *
 * Time: cycles and instret are charged per block in bulk from prefix sums
 * of the instructions' costs; before a generic handler runs (the only
 * code that can read the clock, touch devices or fault) the instructions
 * before it are charged, and a fault charges them too, so every observer
 * sees the exact per-instruction count.
 *
 * Invalidation: decoding marks the page as code in physmem; a write to a
 * code page bumps that page's generation (a block whose generation differs
 * is stale) and a global code-write counter. Only generic handlers can
 * write code (fast runners' stores hit only non-code pages), and each one
 * compares the counter around itself, so an instruction that rewrites the
 * rest of its own block is honoured at the next instruction —
 * self-modifying code is precise at instruction granularity.
 *
 * Faults: cpu_raise() longjmps to the setjmp in cpu_run(); RIP is rewound
 * to the faulting instruction and except.c delivers the event. Handlers
 * run with c->rip already pointing at the next instruction.
 *
 * Interrupts are checked at block boundaries (blocks are short), honouring
 * the STI/MOV SS shadow: an instruction that starts a shadow ends its
 * block, the next instruction runs alone, and the check follows it.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_int.h"
#include "cpu/fastpath.h"
#include "cpu/mem.h"
#include "cpu/ops.h"

#define BLOCK_MAX 32
#define BLOCK_CACHE_BITS 12
#define BLOCK_CACHE_SIZE (1u << BLOCK_CACHE_BITS)
/* Four slots per set: with one, two hot blocks whose GPAs hash alike
 * evict each other on every visit (the storage guest's VMBus loop had two
 * such pairs: four decodes per round trip), and with two, three such
 * blocks (it had three in one set). A guest's few hundred hot blocks over
 * 1024 sets rarely put five in one. */
#define BLOCK_WAYS 4
#define BLOCK_SETS (BLOCK_CACHE_SIZE / BLOCK_WAYS)

/* One decoded instruction and what runs it (fastpath.c's choice), side
 * by side so the block loop steps one pointer. A runner gets &slot->d;
 * slot_of() finds the slot again. */
struct slot {
	struct dinsn d;
	fast_fn fn;
	/* Instructions run when this slot's runner stops the block: its
	 * index + 1, or n for the end marker (which is no instruction). */
	uint8_t upto;
};
_Static_assert(offsetof(struct slot, d) == 0, "slot_of() casts &slot->d");

struct block {
	uint64_t gpa;   /* GPA of the first instruction; ~0 when empty */
	uint32_t gen;   /* code generation of the page when decoded */
	/* The code-write counter when `gen` was last known current: while
	 * the counter has not moved no code page was written, so the block
	 * is valid without asking physmem for the page's generation (only
	 * exactly 2^32 code writes between two runs could alias). */
	uint32_t checked;
	uint8_t mode;   /* enum cpu_mode it was decoded in */
	uint8_t n;      /* instructions in slot[] */
	/* cum[i]: cycles of instructions 0..i-1, so charging a run of them
	 * is one subtraction (BLOCK_MAX instructions of any class fit). */
	uint32_t cum[BLOCK_MAX + 1];
	/* Slot n is the end marker: block_end with an instruction of length
	 * 0, so the block loop needs no count test (it stops when a runner
	 * says so). */
	struct slot slot[BLOCK_MAX + 1];
};

/* The slot holding d (a runner's argument is always &slot->d). */
static const struct slot *slot_of(const struct dinsn *d)
{
	return (const struct slot *)(const void *)d;
}

/* The block being run (or last run), for exec_generic, the final charge
 * and a fault: how many of its instructions are charged (cycles, instret)
 * so far. */
struct block_run {
	const struct block *b;
	unsigned charged;
	bool generic_ran; /* exec_generic ran one of its instructions */
};

struct icache {
	struct block_run run;
	const struct physmem *mem;  /* whose code-write counter this is: */
	const uint32_t *code_writes; /* physmem_code_write_counter(mem) */
	struct block blocks[BLOCK_CACHE_SIZE]; /* set k: the ways from k*WAYS */
	uint8_t last_filled[BLOCK_SETS];      /* way of the newest fill */
	uint64_t misses; /* lookups that decoded (hits are not counted: the
			  * increment would cost every block) */
};

struct icache *icache_create(void)
{
	struct icache *ic = calloc(1, sizeof(*ic));
	if (!ic)
		return NULL;
	for (unsigned i = 0; i < BLOCK_CACHE_SIZE; i++)
		ic->blocks[i].gpa = ~0ull;
	return ic;
}

void icache_destroy(struct icache *ic) { free(ic); }

uint64_t icache_misses(const struct icache *ic) { return ic->misses; }

/* The set of the block at `gpa`. */
static unsigned block_set(uint64_t gpa)
{
	uint64_t h = gpa * 0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> (64 - BLOCK_CACHE_BITS + 2)); /* log2(ways) */
}

/* The slot a new block at `gpa` goes to: a stale copy of it (another
 * mode or generation), else an empty slot, else the older fill. */
static struct block *block_victim(struct icache *ic, unsigned set,
				  uint64_t gpa)
{
	struct block *ways = &ic->blocks[set * BLOCK_WAYS];
	unsigned w;

	for (w = 0; w < BLOCK_WAYS; w++)
		if (ways[w].gpa == gpa)
			break;
	if (w == BLOCK_WAYS)
		for (w = 0; w < BLOCK_WAYS; w++)
			if (ways[w].gpa == ~0ull)
				break;
	if (w == BLOCK_WAYS)
		w = (ic->last_filled[set] + 1u) % BLOCK_WAYS;
	ic->last_filled[set] = (uint8_t)w;
	return &ways[w];
}

/* Does the instruction access memory through its ModRM operand? Those pay
 * a load on top of their class (stores and RMW classes already include
 * it). */
static bool has_mem_operand(const struct dinsn *d)
{
	const struct opdesc *op = d->op;
	if (!(op->flags & F_MODRM) || d->mod == 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (op->opnd[i] == O_E || op->opnd[i] == O_M ||
		    op->opnd[i] == O_W || op->opnd[i] == O_Q)
			return true;
	return false;
}

static uint16_t insn_cost(const struct cpu *c, const struct dinsn *d)
{
	unsigned cls = d->op->cost;
	uint16_t cyc = c->cost[cls < C_NCLASSES ? cls : C_ALU];
	if ((cls == C_ALU || cls == C_MOV || cls == C_BITSCAN ||
	     cls == C_SSE) && has_mem_operand(d))
		cyc += c->cost[C_LOAD];
	return cyc;
}

/* Conditional branches: when not taken, the block goes on after them
 * (a taken one ends the run of the block, as any RIP change does). */
static const op_handler falls_through[] = {op_jcc_J, op_loop_J, op_jrcxz_J};

/* Does the block end after d? At branches (but conditional ones) and
 * serialising instructions. */
static bool ends_block(const struct dinsn *d)
{
	if (d->op->flags & F_SERIAL)
		return true;
	if (!(d->op->flags & F_BRANCH))
		return false;
	for (size_t i = 0; i < sizeof(falls_through) / sizeof(*falls_through);
	     i++)
		if (d->op->fn == falls_through[i])
			return false;
	return true;
}

/* The runner of a block's end marker: stop (RIP is already right, as the
 * marker's length is 0). */
static bool block_end(struct cpu *c, const struct dinsn *d)
{
	(void)c;
	(void)d;
	return false;
}

/* An undecodable instruction at the current RIP: raise what the decoder
 * said, logging an undefined opcode once. */
static _Noreturn void raise_decode_error(struct cpu *c, enum decode_err err,
					 const struct dinsn *d)
{
	c->insn_rip = c->rip;
	if (err == DEC_TOO_LONG)
		cpu_raise_gp0(c);
	cpu_unimplemented(c, d);
}

/* Fill block b with instructions decoded from host bytes at `code` (valid
 * to the end of the page), with each one's runner and running cost. The
 * slot is empty while it is being filled, and stays empty when the first
 * instruction cannot be cached (it crosses the page, or it raises): a
 * block always holds at least one instruction. */
static __attribute__((noinline, cold)) void
block_decode(struct cpu *c, struct block *b, const uint8_t *code,
	     int avail, uint64_t gpa)
{
	int off = 0;
	b->gpa = ~0ull;
	b->n = 0;
	b->cum[0] = 0;
	while (b->n < BLOCK_MAX && off < avail) {
		struct dinsn *d = &b->slot[b->n].d;
		enum decode_err err = decode_insn(code + off, avail - off,
						  c->mode, d);
		if (err != DEC_OK) {
			if (b->n == 0 && err != DEC_FETCH) {
				d->op = &optab_invalid;
				d->len = 1;
				raise_decode_error(c, err, d);
			}
			break; /* crossing the page, or fault when reached */
		}
		b->slot[b->n].fn = fast_select(d, c->mode);
		b->slot[b->n].upto = (uint8_t)(b->n + 1);
		b->cum[b->n + 1] = b->cum[b->n] + insn_cost(c, d);
		off += d->len;
		b->n++;
		if (ends_block(d))
			break;
	}
	if (b->n == 0)
		return;
	b->slot[b->n].fn = block_end;
	b->slot[b->n].upto = b->n;
	b->slot[b->n].d = (struct dinsn){.op = &optab_invalid, .len = 0};
	b->gpa = gpa;
	b->mode = (uint8_t)c->mode;
	/* The page becomes code: physmem switches the write tags of every TLB
	 * that maps it to the slow path, so later writes bump its generation
	 * (a no-op when it is code already). */
	physmem_mark_code(c->mem, gpa & PAGE_MASK);
	b->gen = physmem_code_gen(c->mem, gpa);
	b->checked = *c->icache->code_writes;
}

/* The instruction at RIP straddles a page (or lives in MMIO): fetch its
 * bytes the slow way and run it alone, uncached. */
static __attribute__((noinline, cold)) void exec_uncached(struct cpu *c,
							  uint64_t lin)
{
	uint8_t buf[16];
	struct dinsn d;
	uint64_t page_left = PAGE_SIZE - (lin & ~PAGE_MASK);
	int n = page_left < 15 ? (int)page_left : 15;

	c->insn_rip = c->rip;
	cpu_fetch(c, lin, buf, n);
	enum decode_err err = decode_insn(buf, n, c->mode, &d);
	if (err == DEC_FETCH && d.len > n && d.len <= 15) {
		cpu_fetch(c, lin + n, buf + n, d.len - n);
		err = decode_insn(buf, d.len, c->mode, &d);
	}
	if (err != DEC_OK) {
		d.op = &optab_invalid;
		d.len = 1;
		raise_decode_error(c, err, &d);
	}
	c->cur = &d;
	c->rip += d.len;
	d.op->fn(c, &d);
	c->cycles += insn_cost(c, &d);
	c->instret++;
	c->cur = NULL;
}

/* The block at `lin` when the exec TLB maps it and the cache holds it
 * (still current), else NULL. */
static inline struct block *block_find(struct cpu *c, uint64_t lin)
{
	uint64_t gpa;
	if (!mem_fetch_tlb_hit(c, lin, &gpa))
		return NULL;
	struct icache *ic = c->icache;
	struct block *b = &ic->blocks[block_set(gpa) * BLOCK_WAYS];
	struct block *end = b + BLOCK_WAYS;
	while (b->gpa != gpa || b->mode != c->mode)
		if (++b == end)
			return NULL;
	uint32_t writes = *ic->code_writes;
	if (b->checked != writes) {
		if (b->gen != physmem_code_gen(c->mem, gpa))
			return NULL;
		b->checked = writes;
	}
	return b;
}

/* block_find's slow half: translate (may fault) and decode; NULL means
 * "run one uncached". */
static __attribute__((noinline)) struct block *block_fill(struct cpu *c,
							  uint64_t lin)
{
	uint64_t gpa;
	c->insn_rip = c->rip; /* a fetch fault reports this RIP */
	const uint8_t *code = cpu_fetch_ptr(c, lin, &gpa);
	if (!code)
		return NULL;
	struct icache *ic = c->icache;
	unsigned set = block_set(gpa);
	struct block *b = &ic->blocks[set * BLOCK_WAYS];
	for (unsigned w = 0; w < BLOCK_WAYS; w++, b++)
		if (b->gpa == gpa && b->mode == c->mode &&
		    b->gen == physmem_code_gen(c->mem, gpa)) {
			b->checked = *ic->code_writes;
			return b;
		}
	b = block_victim(ic, set, gpa);
	ic->misses++;
	block_decode(c, b, code, (int)(PAGE_SIZE - (lin & ~PAGE_MASK)), gpa);
	return b->gpa == gpa ? b : NULL;
}

/* Charge instructions [run->charged, upto) of the running block. */
static void block_charge(struct cpu *c, struct block_run *run, unsigned upto)
{
	const struct block *b = run->b;
	c->cycles += b->cum[upto] - b->cum[run->charged];
	c->instret += upto - run->charged;
	run->charged = upto;
}

/* What every generic runner does first: the handler contract's state. */
static void generic_enter(struct cpu *c, const struct dinsn *d)
{
	c->insn_rip = c->rip - d->len;
	c->cur = d;
}

/*
 * The runner of instructions without a fast path that may touch memory,
 * ports, time or the execution state (and the slow path of the fast
 * runners). The instructions before it are charged first, so whatever it
 * observes (RDTSC, a device reading the clock) sees exact cycles and
 * instret; it is charged itself by the next charge. Stops the block when
 * RIP left the straight line, the instruction wrote code (only generic
 * handlers can, so SMC is precise at instruction granularity), or the
 * CPU halted or was asked to stop.
 */
bool exec_generic(struct cpu *c, const struct dinsn *d)
{
	struct icache *ic = c->icache;
	uint64_t next = c->rip;
	uint32_t writes = *ic->code_writes;
	generic_enter(c, d);
	ic->run.generic_ran = true;
	block_charge(c, &ic->run, slot_of(d)->upto - 1u);
	d->op->fn(c, d);
	c->cur = NULL;
	return c->rip == next && *ic->code_writes == writes && !c->halted &&
	       !c->stop_req && !c->shadow;
}

/* The runner of register-only instructions without a fast path: they
 * cannot observe time (a fault is charged by block_fault_charge), write
 * memory, halt or stop, so only a branch ends the block. */
bool exec_generic_reg(struct cpu *c, const struct dinsn *d)
{
	uint64_t next = c->rip;
	generic_enter(c, d);
	d->op->fn(c, d);
	c->cur = NULL;
	return c->rip == next && !c->shadow;
}

/* A fault unwound out of the running block: charge the instructions
 * before the faulting one (c->cur), which itself is not charged. c->cur
 * points into run->b only while a generic handler of that block runs
 * (the generic runners clear it when it returns; exec_uncached points it
 * at its own copy). */
static void block_fault_charge(struct cpu *c)
{
	struct block_run *run = &c->icache->run;
	if (!run->b)
		return;
	uintptr_t cur = (uintptr_t)c->cur, first = (uintptr_t)run->b->slot;
	uintptr_t end = (uintptr_t)(run->b->slot + run->b->n);
	if (cur >= first && cur < end)
		block_charge(c, run,
			     (unsigned)((cur - first) / sizeof(struct slot)));
}

/*
 * Run the instructions of one block (only its first with `single`). Per
 * instruction the loop only moves RIP to the next instruction (handlers
 * run with RIP there) and calls the runner, which says whether the block
 * goes on; the end marker's runner says no, so the loop has no count
 * test. Cycles and instret are charged in bulk (exec_generic charges
 * before anything can observe them). Fast runners never fault nor write
 * code without going through exec_generic, so RIP is the only state they
 * need.
 */
static void block_run(struct cpu *c, const struct block *b, bool single)
{
	struct block_run *run = &c->icache->run;
	const struct slot *s = b->slot;
	uint64_t rip = c->rip;
	unsigned ran;

	run->b = b;
	run->charged = 0;
	run->generic_ran = false;
	if (single) {
		c->rip = rip + s->d.len;
		s->fn(c, &s->d);
		ran = 1;
	} else {
		for (;; s++) {
			rip += s->d.len;
			c->rip = rip;
			if (!s->fn(c, &s->d))
				break;
		}
		ran = s->upto; /* s's runner stopped the block */
	}
	block_charge(c, run, ran);
}

static bool interrupt_deliverable(const struct cpu *c)
{
	return c->intr_line && (c->rflags & RF_IF) && !c->shadow;
}

static void deliver_external_interrupt(struct cpu *c)
{
	int vec = c->env.intr_ack ? c->env.intr_ack(c->env.opaque, c) : -1;
	if (vec < 0)
		return;
	c->halted = false;
	c->insn_rip = c->rip;
	cpu_deliver(c, vec, EV_EXTINT, false, 0);
}

/* Single-step trap (RFLAGS.TF): #DB after the instruction. */
static void single_step_trap(struct cpu *c)
{
	c->dr[6] |= 1ull << 14; /* DR6.BS */
	c->insn_rip = c->rip;
	cpu_deliver(c, EXC_DB, EV_EXCEPTION, false, 0);
}

/* Anything the plain block pass does not handle: a stop request, the
 * interrupt shadow or a deliverable-looking interrupt line, halt or
 * shutdown, single-step (TF) or a pending RF to clear. One test per block
 * on the common path (bitwise, so no branch per flag). */
static bool needs_careful_pass(const struct cpu *c)
{
	return c->stop_req | c->shadow | c->halted | c->triple_fault |
	       (c->intr_line & ((c->rflags & RF_IF) != 0)) |
	       ((c->rflags & (RF_TF | RF_RF)) != 0);
}

/* Run the block at RIP (or one uncached instruction). Returns whether a
 * generic handler ran: only those (besides the careful pass, a fault's
 * delivery and callers between cpu_run calls) change what
 * needs_careful_pass() looks at, since fast runners touch no RFLAGS bit
 * but the lazy arithmetic ones, never halt, and call nothing outside the
 * core. */
static inline bool run_block_at_rip(struct cpu *c, bool single)
{
	bool generic_ran = true;
	cycles_t before = c->cycles;
	uint64_t lin = c->seg[SEG_CS].base + c->rip;
	if (c->mode != MODE_LONG64)
		lin = (uint32_t)lin;
	struct block *b = block_find(c, lin);
	if (!b)
		b = block_fill(c, lin);
	if (b) {
		block_run(c, b, single);
		generic_ran = c->icache->run.generic_ran;
	} else {
		exec_uncached(c, lin);
	}
	/* Every pass costs time, so a guest stuck in a loop that the cost
	 * model prices at zero still reaches the budget. */
	if (c->cycles == before)
		c->cycles++;
	return generic_ran;
}

/* One pass with every check: stop, interrupts and their shadow, halt,
 * shutdown, single-step. Returns an exit reason, or -1 to go on. */
static __attribute__((noinline)) int careful_pass(struct cpu *c)
{
	if (c->stop_req) {
		c->stop_req = false;
		return CPU_EXIT_STOP;
	}
	/* STI / MOV SS ended their block (exec_generic*): exactly the next
	 * instruction runs in the shadow, then interrupts are checked
	 * again (SDM Vol. 3A §6.8.3). */
	bool in_shadow = c->shadow;

	c->shadow = false;
	if (!in_shadow && interrupt_deliverable(c))
		deliver_external_interrupt(c);
	if (c->triple_fault)
		return CPU_EXIT_TRIPLE_FAULT;
	if (c->halted)
		return CPU_EXIT_HLT;
	bool tf = c->rflags & RF_TF;
	run_block_at_rip(c, tf || in_shadow);
	/* RF suppresses instruction breakpoints for one instruction only
	 * (SDM Vol. 3A §18.3.1.1); clear it once it is spent. */
	c->rflags &= ~RF_RF;
	if (tf && !c->halted)
		single_step_trap(c);
	if (c->triple_fault)
		return CPU_EXIT_TRIPLE_FAULT;
	return -1;
}

/* The main loop, between faults. Returns why it stopped. */
/* Kept out of cpu_run: a function that calls setjmp keeps its variables
 * in memory, which would cost every block. */
/* The careful pass's conditions are tested when they may have changed:
 * on entry (after a fault, or anything done between cpu_run calls), after
 * a block in which a generic handler ran, and after the careful pass. */
static __attribute__((noinline)) enum cpu_exit_reason
run_loop(struct cpu *c)
{
	bool may_need_care = true;
	while (c->cycles < c->run_end) {
		if (!may_need_care || !needs_careful_pass(c)) {
			may_need_care = run_block_at_rip(c, false);
			continue;
		}
		int reason = careful_pass(c);
		if (reason >= 0)
			return (enum cpu_exit_reason)reason;
	}
	return CPU_EXIT_BUDGET;
}

struct cpu_exit cpu_run(struct cpu *c, cycles_t budget)
{
	struct cpu_exit ex = {.reason = CPU_EXIT_BUDGET, .vector = -1};
	struct icache *ic = c->icache;
	c->run_end = c->cycles + budget;
	if (ic->mem != c->mem) {
		ic->mem = c->mem;
		ic->code_writes = physmem_code_write_counter(c->mem);
	}

	if (setjmp(c->fault_jmp)) {
		/* A fault unwound here: rewind and deliver it, then go on.
		 * An intercept answered later (ENV_RETRY) rewinds the same
		 * way but stops: the instruction runs again next time. */
		block_fault_charge(c);
		c->cur = NULL;
		c->rip = c->insn_rip;
		if (c->pend_vec == CPU_PEND_RETRY) {
			ex.reason = CPU_EXIT_STOP;
			ex.rip = c->rip;
			return ex;
		}
		cpu_exception_entry(c);
		if (c->triple_fault) {
			ex.reason = CPU_EXIT_TRIPLE_FAULT;
			ex.vector = c->last_fault;
			ex.rip = c->rip;
			return ex;
		}
	}
	ex.reason = run_loop(c);
	if (ex.reason == CPU_EXIT_TRIPLE_FAULT)
		ex.vector = c->last_fault;
	ex.rip = c->rip;
	return ex;
}

void cpu_request_stop(struct cpu *c) { c->stop_req = true; }

void cpu_set_intr_line(struct cpu *c, bool high) { c->intr_line = high; }
