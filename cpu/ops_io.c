/*
 * cpu/ops_io.c — port I/O: IN/OUT (E4-E7, EC-EF) and cpu_io_in/cpu_io_out,
 * which INS/OUTS (ops_string.c) share.
 *
 * Spec: Intel SDM Vol. 1 §19.5 (I/O privilege level and the I/O
 * permission bit map), Vol. 2A/2B IN, OUT. In protected mode with
 * CPL > IOPL (and always in virtual-8086 mode) the access is allowed only
 * if every bit for its ports in the TSS bitmap is 0. The bitmap starts at
 * the 16-bit offset stored at TSS+0x66; the processor reads two bytes of
 * it, and both must lie within the TSS limit, else #GP(0).
 *
 * The access itself is an intercept: env->io_in/io_out, whose reported
 * cost is charged. No hook, or a hook that does not own the port: reads
 * return all ones of the access size and writes are dropped (open bus).
 * Sizes are 1, 2 or 4 bytes (REX.W does not make a 64-bit port access).
 * A hook that answers later (ENV_RETRY: the intercept was forwarded) has
 * its cost charged, then the instruction is undone like a fault and
 * cpu_run() stops; it asks again when it is re-executed.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"
#include "cpu/ops_sys.h"

#define TSS_IOMAP_BASE 0x66 /* offset of the bitmap offset in a 32/64 TSS */
#define TSS32_AVL  9
#define TSS32_BUSY 11

static bool io_needs_bitmap(const struct cpu *c)
{
	unsigned iopl = (unsigned)(c->rflags & RF_IOPL) >> 12;

	if (!(c->cr0 & CR0_PE))
		return false;
	return (c->rflags & RF_VM) || c->cpl > iopl;
}

static uint64_t tss_lin(const struct cpu *c, uint64_t off)
{
	uint64_t lin = c->tr.base + off;

	return (c->efer & EFER_LMA) ? lin : (uint32_t)lin;
}

/* #GP(0) unless the bitmap clears every port of [port, port+size). A
 * 16-bit TSS has no bitmap. */
static void io_check_bitmap(struct cpu *c, uint16_t port, int size)
{
	unsigned type = SEGA_TYPE(c->tr.attr);
	unsigned acc = ACC_READ | ACC_IMPLICIT_SUP;
	uint64_t map, off, bits, mask;

	if (!(c->tr.attr & SEGA_P) || (type != TSS32_AVL && type != TSS32_BUSY))
		cpu_raise_gp0(c);
	if (TSS_IOMAP_BASE + 1 > c->tr.limit)
		cpu_raise_gp0(c);
	map = cpu_lin_read(c, tss_lin(c, TSS_IOMAP_BASE), 2, acc);
	off = map + port / 8;
	if (off + 1 > c->tr.limit)
		cpu_raise_gp0(c);
	bits = cpu_lin_read(c, tss_lin(c, off), 2, acc);
	mask = ((1ull << size) - 1) << (port & 7);
	if (bits & mask)
		cpu_raise_gp0(c);
}

uint32_t cpu_io_in(struct cpu *c, uint16_t port, int size)
{
	uint32_t val = 0;
	cycles_t cost = 0;
	int rc = ENV_UNHANDLED;

	if (io_needs_bitmap(c))
		io_check_bitmap(c, port, size);
	if (c->env.io_in)
		rc = c->env.io_in(c->env.opaque, c, port, size, &val, &cost);
	cpu_charge(c, cost);
	if (rc == ENV_RETRY)
		cpu_raise_retry(c);
	if (rc == ENV_GP)
		cpu_raise_gp0(c);
	if (rc != ENV_OK)
		val = UINT32_MAX;
	return (uint32_t)(val & size_mask(size));
}

void cpu_io_out(struct cpu *c, uint16_t port, int size, uint32_t val)
{
	cycles_t cost = 0;
	int rc = ENV_UNHANDLED;

	if (io_needs_bitmap(c))
		io_check_bitmap(c, port, size);
	if (c->env.io_out)
		rc = c->env.io_out(c->env.opaque, c, port, size,
				   (uint32_t)(val & size_mask(size)), &cost);
	cpu_charge(c, cost);
	if (rc == ENV_RETRY)
		cpu_raise_retry(c);
	if (rc == ENV_GP)
		cpu_raise_gp0(c);
}

/* Access size of an IN/OUT row: byte rows have osize 1; otherwise 2 or 4. */
static int io_size(const struct dinsn *d)
{
	return d->osize > 4 ? 4 : d->osize;
}

static void io_in_to_acc(struct cpu *c, const struct dinsn *d, uint16_t port)
{
	int size = io_size(d);
	uint32_t v = cpu_io_in(c, port, size);

	gpr_write(c, RAX, size, false, v);
}

static void io_out_from_acc(struct cpu *c, const struct dinsn *d,
			    uint16_t port)
{
	int size = io_size(d);

	cpu_io_out(c, port, size, (uint32_t)(c->gpr[RAX] & size_mask(size)));
}

void op_in_AI(struct cpu *c, const struct dinsn *d)
{
	io_in_to_acc(c, d, (uint16_t)(d->imm & 0xFF));
}

void op_in_AD(struct cpu *c, const struct dinsn *d)
{
	io_in_to_acc(c, d, (uint16_t)c->gpr[RDX]);
}

void op_out_IA(struct cpu *c, const struct dinsn *d)
{
	io_out_from_acc(c, d, (uint16_t)(d->imm & 0xFF));
}

void op_out_DA(struct cpu *c, const struct dinsn *d)
{
	io_out_from_acc(c, d, (uint16_t)c->gpr[RDX]);
}
