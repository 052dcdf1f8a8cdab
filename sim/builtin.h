/*
 * sim/builtin.h — guest kernels built into the hvsim binary, so that
 * `hvsim run` (the demo, sim/demo.h) works from any directory.
 *
 * meson runs scripts/embed_guests.py over chosen guest ELFs
 * (meson.build, "Guests built into the binary") and compiles the C file
 * it writes, which defines builtin_guests[]. A kernel named
 * "builtin:NAME" — `hvsim run --kernel builtin:NAME`, or `kernel =
 * builtin:NAME` in a scenario file — is that table's entry NAME, loaded
 * from memory with every check a file gets (sim/loader.h).
 */
#ifndef HVSIM_SIM_BUILTIN_H_
#define HVSIM_SIM_BUILTIN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define BUILTIN_PREFIX "builtin:"

struct builtin_guest {
	const char *name;	   /* "compute"; NULL ends the table */
	const unsigned char *data; /* the ELF file's bytes */
	size_t size;
};

/* The generated table (build/builtin_guests.c), ended by a NULL name. */
extern const struct builtin_guest builtin_guests[];

/* Whether `kernel` names a built-in guest ("builtin:..."), known or not. */
bool builtin_is_name(const char *kernel);
/* The guest "builtin:NAME" names; NULL if there is none by that name
 * (or `kernel` does not start with "builtin:"). */
const struct builtin_guest *builtin_find(const char *kernel);
/* One line per built-in guest: its kernel name, size and what it does. */
void builtin_list(FILE *f);

#endif
