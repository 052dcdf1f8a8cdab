/* devices/uart16550.c — not written yet. */
#include "devices/dev.h"
