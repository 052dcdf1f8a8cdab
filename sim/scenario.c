/*
 * sim/scenario.c — reading a scenario file (docs/SCENARIO.md): the whole
 * file is read into memory, fed to libinih one checked line at a time, and
 * the result is validated as a whole (scenario_check.c).
 *
 * libinih splits "key = value", strips comments and joins continuation
 * lines; everything it cannot report well is checked here first, in the
 * line reader: over-long lines (Debian's libinih cuts them at 200 bytes),
 * control bytes (binary garbage), lines that are neither key, section nor
 * comment, and the section headers themselves (libinih truncates section
 * names at 50 bytes, so this file tracks the current section itself).
 * Invariants: the reader classifies each line exactly as libinih 55 will
 * (comment, continuation, section, key), so the handler always knows which
 * line and section a key came from; the first error wins and stops the
 * parse; the guest-controlled text never reaches a format string.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario_int.h"

#define SCN_FILE_MAX  (1u << 20) /* a scenario is people-sized text */
#define SCN_LABEL_MAX 160

static void fail_v(struct scn_parse *p, const char *label, const char *key,
		   const char *fmt, va_list ap)
{
	int n;

	if (p->failed)
		return;
	p->failed = true;
	if (!p->err || !p->errlen)
		return;
	if (p->lineno)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->sc->source,
			     p->lineno);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->sc->source);
	if (n >= 0 && (unsigned)n < p->errlen && (label || key))
		n += snprintf(p->err + n, p->errlen - (unsigned)n,
			      "%s%s%s: ", label ? label : "",
			      label && key ? " " : "", key ? key : "");
	if (n >= 0 && (unsigned)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (unsigned)n, fmt, ap);
}

/* "[machine]", "[partition "NAME"]", or NULL before the first section. */
static const char *section_label(const struct scn_parse *p, char *buf,
				 size_t len)
{
	if (p->in_machine)
		return "[machine]";
	if (p->part < 0)
		return NULL;
	snprintf(buf, len, "[partition \"%s\"]", p->sc->part[p->part].name);
	return buf;
}

int scn_fail(struct scn_parse *p, const char *key, const char *fmt, ...)
{
	char label[SCN_LABEL_MAX];
	va_list ap;

	va_start(ap, fmt);
	fail_v(p, section_label(p, label, sizeof(label)), key, fmt, ap);
	va_end(ap);
	return 0;
}

/* An error about a section header, labelled with the header as written. */
static int fail_header(struct scn_parse *p, const char *hdr, size_t n,
		       const char *fmt, ...)
{
	char label[SCN_LABEL_MAX];
	va_list ap;

	if (n > SCN_LABEL_MAX - 8)
		snprintf(label, sizeof(label), "[%.*s...]",
			 (int)(SCN_LABEL_MAX - 8), hdr);
	else
		snprintf(label, sizeof(label), "[%.*s]", (int)n, hdr);
	va_start(ap, fmt);
	fail_v(p, label, NULL, fmt, ap);
	va_end(ap);
	return 0;
}

/* ---- section headers ----------------------------------------------------- */

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static int open_machine(struct scn_parse *p, const char *hdr, size_t n)
{
	if (p->lines.machine)
		return fail_header(p, hdr, n,
				   "section given twice (first on "
				   "line %u)",
				   p->lines.machine);
	p->lines.machine = p->lineno;
	p->in_machine = true;
	p->part = -1;
	return 1;
}

/* `q` points at the opening quote of "NAME" inside a [partition ...]. */
static int open_partition(struct scn_parse *p, const char *hdr, size_t n,
			  const char *q)
{
	struct scenario *sc = p->sc;
	const char *end = hdr + n;
	size_t len;

	if (*q != '"' || end - q < 2 || end[-1] != '"')
		return fail_header(p, hdr, n,
				   "the name must be in double "
				   "quotes: [partition \"NAME\"]");
	q++;
	len = (size_t)(end - 1 - q);
	if (len == 0 || len >= SCN_NAME_MAX)
		return fail_header(p, hdr, n, "a name has 1..%d characters",
				   SCN_NAME_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if (!name_char_ok(q[i]))
			return fail_header(p, hdr, n,
					   "a name has only letters, "
					   "digits, '-', '_' and '.'");
	for (unsigned i = 0; i < sc->nr_partitions; i++)
		if (strlen(sc->part[i].name) == len &&
		    !memcmp(sc->part[i].name, q, len))
			return fail_header(p, hdr, n,
					   "duplicate partition "
					   "name (first on line %u)",
					   p->lines.header[i]);
	if (sc->nr_partitions >= SCN_MAX_PARTITIONS)
		return fail_header(p, hdr, n,
				   "too many partitions (at most "
				   "%d)",
				   SCN_MAX_PARTITIONS);
	p->part = (int)sc->nr_partitions++;
	scn_partition_defaults(&sc->part[p->part]);
	memcpy(sc->part[p->part].name, q, len);
	p->lines.header[p->part] = p->lineno;
	p->in_machine = false;
	return 1;
}

/* s points at '['. libinih ends the header at the first ']' (or at an
 * inline " ;" comment) and ignores the rest; here the rest may only be a
 * comment, and the header must name a known section. */
static int open_section(struct scn_parse *p, const char *s)
{
	const char *hdr = s + 1, *close = hdr, *rest;
	size_t n;

	while (*close && *close != '\n' && *close != ']' &&
	       !(*close == ';' && close > hdr &&
		 (close[-1] == ' ' || close[-1] == '\t')))
		close++;
	n = (size_t)(close - hdr);
	if (*close != ']')
		return fail_header(p, hdr, n, "section header without ']'");
	rest = close + 1 + strspn(close + 1, " \t\n");
	if (*rest && *rest != ';' && *rest != '#')
		return fail_header(p, hdr, n, "text after ']'");
	if (n == 7 && !memcmp(hdr, "machine", 7))
		return open_machine(p, hdr, n);
	if (n > 9 && !memcmp(hdr, "partition", 9) &&
	    (hdr[9] == ' ' || hdr[9] == '\t'))
		return open_partition(p, hdr, n,
				      hdr + 9 + strspn(hdr + 9, " \t"));
	return fail_header(p, hdr, n,
			   "unknown section (expected [machine] "
			   "or [partition \"NAME\"])");
}

/* ---- the line reader (libinih's fgets) ----------------------------------- */

/* Classify a checked line the way libinih will treat it. */
static int classify_line(struct scn_parse *p, const char *line)
{
	const char *s = line + strspn(line, " \t");
	const char *c;

	p->continuation = false;
	if (!*s || *s == '\n' || *s == ';' || *s == '#')
		return 1; /* blank or comment */
	if (s > line && p->have_key) {
		p->continuation = true;
		return 1;
	}
	if (*s == '[') {
		p->have_key = false;
		return open_section(p, s);
	}
	for (c = s; *c && *c != '=' && *c != ':'; c++)
		if (*c == ';' && c > s && (c[-1] == ' ' || c[-1] == '\t'))
			break;
	if (*c != '=' && *c != ':')
		return scn_fail(p, NULL,
				"expected 'key = value', a [section] "
				"or a comment");
	p->have_key = true;
	return 1;
}

/* The first byte that has no place in a text line, or -1. */
static int bad_byte(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if ((b < 0x20 && b != '\t') || b == 0x7f)
			return (int)i;
	}
	return -1;
}

static char *scn_reader(char *str, int num, void *stream)
{
	struct scn_parse *p = stream;
	const char *line = p->buf + p->pos, *nl;
	size_t n, max = num > 2 ? (size_t)num - 2 : 0;
	int bad;

	if (p->failed || p->pos >= p->len)
		return NULL;
	nl = memchr(line, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - line) : p->len - p->pos;
	p->pos += n + (nl != NULL);
	p->lineno++;
	if (n && line[n - 1] == '\r')
		n--;
	if (p->lineno == 1 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
		line += 3; /* UTF-8 byte order mark */
		n -= 3;
	}
	if ((bad = bad_byte(line, n)) >= 0) {
		scn_fail(p, NULL, "binary data (byte 0x%02x in column %d)",
			 (unsigned char)line[bad], bad + 1);
		return NULL;
	}
	if (n > max) {
		scn_fail(p, NULL, "line too long (%zu characters; at most %zu)",
			 n, max);
		return NULL;
	}
	memcpy(str, line, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return classify_line(p, str) ? str : NULL;
}

static int scn_handler(void *user, const char *section, const char *name,
		       const char *value)
{
	struct scn_parse *p = user;

	(void)section; /* tracked by the reader: libinih truncates it */
	if (p->failed)
		return 0;
	if (p->continuation)
		return scn_continue_key(p, value);
	if (!p->in_machine && p->part < 0)
		return scn_fail(p, name,
				"key outside any section (put it "
				"under [machine] or [partition \"NAME\"])");
	return scn_set_key(p, name, value);
}

/* ---- the file ------------------------------------------------------------ */

/* Read the whole file into *buf (NUL-terminated). */
static int read_file(struct scn_parse *p, const char *path, char **buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return scn_fail(p, NULL, "cannot open: %s", strerror(errno));
	*buf = malloc(SCN_FILE_MAX + 1);
	if (!*buf) {
		fclose(f);
		return scn_fail(p, NULL, "out of memory");
	}
	n = fread(*buf, 1, SCN_FILE_MAX + 1, f);
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		return scn_fail(p, NULL, "cannot read: %s", strerror(e));
	}
	fclose(f);
	if (n > SCN_FILE_MAX)
		return scn_fail(p, NULL, "too large (more than %u bytes)",
				SCN_FILE_MAX);
	(*buf)[n] = '\0';
	p->buf = *buf;
	p->len = n;
	return 1;
}

static void set_dir(struct scn_parse *p, const char *path)
{
	const char *slash = strrchr(path, '/');

	p->dir[0] = '\0';
	if (slash)
		snprintf(p->dir, sizeof(p->dir), "%.*s",
			 (int)(slash - path + 1), path);
}

/* No role = parent anywhere: put a default parent first. */
static int add_default_parent(struct scn_parse *p)
{
	struct scenario *sc = p->sc;
	struct scn_lines *ln = &p->lines;

	for (unsigned i = 0; i < sc->nr_partitions; i++) {
		if (sc->part[i].parent)
			return 1;
		if (!strcmp(sc->part[i].name, "parent")) {
			p->lineno = ln->header[i];
			p->part = (int)i;
			p->in_machine = false;
			return scn_fail(p, NULL,
					"no partition has role = parent, "
					"and the default parent's name is "
					"taken");
		}
	}
	p->in_machine = false;
	if (sc->nr_partitions >= SCN_MAX_PARTITIONS) {
		p->lineno = ln->header[SCN_MAX_PARTITIONS - 1];
		p->part = SCN_MAX_PARTITIONS - 1;
		return scn_fail(p, NULL,
				"no room for the default parent (at "
				"most %d partitions)",
				SCN_MAX_PARTITIONS);
	}
	memmove(&sc->part[1], &sc->part[0],
		sc->nr_partitions * sizeof(sc->part[0]));
	memmove(&ln->header[1], &ln->header[0],
		sc->nr_partitions * sizeof(ln->header[0]));
	memmove(&ln->key[1], &ln->key[0],
		sc->nr_partitions * sizeof(ln->key[0]));
	scn_partition_defaults(&sc->part[0]);
	strcpy(sc->part[0].name, "parent");
	sc->part[0].parent = true;
	ln->header[0] = 0;
	memset(ln->key[0], 0, sizeof(ln->key[0]));
	sc->nr_partitions++;
	return 1;
}

static int parse_text(struct scn_parse *p)
{
	int rc = ini_parse_stream(scn_reader, p, scn_handler, p);

	if (p->failed)
		return 0;
	if (rc != 0) {
		p->lineno = rc > 0 ? (unsigned)rc : 0;
		return scn_fail(p, NULL, "syntax error");
	}
	if (!p->lines.machine && !p->sc->nr_partitions) {
		p->lineno = 0;
		return scn_fail(p, NULL,
				"empty scenario (no [machine] or "
				"[partition \"NAME\"] section)");
	}
	return scn_resolve_times(p) && add_default_parent(p);
}

/* The parse shared by files and text: p->buf holds the text. */
static int parse_and_check(struct scn_parse *p)
{
	return parse_text(p) &&
	       scn_validate(p->sc, &p->lines, p->err, p->errlen) == 0;
}

int scenario_parse_text(const char *source, const char *text,
			struct scenario *sc, char *err, unsigned errlen)
{
	struct scn_parse *p = calloc(1, sizeof(*p));
	int ok = 1;

	if (err && errlen)
		err[0] = '\0';
	if (!p) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", source);
		return -1;
	}
	scenario_defaults(sc);
	p->sc = sc;
	p->err = err;
	p->errlen = errlen;
	p->part = -1;
	snprintf(sc->source, sizeof(sc->source), "%s", source);
	p->buf = text;
	p->len = strlen(text);
	if (strlen(source) >= sizeof(sc->source))
		ok = scn_fail(p, NULL, "name too long");
	else if (p->len > SCN_FILE_MAX)
		ok = scn_fail(p, NULL, "too large (more than %u bytes)",
			      SCN_FILE_MAX);
	if (ok)
		ok = parse_and_check(p);
	sc->text = text;
	free(p);
	return ok ? 0 : -1;
}

int scenario_load(const char *path, struct scenario *sc, char *err,
		  unsigned errlen)
{
	struct scn_parse *p = calloc(1, sizeof(*p));
	char *buf = NULL;
	int ok;

	if (err && errlen)
		err[0] = '\0';
	if (!path)
		path = "(no file)";
	if (!p) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	scenario_defaults(sc);
	p->sc = sc;
	p->err = err;
	p->errlen = errlen;
	p->part = -1;
	snprintf(sc->source, sizeof(sc->source), "%s", path);
	if (strlen(path) >= sizeof(sc->source))
		ok = scn_fail(p, NULL, "path too long");
	else
		ok = read_file(p, path, &buf);
	set_dir(p, path);
	if (ok)
		ok = parse_text(p);
	if (ok && scn_validate(sc, &p->lines, err, errlen) != 0)
		ok = 0;
	free(buf);
	free(p);
	return ok ? 0 : -1;
}
