/*
 * sim/scenario_check.c — the rules a scenario must follow, whether it came
 * from a file (scenario.c) or was built in code (scenario_check): value
 * ranges, page-aligned memory, one parent, unique names, children with a
 * kernel, keys that only make sense for a child, reserve <= cap,
 * vCPUs <= physical CPUs, and reserves that the machine can honour.
 * The scheduler knobs follow Hyper-V's classic scheduler (sim/scenario.h):
 * a reserve is a percentage of one physical CPU per vCPU, so the sum over
 * partitions of reserve × vCPUs may not exceed 100 % × pcpus, and Hyper-V
 * refuses a VM with more virtual processors than the host has logical ones.
 * Messages are one line: "SOURCE:LINE: [section] key: problem" (no ":LINE"
 * when the value did not come from a file line).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/builtin.h"
#include "sim/scenario_int.h"

#define SCN_MIN_MEM   (2ull << 20) /* the boot area plus 1 MiB of kernel */
#define SCN_MAX_MEM   (64ull << 30)
#define SCN_MEM_ALIGN 4096ull

struct range_row {
	enum scn_key key;
	uint64_t min, max;
	const char *unit; /* printed after the value */
	const char *text; /* the range as people read it */
};

static const struct range_row ranges[] = {
    {SK_PCPUS, 1, 64, "", "1..64"},
    {SK_FREQUENCY, 1000000ull, 10000000000ull, " Hz", "1 MHz..10 GHz"},
    {SK_QUANTUM, 1000, 10000000000ull, " cycles", "1000..10000000000 cycles"},
    {SK_VCPUS, 1, SCN_MAX_VCPUS, "", "1..64"},
    {SK_MEMORY, SCN_MIN_MEM, SCN_MAX_MEM, " bytes", "2 MiB..64 GiB"},
    {SK_WEIGHT, 1, 10000, "", "1..10000"},
    {SK_RESERVE, 0, 100, "%", "0..100%"},
    {SK_CAP, 1, 100, "%", "1..100%"},
    {SK_DISK_LATENCY, 0, 10000000000ull, " ns", "0..10 s"},
    {SK_DISK_BANDWIDTH, 0, 1ull << 40, " bytes/s", "0..1 TiB/s"},
    {SK_CONSOLE_PREFIX, SCN_PREFIX_AUTO, SCN_PREFIX_OFF, "",
     "0..2: auto, on, off"},
    {SK_HEARTBEAT, 0, 3600000000000ull, " ns", "0..1 h"},
};

const char *scn_range_problem(enum scn_key k, uint64_t v, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const struct range_row *r = &ranges[i];

		if (r->key != k)
			continue;
		if (v < r->min || v > r->max) {
			snprintf(buf, len, "%llu%s is out of range (%s)",
				 (unsigned long long)v, r->unit, r->text);
			return buf;
		}
	}
	if (k == SK_MEMORY && v % SCN_MEM_ALIGN) {
		snprintf(buf, len, "%llu bytes is not a multiple of 4 KiB",
			 (unsigned long long)v);
		return buf;
	}
	return NULL;
}

const char *scn_file_problem(const char *path, char *buf, size_t len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(buf, len, "cannot read '%s': %s", path,
			 strerror(errno));
		return buf;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(buf, len, "'%s' is not a regular file", path);
		return buf;
	}
	close(fd);
	return NULL;
}

/* ---- messages ------------------------------------------------------------ */

struct vctx {
	const struct scenario *sc;
	const struct scn_lines *ln; /* NULL: built in code */
	char *err;
	unsigned errlen;
};

#define NO_KEY SK_COUNT

static unsigned line_of(const struct vctx *v, int part, enum scn_key key)
{
	if (!v->ln)
		return 0;
	if (part < 0)
		return key < NO_KEY && v->ln->machine_key[key]
			   ? v->ln->machine_key[key]
			   : v->ln->machine;
	return key < NO_KEY && v->ln->key[part][key] ? v->ln->key[part][key]
						     : v->ln->header[part];
}

/* part < 0: [machine]. key NO_KEY: about the section. Returns -1. */
static int vfail(const struct vctx *v, int part, enum scn_key key,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int vfail(const struct vctx *v, int part, enum scn_key key,
		 const char *fmt, ...)
{
	unsigned line = line_of(v, part, key);
	char where[SCN_NAME_MAX + 64];
	va_list ap;
	int n;

	if (!v->err || !v->errlen)
		return -1;
	if (part < 0)
		snprintf(where, sizeof(where), "[machine]");
	else
		snprintf(where, sizeof(where), "[partition \"%.*s\"]",
			 SCN_NAME_MAX - 1, v->sc->part[part].name);
	if (line)
		n = snprintf(
		    v->err, v->errlen, "%.*s:%u: %s%s%s: ", SCN_PATH_MAX - 1,
		    v->sc->source, line, where, key < NO_KEY ? " " : "",
		    key < NO_KEY ? scn_key_name(key) : "");
	else
		n = snprintf(v->err, v->errlen,
			     "%.*s: %s%s%s: ", SCN_PATH_MAX - 1, v->sc->source,
			     where, key < NO_KEY ? " " : "",
			     key < NO_KEY ? scn_key_name(key) : "");
	if (n >= 0 && (unsigned)n < v->errlen) {
		va_start(ap, fmt);
		vsnprintf(v->err + n, v->errlen - (unsigned)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int check_range(const struct vctx *v, int part, enum scn_key key,
		       uint64_t val)
{
	char prob[160];

	if (scn_range_problem(key, val, prob, sizeof(prob)))
		return vfail(v, part, key, "%s", prob);
	return 0;
}

/* ---- the rules ----------------------------------------------------------- */

static int check_machine(const struct vctx *v)
{
	const struct scenario *sc = v->sc;

	if (check_range(v, -1, SK_PCPUS, sc->pcpus) ||
	    check_range(v, -1, SK_FREQUENCY, sc->freq_hz) ||
	    check_range(v, -1, SK_QUANTUM, sc->quantum_cycles) ||
	    check_range(v, -1, SK_CONSOLE_PREFIX, sc->console_prefix))
		return -1;
	if (sc->nr_partitions == 0 || sc->nr_partitions > SCN_MAX_PARTITIONS)
		return vfail(v, -1, NO_KEY, "%u partitions (need 1..%d)",
			     sc->nr_partitions, SCN_MAX_PARTITIONS);
	return 0;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Strings built in code must end inside their arrays; names as in files. */
static int check_strings(const struct vctx *v, int i)
{
	const struct scn_partition *p = &v->sc->part[i];
	size_t n = strnlen(p->name, sizeof(p->name));

	if (n == 0 || n == sizeof(p->name))
		return vfail(v, i, NO_KEY, "a name has 1..%d characters",
			     SCN_NAME_MAX - 1);
	if (strspn(p->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			    "WXYZ0123456789-_.") != n)
		return vfail(v, i, NO_KEY,
			     "a name has only letters, digits, "
			     "'-', '_' and '.'");
	if (!terminated(p->kernel, sizeof(p->kernel)) ||
	    !terminated(p->cmdline, sizeof(p->cmdline)) ||
	    !terminated(p->serial, sizeof(p->serial)) ||
	    !terminated(p->disk, sizeof(p->disk)))
		return vfail(v, i, NO_KEY,
			     "a path or the command line does "
			     "not end inside its field");
	if (p->nr_initrd > SCN_MAX_INITRD)
		return vfail(v, i, SK_INITRD, "%u of them (at most %d)",
			     p->nr_initrd, SCN_MAX_INITRD);
	for (unsigned k = 0; k < p->nr_initrd; k++)
		if (!terminated(p->initrd[k], sizeof(p->initrd[k])))
			return vfail(v, i, SK_INITRD,
				     "path does not end "
				     "inside its field");
	return 0;
}

/* The first key that only a child may have and that this partition sets. */
static enum scn_key child_only_key(const struct scn_partition *p)
{
	if (p->kernel[0])
		return SK_KERNEL;
	if (p->cmdline[0])
		return SK_CMDLINE;
	if (p->nr_initrd)
		return SK_INITRD;
	if (p->serial[0])
		return SK_SERIAL;
	if (p->disk[0])
		return SK_DISK;
	if (p->testdev)
		return SK_TESTDEV;
	if (!p->autostart)
		return SK_AUTOSTART;
	return NO_KEY;
}

/* A child runs a kernel. Whether its files can be read is checked where
 * they are named (a scenario file's line, or the kernel loader for
 * `--kernel`, whose "FILE: cannot open" message docs/BOOT.md promises). */
static int check_child_kernel(const struct vctx *v, int i)
{
	const char *kernel = v->sc->part[i].kernel;

	if (!kernel[0])
		return vfail(v, i, NO_KEY,
			     "a child needs a kernel (kernel = "
			     "FILE)");
	if (builtin_is_name(kernel) && !builtin_find(kernel))
		return vfail(v, i, SK_KERNEL,
			     "'%.64s' is not a built-in guest (hvsim run "
			     "--list-builtin)",
			     kernel);
	return 0;
}

static int check_partition(const struct vctx *v, int i)
{
	const struct scn_partition *p = &v->sc->part[i];
	enum scn_key k;

	if (check_strings(v, i) || check_range(v, i, SK_VCPUS, p->vcpus) ||
	    check_range(v, i, SK_MEMORY, p->mem_bytes) ||
	    check_range(v, i, SK_WEIGHT, p->weight) ||
	    check_range(v, i, SK_RESERVE, p->reserve_pct) ||
	    check_range(v, i, SK_CAP, p->cap_pct))
		return -1;
	if (p->vcpus > v->sc->pcpus)
		return vfail(v, i, SK_VCPUS,
			     "%u vCPUs, more than the machine's physical "
			     "CPUs ([machine] pcpus = %u)",
			     p->vcpus, v->sc->pcpus);
	if (p->reserve_pct > p->cap_pct)
		return vfail(v, i, SK_RESERVE, "%u%% is above the cap (%u%%)",
			     p->reserve_pct, p->cap_pct);
	if (p->parent && (k = child_only_key(p)) != NO_KEY)
		return vfail(v, i, k,
			     "only a child takes this key (the parent "
			     "runs the VM Service, not a guest)");
	return p->parent ? 0 : check_child_kernel(v, i);
}

/* One parent, unique names, reserves the machine can honour. */
static int check_whole(const struct vctx *v)
{
	const struct scenario *sc = v->sc;
	uint64_t reserved = 0;
	int parent = -1;

	for (unsigned i = 0; i < sc->nr_partitions; i++) {
		const struct scn_partition *p = &sc->part[i];

		for (unsigned j = 0; j < i; j++)
			if (!strcmp(sc->part[j].name, p->name))
				return vfail(v, (int)i, NO_KEY,
					     "duplicate "
					     "partition name");
		if (p->parent && parent >= 0)
			return vfail(v, (int)i, SK_ROLE,
				     "a second parent (the "
				     "first is \"%s\")",
				     sc->part[parent].name);
		if (p->parent)
			parent = (int)i;
		reserved += (uint64_t)p->reserve_pct * p->vcpus;
		if (reserved > 100ull * sc->pcpus)
			return vfail(v, (int)i, SK_RESERVE,
				     "reserves add up "
				     "to %llu%% of one physical CPU, more than "
				     "the machine's %u%%",
				     (unsigned long long)reserved,
				     100u * sc->pcpus);
	}
	if (parent < 0)
		return vfail(v, -1, NO_KEY, "no partition has role = parent");
	return 0;
}

int scn_validate(const struct scenario *sc, const struct scn_lines *lines,
		 char *err, unsigned errlen)
{
	struct vctx v = {sc, lines, err, errlen};

	if (check_machine(&v))
		return -1;
	for (unsigned i = 0; i < sc->nr_partitions; i++)
		if (check_partition(&v, (int)i))
			return -1;
	return check_whole(&v);
}

int scenario_check(const struct scenario *sc, char *err, unsigned errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!terminated(sc->source, sizeof(sc->source))) {
		if (err && errlen)
			snprintf(err, errlen,
				 "(scenario): source name does "
				 "not end inside its field");
		return -1;
	}
	return scn_validate(sc, NULL, err, errlen);
}
