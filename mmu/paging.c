/* mmu/paging.c — not written yet. */
#include "mmu/mmu.h"
