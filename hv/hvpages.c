/*
 * hv/hvpages.c — the pages the hypervisor writes into a partition's RAM for
 * the synthetic MSRs (hv/hvmsr.c): the hypercall page (HYPERCALL), the
 * reference TSC page (REFERENCE_TSC), and the guest's crash message
 * (CRASH_CTL with notify-message), read back out of its RAM.
 *
 * Facts: ../shared/reference/vmbus.md §1.3 (hypercall page), §7.3 and
 * vmbus-linux61.md §2.6 (TSC page layout, "sequence 0 = invalid"), row 14
 * and §2.7 (crash message: P3 = GPA, P4 = length).
 *
 * Every access goes through physmem_copy_to/_from, which refuse anything
 * not entirely inside the partition's RAM and tell the decoded-instruction
 * cache about the write (the hypercall page is executed).
 */
#include <string.h>

#include "hv/hvdefs.h"
#include "hv/hvmsr.h"
#include "mmu/mmu.h"

/* Hypercall page: VMCALL; RET at offset 0 (our CPU is GenuineIntel, so
 * VMCALL rather than AMD's VMMCALL 0F 01 D9). The same bytes serve the
 * 32-bit ABI, whose callers also call offset 0, so there is no second
 * entry. The rest of the page is INT3, so a stray call into it traps. */
static const uint8_t hypercall_stub[] = {0x0F, 0x01, 0xC1, 0xC3};
#define INT3 0xCC

int hvpage_write_hypercall(struct physmem *mem, uint64_t gpa)
{
	uint8_t page[PAGE_SIZE];

	memset(page, INT3, sizeof(page));
	memcpy(page, hypercall_stub, sizeof(hypercall_stub));
	return physmem_copy_to(mem, gpa, page, sizeof(page));
}

/* scale = (10^7 << 64) / TSC Hz, so ((TSC * scale) >> 64) counts 100 ns
 * units. A TSC slower than 10 MHz does not fit: 0 (page invalid). */
uint64_t hvpage_tsc_scale(uint64_t tsc_hz)
{
	if (tsc_hz <= HV_REF_HZ)
		return 0;
	return (uint64_t)(((unsigned __int128)HV_REF_HZ << 64) / tsc_hz);
}

/* The sequence that follows `seq`: never 0 (invalid) nor 0xFFFFFFFF (the
 * old TLFS's invalid marker), so any guest reads a valid page. */
static uint32_t next_sequence(uint32_t seq)
{
	seq++;
	if (seq == 0 || seq == 0xFFFFFFFFu)
		seq = 1;
	return seq;
}

/*
 * Reference TSC page layout (little-endian):
 *   +0  u32 tsc_sequence   +4 u32 reserved
 *   +8  u64 tsc_scale      +16 s64 tsc_offset     rest reserved (0)
 * The sequence changes on every rewrite (a guest reading under the seqlock
 * retries); scale 0 writes sequence 0: "use TIME_REF_COUNT".
 */
int hvpage_write_ref_tsc(struct physmem *mem, uint64_t gpa, uint64_t scale,
			 int64_t offset)
{
	uint8_t page[PAGE_SIZE];
	uint32_t seq = 0;

	if (physmem_copy_from(mem, &seq, gpa, sizeof(seq)))
		return -1;
	seq = scale ? next_sequence(seq) : 0;
	memset(page, 0, sizeof(page));
	memcpy(page + HV_TSC_PAGE_SEQUENCE, &seq, sizeof(seq));
	memcpy(page + HV_TSC_PAGE_SCALE, &scale, sizeof(scale));
	memcpy(page + HV_TSC_PAGE_OFFSET, &offset, sizeof(offset));
	return physmem_copy_to(mem, gpa, page, sizeof(page));
}

/* Printable ASCII and newlines pass; anything else becomes '.', so the
 * text is safe to print on the host's terminal. */
static char sanitize(uint8_t c)
{
	if (c == '\n' || (c >= 0x20 && c < 0x7F))
		return (char)c;
	return '.';
}

void hvpage_read_text(struct physmem *mem, uint64_t gpa, uint64_t len,
		      char *out, size_t cap)
{
	uint8_t buf[HV_CRASH_MSG_MAX];
	size_t n;

	if (cap == 0)
		return;
	out[0] = '\0';
	n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
	if (n > cap - 1)
		n = cap - 1;
	if (physmem_copy_from(mem, buf, gpa, n))
		return; /* not entirely in RAM: no message */
	for (size_t i = 0; i < n; i++)
		out[i] = sanitize(buf[i]);
	out[n] = '\0';
}
