/*
 * partitions/vm_worker.h — the VM Worker of one partition: it holds the
 * partition's settings (vCPUs, memory, scheduler knobs, kernel, command
 * line, devices) and owns its legacy devices — COM1 (16550), the
 * debug-exit port and, with `testdev`, QEMU's pc-testdev and
 * hyperv-testdev — on the partition's port bus. For a child, the
 * hypervisor forwards each port I/O intercept to the parent, where this
 * emulation runs on a parent vCPU as ring-3 time (hv/work.c).
 *
 * The kernel is loaded through a callback the machine gives (sim/ owns
 * the loader; partitions/ does not include sim/), at creation and again
 * on reset. Created by the VM Service (vm_service.h).
 *
 * A child's worker also runs its VMBus server (vmbus/server.h) with the
 * VSPs its settings name: the echo VSP (vmbus/vsp.h) with `testdev`, a
 * SCSI controller (vmbus/storvsp.h) on a raw image with `disk`, and the
 * integration services shutdown, timesync and heartbeat
 * (vmbus/ic_services.h) unless `ic_off`.
 *
 * With `platform_pc` a child also gets the PC platform
 * (partitions/pc_platform.h): ACPI tables and the 8259s, PIT, RTC,
 * I/O APIC and ACPI PM block; an ACPI S5 power-off ends the partition
 * with status 0.
 */
#ifndef HVSIM_PARTITIONS_VM_WORKER_H_
#define HVSIM_PARTITIONS_VM_WORKER_H_

#include <stddef.h>

#include "devices/disk.h"
#include "partitions/partition.h"

struct acpi_layout;
struct trace;
struct vm_worker;
struct vmbus_server;
struct ic_services;

/* Put the kernel into the partition's RAM and enter its boot vCPU.
 * Returns 0, or a nonzero status (the machine's exit status) after
 * printing why. `arg` is vm_settings.load_arg. */
typedef int vm_load_fn(void *opaque, struct hv_part *hp, void *arg);

struct vm_loader {
	vm_load_fn *load;
	void *opaque;
};

struct vm_settings {
	struct partition_config part; /* hv knobs, serial, testdev, on_end */
	const char *kernel;	      /* NULL or "": no kernel (services) */
	const char *cmdline;
	void *load_arg; /* what the loader needs (sim: its scenario entry) */
	struct trace *trace; /* the VMBus server's records; NULL = none */
	/* COM1's lines start with this on the serial stream (console.h);
	 * NULL or "": the bytes pass through unchanged. */
	const char *console_prefix;
	/* A child's disk: with disk.path (not NULL, not ""), a storage
	 * VSP serving that raw image as LUN 0 of a SCSI controller, with
	 * the physical disk's timing model (devices/disk.h). */
	struct disk_config disk;
	/* Integration services (vmbus/ic_services.h), offered after the
	 * other VSPs unless ic_off: the heartbeat interval (0 = none) and
	 * the wall clock at reference time 0 (seconds since 1970, UTC; the
	 * scenario's start_time). */
	bool ic_off;
	uint64_t heartbeat_ns;
	uint64_t start_unix;
	/* A child's PC platform (pc_platform.h): ACPI tables, 8259s, PIT,
	 * RTC (at start_unix when the run starts), I/O APIC, PM block. */
	bool platform_pc;
};

/* Create the partition and its devices, and load the kernel (if any).
 * NULL with *status set (-1: out of memory or refused by the hypervisor;
 * else the loader's status). */
struct vm_worker *vm_worker_create(struct hv *hv, const struct vm_settings *s,
				   const struct vm_loader *ld, int *status);
void vm_worker_destroy(struct vm_worker *w);

struct partition *vm_worker_partition(struct vm_worker *w);
const struct vm_settings *vm_worker_settings(const struct vm_worker *w);
/* The child's ACPI tables (RSDP address, region to reserve); NULL
 * without the PC platform. */
const struct acpi_layout *vm_worker_acpi(const struct vm_worker *w);
/* The child's VMBus server; NULL for the parent. */
struct vmbus_server *vm_worker_vmbus(struct vm_worker *w);
/* The child's integration services; NULL for the parent or with ic_off. */
struct ic_services *vm_worker_ic(struct vm_worker *w);
/* Reset the partition (partition_reset), the devices to power-on, load
 * the kernel again and start it from the beginning. 0, or -1 with a
 * reason in err. */
int vm_worker_reset(struct vm_worker *w, char *err, size_t errlen);

#endif
