/* mmu/physmem.c — not written yet. */
#include "mmu/mmu.h"
