/*
 * partitions/vm_worker.c — the VM Worker of one partition (vm_worker.h):
 * its settings, its legacy devices and its kernel (re)loading.
 *
 * Devices on the partition's own port bus: COM1 (16550, output to the
 * partition's serial stream through its console, console.h: prefixed
 * whole lines when the settings give a prefix), the debug-exit port (a write ends the
 * partition with (v << 1) | 1, docs/BOOT.md), and with `testdev` QEMU's
 * pc-testdev (ports 0xE0/0xE4 and its MMIO window) and hyperv-testdev
 * (port 0x3000). The hypervisor reaches them through the partition's
 * intercept callbacks (partition.c); for a child that call runs on a
 * parent vCPU and is charged there as ring-3 time (hv/work.c), which is
 * what this worker's emulation costs.
 * A child also gets its VMBus server (vmbus/server.h: connections 1 and
 * 4 of the child, work on the parent's vCPUs as ring-0 time), with the
 * echo VSP (vmbus/vsp.h) when `testdev` is set and the storage VSP
 * (vmbus/storvsp.h: SCSI controller, LUN 0 on devices/disk.c) when the
 * settings name a disk image; the image is flushed and closed when the
 * worker is destroyed (a clean stop), after the server is gone. Then the
 * integration services (vmbus/ic_services.h: shutdown, timesync,
 * heartbeat), as Hyper-V offers them to every child, unless `ic_off`;
 * they come last so the other devices keep their relids.
 * With platform_pc a child also has its PC platform (pc_platform.h: ACPI
 * tables, 8259s, PIT, RTC, I/O APIC, PM block); an S5 power-off ends it
 * with status 0, and a reset writes its tables again.
 * Reset: the partition is reset (RAM zeroed, vCPUs at power-on, its
 * connections forgotten), the VMBus server forgets the session and
 * connects again, every device on the bus gets its dev_ops.reset, the
 * kernel is loaded again through the machine's loader callback and the
 * partition starts again.
 */
#include <stdlib.h>
#include <string.h>

#include "devices/debug_exit.h"
#include "devices/dev.h"
#include "devices/pc_testdev.h"
#include "devices/uart16550.h"
#include "partitions/console.h"
#include "hv/hv.h"
#include "partitions/hv_testdev.h"
#include "partitions/pc_platform.h"
#include "partitions/vm_worker.h"
#include "vmbus/ic_services.h"
#include "vmbus/scsi.h"
#include "vmbus/server.h"
#include "vmbus/storvsp.h"

struct vm_worker {
	struct vm_settings set;
	char *kernel, *cmdline; /* copies of set.kernel / set.cmdline */
	char *disk_path;	/* copy of set.disk.path */
	struct vm_loader ld;
	struct partition *part;
	struct uart16550 *uart;
	struct console *console; /* COM1's output (prefixed lines or not) */
	struct debug_exit *dbg;
	struct pc_testdev *pct;
	struct hv_testdev *hvt;
	struct vmbus_server *vmb; /* children only */
	struct vsp_echo *echo;	  /* with testdev */
	struct disk *disk;	  /* with a disk: the image, */
	struct scsi_lun *lun;	  /* its SCSI target */
	struct storvsp_dev *stor; /* and the storage VSP */
	struct ic_services *ics;  /* integration services (children) */
	struct pc_platform *pc;	  /* children with platform_pc */
};

/* The SCSI controller's instance GUID (wire order): any fixed value
 * unique among the child's SCSI offers. */
static const uint8_t stor_instance[16] = {0x68, 0x76, 0x73, 0x69, 0x00, 0x00,
					  0x00, 0x00, 0x73, 0x63, 0x73, 0x69,
					  0x2d, 0x30, 0x00, 0x01};

static void on_debug_exit(void *opaque, uint64_t status)
{
	struct vm_worker *w = opaque;

	partition_end(w->part, (int)(status & 0xFF),
		      "guest wrote 0x%llx to debug-exit: status %llu",
		      (unsigned long long)(status >> 1),
		      (unsigned long long)status);
}

/* ACPI S5 (SLP_EN with \_S5's SLP_TYP): a clean power-off. */
static void on_power_off(void *opaque)
{
	struct vm_worker *w = opaque;

	partition_end(w->part, 0, "guest powered off (ACPI S5)");
}

/* A child's PC platform (pc_platform.h), when its settings ask. */
static int add_platform(struct vm_worker *w, struct hv *hv)
{
	struct pc_platform_config c = {
	    .hv = hv,
	    .part = partition_hv(w->part),
	    .bus = partition_bus(w->part),
	    .start_time = (int64_t)w->set.start_unix,
	    .power_off = on_power_off,
	    .opaque = w,
	};

	if (!w->set.platform_pc || hv_part_is_parent(c.part))
		return 0;
	w->pc = pc_platform_create(&c);
	return w->pc ? 0 : -1;
}

static void serial_out(void *opaque, uint8_t byte)
{
	struct vm_worker *w = opaque;

	console_putc(w->console, byte);
}

static int add_devices(struct vm_worker *w)
{
	struct iobus *bus = partition_bus(w->part);
	struct hv_part *hp = partition_hv(w->part);
	/* With the PC platform, COM1's interrupt is ISA IRQ 4. */
	struct irq_line com1_irq =
	    w->pc ? pc_platform_isa_irq(w->pc, 4) : (struct irq_line){0};

	w->console = console_create(w->set.part.serial, w->set.console_prefix);
	w->uart = uart16550_create(serial_out, w, w->pc ? &com1_irq : NULL);
	w->dbg = debug_exit_create(on_debug_exit, w);
	if (!w->console || !w->uart || !w->dbg)
		return -1;
	if (iobus_map(bus, UART16550_COM1, UART16550_PORTS, &uart16550_ops,
		      w->uart) != 0 ||
	    iobus_map(bus, DEBUG_EXIT_PORT, DEBUG_EXIT_PORTS, &debug_exit_ops,
		      w->dbg) != 0)
		return -1;
	if (!w->set.part.testdev)
		return 0;
	w->pct = pc_testdev_attach(bus, hv_part_mem(hp));
	w->hvt = hv_testdev_attach(bus, hp);
	return w->pct && w->hvt ? 0 : -1;
}

/* The storage VSP on the settings' disk image. */
static int add_storage(struct vm_worker *w)
{
	struct storvsp_config sc = {.trace = w->set.trace};
	char err[256];

	if (!(w->disk = disk_open(&w->set.disk, err, sizeof(err)))) {
		fprintf(stderr, "hvsim: %s: disk: %s\n",
			partition_name(w->part), err);
		return -1;
	}
	if (!(w->lun = scsi_lun_create(w->disk, NULL)))
		return -1;
	sc.lun = w->lun;
	sc.trace_part = (uint16_t)partition_id(w->part);
	if (!(w->stor = storvsp_dev_create(&sc, stor_instance)))
		return -1;
	if (vmbus_server_add_vsp(w->vmb, storvsp_dev_desc(w->stor), 0) < 0)
		return -1;
	return 0;
}

/* Shutdown, timesync and heartbeat, after the other VSPs. */
static int add_ic(struct vm_worker *w, struct hv *hv)
{
	struct ic_config c = {
	    .child = partition_hv(w->part),
	    .name = partition_name(w->part),
	    .freq_hz = hv_freq_hz(hv),
	    .heartbeat_ns = w->set.heartbeat_ns,
	    .start_unix = w->set.start_unix,
	    .trace = w->set.trace,
	    .trace_part = (uint16_t)partition_id(w->part)};

	if (!(w->ics = ic_services_create(&c)))
		return -1;
	for (unsigned i = 0; i < IC_NR_SERVICES; i++)
		if (vmbus_server_add_vsp(w->vmb,
					 ic_services_desc(w->ics, i), 0) < 0)
			return -1;
	return 0;
}

/* A child's VMBus server and the VSPs its settings name. */
static int add_vmbus(struct vm_worker *w, struct hv *hv)
{
	struct hv_part *hp = partition_hv(w->part);
	struct vmbus_server_config c = {
	    .hv = hv, .child = hp, .trace = w->set.trace};

	if (hv_part_is_parent(hp))
		return 0;
	if (!(w->vmb = vmbus_server_create(&c)))
		return -1;
	if (w->set.disk.path && w->set.disk.path[0] && add_storage(w))
		return -1;
	if (w->set.part.testdev) {
		if (!(w->echo = vsp_echo_create()))
			return -1;
		if (vmbus_server_add_vsp(w->vmb, vsp_echo_desc(w->echo), 0) < 0)
			return -1;
	}
	return w->set.ic_off ? 0 : add_ic(w, hv);
}

static int load(struct vm_worker *w)
{
	if (!w->kernel || !w->kernel[0] || !w->ld.load)
		return 0;
	return w->ld.load(w->ld.opaque, partition_hv(w->part), w->set.load_arg);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct vm_worker *vm_worker_create(struct hv *hv, const struct vm_settings *s,
				   const struct vm_loader *ld, int *status)
{
	struct vm_worker *w = calloc(1, sizeof(*w));

	*status = -1;
	if (!w)
		return NULL;
	w->set = *s;
	w->kernel = dup_or_null(s->kernel);
	w->cmdline = dup_or_null(s->cmdline);
	w->set.kernel = w->kernel;
	w->set.cmdline = w->cmdline;
	w->disk_path = dup_or_null(s->disk.path);
	w->set.disk.path = w->disk_path;
	if (ld)
		w->ld = *ld;
	if ((s->kernel && !w->kernel) || (s->cmdline && !w->cmdline) ||
	    (s->disk.path && !w->disk_path) ||
	    !(w->part = partition_create(hv, &s->part)) ||
	    add_platform(w, hv) || add_devices(w) || add_vmbus(w, hv)) {
		vm_worker_destroy(w);
		return NULL;
	}
	if ((*status = load(w)) != 0) {
		vm_worker_destroy(w);
		return NULL;
	}
	return w;
}

void vm_worker_destroy(struct vm_worker *w)
{
	if (!w)
		return;
	console_destroy(w->console); /* writes a last partial line */
	if (w->set.part.serial)
		fflush(w->set.part.serial);
	vmbus_server_destroy(w->vmb); /* before its partition and VSPs */
	vsp_echo_destroy(w->echo);
	ic_services_destroy(w->ics);
	storvsp_dev_destroy(w->stor);
	scsi_lun_destroy(w->lun);
	if (w->disk && disk_close(w->disk) != 0)
		fprintf(stderr, "hvsim: %s: the disk image was not flushed\n",
			partition_name(w->part));
	hv_testdev_destroy(w->hvt);
	pc_testdev_destroy(w->pct);
	uart16550_destroy(w->uart);
	debug_exit_destroy(w->dbg);
	pc_platform_destroy(w->pc); /* after COM1, which used its IRQ 4 */
	partition_destroy(w->part);
	free(w->kernel);
	free(w->cmdline);
	free(w->disk_path);
	free(w);
}

struct partition *vm_worker_partition(struct vm_worker *w)
{
	return w->part;
}

const struct vm_settings *vm_worker_settings(const struct vm_worker *w)
{
	return &w->set;
}

const struct acpi_layout *vm_worker_acpi(const struct vm_worker *w)
{
	return w->pc ? pc_platform_acpi(w->pc) : NULL;
}

struct vmbus_server *vm_worker_vmbus(struct vm_worker *w)
{
	return w->vmb;
}

struct ic_services *vm_worker_ic(struct vm_worker *w)
{
	return w->ics;
}

static void reset_devices(struct vm_worker *w)
{
	struct iobus *bus = partition_bus(w->part);

	for (int i = 0; i < bus->n; i++)
		if (bus->r[i].ops->reset)
			bus->r[i].ops->reset(bus->r[i].opaque);
}

int vm_worker_reset(struct vm_worker *w, char *err, size_t errlen)
{
	int rc;

	if (partition_reset(w->part) != 0) {
		snprintf(err, errlen, "the parent's services cannot be reset");
		return -1;
	}
	if (w->vmb && vmbus_server_reset(w->vmb) != 0) {
		snprintf(err, errlen, "the VMBus server cannot reconnect");
		return -1;
	}
	reset_devices(w);
	if (w->pc && pc_platform_reset(w->pc) != 0) {
		snprintf(err, errlen, "the ACPI tables cannot be written");
		return -1;
	}
	if ((rc = load(w)) != 0) {
		snprintf(err, errlen, "reloading the kernel failed (status %d)",
			 rc);
		partition_end(w->part, rc,
			      "reset: reloading the kernel "
			      "failed");
		return -1;
	}
	return partition_start(w->part);
}
