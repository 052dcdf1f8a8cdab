/*
 * examples/guests/compat_mb.c — the 64-bit half of compat_mb, a multiboot
 * v1 kernel shaped like third-party QEMU test kernels (compat_mb_entry.S
 * did the 32-bit part and switched to long mode itself).
 *
 * In order: what the 32-bit side recorded (the multiboot magic, SSE2
 * results, the legacy-mode exceptions #DE #BP #OF #BR #UD #NM #GP through
 * a 32-bit IDT); SSE in long mode (compiler-generated code in
 * compat_mb_sse.c, MXCSR and an FXSAVE/FXRSTOR round trip); ring 3
 * (compat_mb_user.c) calling write() by SYSCALL and by INT 0x80, faulting
 * four pages in on demand, using SSE at CPL 3; then the whole exceptions
 * suite (exceptions.c) in long mode. Ends with the summary: debug-exit 0
 * when everything passed (hvsim status 1).
 *
 * "skip-bound" on the command line turns the two BOUND checks into SKIP
 * lines (they still run): hvsim does not implement BOUND yet, and the
 * guest suite runs the kernel both ways (tests/guest/meson.build).
 */
#include "compat_mb.h"
#include "exceptions.h"
#include "rt.h"

#define MB_BOOT_MAGIC 0x2BADB002u
#define MBI_CMDLINE   (1u << 2) /* mbi flags: cmdline (field 4) is valid */

/* One 32-bit exception check (compat_mb_entry.S fills cm_exc32). */
struct exc32_rec {
	uint32_t count, vector, error, eip;
	uint32_t insn, resume; /* the tried instruction, the code after it */
};

/* The order of the TRY32 blocks in compat_mb_entry.S. */
enum exc32_case {
	X32_DE,
	X32_BP,
	X32_INTO_OF0,
	X32_INTO_OF1,
	X32_BOUND_IN,
	X32_BOUND_OUT,
	X32_UD,
	X32_NM,
	X32_GP,
	X32_CASES
};

static const struct {
	const char *what;
	int vector; /* -1: no exception expected */
	int trap;   /* saved EIP is the resume address, not the insn */
	uint32_t error;
	int is_bound; /* skipped with "skip-bound" on the command line */
} exc32_cases[X32_CASES] = {
    [X32_DE] = {"div by zero -> #DE", 0, 0, 0},
    [X32_BP] = {"int3 -> #BP", 3, 1, 0},
    [X32_INTO_OF0] = {"into with OF=0: no exception", -1, 0, 0},
    [X32_INTO_OF1] = {"into with OF=1 -> #OF", 4, 1, 0},
    [X32_BOUND_IN] = {"bound 5 in [0, 10]: no exception", -1, 0, 0, 1},
    [X32_BOUND_OUT] = {"bound 11 outside [0, 10] -> #BR", 5, 0, 0, 1},
    [X32_UD] = {"ud2 -> #UD", 6, 0, 0},
    [X32_NM] = {"addps with CR0.TS=1 -> #NM", 7, 0, 0},
    [X32_GP] = {"mov to DS of selector 0x80 past the GDT limit -> "
		"#GP(0x80)",
		13, 0, 0x80},
};

extern uint32_t cm_sse32_sqrt, cm_sse32_sum[4];
extern struct exc32_rec cm_exc32[X32_CASES];

int compat_main(uint32_t magic, uint32_t mbi);

/* The multiboot command line (mbi flag 2), or "" without one. */
static const char *mb_cmdline(uint32_t mbi)
{
	const uint32_t *info = (const uint32_t *)(uint64_t)mbi;

	if (!mbi || !(info[0] & MBI_CMDLINE) || !info[4])
		return "";
	return (const char *)(uint64_t)info[4];
}

/* Is `word` one of the blank-separated words of s? */
static int has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	while (*s) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, word, n) && (s[n] == ' ' || s[n] == '\0'))
			return 1;
		while (*s && *s != ' ')
			s++;
	}
	return 0;
}

static void check_exc32(int skip_bound)
{
	for (int i = 0; i < X32_CASES; i++) {
		const struct exc32_rec *r = &cm_exc32[i];
		uint32_t at = exc32_cases[i].trap ? r->resume : r->insn;
		int ok =
		    exc32_cases[i].vector < 0
			? r->count == 0
			: r->count == 1 &&
			      r->vector == (uint32_t)exc32_cases[i].vector &&
			      r->error == exc32_cases[i].error && r->eip == at;
		if (skip_bound && exc32_cases[i].is_bound) {
			report_skip("32-bit: %s (skip-bound given)",
				    exc32_cases[i].what);
			continue;
		}
		if (!report(ok, "32-bit: %s", exc32_cases[i].what))
			printf("  seen: %u exception(s), last vector %u error "
			       "%#x eip %#x (insn %#x)\n",
			       r->count, r->vector, r->error, r->eip, r->insn);
	}
}

static void check_32bit_side(uint32_t magic, uint32_t mbi)
{
	report(magic == MB_BOOT_MAGIC, "EAX held the multiboot magic %#x",
	       MB_BOOT_MAGIC);
	report(cm_sse32_sqrt == 12, "32-bit: sqrtsd(144.0) = 12");
	report(cm_sse32_sum[0] == 0x11 && cm_sse32_sum[1] == 0x22 &&
		   cm_sse32_sum[2] == 0x33 && cm_sse32_sum[3] == 0x44,
	       "32-bit: paddd adds four dwords");
	check_exc32(magic == MB_BOOT_MAGIC &&
		    has_word(mb_cmdline(mbi), "skip-bound"));
}

int compat_main(uint32_t magic, uint32_t mbi)
{
	rt_init();
	printf("compat_mb: long mode reached\n");
	check_32bit_side(magic, mbi);
	report(rdmsr(MSR_EFER) & EFER_LMA, "EFER.LMA is set");
	compat_check_sse();
	compat_check_ring3();
	printf("compat_mb: the exceptions suite in long mode\n");
	exceptions_run_all();
	report_summary();
}
