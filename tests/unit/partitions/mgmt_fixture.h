/*
 * tests/unit/partitions/mgmt_fixture.h — what the management API tests
 * share: a test machine (struct fake) implementing mgmt_target_ops, a
 * server on a real Unix socket in a temp directory (setup/teardown), and
 * clients that read by calling mgmt_poll() then recv(MSG_DONTWAIT) in a
 * bounded loop (the server is single-threaded and never blocks).
 * Helpers are static inline so that each test file uses what it needs.
 */
#ifndef HVSIM_TESTS_MGMT_FIXTURE_H_
#define HVSIM_TESTS_MGMT_FIXTURE_H_

#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "partitions/mgmt_api.h"
#include "sim/cli.h"
#include "sim/cmd_ctl.h"

/* ---- the test machine --------------------------------------------------- */

struct fake {
	struct mgmt_partition_info parts[3];
	unsigned n;
	bool machine_paused, quit;
	int last_id;	      /* id passed to the last action */
	const char *last_act; /* its name */
	bool fail_next;	      /* the next action fails */
	unsigned last_relid;  /* x-vmbus-rescind's channel */
	unsigned last_flags;  /* system_powerdown's flags */
};

static inline unsigned fk_list(void *o, struct mgmt_partition_info *out,
			       unsigned max)
{
	struct fake *f = o;
	unsigned n = f->n < max ? f->n : max;

	memcpy(out, f->parts, n * sizeof(*out));
	return n;
}

static inline int fk_act(struct fake *f, int id, const char *act,
			 const char *st, char *err, size_t len)
{
	f->last_id = id;
	f->last_act = act;
	if (f->fail_next) {
		f->fail_next = false;
		snprintf(err, len, "invalid state transition");
		return -1;
	}
	if (id == MGMT_MACHINE)
		f->machine_paused = !strcmp(act, "pause");
	else
		for (unsigned i = 0; i < f->n; i++)
			if (f->parts[i].id == id)
				f->parts[i].state = st;
	return 0;
}

static inline int fk_pause(void *o, int id, char *e, size_t l)
{
	return fk_act(o, id, "pause", "paused", e, l);
}

static inline int fk_resume(void *o, int id, char *e, size_t l)
{
	return fk_act(o, id, "resume", "running", e, l);
}

static inline int fk_stop(void *o, int id, char *e, size_t l)
{
	return fk_act(o, id, "stop", "shutdown", e, l);
}

static inline int fk_reset(void *o, int id, char *e, size_t l)
{
	return fk_act(o, id, "reset", "running", e, l);
}

static inline int fk_rescind(void *o, int id, unsigned relid, char *e,
			     size_t l)
{
	struct fake *f = o;

	f->last_relid = relid;
	return fk_act(f, id, "rescind", f->parts[id < 3 && id >= 0 ? id : 0].state,
		      e, l);
}

static inline int fk_powerdown(void *o, int id, unsigned flags, char *e,
			       size_t l)
{
	struct fake *f = o;

	f->last_flags = flags;
	return fk_act(f, id, "powerdown",
		      f->parts[id < 3 && id >= 0 ? id : 0].state, e, l);
}

static inline int fk_stats(void *o, int id, struct mgmt_stats *st, char *e,
			   size_t l)
{
	(void)o;
	(void)e;
	(void)l;
	st->cycles = 1000u * (unsigned)(id + 1);
	st->instructions = 500u * (unsigned)(id + 1);
	st->nr_exits = 2;
	st->exits[0] = (struct mgmt_exit_stat){"cpuid", 3u + (unsigned)id, 90};
	st->exits[1] = (struct mgmt_exit_stat){"hlt", 7, 140};
	return 0;
}

static inline void fk_status(void *o, struct mgmt_status *st)
{
	struct fake *f = o;

	st->status = f->machine_paused ? "paused" : "running";
	st->cycles = 2500;
	st->time_ns = 1000;
}

static inline void fk_quit(void *o)
{
	((struct fake *)o)->quit = true;
}

static const struct mgmt_target_ops fake_ops = {
    .list_partitions = fk_list,
    .pause = fk_pause,
    .resume = fk_resume,
    .stop = fk_stop,
    .reset = fk_reset,
    .rescind = fk_rescind,
    .powerdown = fk_powerdown,
    .query_stats = fk_stats,
    .query_status = fk_status,
    .quit = fk_quit,
};

static inline void fake_init(struct fake *f)
{
	static const char *const names[] = {"root", "child1", "child2"};

	memset(f, 0, sizeof(*f));
	f->n = 3;
	for (unsigned i = 0; i < 3; i++) {
		struct mgmt_partition_info *p = &f->parts[i];
		snprintf(p->name, sizeof(p->name), "%s", names[i]);
		p->id = (int)i;
		p->role = i ? "child" : "parent";
		p->state = "running";
		p->vcpus = i + 1;
		p->mem_bytes = (64ull << 20) * (i + 1);
		p->cycles = 100 * i;
		p->instructions = 10 * i;
	}
}

/* ---- the fixture: a server in a temp dir, clients --------------------- */

static struct fake fk;
static struct mgmt *m;
static char dir[64], sock[128];

static inline void setup(void)
{
	char err[256] = "";

	fake_init(&fk);
	strcpy(dir, "/tmp/hvsim-mgmt-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
	m = mgmt_open(sock, &fake_ops, &fk, err, sizeof(err));
	cr_assert_not_null(m, "mgmt_open: %s", err);
}

static inline void teardown(void)
{
	mgmt_close(m);
	m = NULL;
	unlink(sock);
	rmdir(dir);
}

struct client {
	int fd;
	size_t len;
	char buf[256 << 10];
};

static inline struct client *cl_new(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct client *c = calloc(1, sizeof(*c));

	cr_assert_not_null(c);
	strcpy(sa.sun_path, sock);
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_geq(c->fd, 0);
	cr_assert_eq(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0,
		     "connect: %s", strerror(errno));
	return c;
}

static inline void cl_free(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static inline void nap(void)
{
	struct timespec ts = {0, 500000};

	nanosleep(&ts, NULL);
}

/* Next raw line (without CRLF) or NULL at EOF/timeout. Caller frees.
 * *eof tells which. */
static inline char *cl_raw(struct client *c, bool *eof)
{
	*eof = false;
	for (int tries = 0; tries < 4000; tries++) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t n;
		if (nl) {
			size_t l = (size_t)(nl - c->buf) + 1;
			char *s = strndup(c->buf, l);
			memmove(c->buf, c->buf + l, c->len - l);
			c->len -= l;
			return s;
		}
		mgmt_poll(m);
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len - 1,
			 MSG_DONTWAIT);
		if (n == 0) {
			*eof = true;
			return NULL;
		}
		if (n > 0)
			c->len += (size_t)n;
		else
			nap();
	}
	return NULL;
}

static inline json_t *cl_json(struct client *c)
{
	bool eof;
	char *s = cl_raw(c, &eof);
	json_t *j;

	cr_assert_not_null(s, "no reply (%s)", eof ? "EOF" : "timeout");
	cr_assert(strlen(s) >= 2 && !strcmp(s + strlen(s) - 2, "\r\n"),
		  "line does not end in CRLF: %s", s);
	j = json_loads(s, 0, NULL);
	cr_assert_not_null(j, "not JSON: %s", s);
	free(s);
	return j;
}

static inline void cl_send(struct client *c, const char *s)
{
	size_t n = strlen(s);

	cr_assert_eq(send(c->fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Send a line, return the first message that is not an event. */
static inline json_t *cl_cmd(struct client *c, const char *line)
{
	cl_send(c, line);
	cl_send(c, "\n");
	for (;;) {
		json_t *j = cl_json(c);
		if (!json_object_get(j, "event"))
			return j;
		json_decref(j);
	}
}

static inline struct client *cl_ready(void)
{
	struct client *c = cl_new();
	json_t *g = cl_json(c), *r;

	json_decref(g);
	r = cl_cmd(c, "{\"execute\": \"qmp_capabilities\"}");
	cr_assert(json_is_object(json_object_get(r, "return")));
	json_decref(r);
	return c;
}

static inline const char *err_class(json_t *r)
{
	return json_string_value(
	    json_object_get(json_object_get(r, "error"), "class"));
}

static inline const char *err_desc(json_t *r)
{
	const char *d = json_string_value(
	    json_object_get(json_object_get(r, "error"), "desc"));
	return d ? d : "";
}

/* Expect an error reply of class cls whose desc contains want. */
static inline void expect_error(struct client *c, const char *line,
				const char *cls, const char *want)
{
	json_t *r = cl_cmd(c, line);

	cr_assert_str_eq(err_class(r) ? err_class(r) : "(none)", cls,
			 "%s -> %s", line, json_dumps(r, 0));
	cr_assert(strstr(err_desc(r), want), "%s: desc '%s' lacks '%s'", line,
		  err_desc(r), want);
	json_decref(r);
}

static inline json_t *expect_return(struct client *c, const char *line)
{
	json_t *r = cl_cmd(c, line), *ret = json_object_get(r, "return");

	cr_assert_not_null(ret, "%s -> %s", line, json_dumps(r, 0));
	json_incref(ret);
	json_decref(r);
	return ret;
}

#endif
