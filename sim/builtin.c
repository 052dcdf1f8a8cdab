/*
 * sim/builtin.c — looking up the guests built into the binary
 * (sim/builtin.h) and listing them for `hvsim run --list-builtin`.
 * The bytes are in the generated table; what each guest does is a small
 * table here, so the listing can say it (a guest without a row is listed
 * without a description).
 */
#include <string.h>

#include "sim/builtin.h"

static const struct {
	const char *name, *what;
} descriptions[] = {
    {"hello", "ring 0 and ring 3, a system call, a demand-paged fault"},
    {"compute", "integer-only work: primes, a Mandelbrot set, a sort"},
    {"storage", "storage VSC: writes, reads back and verifies blocks "
		"(needs a disk)"},
    {"vmbus_disk", "storvsc-shaped VMBus disk client (needs a disk)"},
};

bool builtin_is_name(const char *kernel)
{
	return kernel &&
	       !strncmp(kernel, BUILTIN_PREFIX, strlen(BUILTIN_PREFIX));
}

const struct builtin_guest *builtin_find(const char *kernel)
{
	const char *name;

	if (!builtin_is_name(kernel))
		return NULL;
	name = kernel + strlen(BUILTIN_PREFIX);
	for (const struct builtin_guest *g = builtin_guests; g->name; g++)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

static const char *description(const char *name)
{
	for (size_t i = 0; i < sizeof(descriptions) / sizeof(descriptions[0]);
	     i++)
		if (!strcmp(descriptions[i].name, name))
			return descriptions[i].what;
	return "";
}

void builtin_list(FILE *f)
{
	if (!builtin_guests[0].name) {
		fputs("(no guests are built in: hvsim was built with "
		      "-Dguests=false)\n",
		      f);
		return;
	}
	for (const struct builtin_guest *g = builtin_guests; g->name; g++) {
		char kernel[64];

		snprintf(kernel, sizeof(kernel), BUILTIN_PREFIX "%s", g->name);
		fprintf(f, "  %-20s %7zu bytes  %s\n", kernel, g->size,
			description(g->name));
	}
}
