/* mmu/tlb.c — not written yet. */
#include "mmu/mmu.h"
