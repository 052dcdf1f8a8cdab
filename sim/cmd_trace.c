/*
 * sim/cmd_trace.c — `hvsim trace`: stub until the reader lands.
 */
#include <stdio.h>

#include "sim/cmd_trace.h"

int cmd_trace(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("hvsim: trace: not implemented yet\n", stderr);
	return 2;
}
