/*
 * sim/cmd_ctl.h — `hvsim ctl SOCKET COMMAND [KEY=VALUE | KEY:=JSON]...`,
 * the client of the management API (partitions/mgmt_api.h). The request
 * builder and the reply printer are exposed for
 * tests/unit/partitions/test_mgmt_api.c.
 */
#ifndef HVSIM_SIM_CMD_CTL_H_
#define HVSIM_SIM_CMD_CTL_H_

#include <stddef.h>
#include <stdio.h>

/* Exit statuses: 0 success, 1 an error reply, 2 usage or connection. */
#define CTL_EXIT_OK    0
#define CTL_EXIT_ERROR 1
#define CTL_EXIT_USAGE 2

/* argv[0] is "ctl". */
int cmd_ctl(int argc, char **argv);

/* The request line (no newline) for argv = {COMMAND, ARG...}: KEY=VALUE
 * gives a string argument, KEY:=JSON a JSON value; {"raw", TEXT} is TEXT
 * unchanged (one line). Returns malloc'd text, or NULL with a reason in
 * err. */
char *ctl_build_request(int argc, char **argv, char *err, size_t errlen);

/* Print the reply line to command on out (pretty JSON, or a table for
 * query-partitions) or its error on err. Returns the exit status. */
int ctl_print_reply(const char *command, const char *line, FILE *out,
		    FILE *err);

#endif
