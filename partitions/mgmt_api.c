/*
 * partitions/mgmt_api.c — the management socket: a listening AF_UNIX
 * stream socket, its clients, line framing and request dispatch, in the
 * shape of QEMU's QMP (shared/reference/ecosystem.md §2.2, §2.5): greeting
 * on connect, capabilities negotiation first, one JSON object per line
 * (accept "\n" or "\r\n", send "\r\n", ASCII), `id` echoed, events to
 * negotiated clients only. The commands themselves are in mgmt_cmds.c.
 *
 * Invariants: every socket is non-blocking and mgmt_poll() does a bounded
 * amount of work, so the simulation never waits for a client; a request
 * line is at most MGMT_LINE_MAX bytes (longer: one error reply, the rest
 * of that line dropped); a client's pending output is at most MGMT_OUT_MAX
 * (more: the client is dropped); sends use MSG_NOSIGNAL, so a client that
 * hangs up never raises SIGPIPE. Client input is untrusted text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "partitions/mgmt_int.h"

/* Reads per client per poll: bounds the time one chatty client takes. */
#define MGMT_READS_PER_POLL 4
#define MGMT_READ_CHUNK	    (16u << 10)

void mgmt_fail(struct mgmt_error *e, const char *cls, const char *fmt, ...)
{
	va_list ap;

	e->cls = cls;
	va_start(ap, fmt);
	vsnprintf(e->desc, sizeof(e->desc), fmt, ap);
	va_end(ap);
}

/* ---- clients and output ------------------------------------------------ */

static void client_close(struct mgmt_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Write what the socket takes now. Returns -1 if the client is gone. */
static int client_flush(struct mgmt_client *c)
{
	while (c->outlen) {
		ssize_t n =
		    send(c->fd, c->out, c->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	return 0;
}

/* Queue text + "\r\n". Returns -1 (and drops the client) past the cap. */
static int client_queue(struct mgmt_client *c, const char *s)
{
	size_t n = strlen(s), need = c->outlen + n + 2;

	if (need > MGMT_OUT_MAX) {
		client_close(c);
		return -1;
	}
	if (need > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 4096;
		char *p;
		while (cap < need)
			cap *= 2;
		if (!(p = realloc(c->out, cap))) {
			client_close(c);
			return -1;
		}
		c->out = p;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, s, n);
	memcpy(c->out + c->outlen + n, "\r\n", 2);
	c->outlen = need;
	return 0;
}

/* Serialise a message (reference stolen) and queue it. */
static int client_send_json(struct mgmt_client *c, json_t *msg)
{
	char *s;
	int rc = -1;

	if (!msg)
		return -1;
	s = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII |
				JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(msg);
	if (s) {
		rc = client_queue(c, s);
		free(s);
	}
	return rc;
}

json_t *mgmt_text(const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *copy;

	if (j || !s || !(copy = strdup(s)))
		return j;
	for (char *p = copy; *p; p++) /* not UTF-8: show bytes as '?' */
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *error_msg(const struct mgmt_error *e, json_t *id)
{
	json_t *msg = json_pack("{s:{s:s,s:o}}", "error", "class", e->cls,
				"desc", mgmt_text(e->desc));

	if (msg && id)
		json_object_set(msg, "id", id);
	return msg;
}

static int client_send_error(struct mgmt_client *c, json_t *id, const char *cls,
			     const char *desc)
{
	struct mgmt_error e = {.cls = cls};

	snprintf(e.desc, sizeof(e.desc), "%s", desc);
	return client_send_json(c, error_msg(&e, id));
}

static json_t *greeting(void)
{
	return json_pack("{s:{s:o,s:[]}}", "QMP", "version",
			 mgmt_version_json(), "capabilities");
}

/* ---- events ------------------------------------------------------------ */

int mgmt_emit_json(struct mgmt *m, const char *name, json_t *data)
{
	struct timespec ts;
	int reached = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (unsigned i = 0; i < MGMT_MAX_CLIENTS; i++) {
		struct mgmt_client *c = &m->cl[i];
		json_t *ev;
		if (c->fd < 0 || !c->negotiated)
			continue;
		ev = json_pack("{s:s}", "event", name);
		if (data)
			json_object_set(ev, "data", data);
		json_object_set_new(
		    ev, "timestamp",
		    json_pack("{s:I,s:I}", "seconds", (json_int_t)ts.tv_sec,
			      "microseconds", (json_int_t)(ts.tv_nsec / 1000)));
		if (client_send_json(c, ev) == 0 && client_flush(c) == 0)
			reached++;
		else if (c->fd >= 0)
			client_close(c);
	}
	json_decref(data);
	return reached;
}

int mgmt_emit_event(struct mgmt *m, const char *name, const char *data_json)
{
	json_t *data = NULL;

	if (!m || !name)
		return -1;
	if (data_json) {
		data = json_loads(data_json, 0, NULL);
		if (!json_is_object(data)) {
			json_decref(data);
			return -1;
		}
	}
	return mgmt_emit_json(m, name, data);
}

/* ---- requests ---------------------------------------------------------- */

/* Check the envelope {"execute", "arguments"?, "id"?}; 0 or -1 (e). */
static int check_envelope(json_t *req, struct mgmt_error *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(req, key, v)
	{
		if (strcmp(key, "execute") && strcmp(key, "arguments") &&
		    strcmp(key, "id")) {
			mgmt_fail(e, "GenericError",
				  "QMP input member '%.64s' is unexpected",
				  key);
			return -1;
		}
	}
	v = json_object_get(req, "execute");
	if (!v) {
		mgmt_fail(e, "GenericError",
			  "QMP input lacks member 'execute'");
		return -1;
	}
	if (!json_is_string(v)) {
		mgmt_fail(e, "GenericError",
			  "QMP input member 'execute' must be a string");
		return -1;
	}
	v = json_object_get(req, "arguments");
	if (v && !json_is_object(v)) {
		mgmt_fail(e, "GenericError",
			  "QMP input member 'arguments' must be an object");
		return -1;
	}
	return 0;
}

static int check_args(const struct mgmt_cmd *cmd, json_t *args,
		      struct mgmt_error *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v)
	{
		bool ok = false;
		for (int i = 0; cmd->args[i]; i++)
			ok |= !strcmp(key, cmd->args[i]);
		if (!ok) {
			mgmt_fail(e, "GenericError",
				  "Parameter '%.64s' is unexpected", key);
			return -1;
		}
	}
	return 0;
}

/* qmp_capabilities {"enable": [...]}: we offer no capabilities. */
static json_t *negotiate(struct mgmt_client *c, json_t *args,
			 struct mgmt_error *e)
{
	json_t *en = json_object_get(args, "enable");
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v)
	{
		if (strcmp(key, "enable")) {
			mgmt_fail(e, "GenericError",
				  "Parameter '%.64s' is unexpected", key);
			return NULL;
		}
	}
	if (en && !json_is_array(en)) {
		mgmt_fail(e, "GenericError",
			  "Invalid parameter type for "
			  "'enable', expected: array");
		return NULL;
	}
	if (en && json_array_size(en)) {
		v = json_array_get(en, 0);
		mgmt_fail(e, "GenericError", "Capability '%.64s' not available",
			  json_is_string(v) ? json_string_value(v) : "?");
		return NULL;
	}
	c->negotiated = true;
	return json_object();
}

/* Run one request object; returns the "return" value or NULL (e). */
static json_t *dispatch(struct mgmt *m, struct mgmt_client *c, json_t *req,
			struct mgmt_error *e)
{
	const struct mgmt_cmd *cmd;
	const char *name;
	json_t *args, *ret;

	if (check_envelope(req, e) != 0)
		return NULL;
	name = json_string_value(json_object_get(req, "execute"));
	args = json_object_get(req, "arguments");
	args = args ? json_incref(args) : json_object();
	if (!strcmp(name, "qmp_capabilities")) {
		if (c->negotiated)
			mgmt_fail(e, "CommandNotFound",
				  "Capabilities negotiation is already "
				  "complete, command ignored");
		ret = c->negotiated ? NULL : negotiate(c, args, e);
	} else if (!c->negotiated) {
		mgmt_fail(e, "CommandNotFound",
			  "Expecting capabilities negotiation with "
			  "'qmp_capabilities'");
		ret = NULL;
	} else if (!(cmd = mgmt_find_cmd(name))) {
		mgmt_fail(e, "CommandNotFound",
			  "The command %.64s has not been found", name);
		ret = NULL;
	} else {
		ret =
		    check_args(cmd, args, e) == 0 ? cmd->fn(m, args, e) : NULL;
	}
	json_decref(args);
	return ret;
}

/* One complete line (no newline). Returns 1 if it was a request. */
static int handle_line(struct mgmt *m, struct mgmt_client *c, char *line,
		       size_t len)
{
	struct mgmt_error e = {.cls = "GenericError"};
	json_error_t jerr;
	json_t *req, *ret, *msg;

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
		       line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0; /* blank line: nothing asked */
	req = json_loadb(line, len, JSON_DECODE_ANY, &jerr);
	if (!req) {
		snprintf(e.desc, sizeof(e.desc), "JSON parse error, %s",
			 jerr.text);
		client_send_error(c, NULL, "GenericError", e.desc);
		return 1;
	}
	if (!json_is_object(req)) {
		client_send_error(c, NULL, "GenericError",
				  "QMP input must be a JSON object");
		json_decref(req);
		return 1;
	}
	ret = dispatch(m, c, req, &e);
	if (c->fd < 0) { /* dropped while handling (output cap) */
		json_decref(ret);
		json_decref(req);
		return 1;
	}
	msg = ret ? json_pack("{s:o}", "return", ret)
		  : error_msg(&e, json_object_get(req, "id"));
	if (ret && json_object_get(req, "id"))
		json_object_set(msg, "id", json_object_get(req, "id"));
	client_send_json(c, msg);
	json_decref(req);
	return 1;
}

/* Split received bytes into lines. Returns the requests answered. */
static int client_feed(struct mgmt *m, struct mgmt_client *c, const char *p,
		       size_t n)
{
	int answered = 0;

	while (n && c->fd >= 0) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;

		if (c->discarding) {
			c->discarding = !nl;
		} else if (c->inlen + take > MGMT_LINE_MAX) {
			char d[96];
			snprintf(d, sizeof(d),
				 "request line longer than %u bytes; "
				 "line ignored",
				 MGMT_LINE_MAX);
			client_send_error(c, NULL, "GenericError", d);
			answered++;
			c->inlen = 0;
			c->discarding = !nl;
		} else {
			memcpy(c->in + c->inlen, p, take);
			c->inlen += take;
			if (nl) {
				answered += handle_line(m, c, c->in, c->inlen);
				c->inlen = 0;
			}
		}
		take += nl ? 1 : 0;
		p += take;
		n -= take;
	}
	return answered;
}

/* Read what is there (bounded). Returns requests answered. */
static int client_service(struct mgmt *m, struct mgmt_client *c, char *buf)
{
	int answered = 0;

	for (int i = 0; i < MGMT_READS_PER_POLL && c->fd >= 0; i++) {
		ssize_t n = recv(c->fd, buf, MGMT_READ_CHUNK, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) { /* hang-up (a partial line is dropped) */
			client_close(c);
			break;
		}
		answered += client_feed(m, c, buf, (size_t)n);
	}
	if (c->fd >= 0 && client_flush(c) != 0)
		client_close(c);
	return answered;
}

/* ---- accepting --------------------------------------------------------- */

static void accept_one(struct mgmt *m, int fd)
{
	struct mgmt_client *c = NULL;

	for (unsigned i = 0; i < MGMT_MAX_CLIENTS && !c; i++)
		if (m->cl[i].fd < 0)
			c = &m->cl[i];
	if (!c) {
		static const char busy[] =
		    "{\"error\": {\"class\": \"GenericError\", \"desc\": "
		    "\"too many clients\"}}\r\n";
		/* Best effort: the socket buffer of a new socket is empty. */
		if (send(fd, busy, sizeof(busy) - 1,
			 MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			/* nothing to do: the client goes either way */
		}
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c)); /* nothing of a previous client survives */
	c->fd = fd;
	c->in = malloc(MGMT_LINE_MAX);
	if (!c->in || client_send_json(c, greeting()) != 0 ||
	    client_flush(c) != 0) {
		if (c->fd >= 0)
			client_close(c);
	}
}

static void accept_clients(struct mgmt *m)
{
	/* Bounded: a connect storm cannot hold the loop. */
	for (unsigned i = 0; i < 2 * MGMT_MAX_CLIENTS; i++) {
		int fd =
		    accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		accept_one(m, fd);
	}
}

int mgmt_poll(struct mgmt *m)
{
	char buf[MGMT_READ_CHUNK];
	int answered = 0;

	if (!m)
		return 0;
	accept_clients(m);
	for (unsigned i = 0; i < MGMT_MAX_CLIENTS; i++)
		if (m->cl[i].fd >= 0)
			answered += client_service(m, &m->cl[i], buf);
	return answered;
}

unsigned mgmt_nr_clients(const struct mgmt *m)
{
	unsigned n = 0;

	for (unsigned i = 0; m && i < MGMT_MAX_CLIENTS; i++)
		n += m->cl[i].fd >= 0;
	return n;
}

/* ---- open and close ---------------------------------------------------- */

/* A socket file at path: replace it if nobody listens (stale), refuse it
 * if someone does; refuse any other kind of file. 0 or -1 (err). */
static int clear_stale(const struct sockaddr_un *sa, char *err, size_t len)
{
	struct stat st;
	int fd, rc;

	if (lstat(sa->sun_path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, len, "%s exists and is not a socket",
			 sa->sun_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, len, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0) {
		snprintf(err, len, "%s is in use by a running server",
			 sa->sun_path);
		return -1;
	}
	unlink(sa->sun_path);
	return 0;
}

static int listen_on(struct mgmt *m, const char *path, char *err, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, len,
			 "management socket path is empty or too long "
			 "(at most %zu bytes)",
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (clear_stale(&sa, err, len) != 0)
		return -1;
	m->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->lfd < 0 ||
	    bind(m->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(m->lfd, MGMT_MAX_CLIENTS) != 0) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	strcpy(m->path, path);
	return 0;
}

struct mgmt *mgmt_open(const char *path, const struct mgmt_target_ops *ops,
		       void *opaque, char *err, size_t errlen)
{
	struct mgmt *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->lfd = -1;
	for (unsigned i = 0; i < MGMT_MAX_CLIENTS; i++)
		m->cl[i].fd = -1;
	if (ops)
		m->ops = *ops;
	m->opaque = opaque;
	if (listen_on(m, path, err, errlen) != 0) {
		if (m->lfd >= 0)
			close(m->lfd);
		free(m);
		return NULL;
	}
	return m;
}

void mgmt_close(struct mgmt *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < MGMT_MAX_CLIENTS; i++) {
		if (m->cl[i].fd >= 0)
			client_flush(&m->cl[i]);
		client_close(&m->cl[i]);
	}
	if (m->lfd >= 0)
		close(m->lfd);
	if (m->path[0])
		unlink(m->path);
	free(m);
}
