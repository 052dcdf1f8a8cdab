/*
 * tests/unit/partitions/test_vm_worker.c — the VM Worker
 * (partitions/vm_worker.c): it keeps its own copy of the settings, maps
 * COM1 and debug-exit (and the test devices with `testdev`) on its
 * partition's bus, loads the kernel through the machine's callback, a
 * debug-exit write ends the partition, and reset zeroes RAM, loads the
 * kernel again and starts the partition.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/dev.h"
#include "hv/hv.h"
#include "mmu/mmu.h"
#include "partitions/vm_worker.h"
#include "sim/evq.h"

struct loads {
	int calls;
	void *arg;
	int fail; /* status to return */
};

/* Stand-in loader: writes a marker at 1 MiB and counts the calls. */
static int fake_load(void *opaque, struct hv_part *hp, void *arg)
{
	struct loads *l = opaque;
	static const char marker[] = "KERNEL";

	l->calls++;
	l->arg = arg;
	if (l->fail)
		return l->fail;
	return physmem_copy_to(hv_part_mem(hp), 0x100000, marker,
			       sizeof(marker));
}

struct wfix {
	struct evq *q;
	struct hv *hv;
	struct loads l;
	struct vm_worker *w;
};

static void make(struct wfix *f, bool testdev, const char *kernel)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	char name[] = "child", cmd[] = "console=ttyS0";
	struct vm_settings s = {
	    .part = {.hv = {.name = name,
			    .vcpus = 2,
			    .mem_bytes = 4 << 20,
			    .weight = 100,
			    .cap_pct = 100},
		     .testdev = testdev},
	    .kernel = kernel,
	    .cmdline = cmd,
	    .load_arg = &f->l,
	};
	struct vm_loader ld = {fake_load, &f->l};
	int status = 0;

	memset(f, 0, sizeof(*f));
	f->q = evq_create();
	f->hv = hv_create(&hc, f->q);
	f->w = vm_worker_create(f->hv, &s, &ld, &status);
	cr_assert_not_null(f->w, "status %d", status);
	/* The worker copied the strings it was given. */
	memset(cmd, 'x', sizeof(cmd) - 1);
}

static void unmake(struct wfix *f)
{
	vm_worker_destroy(f->w);
	hv_destroy(f->hv);
	evq_destroy(f->q);
}

Test(vm_worker, keeps_its_settings_and_loads_the_kernel)
{
	struct wfix f;
	const struct vm_settings *s;

	make(&f, false, "/some/kernel.elf");
	s = vm_worker_settings(f.w);
	cr_assert_str_eq(s->kernel, "/some/kernel.elf");
	cr_assert_str_eq(s->cmdline, "console=ttyS0");
	cr_assert_eq(s->part.hv.vcpus, 2);
	cr_assert_eq(f.l.calls, 1);
	cr_assert_eq(f.l.arg, &f.l);
	cr_assert_eq(partition_state(vm_worker_partition(f.w)), PART_CREATED);
	unmake(&f);
}

Test(vm_worker, no_kernel_means_no_load)
{
	struct wfix f;

	make(&f, false, "");
	cr_assert_eq(f.l.calls, 0);
	unmake(&f);
}

Test(vm_worker, a_failing_loader_fails_the_creation_with_its_status)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct evq *q = evq_create();
	struct hv *hv = hv_create(&hc, q);
	struct loads l = {.fail = 2};
	struct vm_loader ld = {fake_load, &l};
	struct vm_settings s = {.part = {.hv = {.name = "c",
						.vcpus = 1,
						.mem_bytes = 4 << 20,
						.weight = 100,
						.cap_pct = 100}},
				.kernel = "k"};
	int status = 0;

	cr_assert_null(vm_worker_create(hv, &s, &ld, &status));
	cr_assert_eq(status, 2);
	hv_destroy(hv);
	evq_destroy(q);
}

Test(vm_worker, maps_com1_and_debug_exit_and_the_test_devices)
{
	struct wfix f;
	struct iobus *bus;
	uint64_t v = 0;
	cycles_t lat = 0;

	make(&f, true, "k");
	bus = partition_bus(vm_worker_partition(f.w));
	/* COM1's scratch register keeps what is written. */
	iobus_write(bus, 0x3FF, 1, 0x5A, &lat);
	iobus_read(bus, 0x3FF, 1, &v, &lat);
	cr_assert_eq(v, 0x5A);
	/* pc-testdev's scratch register at 0xE0. */
	cr_assert_eq(iobus_write(bus, 0xE0, 4, 0x12345678, &lat), IO_OK);
	iobus_read(bus, 0xE0, 4, &v, &lat);
	cr_assert_eq(v, 0x12345678);
	/* hyperv-testdev's port is mapped (not open bus). */
	cr_assert_neq(iobus_write(bus, 0x3000, 4, 0, &lat), IO_BAD_REG);
	/* Debug-exit ends the partition with (v << 1) | 1. */
	cr_assert(!partition_ended(vm_worker_partition(f.w)));
	iobus_write(bus, 0xF4, 4, 3, &lat);
	cr_assert(partition_ended(vm_worker_partition(f.w)));
	cr_assert_eq(partition_end_status(vm_worker_partition(f.w)), 7);
	cr_assert_eq(partition_state(vm_worker_partition(f.w)), PART_STOPPED);
	unmake(&f);
}

Test(vm_worker, without_testdev_ports_0xe0_and_0x3000_are_open_bus)
{
	struct wfix f;
	cycles_t lat = 0;

	make(&f, false, "k");
	cr_assert_eq(iobus_write(partition_bus(vm_worker_partition(f.w)), 0xE0,
				 4, 1, &lat),
		     IO_BAD_REG);
	cr_assert_eq(iobus_write(partition_bus(vm_worker_partition(f.w)),
				 0x3000, 4, 1, &lat),
		     IO_BAD_REG);
	unmake(&f);
}

Test(vm_worker, reset_zeroes_ram_reloads_the_kernel_and_starts_it)
{
	struct wfix f;
	struct partition *p;
	struct hv_part *hp;
	struct cpu *c;
	char buf[8];
	char err[100];
	uint64_t junk = 0xDEADBEEF;
	cycles_t lat = 0;

	make(&f, false, "k");
	p = vm_worker_partition(f.w);
	hp = partition_hv(p);
	c = hv_part_cpu(hp, 0);
	partition_start(p);
	iobus_write(partition_bus(p), 0xF4, 4, 1, &lat); /* it ended */
	physmem_copy_to(hv_part_mem(hp), 0x200000, &junk, sizeof(junk));
	physmem_copy_to(hv_part_mem(hp), 0x100000, "GARBAGE", 8);
	cpu_set_rip(c, 0x1234);
	cr_assert_eq(vm_worker_reset(f.w, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.l.calls, 2, "the kernel was loaded again");
	physmem_copy_from(hv_part_mem(hp), buf, 0x100000, 7);
	cr_assert_str_eq(buf, "KERNEL");
	cr_assert_eq(physmem_read(hv_part_mem(hp), 0x200000, 8), 0);
	cr_assert_eq(cpu_get_rip(c), 0xFFF0, "power-on state");
	cr_assert(!partition_ended(p));
	cr_assert_eq(partition_state(p), PART_RUNNING);
	unmake(&f);
}
