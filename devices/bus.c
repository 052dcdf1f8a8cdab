/* devices/bus.c — not written yet. */
#include "devices/dev.h"
