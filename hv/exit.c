/*
 * hv/exit.c — exits from guest mode to root mode: the exit-reason table
 * {reason, name, handler, cost} and the dispatcher that counts each exit
 * and charges its cost to the vCPU as root-mode time.
 *
 * The cores' struct cpu_env callbacks are the intercepts (cpu/cpu.h): each
 * one becomes a struct hv_exit and goes through hv_exit_dispatch(). The
 * cost charged is the row's cost (exit + handling + entry) plus whatever
 * latency the handler adds (a device's). It is added with
 * cpu_advance_clock(), so it counts as root time, never as ring 0/3 time.
 * Costs: ../shared/reference/performance.md §7 (cited per row).
 * The handlers hand the work to the modules that own it: port I/O to
 * hv/work.c (forwarded to the parent's VM Worker), CPUID to hv/hvcpuid.c,
 * MSRs to the table of hv/hvmsr.c, VMCALL to hv/hypercall.c. MMIO exits
 * (the xAPIC page) come through hv_exit_charge().
 */
#include <inttypes.h>

#include "hv/hv_int.h"
#include "hv/hvcpuid.h"
#include "hv/hvmsr.h"
#include "hv/hypercall.h"
#include "hv/vapic.h"
#include "traces/trace.h"

/* VM exit + VM entry, hardware transition only: 1,200 cycles
 * (performance.md §7; SVM VMRUN round trip ≈1,350, Nehalem ≈2,000). */
#define COST_EXIT      1200
/* Fast hypercall handled inside the hypervisor: 1,500 cycles
 * (performance.md §7: exit/entry + ~300 dispatch). */
#define COST_HYPERCALL 1500

typedef int exit_fn(struct hv_vp *vp, struct hv_exit *e);

struct exit_row {
	enum hv_exit_reason reason;
	const char *name;
	exit_fn *fn;
	cycles_t cost;
};

/* I/O ports go to the owning partition's devices (through the parent's
 * VM Worker for a child: hv/work.c). */
static int exit_io(struct hv_vp *vp, struct hv_exit *e)
{
	return hv_io_intercept(vp, e);
}

/* CPUID always exits (VMX): the core's answer plus the Hyper-V leaves. */
static int exit_cpuid(struct hv_vp *vp, struct hv_exit *e)
{
	hv_cpuid(vp, e->leaf, e->subleaf, e->regs);
	return ENV_OK;
}

/* MSRs the core does not own: the hypervisor's table, else #GP. */
static int exit_msr_read(struct hv_vp *vp, struct hv_exit *e)
{
	return hv_msr_read(vp, e->msr, e->msr_val) ? ENV_GP : ENV_OK;
}

static int exit_msr_write(struct hv_vp *vp, struct hv_exit *e)
{
	return hv_msr_write(vp, e->msr, *e->msr_val) ? ENV_GP : ENV_OK;
}

/* A hypercall (#UD until the hypercall page is enabled). */
static int exit_vmcall(struct hv_vp *vp, struct hv_exit *e)
{
	return hcall_dispatch(vp, &e->lat);
}

/* MMIO exits are handled by the page's owner before they are charged. */
static int exit_mmio(struct hv_vp *vp, struct hv_exit *e)
{
	(void)vp;
	(void)e;
	return ENV_OK;
}

/* HLT: off the run queue until an interrupt (sched.c). */
static int exit_hlt(struct hv_vp *vp, struct hv_exit *e)
{
	(void)e;
	vp->halted = true;
	return ENV_OK;
}

/* Shutdown: the VP never runs again; the partition's owner decides. */
static int exit_triple_fault(struct hv_vp *vp, struct hv_exit *e)
{
	const struct hv_part *p = vp->part;

	vp->dead = true;
	if (p->ops.triple_fault)
		p->ops.triple_fault(p->opaque, vp->index, e->cx);
	return ENV_OK;
}

static const struct exit_row exit_table[HV_EXIT_NR] = {
    [HV_EXIT_IO_IN] = {HV_EXIT_IO_IN, "IO_IN", exit_io, COST_EXIT},
    [HV_EXIT_IO_OUT] = {HV_EXIT_IO_OUT, "IO_OUT", exit_io, COST_EXIT},
    [HV_EXIT_CPUID] = {HV_EXIT_CPUID, "CPUID", exit_cpuid, COST_EXIT},
    [HV_EXIT_MSR_READ] = {HV_EXIT_MSR_READ, "MSR_READ", exit_msr_read,
			  COST_EXIT},
    [HV_EXIT_MSR_WRITE] = {HV_EXIT_MSR_WRITE, "MSR_WRITE", exit_msr_write,
			   COST_EXIT},
    [HV_EXIT_VMCALL] = {HV_EXIT_VMCALL, "VMCALL", exit_vmcall, COST_HYPERCALL},
    [HV_EXIT_HLT] = {HV_EXIT_HLT, "HLT", exit_hlt, COST_EXIT},
    [HV_EXIT_TRIPLE_FAULT] = {HV_EXIT_TRIPLE_FAULT, "TRIPLE_FAULT",
			      exit_triple_fault, COST_EXIT},
    [HV_EXIT_MMIO] = {HV_EXIT_MMIO, "MMIO", exit_mmio, COST_EXIT},
};

const char *hv_exit_name(enum hv_exit_reason r)
{
	return r < HV_EXIT_NR ? exit_table[r].name : "?";
}

cycles_t hv_exit_cost(enum hv_exit_reason r)
{
	return r < HV_EXIT_NR ? exit_table[r].cost : 0;
}

uint64_t hv_part_exit_count(const struct hv_part *p, enum hv_exit_reason r)
{
	return r < HV_EXIT_NR ? p->exit_count[r] : 0;
}

cycles_t hv_part_exit_cycles(const struct hv_part *p, enum hv_exit_reason r)
{
	return r < HV_EXIT_NR ? p->exit_cycles[r] : 0;
}

void hv_set_trace(struct hv *hv, struct trace *t)
{
	hv->trace = t;
}

/* One record on the vCPU's lane: an exit, or a hypercall (its code). */
static void trace_exit(const struct hv_vp *vp, enum trace_kind kind,
		       uint64_t what, cycles_t cost)
{
	struct trace_rec rec = {
	    .cycle = cpu_cycles(vp->cpu),
	    .kind = (uint16_t)kind,
	    .part = (uint16_t)vp->part->id,
	    .vp = (uint16_t)vp->index,
	    .arg0 = what,
	    .arg1 = cost,
	};

	trace_emit(vp->part->hv->trace, &rec);
}

void hv_exit_charge(struct hv_vp *vp, enum hv_exit_reason r, cycles_t lat)
{
	struct hv *hv = vp->part->hv;
	cycles_t cost = exit_table[r].cost + lat;

	if (hv->trace && r != HV_EXIT_VMCALL)
		trace_exit(vp, TK_HV_EXIT, r, cost);
	hv->exit_count[r]++;
	hv->exit_cycles[r] += cost;
	vp->part->exit_count[r]++;
	vp->part->exit_cycles[r] += cost;
	vp->exits++;
	vp->root += cost;
	cpu_advance_clock(vp->cpu, cost);
}

int hv_exit_dispatch(struct hv_vp *vp, struct hv_exit *e)
{
	/* The call code, read before the handler writes the result. */
	uint64_t code = e->reason == HV_EXIT_VMCALL
			    ? cpu_get_gpr(vp->cpu, cpu_in_long_mode(vp->cpu)
						       ? RCX
						       : RAX) & 0xFFFF
			    : 0;
	int rc = exit_table[e->reason].fn(vp, e);

	if (e->completion)
		return rc;
	if (vp->part->hv->trace && e->reason == HV_EXIT_VMCALL)
		trace_exit(vp, TK_HV_HYPERCALL, code,
			   exit_table[e->reason].cost + e->lat);
	hv_exit_charge(vp, e->reason, e->lat);
	return rc;
}

/* ---- the cpu_env callbacks: one exit each ------------------------------- */

static int env_io_in(void *opaque, struct cpu *cpu, uint16_t port, int size,
		     uint32_t *val, cycles_t *cost)
{
	struct hv_exit e = {
	    .reason = HV_EXIT_IO_IN, .port = port, .size = size, .in_val = val};

	(void)cpu;
	(void)cost; /* charged by the dispatcher as root time */
	return hv_exit_dispatch(opaque, &e);
}

static int env_io_out(void *opaque, struct cpu *cpu, uint16_t port, int size,
		      uint32_t val, cycles_t *cost)
{
	struct hv_exit e = {.reason = HV_EXIT_IO_OUT,
			    .port = port,
			    .size = size,
			    .out_val = val};

	(void)cpu;
	(void)cost;
	return hv_exit_dispatch(opaque, &e);
}

static int env_rdmsr(void *opaque, struct cpu *cpu, uint32_t msr, uint64_t *val,
		     cycles_t *cost)
{
	struct hv_exit e = {
	    .reason = HV_EXIT_MSR_READ, .msr = msr, .msr_val = val};

	(void)cpu;
	(void)cost;
	return hv_exit_dispatch(opaque, &e);
}

static int env_wrmsr(void *opaque, struct cpu *cpu, uint32_t msr, uint64_t val,
		     cycles_t *cost)
{
	struct hv_exit e = {
	    .reason = HV_EXIT_MSR_WRITE, .msr = msr, .msr_val = &val};

	(void)cpu;
	(void)cost;
	return hv_exit_dispatch(opaque, &e);
}

static int env_cpuid(void *opaque, struct cpu *cpu, uint32_t leaf,
		     uint32_t subleaf, uint32_t regs[4], cycles_t *cost)
{
	struct hv_exit e = {.reason = HV_EXIT_CPUID,
			    .leaf = leaf,
			    .subleaf = subleaf,
			    .regs = regs};

	(void)cpu;
	(void)cost;
	return hv_exit_dispatch(opaque, &e);
}

static int env_vmcall(void *opaque, struct cpu *cpu, cycles_t *cost)
{
	struct hv_exit e = {.reason = HV_EXIT_VMCALL};

	(void)cpu;
	(void)cost;
	return hv_exit_dispatch(opaque, &e);
}

static int env_intr_ack(void *opaque, struct cpu *cpu)
{
	(void)cpu;
	return vapic_intr_ack(opaque);
}

void hv_exit_env(struct hv_vp *vp, struct cpu_env *env)
{
	*env = (struct cpu_env){
	    .opaque = vp,
	    .io_in = env_io_in,
	    .io_out = env_io_out,
	    .rdmsr = env_rdmsr,
	    .wrmsr = env_wrmsr,
	    .cpuid = env_cpuid,
	    .vmcall = env_vmcall,
	    .intr_ack = env_intr_ack,
	};
}
