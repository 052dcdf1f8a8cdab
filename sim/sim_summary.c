/*
 * sim/sim_summary.c — what `hvsim run` prints at the end of a run
 * (unless --quiet): why it ended, instructions, cycles, simulated and
 * host time, then hv's tables (each vCPU's time by mode, the exits by
 * reason); with two or more children, each partition's exits side by
 * side and how each child ended. Reads the machine through sim.h's
 * accessors only. Called by sim/cli.c and sim/demo.c.
 */
#include <stdio.h>

#include "hv/hv.h"
#include "partitions/partition.h"
#include "sim/sim.h"

static unsigned nr_children(const struct sim *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sim_nr_partitions(s); i++)
		n += !partition_is_parent(sim_partition(s, i));
	return n;
}

/* How a child that did not end by itself stands at the end of the run. */
static const char *unended_state(const struct sim *s, const struct partition *p)
{
	if (sim_result(s)->status == SIM_EXIT_TIME_LIMIT)
		return "still running when the run ended";
	switch (partition_state(p)) {
	case PART_RUNNING:
		return "halted for good (nothing can interrupt it)";
	case PART_PAUSED:
		return "paused";
	case PART_CREATED:
		return "never started";
	default:
		return partition_state_name(partition_state(p));
	}
}

void sim_print_partition_ends(const struct sim *s, FILE *f)
{
	fputs("hvsim: how each child partition ended:\n", f);
	for (unsigned i = 0; i < sim_nr_partitions(s); i++) {
		const struct partition *p = sim_partition(s, i);

		if (!partition_is_parent(p))
			fprintf(f, "hvsim:   %-16s %s\n", partition_name(p),
				partition_ended(p) ? partition_end_reason(p)
						   : unended_state(s, p));
	}
}

/* With several partitions: each one's exits by reason, side by side
 * (the table above sums them). */
static void print_exits_by_partition(const struct sim *s, FILE *f)
{
	fprintf(f, "hvsim: %-20s", "exits by partition");
	for (unsigned i = 0; i < sim_nr_partitions(s); i++)
		fprintf(f, " %12.12s", partition_name(sim_partition(s, i)));
	fputc('\n', f);
	for (int r = 0; r < HV_EXIT_NR; r++) {
		if (!hv_exit_count(sim_hv(s), (enum hv_exit_reason)r))
			continue;
		fprintf(f, "hvsim: %-20s", hv_exit_name((enum hv_exit_reason)r));
		for (unsigned i = 0; i < sim_nr_partitions(s); i++)
			fprintf(f, " %12llu",
				(unsigned long long)hv_part_exit_count(
				    partition_hv(sim_partition(s, i)),
				    (enum hv_exit_reason)r));
		fputc('\n', f);
	}
}

void sim_print_summary(const struct sim *s, FILE *f)
{
	const struct sim_result *r = sim_result(s);
	double sim_s = (double)r->cycles / (double)r->freq_hz;
	double mips =
	    r->host_cpu_s > 0 ? (double)r->instret / r->host_cpu_s / 1e6 : 0.0;

	fprintf(f, "hvsim: %s\n", r->reason);
	fprintf(f,
		"hvsim: %llu instructions, %llu cycles = %.6f s simulated "
		"at %.2f GHz; host %.3f s CPU, %.1f MIPS\n",
		(unsigned long long)r->instret, (unsigned long long)r->cycles,
		sim_s, (double)r->freq_hz / 1e9, r->host_cpu_s, mips);
	hv_print_stats(sim_hv(s), f);
	if (nr_children(s) > 1) {
		print_exits_by_partition(s, f);
		sim_print_partition_ends(s, f);
	}
}
