/*
 * sim/cli.h — the `hvsim` command line: a table of subcommands
 * {name, fn, help} (run, disasm, bench, help) and their option parsers.
 * The parsers are exposed for tests/unit/sim/test_cli.c.
 */
#ifndef HVSIM_SIM_CLI_H_
#define HVSIM_SIM_CLI_H_

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

/* The whole program: returns the process exit status (docs/BOOT.md). */
int cli_main(int argc, char **argv);

/* "256M", "1G", "4096", "64KiB" → bytes (binary suffixes K M G T, an
 * optional "B" or "iB"). Returns 0, or -1 if malformed or overflowing. */
int cli_parse_size(const char *s, uint64_t *out);
/* A decimal integer without sign or suffix. Returns 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *out);

/* Parse `hvsim run` options (argv[0] is "run") into cfg, on top of
 * sim_config_defaults. initrd must have room for argc entries. Returns 0,
 * 1 if --help was given (usage printed), or SIM_EXIT_USAGE after printing
 * "hvsim: ..." to stderr. */
int cli_parse_run(int argc, char **argv, struct sim_config *cfg,
		  const char **initrd);

/* Path of a file that lives next to the hvsim binary (build/), e.g.
 * "examples/guests/hello.elf". Returns 0, or -1 if it does not fit. */
int cli_path_near_binary(const char *rel, char *buf, size_t len);

#endif
