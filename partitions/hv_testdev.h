/*
 * partitions/hv_testdev.h — QEMU's hyperv-testdev at I/O port 0x3000: a
 * guest writes commands that create and destroy SINT routes, assert a
 * SINT, and create and destroy message connections (which echo each
 * posted message back through a SINT route) and event connections
 * (which assert a SINT route when signalled). Emulated by the VM Worker
 * of the partition; it reaches the hypervisor through hv/hv.h's ports
 * and SynIC calls.
 */
#ifndef HVSIM_PARTITIONS_HV_TESTDEV_H_
#define HVSIM_PARTITIONS_HV_TESTDEV_H_

#include "devices/dev.h"
#include "hv/hv.h"

#define HV_TESTDEV_PORT 0x3000

struct hv_testdev;

/* Register the port on `bus` for partition `p`. NULL on failure. */
struct hv_testdev *hv_testdev_attach(struct iobus *bus, struct hv_part *p);
void hv_testdev_destroy(struct hv_testdev *d);

#endif
