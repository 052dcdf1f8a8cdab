/*
 * sim/cmd_trace.h — `hvsim trace stats FILE` and
 * `hvsim trace export --chrome FILE -o OUT.json` (sim/cmd_trace.c,
 * docs/TRACE.md).
 */
#ifndef HVSIM_SIM_CMD_TRACE_H_
#define HVSIM_SIM_CMD_TRACE_H_

/* argv[0] is "trace", argv[1] the subcommand. Returns 0, or 2 with a
 * one-line message on stderr for a usage error or a bad trace file. */
int cmd_trace(int argc, char **argv);

#endif
