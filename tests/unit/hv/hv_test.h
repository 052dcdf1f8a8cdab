/*
 * tests/unit/hv/hv_test.h — helpers for the hypervisor tests: tiny guest
 * kernels (an ELF64 whose one PT_LOAD puts the given bytes at 1 MiB, the
 * entry, entered in long mode with the boot identity map of docs/BOOT.md),
 * scenarios built in code, and quiet runs.
 */
#ifndef HVSIM_TESTS_HV_TEST_H_
#define HVSIM_TESTS_HV_TEST_H_

#include <criterion/criterion.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/hv.h"
#include "partitions/partition.h"
#include "sim/scenario.h"
#include "sim/sim.h"

/* Write the guest to a temporary file; the caller unlinks and frees. */
static inline char *hvt_guest(const void *code, size_t len)
{
	_Alignas(8) uint8_t img[0x400];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	char *path = strdup("/tmp/hvsim-test-hv-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_leq(len, sizeof(img) - 0x100);
	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x100000;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	*ph = (Elf64_Phdr){.p_type = PT_LOAD,
			   .p_flags = PF_R | PF_W | PF_X,
			   .p_offset = 0x100,
			   .p_vaddr = 0x100000,
			   .p_paddr = 0x100000,
			   .p_filesz = len,
			   .p_memsz = len};
	memcpy(img + 0x100, code, len);
	cr_assert_geq(fd, 0);
	cr_assert_eq((ssize_t)(0x100 + len), write(fd, img, 0x100 + len));
	close(fd);
	return path;
}

/* A scenario with a parent (1 vCPU, 16 MiB) and no children yet. */
static inline struct scenario *hvt_scenario(unsigned pcpus, uint64_t quantum,
					    uint64_t max_cycles)
{
	struct scenario *sc = malloc(sizeof(*sc));

	cr_assert_not_null(sc);
	scenario_defaults(sc);
	sc->pcpus = pcpus;
	sc->quantum_cycles = quantum;
	sc->max_cycles = max_cycles;
	scn_partition_defaults(&sc->part[0]);
	strcpy(sc->part[0].name, "parent");
	sc->part[0].parent = true;
	sc->part[0].mem_bytes = 16ull << 20;
	sc->nr_partitions = 1;
	return sc;
}

static inline struct scn_partition *hvt_child(struct scenario *sc,
					      const char *name,
					      const char *kernel,
					      uint64_t mem_bytes)
{
	struct scn_partition *p = &sc->part[sc->nr_partitions++];

	scn_partition_defaults(p);
	strcpy(p->name, name);
	strcpy(p->kernel, kernel);
	p->mem_bytes = mem_bytes;
	return p;
}

/* Build and run quietly (serial output discarded unless serial_path is
 * set in the scenario); the caller sim_destroy()s. */
static inline struct sim *hvt_run(const struct scenario *sc, int *status)
{
	struct sim_config cfg;
	struct sim *s;
	int rc;

	sim_config_defaults(&cfg);
	cfg.quiet = true;
	s = sim_create_scenario(sc, &cfg, &rc);
	cr_assert_not_null(s, "sim_create_scenario: status %d", rc);
	*status = sim_run(s);
	return s;
}

/* A partition's vCPU 0 time: everything it ran (guest + root). */
static inline cycles_t hvt_cpu_time(struct sim *s, unsigned part)
{
	struct hv_vp_stats st;

	hv_vp_stats(partition_hv(sim_partition(s, part)), 0, &st);
	return st.ring3 + st.ring0 + st.root;
}

static const uint8_t hvt_spin[] = {0xEB, 0xFE};		    /* jmp $ */
static const uint8_t hvt_halt[] = {0xFA, 0xF4, 0xEB, 0xFD}; /* cli; hlt */

#endif
