/*
 * devices/debug_exit.h — the debug-exit port (QEMU's isa-debug-exit).
 *
 * A 4-byte write-only register, mapped at DEBUG_EXIT_PORT. Writing v asks
 * the simulator to end the run with exit status (v << 1) | 1: the device
 * calls the stop callback, which the simulator points at cpu_request_stop.
 */
#ifndef HVSIM_DEVICES_DEBUG_EXIT_H_
#define HVSIM_DEVICES_DEBUG_EXIT_H_

#include <stdbool.h>
#include <stdint.h>

#include "devices/dev.h"

#define DEBUG_EXIT_PORT	 0xF4
#define DEBUG_EXIT_PORTS 4

struct debug_exit;

/* Called once per write with the requested status (v << 1) | 1. */
typedef void debug_exit_stop_fn(void *opaque, uint64_t status);

extern const struct dev_ops debug_exit_ops;

struct debug_exit *debug_exit_create(debug_exit_stop_fn *stop, void *opaque);
void debug_exit_destroy(struct debug_exit *d);

/* Has the guest written the port, and the status of the first write. */
bool debug_exit_requested(const struct debug_exit *d);
uint64_t debug_exit_status(const struct debug_exit *d);

#endif
