/* cpu/cost_table.c — not written yet (stub so the build links). */
#include "cpu/cpu_int.h"
