/*
 * hv/stats.c — the hypervisor's end-of-run accounting: per-vCPU time split
 * into ring 3, ring 0, root mode (exit handling), idle (halted) and wait
 * (runnable, not on a pCPU), and the exit table in the manner of
 * `perf kvm stat`: reason, count, share of exits, total and mean cycles.
 *
 * Sources: ring 0/3 from the core's per-CPL clock (cpu_cycles_at_cpl),
 * which excludes time added with cpu_advance_clock, plus, for the
 * parent's service vCPUs, the service work charged by ring (work.c); root from the exit
 * dispatcher (exit.c); idle and wait from the scheduler (sched.c, hv.c).
 */
#include <inttypes.h>

#include "hv/hv_int.h"

void hv_vp_stats(const struct hv_part *p, unsigned index,
		 struct hv_vp_stats *out)
{
	const struct hv_vp *vp;
	cycles_t now, idle_closed;

	*out = (struct hv_vp_stats){0};
	if (index >= p->nr_vps)
		return;
	vp = &p->vp[index];
	now = hv_now(p->hv);
	/* A service vCPU runs no guest code: its ring 0/3 time is the
	 * service work charged to it (work.c), by ring. */
	out->ring3 = cpu_cycles_at_cpl(vp->cpu, 3) + vp->svc_ring3;
	out->ring0 = cpu_cycles_at_cpl(vp->cpu, 0) +
		     cpu_cycles_at_cpl(vp->cpu, 1) +
		     cpu_cycles_at_cpl(vp->cpu, 2) + vp->svc_ring0;
	out->root = vp->root;
	idle_closed = vp->idle;
	out->idle = idle_closed;
	if (vp->halted && now > vp->halt_since)
		out->idle += now - vp->halt_since;
	out->wait = vp->skipped > idle_closed ? vp->skipped - idle_closed : 0;
	/* Runnable but behind the latest pCPU clock: waiting, too. */
	if (p->runnable && !vp->halted && !vp->dead &&
	    cpu_cycles(vp->cpu) < now)
		out->wait += now - cpu_cycles(vp->cpu);
	out->instret = cpu_instret(vp->cpu);
	out->slices = vp->slices;
	out->exits = vp->exits;
}

static double pct(cycles_t part, cycles_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_vps(const struct hv *hv, FILE *f)
{
	cycles_t now = hv_now(hv);

	fprintf(f, "hvsim: vCPU time (%% of %" PRIu64 " cycles)\n", now);
	fprintf(f, "hvsim: %-16s %3s %14s %14s %14s %14s %14s %8s\n",
		"partition", "vp", "ring3", "ring0", "root", "idle", "wait",
		"slices");
	for (unsigned i = 0; i < hv->nr_parts; i++) {
		const struct hv_part *p = hv->part[i];
		for (unsigned j = 0; j < p->nr_vps; j++) {
			struct hv_vp_stats st;
			hv_vp_stats(p, j, &st);
			fprintf(f,
				"hvsim: %-16s %3u %14" PRIu64 " %14" PRIu64
				" %14" PRIu64 " %14" PRIu64 " %14" PRIu64
				" %8" PRIu64 "\n",
				p->name, j, st.ring3, st.ring0, st.root,
				st.idle, st.wait, st.slices);
			fprintf(f,
				"hvsim: %-16s %3s %13.1f%% %13.1f%% %13.1f%% "
				"%13.1f%% %13.1f%%\n",
				"", "", pct(st.ring3, now), pct(st.ring0, now),
				pct(st.root, now), pct(st.idle, now),
				pct(st.wait, now));
		}
	}
	for (unsigned i = 0; i < hv->nr_pcpus; i++)
		fprintf(f,
			"hvsim: pCPU %u: %" PRIu64 " slices, %" PRIu64
			" cycles in partition switches\n",
			i, hv->pcpu[i].slices, hv->pcpu[i].switch_cycles);
}

static void print_exits(const struct hv *hv, FILE *f)
{
	uint64_t total = 0;
	cycles_t cycles = 0;

	for (int r = 0; r < HV_EXIT_NR; r++) {
		total += hv->exit_count[r];
		cycles += hv->exit_cycles[r];
	}
	fprintf(f, "hvsim: %-14s %12s %8s %14s %10s\n", "exit reason", "count",
		"share", "cycles", "mean");
	for (int r = 0; r < HV_EXIT_NR; r++) {
		uint64_t n = hv->exit_count[r];
		if (!n)
			continue;
		fprintf(
		    f,
		    "hvsim: %-14s %12" PRIu64 " %7.2f%% %14" PRIu64 " %10.1f\n",
		    hv_exit_name((enum hv_exit_reason)r), n, pct(n, total),
		    hv->exit_cycles[r], (double)hv->exit_cycles[r] / (double)n);
	}
	fprintf(f, "hvsim: %-14s %12" PRIu64 " %7.2f%% %14" PRIu64 " %10.1f\n",
		"total", total, total ? 100.0 : 0.0, cycles,
		total ? (double)cycles / (double)total : 0.0);
}

void hv_print_stats(const struct hv *hv, FILE *f)
{
	print_vps(hv, f);
	print_exits(hv, f);
}
