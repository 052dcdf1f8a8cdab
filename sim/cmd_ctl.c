/*
 * sim/cmd_ctl.c — `hvsim ctl SOCKET COMMAND [KEY=VALUE | KEY:=JSON]...`:
 * the client of the management API (partitions/mgmt_api.c, QMP-style
 * JSON lines; shared/reference/ecosystem.md §2). It connects, reads the
 * greeting, negotiates with qmp_capabilities, sends one command, skips
 * interleaved events, and prints the reply: a table for query-partitions,
 * pretty JSON otherwise. `hvsim ctl SOCKET raw 'TEXT'` sends TEXT as is.
 *
 * Exit status: 0 success, 1 an error reply, 2 usage or connection errors
 * (including a server that does not answer within CTL_TIMEOUT_MS).
 * Replies are untrusted: any line length, any JSON, or none.
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim/cmd_ctl.h"

#define CTL_TIMEOUT_MS 10000
#define CTL_REPLY_MAX  (64u << 20) /* longest reply line accepted */
#define CTL_REQUEST_ID "hvsim-ctl"

static void print_usage(FILE *f)
{
	fputs("usage: hvsim ctl SOCKET COMMAND [KEY=VALUE | KEY:=JSON]...\n"
	      "       hvsim ctl SOCKET raw 'JSON'\n"
	      "Send one command to a running hvsim's management socket and\n"
	      "print the reply. KEY=VALUE passes a string argument, KEY:=JSON\n"
	      "any JSON value (e.g. id:=2). Try COMMAND query-commands.\n"
	      "Exit status: 0 success, 1 error reply, 2 usage or "
	      "connection.\n",
	      f);
}

/* ---- the request -------------------------------------------------------- */

/* Add "KEY=VALUE" or "KEY:=JSON" to args; 0 or -1 (err). */
static int add_arg(json_t *args, const char *a, char *err, size_t len)
{
	const char *eq = strchr(a, '=');
	bool is_json = eq && eq > a && eq[-1] == ':';
	size_t klen = eq ? (size_t)(eq - a) - (is_json ? 1 : 0) : 0;
	char key[128];
	json_t *v;

	if (!eq || klen == 0 || klen >= sizeof(key)) {
		snprintf(err, len, "'%s' is not KEY=VALUE or KEY:=JSON", a);
		return -1;
	}
	memcpy(key, a, klen);
	key[klen] = '\0';
	v = is_json ? json_loads(eq + 1, JSON_DECODE_ANY, NULL)
		    : json_string(eq + 1);
	if (!v) {
		snprintf(err, len, "'%s': %s", a,
			 is_json ? "the value is not JSON" : "not UTF-8");
		return -1;
	}
	if (json_object_get(args, key)) {
		json_decref(v);
		snprintf(err, len, "argument '%s' given twice", key);
		return -1;
	}
	json_object_set_new(args, key, v);
	return 0;
}

char *ctl_build_request(int argc, char **argv, char *err, size_t errlen)
{
	json_t *args, *req;
	char *s;

	if (argc < 1 || !argv[0][0]) {
		snprintf(err, errlen, "no command given");
		return NULL;
	}
	if (!strcmp(argv[0], "raw")) {
		if (argc != 2 || strpbrk(argv[1], "\r\n")) {
			snprintf(err, errlen,
				 "raw takes one argument: a one-line request");
			return NULL;
		}
		return strdup(argv[1]);
	}
	args = json_object();
	for (int i = 1; i < argc; i++) {
		if (add_arg(args, argv[i], err, errlen) != 0) {
			json_decref(args);
			return NULL;
		}
	}
	req = json_pack("{s:s,s:o,s:s}", "execute", argv[0], "arguments", args,
			"id", CTL_REQUEST_ID);
	if (!req) {
		snprintf(err, errlen, "command name is not UTF-8");
		return NULL;
	}
	if (argc == 1) /* QMP allows leaving out empty arguments */
		json_object_del(req, "arguments");
	s = json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(req);
	return s;
}

/* ---- the reply ---------------------------------------------------------- */

static void print_partitions(json_t *arr, FILE *out)
{
	size_t i;
	json_t *p;

	fprintf(out, "%3s  %-16s %-7s %-9s %5s %9s %14s %14s\n", "ID", "NAME",
		"ROLE", "STATE", "VCPUS", "MEMORY", "CYCLES", "INSTRUCTIONS");
	json_array_foreach(arr, i, p)
	{
		const char *name =
		    json_string_value(json_object_get(p, "name"));
		const char *role =
		    json_string_value(json_object_get(p, "role"));
		const char *st = json_string_value(json_object_get(p, "state"));
		fprintf(
		    out, "%3lld  %-16s %-7s %-9s %5lld %8lldM %14lld %14lld\n",
		    (long long)json_integer_value(json_object_get(p, "id")),
		    name ? name : "?", role ? role : "?", st ? st : "?",
		    (long long)json_integer_value(json_object_get(p, "vcpus")),
		    (long long)json_integer_value(
			json_object_get(p, "memory")) >>
			20,
		    (long long)json_integer_value(json_object_get(p, "cycles")),
		    (long long)json_integer_value(
			json_object_get(p, "instructions")));
	}
}

int ctl_print_reply(const char *command, const char *line, FILE *out, FILE *err)
{
	json_t *r = json_loads(line, 0, NULL), *ret, *e;
	int rc = CTL_EXIT_OK;

	if (!json_is_object(r)) {
		fprintf(err, "hvsim ctl: the server's reply is not a JSON "
			     "object\n");
		json_decref(r);
		return CTL_EXIT_USAGE;
	}
	if ((ret = json_object_get(r, "return"))) {
		if (!strcmp(command, "query-partitions") &&
		    json_is_array(ret)) {
			print_partitions(ret, out);
		} else {
			char *s = json_dumps(ret, JSON_INDENT(2) |
						      JSON_PRESERVE_ORDER |
						      JSON_ENCODE_ANY);
			fprintf(out, "%s\n", s ? s : "?");
			free(s);
		}
	} else if ((e = json_object_get(r, "error"))) {
		const char *c = json_string_value(json_object_get(e, "class"));
		const char *d = json_string_value(json_object_get(e, "desc"));
		fprintf(err, "hvsim ctl: %s: %s\n", c ? c : "Error",
			d ? d : "(no description)");
		rc = CTL_EXIT_ERROR;
	} else {
		fprintf(err, "hvsim ctl: the reply has neither 'return' nor "
			     "'error'\n");
		rc = CTL_EXIT_USAGE;
	}
	json_decref(r);
	return rc;
}

/* ---- the connection ----------------------------------------------------- */

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

/* Next line (NUL-terminated, newline stripped) or NULL (EOF, timeout,
 * too long); the pointer is valid until the next call. */
static char *conn_line(struct conn *c, size_t *consumed)
{
	for (;;) {
		char *nl;
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		ssize_t n;

		memmove(c->buf, c->buf + *consumed, c->len - *consumed);
		c->len -= *consumed;
		*consumed = 0;
		if ((nl = memchr(c->buf, '\n', c->len))) {
			*consumed = (size_t)(nl - c->buf) + 1;
			*nl = '\0';
			if (nl > c->buf && nl[-1] == '\r')
				nl[-1] = '\0';
			return c->buf;
		}
		if (c->len + 1 >= c->cap) {
			char *b = c->cap < CTL_REPLY_MAX
				      ? realloc(c->buf, c->cap * 2)
				      : NULL;
			if (!b)
				return NULL;
			c->buf = b;
			c->cap *= 2;
		}
		if (poll(&p, 1, CTL_TIMEOUT_MS) <= 0)
			return NULL;
		n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
}

/* The next line that is not an event, or NULL. */
static char *conn_reply(struct conn *c, size_t *consumed)
{
	char *l;

	while ((l = conn_line(c, consumed))) {
		json_t *j = json_loads(l, 0, NULL);
		bool event = json_object_get(j, "event") != NULL;
		json_decref(j);
		if (!event)
			return l;
	}
	return NULL;
}

static int conn_send(struct conn *c, const char *s)
{
	size_t n = strlen(s), off = 0;

	while (off < n) {
		ssize_t w = send(c->fd, s + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return send(c->fd, "\n", 1, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "hvsim ctl: %s: socket path too long\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	c->cap = 4096;
	c->buf = malloc(c->cap);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!c->buf || c->fd < 0 ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "hvsim ctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Greeting, then qmp_capabilities. 0 or -1 (message printed). */
static int conn_negotiate(struct conn *c, const char *path, size_t *used)
{
	char *l = conn_line(c, used);
	json_t *j = l ? json_loads(l, 0, NULL) : NULL;
	bool ok = json_is_object(json_object_get(j, "QMP"));

	json_decref(j);
	if (!ok) {
		fprintf(stderr, "hvsim ctl: %s: no QMP greeting\n", path);
		return -1;
	}
	if (conn_send(c, "{\"execute\":\"qmp_capabilities\"}") != 0 ||
	    !(l = conn_reply(c, used))) {
		fprintf(stderr, "hvsim ctl: %s: negotiation failed\n", path);
		return -1;
	}
	j = json_loads(l, 0, NULL);
	ok = json_object_get(j, "return") != NULL;
	json_decref(j);
	if (!ok)
		fprintf(stderr, "hvsim ctl: %s: negotiation refused: %s\n",
			path, l);
	return ok ? 0 : -1;
}

int cmd_ctl(int argc, char **argv)
{
	struct conn c = {.fd = -1};
	char err[256], *req, *l;
	size_t used = 0;
	int rc = CTL_EXIT_USAGE;

	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		print_usage(stdout);
		return CTL_EXIT_OK;
	}
	if (argc < 3) {
		print_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!(req = ctl_build_request(argc - 2, argv + 2, err, sizeof(err)))) {
		fprintf(stderr, "hvsim ctl: %s\n", err);
		return CTL_EXIT_USAGE;
	}
	if (conn_open(&c, argv[1]) == 0 &&
	    conn_negotiate(&c, argv[1], &used) == 0) {
		if (conn_send(&c, req) != 0 || !(l = conn_reply(&c, &used)))
			fprintf(stderr, "hvsim ctl: %s: no reply\n", argv[1]);
		else
			rc = ctl_print_reply(argv[2], l, stdout, stderr);
	}
	if (c.fd >= 0)
		close(c.fd);
	free(c.buf);
	free(req);
	return rc;
}
