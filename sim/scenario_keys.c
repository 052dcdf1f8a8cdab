/*
 * sim/scenario_keys.c — the keys of a scenario file (docs/SCENARIO.md) as
 * a table {name, section, kind, field}, and one value parser per kind:
 * whole numbers, percentages, sizes (binary suffixes, as `--mem`),
 * frequencies and times (decimal fractions with SI units), booleans,
 * enumerations, paths and the kernel command line.
 * Invariants: numbers are parsed digit by digit with overflow checks (no
 * strtoull wrap-around, no sign, no locale); a value is range-checked
 * (scenario_check.c) before it is stored; relative paths are joined to the
 * scenario file's directory and must fit SCN_PATH_MAX; quoted values lose
 * one pair of surrounding double quotes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim/builtin.h"
#include "sim/cli.h"
#include "sim/scenario_int.h"

enum key_kind {
	KIND_UINT,    /* decimal whole number */
	KIND_PERCENT, /* "25" or "25%" */
	KIND_SIZE,    /* bytes: "256M", "1G", "4096" */
	KIND_FREQ,    /* "2.5GHz", "2500MHz", "2500000000" */
	KIND_CYCLES,  /* cycles, or a time ("400us") */
	KIND_BOOL,
	KIND_ROLE,    /* parent | child */
	KIND_TIMING,  /* approx | off */
	KIND_INFILE,  /* a file that must be readable now */
	KIND_OUTFILE, /* a file written during the run */
	KIND_TEXT,    /* free text (the command line) */
	KIND_TIME_NS, /* a time with its unit ("100us"), kept in ns */
	KIND_PREFIX,  /* auto | on | off (enum scn_console_prefix) */
	KIND_DATE,    /* "2026-01-01T00:00:00Z", kept as s since 1970 */
	KIND_PLATFORM, /* pc | none */
};

struct key_row {
	const char *name;
	enum scn_key key;
	bool machine; /* a [machine] key, else a [partition] key */
	enum key_kind kind;
	size_t off;  /* of the field in struct scenario / scn_partition */
	size_t size; /* of that field */
};

#define M(f) offsetof(struct scenario, f), sizeof(((struct scenario *)0)->f)
#define P(f)                                                                   \
	offsetof(struct scn_partition, f),                                     \
	    sizeof(((struct scn_partition *)0)->f)

/* In enum scn_key order. */
static const struct key_row keys[SK_COUNT] = {
    {"pcpus", SK_PCPUS, true, KIND_UINT, M(pcpus)},
    {"frequency", SK_FREQUENCY, true, KIND_FREQ, M(freq_hz)},
    {"quantum", SK_QUANTUM, true, KIND_CYCLES, M(quantum_cycles)},
    {"timing", SK_TIMING, true, KIND_TIMING, M(timing)},
    {"max_cycles", SK_MAX_CYCLES, true, KIND_CYCLES, M(max_cycles)},
    {"role", SK_ROLE, false, KIND_ROLE, P(parent)},
    {"vcpus", SK_VCPUS, false, KIND_UINT, P(vcpus)},
    {"memory", SK_MEMORY, false, KIND_SIZE, P(mem_bytes)},
    {"kernel", SK_KERNEL, false, KIND_INFILE, P(kernel)},
    {"cmdline", SK_CMDLINE, false, KIND_TEXT, P(cmdline)},
    {"initrd", SK_INITRD, false, KIND_INFILE, P(initrd[0])},
    {"serial", SK_SERIAL, false, KIND_OUTFILE, P(serial)},
    {"disk", SK_DISK, false, KIND_INFILE, P(disk)},
    {"weight", SK_WEIGHT, false, KIND_UINT, P(weight)},
    {"reserve", SK_RESERVE, false, KIND_PERCENT, P(reserve_pct)},
    {"cap", SK_CAP, false, KIND_PERCENT, P(cap_pct)},
    {"testdev", SK_TESTDEV, false, KIND_BOOL, P(testdev)},
    {"autostart", SK_AUTOSTART, false, KIND_BOOL, P(autostart)},
    {"disk_latency", SK_DISK_LATENCY, false, KIND_TIME_NS,
     P(disk_latency_ns)},
    {"disk_bandwidth", SK_DISK_BANDWIDTH, false, KIND_SIZE,
     P(disk_bandwidth)},
    {"console_prefix", SK_CONSOLE_PREFIX, true, KIND_PREFIX,
     M(console_prefix)},
    {"start_time", SK_START_TIME, true, KIND_DATE, M(start_time)},
    {"integration", SK_INTEGRATION, false, KIND_BOOL, P(integration)},
    {"heartbeat", SK_HEARTBEAT, false, KIND_TIME_NS, P(heartbeat_ns)},
    {"platform", SK_PLATFORM, false, KIND_PLATFORM, P(platform_pc)},
};

/* A unit suffix: the value is multiplied by 10^exp10. */
struct unit {
	const char *name;
	unsigned exp10;
	bool is_time; /* nanoseconds, else the base unit (Hz or cycles) */
};

static const struct unit freq_units[] = {
    {"", 0, false},    {"Hz", 0, false},  {"kHz", 3, false},
    {"MHz", 6, false}, {"GHz", 9, false}, {NULL, 0, false},
};

static const struct unit cycle_units[] = {
    {"", 0, false},  {"cycles", 0, false}, {"ns", 0, true},  {"us", 3, true},
    {"ms", 6, true}, {"s", 9, true},	   {NULL, 0, false},
};

struct named_bool {
	const char *name;
	bool value;
};

static const struct named_bool bools[] = {
    {"true", true}, {"yes", true},    {"on", true},
    {"1", true},    {"false", false}, {"no", false},
    {"off", false}, {"0", false},     {NULL, false},
};
static const struct named_bool roles[] = {
    {"parent", true}, {"child", false}, {NULL, false}};
static const struct named_bool timings[] = {
    {"approx", true}, {"off", false}, {NULL, false}};
static const struct named_bool platforms[] = {
    {"pc", true}, {"none", false}, {NULL, false}};

const char *scn_key_name(enum scn_key k)
{
	return (unsigned)k < SK_COUNT ? keys[k].name : "?";
}

/* ---- numbers ------------------------------------------------------------- */

/* Leading decimal digits of *s into *v; advances *s. NULL or a problem. */
static const char *take_digits(const char **s, uint64_t *v, unsigned *ndig)
{
	*v = 0;
	*ndig = 0;
	for (; **s >= '0' && **s <= '9'; (*s)++, (*ndig)++) {
		uint64_t d = (uint64_t)(**s - '0');

		if (*v > (UINT64_MAX - d) / 10)
			return "is too large";
		*v = *v * 10 + d;
	}
	return NULL;
}

static uint64_t pow10u(unsigned e)
{
	uint64_t r = 1;

	while (e--)
		r *= 10;
	return r;
}

/* "D[.F][ ]UNIT" → D.F × 10^unit.exp10, which must be a whole number. */
static const char *parse_decimal(const char *s, const struct unit *units,
				 uint64_t *out, const struct unit **unit)
{
	uint64_t ip, fp = 0, scale;
	unsigned nd, nf = 0;
	const char *why;

	if ((why = take_digits(&s, &ip, &nd)) || !nd)
		return why ? why : "is not a number";
	if (*s == '.') {
		s++;
		if (take_digits(&s, &fp, &nf) || nf > 18)
			return "has too many decimals";
		if (!nf)
			return "is not a number";
	}
	s += strspn(s, " \t");
	for (*unit = units; (*unit)->name; (*unit)++)
		if (!strcasecmp(s, (*unit)->name))
			break;
	if (!(*unit)->name)
		return "has an unknown unit";
	scale = pow10u((*unit)->exp10);
	if (nf <= (*unit)->exp10)
		fp *= pow10u((*unit)->exp10 - nf);
	else if (fp % pow10u(nf - (*unit)->exp10))
		return "is finer than the smallest step (1 Hz, 1 cycle or "
		       "1 ns)";
	else
		fp /= pow10u(nf - (*unit)->exp10);
	if (ip > (UINT64_MAX - fp) / scale)
		return "is too large";
	*out = ip * scale + fp;
	return NULL;
}

static const char *parse_uint(const char *s, uint64_t *out)
{
	unsigned nd;
	const char *why = take_digits(&s, out, &nd);

	if (why)
		return why;
	return !nd || *s ? "is not a whole number" : NULL;
}

/* ---- setters, one per kind ----------------------------------------------- */

typedef int set_fn(struct scn_parse *p, const struct key_row *k, const char *v);

static char *field(struct scn_parse *p, const struct key_row *k)
{
	char *base = k->machine ? (char *)p->sc : (char *)&p->sc->part[p->part];

	return base + k->off;
}

static void store_uint(struct scn_parse *p, const struct key_row *k, uint64_t v)
{
	unsigned u = (unsigned)v;

	if (k->size == sizeof(uint64_t))
		memcpy(field(p, k), &v, sizeof(v));
	else
		memcpy(field(p, k), &u, sizeof(u));
}

static int set_number(struct scn_parse *p, const struct key_row *k,
		      const char *v)
{
	char tmp[256], prob[160];
	const struct unit *unit;
	const char *why;
	uint64_t n = 0;
	size_t len = strlen(v);

	snprintf(tmp, sizeof(tmp), "%s", v);
	if (k->kind == KIND_PERCENT && len && tmp[len - 1] == '%')
		tmp[len - 1] = '\0';
	if (k->kind == KIND_SIZE)
		why = cli_parse_size(tmp, &n) ? "is not a size (e.g. 256M, 1G)"
						" or is too large"
					      : NULL;
	else if (k->kind == KIND_FREQ)
		why = parse_decimal(tmp, freq_units, &n, &unit);
	else
		why = parse_uint(tmp, &n);
	if (why)
		return scn_fail(p, k->name, "'%.40s' %s", v, why);
	if ((why = scn_range_problem(k->key, n, prob, sizeof(prob))))
		return scn_fail(p, k->name, "%s", why);
	store_uint(p, k, n);
	return 1;
}

static int set_cycles(struct scn_parse *p, const struct key_row *k,
		      const char *v)
{
	struct scn_time *t =
	    k->key == SK_QUANTUM ? &p->quantum : &p->max_cycles;
	const struct unit *unit;
	const char *why = parse_decimal(v, cycle_units, &t->value, &unit);

	if (why)
		return scn_fail(p, k->name, "'%.40s' %s", v, why);
	t->is_time = unit->is_time;
	return 1;
}

/* A time that must carry its unit (ns, us, ms, s): nanoseconds. */
static int set_time_ns(struct scn_parse *p, const struct key_row *k,
		       const char *v)
{
	const struct unit *unit;
	uint64_t ns;
	const char *why = parse_decimal(v, cycle_units, &ns, &unit);

	char prob[160];

	if (!why && !unit->is_time && !(k->key == SK_HEARTBEAT && ns == 0))
		why = "needs a time unit (ns, us, ms, s)";
	if (why)
		return scn_fail(p, k->name, "'%.40s' %s", v, why);
	if ((why = scn_range_problem(k->key, ns, prob, sizeof(prob))))
		return scn_fail(p, k->name, "%s", why);
	store_uint(p, k, ns);
	return 1;
}

static int set_word(struct scn_parse *p, const struct key_row *k, const char *v)
{
	const struct named_bool *t = k->kind == KIND_ROLE	? roles
				     : k->kind == KIND_TIMING	? timings
				     : k->kind == KIND_PLATFORM ? platforms
								: bools;
	char list[128] = "";
	bool b;

	for (const struct named_bool *w = t; w->name; w++)
		if (!strcasecmp(v, w->name)) {
			b = w->value;
			memcpy(field(p, k), &b, sizeof(b));
			return 1;
		}
	for (const struct named_bool *w = t; w->name; w++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", w == t ? "" : ", ", w->name);
	return scn_fail(p, k->name, "'%.40s' is not one of: %s", v, list);
}

/* One pair of surrounding double quotes is not part of the value. */
static void unquote(const char *v, char *out, size_t len)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		snprintf(out, len, "%.*s", (int)(n - 2), v + 1);
	else
		snprintf(out, len, "%s", v);
}

static int set_path(struct scn_parse *p, const struct key_row *k, const char *v)
{
	struct scn_partition *part = &p->sc->part[p->part];
	char raw[SCN_PATH_MAX], path[SCN_PATH_MAX], prob[SCN_PATH_MAX + 64];
	char *dst = field(p, k);
	const char *why;
	int n;

	unquote(v, raw, sizeof(raw));
	if (!raw[0])
		return scn_fail(p, k->name, "missing value");
	if (k->key == SK_KERNEL && builtin_is_name(raw)) {
		/* A guest inside hvsim (sim/builtin.h): no file, no dir. */
		if (!builtin_find(raw))
			return scn_fail(p, k->name,
					"'%.64s' is not a built-in guest "
					"(hvsim run --list-builtin)",
					raw);
		memcpy(dst, raw, strlen(raw) + 1);
		return 1;
	}
	n = snprintf(path, sizeof(path), "%s%s", raw[0] == '/' ? "" : p->dir,
		     raw);
	if (n < 0 || (size_t)n >= sizeof(path))
		return scn_fail(p, k->name,
				"path too long (at most %d bytes "
				"with the scenario's directory)",
				SCN_PATH_MAX - 1);
	if (k->kind == KIND_INFILE &&
	    (why = scn_file_problem(path, prob, sizeof(prob))))
		return scn_fail(p, k->name, "%s", why);
	if (k->key == SK_INITRD) {
		if (part->nr_initrd >= SCN_MAX_INITRD)
			return scn_fail(p, k->name, "too many (at most %d)",
					SCN_MAX_INITRD);
		dst = part->initrd[part->nr_initrd++];
	}
	memcpy(dst, path, (size_t)n + 1);
	return 1;
}

static int set_text(struct scn_parse *p, const struct key_row *k, const char *v)
{
	char text[SCN_CMDLINE_MAX + 2];

	unquote(v, text, sizeof(text));
	if (strlen(text) >= k->size)
		return scn_fail(p, k->name, "too long (at most %zu bytes)",
				k->size - 1);
	memcpy(field(p, k), text, strlen(text) + 1);
	return 1;
}

/* console_prefix: one of the words of enum scn_console_prefix. */
static int set_prefix(struct scn_parse *p, const struct key_row *k,
		      const char *v)
{
	static const char *const words[] = {
	    [SCN_PREFIX_AUTO] = "auto",
	    [SCN_PREFIX_ON] = "on",
	    [SCN_PREFIX_OFF] = "off",
	};

	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(v, words[i])) {
			store_uint(p, k, i);
			return 1;
		}
	return scn_fail(p, k->name, "'%.40s' is not one of: auto, on, off",
			v);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; y >= 1970). */
static uint64_t days_since_1970(unsigned y, unsigned m, unsigned d)
{
	static const unsigned before[12] = {0,	 31,  59,  90,	120, 151,
					    181, 212, 243, 273, 304, 334};
	uint64_t days = 0;

	for (unsigned yy = 1970; yy < y; yy++)
		days += (yy % 4 == 0 && (yy % 100 || yy % 400 == 0)) ? 366 : 365;
	days += before[m - 1] + d - 1;
	if (m > 2 && y % 4 == 0 && (y % 100 || y % 400 == 0))
		days++;
	return days;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC, 1970..9999) → seconds since 1970. */
static int set_date(struct scn_parse *p, const struct key_row *k,
		    const char *v)
{
	static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31};
	unsigned y, mo, d, h, mi, s;
	char z, extra;
	uint64_t t;

	if (sscanf(v, "%4u-%2u-%2uT%2u:%2u:%2u%c%c", &y, &mo, &d, &h, &mi,
		   &s, &z, &extra) != 7 ||
	    z != 'Z' || strlen(v) != 20)
		return scn_fail(p, k->name,
				"'%.40s' is not a UTC time like "
				"2026-01-01T00:00:00Z",
				v);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 || y % 400 == 0))) ||
	    h > 23 || mi > 59 || s > 59)
		return scn_fail(p, k->name, "'%.40s' is not a valid date "
					    "and time (from 1970)", v);
	t = days_since_1970(y, mo, d) * 86400u + h * 3600u + mi * 60u + s;
	memcpy(field(p, k), &t, sizeof(t));
	return 1;
}

static set_fn *const setters[] = {
    [KIND_UINT] = set_number,	[KIND_PERCENT] = set_number,
    [KIND_SIZE] = set_number,	[KIND_FREQ] = set_number,
    [KIND_CYCLES] = set_cycles, [KIND_BOOL] = set_word,
    [KIND_ROLE] = set_word,	[KIND_TIMING] = set_word,
    [KIND_INFILE] = set_path,	[KIND_OUTFILE] = set_path,
    [KIND_TEXT] = set_text,	[KIND_TIME_NS] = set_time_ns,
    [KIND_PREFIX] = set_prefix, [KIND_DATE] = set_date,
    [KIND_PLATFORM] = set_word,
};

/* ---- entry points -------------------------------------------------------- */

static const struct key_row *find_key(const char *name, bool machine,
				      bool *other_section)
{
	*other_section = false;
	for (unsigned i = 0; i < SK_COUNT; i++)
		if (!strcmp(keys[i].name, name)) {
			if (keys[i].machine == machine)
				return &keys[i];
			*other_section = true;
		}
	return NULL;
}

int scn_set_key(struct scn_parse *p, const char *name, const char *value)
{
	bool other;
	const struct key_row *k = find_key(name, p->in_machine, &other);
	unsigned *line;

	if (!k && other)
		return scn_fail(p, name,
				"not a key of this section (it "
				"belongs in %s)",
				p->in_machine ? "[partition \"NAME\"]"
					      : "[machine]");
	if (!k)
		return scn_fail(p, name, "unknown key");
	line = p->in_machine ? &p->lines.machine_key[k->key]
			     : &p->lines.key[p->part][k->key];
	if (*line && k->key != SK_INITRD)
		return scn_fail(p, name, "given twice (first on line %u)",
				*line);
	if (!*line)
		*line = p->lineno;
	p->last_key = k->key;
	if (!value[0] && k->kind != KIND_TEXT)
		return scn_fail(p, name, "missing value");
	return setters[k->kind](p, k, value);
}

/* libinih 55 keeps inline comments on continuation lines (newer versions
 * strip them): cut " ;..." here so both behave alike. */
static size_t continuation_len(const char *v)
{
	size_t n = 0;

	while (v[n] &&
	       !(v[n] == ';' && n && (v[n - 1] == ' ' || v[n - 1] == '\t')))
		n++;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return n;
}

int scn_continue_key(struct scn_parse *p, const char *value)
{
	struct scn_partition *part;
	size_t have, add = continuation_len(value);

	if (p->in_machine || p->part < 0 || p->last_key != SK_CMDLINE)
		return scn_fail(p, scn_key_name(p->last_key),
				"an indented line continues the previous "
				"value, and only cmdline takes continuation "
				"lines");
	part = &p->sc->part[p->part];
	have = strlen(part->cmdline);
	if (have + (have != 0) + add >= sizeof(part->cmdline))
		return scn_fail(p, "cmdline", "too long (at most %zu bytes)",
				sizeof(part->cmdline) - 1);
	if (have)
		part->cmdline[have++] = ' ';
	memcpy(part->cmdline + have, value, add);
	part->cmdline[have + add] = '\0';
	return 1;
}

/* t cycles, or t nanoseconds at freq_hz (rounded down) → *out. */
static bool time_to_cycles(const struct scn_time *t, uint64_t freq_hz,
			   uint64_t *out)
{
	const uint64_t ns_per_s = 1000000000ull;
	uint64_t whole = t->value / ns_per_s, part = t->value % ns_per_s;

	if (!t->is_time) {
		*out = t->value;
		return true;
	}
	/* part * freq_hz fits: part < 1e9 and freq_hz <= 1e10 (range). */
	if (whole > UINT64_MAX / freq_hz ||
	    whole * freq_hz > UINT64_MAX - part * freq_hz / ns_per_s)
		return false;
	*out = whole * freq_hz + part * freq_hz / ns_per_s;
	return true;
}

int scn_resolve_times(struct scn_parse *p)
{
	struct scenario *sc = p->sc;

	p->in_machine = true;
	if (p->lines.machine_key[SK_QUANTUM] &&
	    !time_to_cycles(&p->quantum, sc->freq_hz, &sc->quantum_cycles)) {
		p->lineno = p->lines.machine_key[SK_QUANTUM];
		return scn_fail(p, "quantum", "too long at this frequency");
	}
	if (p->lines.machine_key[SK_MAX_CYCLES] &&
	    !time_to_cycles(&p->max_cycles, sc->freq_hz, &sc->max_cycles)) {
		p->lineno = p->lines.machine_key[SK_MAX_CYCLES];
		return scn_fail(p, "max_cycles", "too long at this frequency");
	}
	return 1;
}
