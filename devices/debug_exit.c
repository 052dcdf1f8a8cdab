/* devices/debug_exit.c — not written yet. */
#include "devices/dev.h"
