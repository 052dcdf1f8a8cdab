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
 * Not yet modeled (later issues): the Hyper-V CPUID leaves and synthetic
 * MSRs, hypercalls (VMCALL injects #UD, as before the hypercall page is
 * enabled), MMIO intercepts.
 */
#include <inttypes.h>

#include "hv/hv_int.h"

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

/* I/O ports go to the owning partition's devices (partitions/). */
static int exit_io_in(struct hv_vp *vp, struct hv_exit *e)
{
	const struct hv_part *p = vp->part;

	if (!p->ops.io_in)
		return ENV_UNHANDLED;
	return p->ops.io_in(p->opaque, e->port, e->size, e->in_val, &e->lat);
}

static int exit_io_out(struct hv_vp *vp, struct hv_exit *e)
{
	const struct hv_part *p = vp->part;

	if (!p->ops.io_out)
		return ENV_UNHANDLED;
	return p->ops.io_out(p->opaque, e->port, e->size, e->out_val, &e->lat);
}

/* CPUID always exits (VMX); the core's answer stands until the Hyper-V
 * leaves exist. */
static int exit_cpuid(struct hv_vp *vp, struct hv_exit *e)
{
	(void)vp;
	(void)e;
	return ENV_OK;
}

/* An MSR neither the core nor the hypervisor implements: #GP. */
static int exit_msr(struct hv_vp *vp, struct hv_exit *e)
{
	(void)vp;
	(void)e;
	return ENV_GP;
}

/* No hypercall interface yet: #UD, as with the hypercall page disabled. */
static int exit_vmcall(struct hv_vp *vp, struct hv_exit *e)
{
	(void)vp;
	(void)e;
	return ENV_UNHANDLED;
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
    [HV_EXIT_IO_IN] = {HV_EXIT_IO_IN, "IO_IN", exit_io_in, COST_EXIT},
    [HV_EXIT_IO_OUT] = {HV_EXIT_IO_OUT, "IO_OUT", exit_io_out, COST_EXIT},
    [HV_EXIT_CPUID] = {HV_EXIT_CPUID, "CPUID", exit_cpuid, COST_EXIT},
    [HV_EXIT_MSR_READ] = {HV_EXIT_MSR_READ, "MSR_READ", exit_msr, COST_EXIT},
    [HV_EXIT_MSR_WRITE] = {HV_EXIT_MSR_WRITE, "MSR_WRITE", exit_msr, COST_EXIT},
    [HV_EXIT_VMCALL] = {HV_EXIT_VMCALL, "VMCALL", exit_vmcall, COST_HYPERCALL},
    [HV_EXIT_HLT] = {HV_EXIT_HLT, "HLT", exit_hlt, COST_EXIT},
    [HV_EXIT_TRIPLE_FAULT] = {HV_EXIT_TRIPLE_FAULT, "TRIPLE_FAULT",
			      exit_triple_fault, COST_EXIT},
};

const char *hv_exit_name(enum hv_exit_reason r)
{
	return r < HV_EXIT_NR ? exit_table[r].name : "?";
}

cycles_t hv_exit_cost(enum hv_exit_reason r)
{
	return r < HV_EXIT_NR ? exit_table[r].cost : 0;
}

int hv_exit_dispatch(struct hv_vp *vp, struct hv_exit *e)
{
	const struct exit_row *row = &exit_table[e->reason];
	struct hv *hv = vp->part->hv;
	int rc = row->fn(vp, e);
	cycles_t cost = row->cost + e->lat;

	hv->exit_count[e->reason]++;
	hv->exit_cycles[e->reason] += cost;
	vp->exits++;
	vp->root += cost;
	cpu_advance_clock(vp->cpu, cost);
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
	};
}
