/*
 * tests/unit/sim/test_builtin.c — guests built into the binary
 * (sim/builtin.c, the generated table) and the loader's in-memory images
 * (sim/loader.c): a built-in guest loads exactly as the same bytes from a
 * file; an image gets every check a file gets (truncated or corrupt
 * copies fail with the guest's name, never crash); `builtin:NAME` in a
 * scenario and on the command line.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmu/mmu.h"
#include "sim/builtin.h"
#include "sim/cli.h"
#include "sim/loader.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define RAM (16u << 20)

static void need_guests(void)
{
	if (!builtin_guests[0].name)
		cr_skip_test("hvsim was built without guests");
}

static const struct builtin_guest *hello(void)
{
	const struct builtin_guest *g = builtin_find("builtin:hello");

	cr_assert_not_null(g, "the hello guest is built in (meson.build)");
	return g;
}

static char *write_tmp(const void *data, size_t len)
{
	char *path = strdup("/tmp/hvsim-test-builtin-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq((ssize_t)len, write(fd, data, len));
	close(fd);
	return path;
}

static int load_image(struct physmem *pm, const void *img, size_t size,
		      struct boot_state *bs, char *err, size_t errlen)
{
	struct loader_args a = {.kernel = "builtin:test",
				.cmdline = "from memory",
				.image = img,
				.image_size = size};

	return loader_load(pm, &a, bs, err, errlen);
}

Test(builtin, names_are_found_only_with_the_prefix)
{
	need_guests();
	cr_assert(builtin_is_name("builtin:anything"));
	cr_assert_not(builtin_is_name("hello"));
	cr_assert_not(builtin_is_name(NULL));
	cr_assert_null(builtin_find("hello"));
	cr_assert_null(builtin_find("builtin:"));
	cr_assert_null(builtin_find("builtin:no_such_guest"));
	cr_assert_null(builtin_find("builtin:hello.elf"));
	cr_assert_str_eq(hello()->name, "hello");
	cr_assert_not_null(builtin_find("builtin:compute"));
	cr_assert_gt(hello()->size, 64);
	cr_assert_eq(0, memcmp(hello()->data, ELFMAG, SELFMAG));
}

Test(builtin, the_listing_names_every_guest_once)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	unsigned n = 0;

	need_guests();
	builtin_list(f);
	fclose(f);
	for (const struct builtin_guest *g = builtin_guests; g->name; g++) {
		char want[80];

		snprintf(want, sizeof(want), "builtin:%s ", g->name);
		cr_assert_not_null(strstr(text, want), "%s listed", g->name);
		n++;
	}
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		n--;
	cr_assert_eq(n, 0, "one line per guest");
	free(text);
}

Test(builtin, an_image_loads_exactly_as_the_same_bytes_from_a_file)
{
	struct physmem *a = physmem_create(RAM), *b = physmem_create(RAM);
	struct boot_state bs_file, bs_mem;
	char err[512];
	char *path;
	struct loader_args la;

	need_guests();
	path = write_tmp(hello()->data, hello()->size);
	la = (struct loader_args){.kernel = path, .cmdline = "from memory"};
	cr_assert_eq(LOADER_OK, loader_load(a, &la, &bs_file, err, sizeof(err)),
		     "%s", err);
	cr_assert_eq(LOADER_OK, load_image(b, hello()->data, hello()->size,
					   &bs_mem, err, sizeof(err)),
		     "%s", err);
	cr_assert_eq(0, memcmp(&bs_file, &bs_mem, sizeof(bs_file)));
	cr_assert_eq(0, memcmp(physmem_ram_ptr(a, 0, RAM),
			       physmem_ram_ptr(b, 0, RAM), RAM),
		     "guest RAM differs between file and memory loads");
	cr_assert_gt(bs_mem.kernel_end, bs_mem.kernel_start);
	unlink(path);
	free(path);
	physmem_destroy(a);
	physmem_destroy(b);
}

/* The bytes a load reads: up to the end of the last segment's data or of
 * the program header table (section headers may follow; they are not
 * needed). */
static size_t needed_bytes(const unsigned char *img)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	size_t end = eh->e_phoff + (size_t)eh->e_phnum * sizeof(*ph);

	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_filesz &&
		    ph[i].p_offset + ph[i].p_filesz > end)
			end = ph[i].p_offset + ph[i].p_filesz;
	return end;
}

Test(builtin, a_truncated_image_fails_with_its_name_and_never_crashes)
{
	struct physmem *pm = physmem_create(RAM);
	struct boot_state bs;
	char err[512];
	size_t size;

	need_guests();
	size = needed_bytes(hello()->data);
	cr_assert_leq(size, hello()->size);
	for (size_t cut = 0; cut < size; cut += size / 97 + 1) {
		int rc = load_image(pm, hello()->data, cut, &bs, err,
				    sizeof(err));

		cr_assert_neq(rc, LOADER_OK, "a %zu-byte prefix loaded", cut);
		cr_assert_eq(0, strncmp(err, "builtin:test: ", 14), "%s", err);
	}
	physmem_destroy(pm);
}

Test(builtin, a_corrupt_image_gets_the_same_checks_as_a_file)
{
	struct physmem *pm = physmem_create(RAM);
	unsigned char *copy;
	struct boot_state bs;
	char err[512];
	Elf64_Ehdr *eh;

	need_guests();
	copy = malloc(hello()->size);
	memcpy(copy, hello()->data, hello()->size);
	eh = (Elf64_Ehdr *)copy;
	eh->e_machine = EM_AARCH64;
	cr_assert_eq(LOADER_ERR_FORMAT,
		     load_image(pm, copy, hello()->size, &bs, err,
				sizeof(err)));
	cr_assert_not_null(strstr(err, "not x86-64"), "%s", err);
	eh->e_machine = EM_X86_64;
	((Elf64_Phdr *)(copy + eh->e_phoff))[0].p_paddr = 0x1000;
	((Elf64_Phdr *)(copy + eh->e_phoff))[0].p_type = PT_LOAD;
	cr_assert_eq(LOADER_ERR_RANGE,
		     load_image(pm, copy, hello()->size, &bs, err,
				sizeof(err)));
	cr_assert_not_null(strstr(err, "boot area"), "%s", err);
	free(copy);
	physmem_destroy(pm);
}

/* ---- builtin: in scenarios and on the command line ------------------------ */

static const char scn_builtin[] = "[machine]\n"
				  "pcpus = 2\n"
				  "[partition \"a\"]\n"
				  "kernel = builtin:hello\n"
				  "[partition \"b\"]\n"
				  "kernel = builtin:compute\n";

Test(builtin, a_scenario_names_builtin_kernels_without_any_file)
{
	struct scenario *sc = malloc(sizeof(*sc));
	char err[1024];

	need_guests();
	cr_assert_eq(0, scenario_parse_text("in-memory", scn_builtin, sc, err,
					    sizeof(err)),
		     "%s", err);
	cr_assert_eq(sc->nr_partitions, 3); /* the default parent first */
	cr_assert_str_eq(sc->part[1].kernel, "builtin:hello");
	cr_assert_str_eq(sc->part[2].kernel, "builtin:compute");
	cr_assert_eq(sc->text, scn_builtin);
	cr_assert_eq(0, scenario_check(sc, err, sizeof(err)), "%s", err);
	free(sc);
}

Test(builtin, an_unknown_builtin_is_an_error_on_its_line)
{
	struct scenario *sc = malloc(sizeof(*sc));
	char err[1024];

	cr_assert_eq(-1, scenario_parse_text("mem.scn",
					     "[partition \"a\"]\n"
					     "kernel = builtin:nope\n",
					     sc, err, sizeof(err)));
	cr_assert_not_null(strstr(err, "mem.scn:2:"), "%s", err);
	cr_assert_not_null(strstr(err, "not a built-in guest"), "%s", err);
	/* Built in code, the same rule (scenario_check). */
	cr_assert_eq(0, scenario_parse_text("mem.scn", scn_builtin, sc, err,
					    sizeof(err)));
	strcpy(sc->part[1].kernel, "builtin:nope");
	cr_assert_eq(-1, scenario_check(sc, err, sizeof(err)));
	cr_assert_not_null(strstr(err, "not a built-in guest"), "%s", err);
	free(sc);
}

Test(builtin, run_without_a_kernel_is_the_demo_and_refuses_kernel_options)
{
	const char *initrd[8];
	struct sim_config cfg;
	char *argv_demo[] = {"run", "--trace", "t.hvt", "--quiet", NULL};
	char *argv_bad[] = {"run", "--append", "x", NULL};
	char *argv_list[] = {"run", "--list-builtin", NULL};

	cr_assert_eq(0, cli_parse_run(4, argv_demo, &cfg, initrd));
	cr_assert_null(cfg.kernel);
	cr_assert_null(cfg.scenario);
	cr_assert_str_eq(cfg.trace_path, "t.hvt");
	cr_assert_eq(SIM_EXIT_USAGE, cli_parse_run(3, argv_bad, &cfg, initrd));
	cr_assert_eq(1, cli_parse_run(2, argv_list, &cfg, initrd),
		     "--list-builtin lists and ends the command");
}
