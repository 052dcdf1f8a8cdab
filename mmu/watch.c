/*
 * mmu/watch.c — write watches on guest-physical pages (mmu/mmu.h), the
 * instrumentation the VMBus trace stages use to see a guest's stores to
 * its ring headers without the guest's help.
 *
 * A watched RAM page is never given a fast TLB write tag (like a code
 * page: physmem_watch_page demotes the attached TLBs' tags, and
 * cpu/mem.c's write_can_be_fast refuses new ones), so every write to it
 * reaches physmem_write or physmem_note_write, which call the watchers
 * once the bytes are stored. Watching costs no simulated time: the slow
 * path charges the same cycles as the fast one.
 *
 * The watches are a small array in the order they were added (a few per
 * open VMBus channel), scanned when a watched page is written; the page's
 * PAGE_WATCHED mark keeps every other write at one byte test. A watcher
 * may add or remove watches while it is called: removal then only clears
 * the entry's fn, and the array is compacted when the outermost dispatch
 * ends.
 */
#include <stdlib.h>

#include "mmu/physmem_int.h"

static bool page_has_watch(const struct physmem *pm, uint64_t page)
{
	for (size_t i = 0; i < pm->nwatches; i++)
		if (pm->watches[i].fn && pm->watches[i].page == page)
			return true;
	return false;
}

int physmem_watch_page(struct physmem *pm, uint64_t gpa_page,
		       physmem_watch_fn *fn, void *opaque)
{
	uint64_t page = gpa_page & PAGE_MASK;

	if (!fn || page >= pm->ram_size)
		return -1;
	if (pm->nwatches == pm->watches_cap) {
		size_t cap = pm->watches_cap ? pm->watches_cap * 2 : 8;
		struct physmem_watch *n =
		    realloc(pm->watches, cap * sizeof(*n));
		if (!n)
			return -1;
		pm->watches = n;
		pm->watches_cap = cap;
	}
	pm->watches[pm->nwatches++] = (struct physmem_watch){page, fn, opaque};
	pm->code[page >> PAGE_SHIFT] |= PAGE_WATCHED;
	/* Fast write tags would skip the watchers: demote them. */
	for (size_t i = 0; i < pm->ntlbs; i++)
		tlb_protect_code(pm->tlbs[i], page);
	return 0;
}

/* Drop the entries removed while watchers were being called. */
static void compact_watches(struct physmem *pm)
{
	size_t n = 0;

	for (size_t i = 0; i < pm->nwatches; i++)
		if (pm->watches[i].fn)
			pm->watches[n++] = pm->watches[i];
	pm->nwatches = n;
	pm->dead_watches = false;
}

void physmem_unwatch_page(struct physmem *pm, uint64_t gpa_page,
			  physmem_watch_fn *fn, void *opaque)
{
	uint64_t page = gpa_page & PAGE_MASK;

	for (size_t i = 0; i < pm->nwatches; i++) {
		struct physmem_watch *w = &pm->watches[i];
		if (w->fn != fn || w->opaque != opaque || w->page != page)
			continue;
		w->fn = NULL;
		pm->dead_watches = true;
		break;
	}
	if (!pm->dispatching && pm->dead_watches)
		compact_watches(pm);
	if (page < pm->ram_size && !page_has_watch(pm, page))
		pm->code[page >> PAGE_SHIFT] &= (uint8_t)~PAGE_WATCHED;
}

bool physmem_is_watched(const struct physmem *pm, uint64_t gpa)
{
	return gpa < pm->ram_size &&
	       (pm->code[gpa >> PAGE_SHIFT] & PAGE_WATCHED);
}

/* Call the watchers of the pages in [gpa, end) (end <= ram_size), each
 * with the part of the write that lies in its page, in the order the
 * watches were added. A watcher may add or remove watches: entries added
 * now are not called for this write, removed ones are skipped. */
void physmem_call_watchers(struct physmem *pm, uint64_t gpa, uint64_t end)
{
	size_t n = pm->nwatches;
	bool outer = !pm->dispatching;

	pm->dispatching = true;
	for (size_t i = 0; i < n && i < pm->nwatches; i++) {
		struct physmem_watch w = pm->watches[i];
		if (!w.fn || w.page >= end || w.page + PAGE_SIZE <= gpa)
			continue;
		uint64_t from = gpa > w.page ? gpa : w.page;
		uint64_t to =
		    end < w.page + PAGE_SIZE ? end : w.page + PAGE_SIZE;
		w.fn(w.opaque, from, to - from);
	}
	if (outer) {
		pm->dispatching = false;
		if (pm->dead_watches)
			compact_watches(pm);
	}
}
