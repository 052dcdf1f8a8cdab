/*
 * sim/main.c — the hvsim executable: everything is in sim/cli.c, so that
 * tests can drive the command line without spawning a process.
 */
#include "sim/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
