/*
 * tests/unit/partitions/test_mgmt_api.c — the management API
 * (partitions/mgmt_api.c, mgmt_cmds.c) over a real Unix socket in a temp
 * directory, against a test machine (struct fake) implementing
 * mgmt_target_ops: greeting, negotiation, each command, events, malformed
 * and oversized input, client limits and hang-ups, two clients at once;
 * and the argument parsing of `hvsim ctl` (sim/cmd_ctl.c).
 *
 * The server is single-threaded and non-blocking: the test's client reads
 * by calling mgmt_poll() and then recv(MSG_DONTWAIT) in a bounded loop.
 */
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
};

static unsigned fk_list(void *o, struct mgmt_partition_info *out, unsigned max)
{
	struct fake *f = o;
	unsigned n = f->n < max ? f->n : max;

	memcpy(out, f->parts, n * sizeof(*out));
	return n;
}

static int fk_act(struct fake *f, int id, const char *act, const char *st,
		  char *err, size_t len)
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

static int fk_pause(void *o, int id, char *e, size_t l)
{
	return fk_act(o, id, "pause", "paused", e, l);
}

static int fk_resume(void *o, int id, char *e, size_t l)
{
	return fk_act(o, id, "resume", "running", e, l);
}

static int fk_stop(void *o, int id, char *e, size_t l)
{
	return fk_act(o, id, "stop", "shutdown", e, l);
}

static int fk_reset(void *o, int id, char *e, size_t l)
{
	return fk_act(o, id, "reset", "running", e, l);
}

static int fk_stats(void *o, int id, struct mgmt_stats *st, char *e, size_t l)
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

static void fk_status(void *o, struct mgmt_status *st)
{
	struct fake *f = o;

	st->status = f->machine_paused ? "paused" : "running";
	st->cycles = 2500;
	st->time_ns = 1000;
}

static void fk_quit(void *o)
{
	((struct fake *)o)->quit = true;
}

static const struct mgmt_target_ops fake_ops = {
    .list_partitions = fk_list,
    .pause = fk_pause,
    .resume = fk_resume,
    .stop = fk_stop,
    .reset = fk_reset,
    .query_stats = fk_stats,
    .query_status = fk_status,
    .quit = fk_quit,
};

static void fake_init(struct fake *f)
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

static void setup(void)
{
	char err[256] = "";

	fake_init(&fk);
	strcpy(dir, "/tmp/hvsim-mgmt-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
	m = mgmt_open(sock, &fake_ops, &fk, err, sizeof(err));
	cr_assert_not_null(m, "mgmt_open: %s", err);
}

static void teardown(void)
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

static struct client *cl_new(void)
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

static void cl_free(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static void nap(void)
{
	struct timespec ts = {0, 500000};

	nanosleep(&ts, NULL);
}

/* Next raw line (without CRLF) or NULL at EOF/timeout. Caller frees.
 * *eof tells which. */
static char *cl_raw(struct client *c, bool *eof)
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

static json_t *cl_json(struct client *c)
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

static void cl_send(struct client *c, const char *s)
{
	size_t n = strlen(s);

	cr_assert_eq(send(c->fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Send a line, return the first message that is not an event. */
static json_t *cl_cmd(struct client *c, const char *line)
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

static struct client *cl_ready(void)
{
	struct client *c = cl_new();
	json_t *g = cl_json(c), *r;

	json_decref(g);
	r = cl_cmd(c, "{\"execute\": \"qmp_capabilities\"}");
	cr_assert(json_is_object(json_object_get(r, "return")));
	json_decref(r);
	return c;
}

static const char *err_class(json_t *r)
{
	return json_string_value(
	    json_object_get(json_object_get(r, "error"), "class"));
}

static const char *err_desc(json_t *r)
{
	const char *d = json_string_value(
	    json_object_get(json_object_get(r, "error"), "desc"));
	return d ? d : "";
}

/* Expect an error reply of class cls whose desc contains want. */
static void expect_error(struct client *c, const char *line, const char *cls,
			 const char *want)
{
	json_t *r = cl_cmd(c, line);

	cr_assert_str_eq(err_class(r) ? err_class(r) : "(none)", cls,
			 "%s -> %s", line, json_dumps(r, 0));
	cr_assert(strstr(err_desc(r), want), "%s: desc '%s' lacks '%s'", line,
		  err_desc(r), want);
	json_decref(r);
}

static json_t *expect_return(struct client *c, const char *line)
{
	json_t *r = cl_cmd(c, line), *ret = json_object_get(r, "return");

	cr_assert_not_null(ret, "%s -> %s", line, json_dumps(r, 0));
	json_incref(ret);
	json_decref(r);
	return ret;
}

TestSuite(mgmt, .init = setup, .fini = teardown, .timeout = 60);

/* ---- greeting and negotiation ------------------------------------------ */

Test(mgmt, greeting_names_version_and_no_capabilities)
{
	struct client *c = cl_new();
	json_t *g = cl_json(c), *q = json_object_get(g, "QMP");
	json_t *v = json_object_get(q, "version");

	cr_assert(json_is_object(q));
	cr_assert(json_is_integer(
	    json_object_get(json_object_get(v, "qemu"), "major")));
	cr_assert(
	    strstr(json_string_value(json_object_get(v, "package")), "hvsim"));
	cr_assert(json_is_array(json_object_get(q, "capabilities")));
	cr_assert_eq(json_array_size(json_object_get(q, "capabilities")), 0);
	json_decref(g);
	cl_free(c);
}

Test(mgmt, commands_before_negotiation_are_refused)
{
	struct client *c = cl_new();
	json_t *r;

	json_decref(cl_json(c));
	expect_error(c, "{\"execute\": \"query-status\"}", "CommandNotFound",
		     "qmp_capabilities");
	expect_error(c, "{\"execute\": \"quit\"}", "CommandNotFound",
		     "qmp_capabilities");
	cr_assert_not(fk.quit, "a command ran before negotiation");
	r = expect_return(c, "{\"execute\": \"qmp_capabilities\"}");
	cr_assert_eq(json_object_size(r), 0);
	json_decref(r);
	expect_error(c, "{\"execute\": \"qmp_capabilities\"}",
		     "CommandNotFound", "already complete");
	r = expect_return(c, "{\"execute\": \"query-status\"}");
	json_decref(r);
	cl_free(c);
}

Test(mgmt, capabilities_we_do_not_offer_are_refused)
{
	struct client *c = cl_new();

	json_decref(cl_json(c));
	expect_error(c,
		     "{\"execute\": \"qmp_capabilities\", \"arguments\": "
		     "{\"enable\": [\"oob\"]}}",
		     "GenericError", "'oob' not available");
	expect_error(c,
		     "{\"execute\": \"qmp_capabilities\", \"arguments\": "
		     "{\"enable\": 1}}",
		     "GenericError", "expected: array");
	/* Still negotiating: the failures did not complete it. */
	expect_error(c, "{\"execute\": \"query-status\"}", "CommandNotFound",
		     "qmp_capabilities");
	json_decref(expect_return(
	    c, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
	       "{\"enable\": []}}"));
	cl_free(c);
}

Test(mgmt, id_is_echoed_on_success_and_error)
{
	struct client *c = cl_ready();
	json_t *r;

	r = cl_cmd(c, "{\"execute\": \"query-status\", \"id\": \"a1\"}");
	cr_assert_str_eq(json_string_value(json_object_get(r, "id")), "a1");
	json_decref(r);
	r = cl_cmd(c, "{\"execute\": \"nope\", \"id\": 42}");
	cr_assert_eq(json_integer_value(json_object_get(r, "id")), 42);
	cr_assert_str_eq(err_class(r), "CommandNotFound");
	json_decref(r);
	r = cl_cmd(c, "{\"id\": {\"k\": [1]}, \"execute\": \"stop\"}");
	cr_assert_eq(json_integer_value(json_array_get(
			 json_object_get(json_object_get(r, "id"), "k"), 0)),
		     1);
	json_decref(r);
	cl_free(c);
}

/* ---- each command ------------------------------------------------------- */

Test(mgmt, query_version_and_commands)
{
	struct client *c = cl_ready();
	json_t *v = expect_return(c, "{\"execute\": \"query-version\"}");
	json_t *cmds;
	static const char *const want[] = {"qmp_capabilities",
					   "query-version",
					   "query-commands",
					   "query-status",
					   "query-partitions",
					   "query-stats",
					   "stop",
					   "cont",
					   "partition-pause",
					   "partition-resume",
					   "partition-stop",
					   "partition-reset",
					   "quit"};

	cr_assert(json_is_object(json_object_get(v, "qemu")));
	json_decref(v);
	cmds = expect_return(c, "{\"execute\": \"query-commands\"}");
	cr_assert_eq(json_array_size(cmds), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		bool seen = false;
		size_t k;
		json_t *e;
		json_array_foreach(cmds, k, e) seen |= !strcmp(
		    json_string_value(json_object_get(e, "name")), want[i]);
		cr_assert(seen, "query-commands lacks %s", want[i]);
	}
	json_decref(cmds);
	cl_free(c);
}

Test(mgmt, query_status_follows_stop_and_cont_with_events)
{
	struct client *c = cl_ready();
	json_t *s = expect_return(c, "{\"execute\": \"query-status\"}"), *ev;

	cr_assert(json_is_true(json_object_get(s, "running")));
	cr_assert_str_eq(json_string_value(json_object_get(s, "status")),
			 "running");
	cr_assert_eq(json_integer_value(json_object_get(s, "sim-cycles")),
		     2500);
	cr_assert_eq(json_integer_value(json_object_get(s, "sim-time-ns")),
		     1000);
	json_decref(s);
	cl_send(c, "{\"execute\": \"stop\"}\n");
	ev = cl_json(c);
	cr_assert_str_eq(json_string_value(json_object_get(ev, "event")),
			 "STOP");
	cr_assert(json_is_integer(
	    json_object_get(json_object_get(ev, "timestamp"), "seconds")));
	json_decref(ev);
	s = cl_json(c);
	cr_assert(json_is_object(json_object_get(s, "return")));
	json_decref(s);
	cr_assert(fk.machine_paused);
	cr_assert_eq(fk.last_id, MGMT_MACHINE);
	s = expect_return(c, "{\"execute\": \"query-status\"}");
	cr_assert(json_is_false(json_object_get(s, "running")));
	cr_assert_str_eq(json_string_value(json_object_get(s, "status")),
			 "paused");
	json_decref(s);
	cl_send(c, "{\"execute\": \"cont\"}\n");
	ev = cl_json(c);
	cr_assert_str_eq(json_string_value(json_object_get(ev, "event")),
			 "RESUME");
	json_decref(ev);
	json_decref(cl_json(c));
	cr_assert_not(fk.machine_paused);
	cl_free(c);
}

Test(mgmt, query_partitions_lists_every_field)
{
	struct client *c = cl_ready();
	json_t *a = expect_return(c, "{\"execute\": \"query-partitions\"}");
	json_t *p;

	cr_assert_eq(json_array_size(a), 3);
	p = json_array_get(a, 2);
	cr_assert_eq(json_integer_value(json_object_get(p, "id")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(p, "name")),
			 "child2");
	cr_assert_str_eq(json_string_value(json_object_get(p, "role")),
			 "child");
	cr_assert_str_eq(json_string_value(json_object_get(p, "state")),
			 "running");
	cr_assert_eq(json_integer_value(json_object_get(p, "vcpus")), 3);
	cr_assert_eq(json_integer_value(json_object_get(p, "memory")),
		     192 << 20);
	cr_assert_eq(json_integer_value(json_object_get(p, "cycles")), 200);
	cr_assert_eq(json_integer_value(json_object_get(p, "instructions")),
		     20);
	cr_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(a, 0), "role")),
	    "parent");
	json_decref(a);
	cl_free(c);
}

Test(mgmt, partition_actions_by_name_and_id)
{
	static const struct {
		const char *cmd, *act, *state;
	} t[] = {
	    {"partition-pause", "pause", "paused"},
	    {"partition-resume", "resume", "running"},
	    {"partition-stop", "stop", "shutdown"},
	    {"partition-reset", "reset", "running"},
	};
	struct client *c = cl_ready();
	char line[160];

	for (size_t i = 0; i < 4; i++) {
		json_t *r, *ev;
		snprintf(line, sizeof(line),
			 "{\"execute\": \"%s\", \"arguments\": "
			 "%s}\n",
			 t[i].cmd,
			 i & 1 ? "{\"id\": 1}" : "{\"name\": \"child1\"}");
		cl_send(c, line);
		ev = cl_json(c);
		cr_assert_str_eq(
		    json_string_value(json_object_get(ev, "event")),
		    "X_HV_PARTITION_STATE_CHANGE");
		cr_assert_str_eq(json_string_value(json_object_get(
				     json_object_get(ev, "data"), "state")),
				 t[i].state);
		json_decref(ev);
		r = cl_json(c);
		cr_assert(json_is_object(json_object_get(r, "return")), "%s",
			  line);
		json_decref(r);
		cr_assert_eq(fk.last_id, 1);
		cr_assert_str_eq(fk.last_act, t[i].act);
		cr_assert_str_eq(fk.parts[1].state, t[i].state);
	}
	cl_free(c);
}

Test(mgmt, partition_argument_errors)
{
	struct client *c = cl_ready();

	expect_error(c, "{\"execute\": \"partition-pause\"}", "GenericError",
		     "'name' is missing");
	expect_error(c,
		     "{\"execute\": \"partition-pause\", \"arguments\": "
		     "{\"name\": \"ghost\"}}",
		     "GenericError", "'ghost' not found");
	expect_error(c,
		     "{\"execute\": \"partition-stop\", \"arguments\": "
		     "{\"id\": 9}}",
		     "GenericError", "9 not found");
	expect_error(c,
		     "{\"execute\": \"partition-pause\", \"arguments\": "
		     "{\"name\": 3}}",
		     "GenericError", "expected: string");
	expect_error(c,
		     "{\"execute\": \"partition-pause\", \"arguments\": "
		     "{\"id\": \"1\"}}",
		     "GenericError", "expected: integer");
	expect_error(c,
		     "{\"execute\": \"partition-pause\", \"arguments\": "
		     "{\"name\": \"child1\", \"id\": 1}}",
		     "GenericError", "not both");
	expect_error(c,
		     "{\"execute\": \"partition-pause\", \"arguments\": "
		     "{\"name\": \"child1\", \"force\": true}}",
		     "GenericError", "'force' is unexpected");
	expect_error(c,
		     "{\"execute\": \"query-status\", \"arguments\": "
		     "{\"x\": 1}}",
		     "GenericError", "'x' is unexpected");
	cr_assert_null(fk.last_act, "an action ran on bad arguments");
	cl_free(c);
}

Test(mgmt, a_failing_action_reports_its_reason)
{
	struct client *c = cl_ready();

	fk.fail_next = true;
	expect_error(c,
		     "{\"execute\": \"partition-reset\", \"arguments\": "
		     "{\"name\": \"child2\"}}",
		     "GenericError", "invalid state transition");
	cr_assert_str_eq(fk.parts[2].state, "running");
	fk.fail_next = true;
	expect_error(c, "{\"execute\": \"stop\"}", "GenericError",
		     "invalid state transition");
	cr_assert_not(fk.machine_paused);
	cl_free(c);
}

Test(mgmt, query_stats_one_and_all)
{
	struct client *c = cl_ready();
	json_t *s, *ex;

	s = expect_return(c, "{\"execute\": \"query-stats\", \"arguments\": "
			     "{\"name\": \"child1\"}}");
	cr_assert_eq(json_integer_value(json_object_get(s, "cycles")), 2000);
	cr_assert_eq(json_integer_value(json_object_get(s, "instructions")),
		     1000);
	ex = json_object_get(s, "exits");
	cr_assert_eq(json_object_size(ex), 2);
	cr_assert_eq(json_integer_value(json_object_get(
			 json_object_get(ex, "cpuid"), "count")),
		     4);
	cr_assert_eq(json_integer_value(
			 json_object_get(json_object_get(ex, "hlt"), "cycles")),
		     140);
	json_decref(s);
	s = expect_return(c, "{\"execute\": \"query-stats\"}");
	cr_assert_eq(json_array_size(s), 3);
	cr_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(s, 0), "name")),
	    "root");
	json_decref(s);
	cl_free(c);
}

Test(mgmt, quit_asks_the_machine_and_announces_shutdown)
{
	struct client *c = cl_ready();
	json_t *ev;

	cl_send(c, "{\"execute\": \"quit\"}\n");
	ev = cl_json(c);
	cr_assert_str_eq(json_string_value(json_object_get(ev, "event")),
			 "SHUTDOWN");
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_object_get(ev, "data"), "reason")),
			 "host-qmp-quit");
	json_decref(ev);
	ev = cl_json(c);
	cr_assert(json_is_object(json_object_get(ev, "return")));
	json_decref(ev);
	cr_assert(fk.quit);
	cl_free(c);
}

Test(mgmt, missing_ops_answer_not_supported)
{
	static const struct mgmt_target_ops none = {0};
	char path[160], err[128];
	struct mgmt *m2;
	struct mgmt *saved = m;
	struct client *c;

	snprintf(path, sizeof(path), "%s/none.sock", dir);
	m2 = mgmt_open(path, &none, NULL, err, sizeof(err));
	cr_assert_not_null(m2, "%s", err);
	m = m2; /* the client helpers poll m */
	strcpy(sock, path);
	c = cl_ready();
	expect_error(c, "{\"execute\": \"query-partitions\"}", "GenericError",
		     "not supported");
	expect_error(c, "{\"execute\": \"stop\"}", "GenericError",
		     "not supported");
	expect_error(c, "{\"execute\": \"quit\"}", "GenericError",
		     "not supported");
	cl_free(c);
	mgmt_close(m2);
	m = saved;
	snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
	cr_assert_neq(access(path, F_OK), 0, "mgmt_close left the socket");
}

/* ---- malformed input ---------------------------------------------------- */

Test(mgmt, malformed_requests_get_errors_and_the_session_goes_on)
{
	static const struct {
		const char *line, *cls, *want;
	} t[] = {
	    {"{\"execute\": ", "GenericError", "JSON parse error"},
	    {"not json at all", "GenericError", "JSON parse error"},
	    {"{\"execute\": \"stop\"} trailing", "GenericError",
	     "JSON parse error"},
	    {"{\"execute\": \"\xff\xfe\"}", "GenericError", "JSON parse error"},
	    {"[1, 2]", "GenericError", "must be a JSON object"},
	    {"42", "GenericError", "must be a JSON object"},
	    {"\"query-status\"", "GenericError", "must be a JSON object"},
	    {"null", "GenericError", "must be a JSON object"},
	    {"{}", "GenericError", "lacks member 'execute'"},
	    {"{\"execute\": 7}", "GenericError", "must be a string"},
	    {"{\"execute\": \"stop\", \"arguments\": []}", "GenericError",
	     "'arguments' must be an object"},
	    {"{\"execute\": \"stop\", \"extra\": 1}", "GenericError",
	     "'extra' is unexpected"},
	    {"{\"execute\": \"no-such-command\"}", "CommandNotFound",
	     "no-such-command has not been found"},
	};
	struct client *c = cl_ready();
	json_t *r;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		expect_error(c, t[i].line, t[i].cls, t[i].want);
	cr_assert_not(fk.machine_paused, "a malformed 'stop' ran");
	r = expect_return(c, "{\"execute\": \"query-status\"}");
	json_decref(r);
	cl_free(c);
}

Test(mgmt, blank_lines_are_ignored_and_crlf_accepted)
{
	struct client *c = cl_ready();
	json_t *r;

	cl_send(c, "\n\r\n   \n\t\r\n");
	r = cl_cmd(c, "{\"execute\": \"query-status\", \"id\": 1}\r");
	cr_assert_eq(json_integer_value(json_object_get(r, "id")), 1);
	cr_assert(json_is_object(json_object_get(r, "return")));
	json_decref(r);
	cl_free(c);
}

Test(mgmt, pipelined_requests_are_answered_in_order)
{
	struct client *c = cl_ready();

	cl_send(c, "{\"execute\": \"query-version\", \"id\": 1}\n"
		   "{\"execute\": \"query-status\", \"id\": 2}\n"
		   "{\"execute\": \"query-partitions\", \"id\": 3}\n");
	for (int i = 1; i <= 3; i++) {
		json_t *r = cl_json(c);
		cr_assert_eq(json_integer_value(json_object_get(r, "id")), i);
		cr_assert_not_null(json_object_get(r, "return"));
		json_decref(r);
	}
	cl_free(c);
}

/* Send n bytes of filler (no newline) in pieces, polling the server. */
static void send_filler(struct client *c, size_t n)
{
	char chunk[4096];

	memset(chunk, 'x', sizeof(chunk));
	while (n) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
		ssize_t w = send(c->fd, chunk, k, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0)
			n -= (size_t)w;
		else
			nap();
		mgmt_poll(m);
	}
}

Test(mgmt, overlong_line_gets_one_error_and_is_dropped_whole)
{
	struct client *c = cl_ready();
	json_t *r;

	send_filler(c, 3 * MGMT_LINE_MAX + 123);
	r = cl_json(c);
	cr_assert_str_eq(err_class(r), "GenericError");
	cr_assert(strstr(err_desc(r), "longer than"), "%s", err_desc(r));
	json_decref(r);
	/* The rest of that line is ignored; the next line is served. */
	cl_send(c, "{\"execute\": \"stop\"}\n");
	r = cl_cmd(c, "{\"execute\": \"query-status\", \"id\": 5}");
	cr_assert_eq(json_integer_value(json_object_get(r, "id")), 5,
		     "the tail of the long line was parsed");
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_object_get(r, "return"), "status")),
			 "running");
	json_decref(r);
	cr_assert_not(fk.machine_paused);
	cl_free(c);
}

Test(mgmt, line_of_exactly_the_limit_is_parsed)
{
	struct client *c = cl_ready();
	const char *head = "{\"execute\": \"query-status\", \"id\": \"";
	size_t pad = MGMT_LINE_MAX - strlen(head) - 2;
	char *line = malloc(MGMT_LINE_MAX + 1);
	json_t *r;

	strcpy(line, head);
	memset(line + strlen(head), 'a', pad);
	strcpy(line + strlen(head) + pad, "\"}");
	cr_assert_eq(strlen(line), MGMT_LINE_MAX);
	r = cl_cmd(c, line);
	cr_assert(json_is_object(json_object_get(r, "return")));
	cr_assert_eq(strlen(json_string_value(json_object_get(r, "id"))), pad);
	json_decref(r);
	free(line);
	cl_free(c);
}

/* ---- clients ------------------------------------------------------------ */

Test(mgmt, client_hanging_up_mid_line_is_forgotten)
{
	struct client *a = cl_ready(), *b = cl_ready();
	json_t *r;

	cr_assert_eq(mgmt_nr_clients(m), 2);
	cl_send(a, "{\"execute\": \"st");
	mgmt_poll(m);
	close(a->fd);
	a->fd = -1;
	for (int i = 0; i < 100 && mgmt_nr_clients(m) != 1; i++) {
		mgmt_poll(m);
		nap();
	}
	cr_assert_eq(mgmt_nr_clients(m), 1);
	cr_assert_not(fk.machine_paused, "a partial line was run");
	r = expect_return(b, "{\"execute\": \"query-status\"}");
	json_decref(r);
	cl_free(a);
	cl_free(b);
}

Test(mgmt, too_many_clients_are_told_and_closed)
{
	struct client *c[MGMT_MAX_CLIENTS], *extra;
	bool eof;
	char *s;
	json_t *r;

	for (int i = 0; i < MGMT_MAX_CLIENTS; i++)
		c[i] = cl_ready();
	extra = cl_new();
	r = cl_json(extra);
	cr_assert_str_eq(err_class(r), "GenericError");
	cr_assert(strstr(err_desc(r), "too many clients"));
	json_decref(r);
	s = cl_raw(extra, &eof);
	cr_assert_null(s);
	cr_assert(eof, "the extra client was not closed");
	cr_assert_eq(mgmt_nr_clients(m), MGMT_MAX_CLIENTS);
	cl_free(extra);
	/* A slot freed is a slot reused. */
	cl_free(c[0]);
	for (int i = 0; i < 100 && mgmt_nr_clients(m) == MGMT_MAX_CLIENTS;
	     i++) {
		mgmt_poll(m);
		nap();
	}
	c[0] = cl_ready();
	for (int i = 0; i < MGMT_MAX_CLIENTS; i++)
		cl_free(c[i]);
}

Test(mgmt, two_clients_interleaved_and_events_to_negotiated_only)
{
	struct client *a = cl_ready(), *b = cl_ready(), *raw = cl_new();
	json_t *r;
	bool eof;
	char *s;

	json_decref(cl_json(raw)); /* greeting; never negotiates */
	cl_send(a, "{\"execute\": \"query-status\", \"id\": \"a\"}\n");
	cl_send(b, "{\"execute\": \"query-version\", \"id\": \"b\"}\n");
	r = cl_json(b);
	cr_assert_str_eq(json_string_value(json_object_get(r, "id")), "b");
	json_decref(r);
	r = cl_json(a);
	cr_assert_str_eq(json_string_value(json_object_get(r, "id")), "a");
	json_decref(r);
	cr_assert_eq(mgmt_emit_event(m, "TEST_EVENT", "{\"n\": 7}"), 2);
	r = cl_json(a);
	cr_assert_eq(json_integer_value(
			 json_object_get(json_object_get(r, "data"), "n")),
		     7);
	json_decref(r);
	r = cl_json(b);
	cr_assert_str_eq(json_string_value(json_object_get(r, "event")),
			 "TEST_EVENT");
	json_decref(r);
	/* The un-negotiated client got nothing. */
	for (int i = 0; i < 20; i++)
		mgmt_poll(m);
	cr_assert_eq(recv(raw->fd, &eof, 1, MSG_DONTWAIT), -1);
	cr_assert_eq(errno, EAGAIN);
	/* And a stop from a reaches b as an event. */
	r = cl_cmd(a, "{\"execute\": \"stop\"}");
	json_decref(r);
	s = cl_raw(b, &eof);
	cr_assert_not_null(s);
	cr_assert(strstr(s, "\"STOP\""), "%s", s);
	free(s);
	cl_free(a);
	cl_free(b);
	cl_free(raw);
}

Test(mgmt, event_data_must_be_an_object)
{
	struct client *a = cl_ready();

	cr_assert_eq(mgmt_emit_event(m, "X", "[1]"), -1);
	cr_assert_eq(mgmt_emit_event(m, "X", "{bad"), -1);
	cr_assert_eq(mgmt_emit_event(m, "X", NULL), 1);
	cr_assert_eq(mgmt_emit_event(NULL, "X", NULL), -1);
	cl_free(a);
}

Test(mgmt, client_that_never_reads_is_dropped_not_waited_for)
{
	struct client *slow = cl_ready(), *ok;
	char *data = malloc(8192 + 32);
	int reached = 0, i;

	strcpy(data, "{\"pad\": \"");
	memset(data + 9, 'p', 8192);
	strcpy(data + 9 + 8192, "\"}");
	/* Far more than socket buffers plus MGMT_OUT_MAX. */
	for (i = 0; i < 4000 && mgmt_nr_clients(m) == 1; i++)
		reached += mgmt_emit_event(m, "FLOOD", data);
	cr_assert_eq(mgmt_nr_clients(m), 0, "slow client kept after %d", i);
	cr_assert_gt(reached, 10);
	free(data);
	ok = cl_ready();
	json_decref(expect_return(ok, "{\"execute\": \"query-status\"}"));
	cl_free(ok);
	cl_free(slow);
}

/* ---- opening the socket ------------------------------------------------- */

Test(mgmt, path_too_long_is_refused)
{
	char path[300], err[200] = "";

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	cr_assert_null(mgmt_open(path, &fake_ops, &fk, err, sizeof(err)));
	cr_assert(strstr(err, "too long"), "%s", err);
	cr_assert_null(mgmt_open("", &fake_ops, &fk, err, sizeof(err)));
}

Test(mgmt, stale_socket_is_replaced_live_one_and_files_refused)
{
	char path[160], err[200] = "";
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct mgmt *m2;
	int fd;

	/* Live: our own server's socket. */
	cr_assert_null(mgmt_open(sock, &fake_ops, &fk, err, sizeof(err)));
	cr_assert(strstr(err, "in use"), "%s", err);
	/* Stale: a socket file nobody listens on. */
	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	m2 = mgmt_open(path, &fake_ops, &fk, err, sizeof(err));
	cr_assert_not_null(m2, "stale socket not replaced: %s", err);
	mgmt_close(m2);
	/* Anything else is left alone. */
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_null(mgmt_open(path, &fake_ops, &fk, err, sizeof(err)));
	cr_assert(strstr(err, "not a socket"), "%s", err);
	cr_assert_eq(access(path, F_OK), 0);
	unlink(path);
}

/* ---- hvsim ctl ---------------------------------------------------------- */

static json_t *built(int argc, char **argv)
{
	char err[256] = "";
	char *s = ctl_build_request(argc, argv, err, sizeof(err));
	json_t *j;

	cr_assert_not_null(s, "%s", err);
	j = json_loads(s, 0, NULL);
	cr_assert_not_null(j, "%s", s);
	free(s);
	return j;
}

static void build_fails(int argc, char **argv, const char *want)
{
	char err[256] = "";
	char *s = ctl_build_request(argc, argv, err, sizeof(err));

	cr_assert_null(s, "built '%s'", s ? s : "");
	cr_assert(strstr(err, want), "error '%s' lacks '%s'", err, want);
}

Test(ctl, command_without_arguments)
{
	char *argv[] = {"query-status"};
	json_t *j = built(1, argv);

	cr_assert_str_eq(json_string_value(json_object_get(j, "execute")),
			 "query-status");
	cr_assert_null(json_object_get(j, "arguments"));
	cr_assert_not_null(json_object_get(j, "id"));
	json_decref(j);
}

Test(ctl, key_value_is_a_string_and_key_colon_is_json)
{
	char *argv[] = {"partition-pause", "name=child1", "id:=3", "flag:=true",
			"list:=[1,\"a\"]", "text=a=b",	  "n=42"};
	json_t *j = built(7, argv), *a = json_object_get(j, "arguments");

	cr_assert_str_eq(json_string_value(json_object_get(a, "name")),
			 "child1");
	cr_assert_eq(json_integer_value(json_object_get(a, "id")), 3);
	cr_assert(json_is_true(json_object_get(a, "flag")));
	cr_assert_eq(json_array_size(json_object_get(a, "list")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(a, "text")), "a=b");
	cr_assert_str_eq(json_string_value(json_object_get(a, "n")), "42");
	json_decref(j);
}

Test(ctl, bad_arguments_are_usage_errors)
{
	char *a1[] = {"stop", "novalue"};
	char *a2[] = {"stop", "=x"};
	char *a3[] = {"stop", "id:={bad"};
	char *a4[] = {"stop", "a=1", "a=2"};
	char *a5[] = {"raw"};
	char *a6[] = {"raw", "{\"execute\":\"stop\"}\n{}"};
	char *a7[] = {"raw", "a", "b"};
	char *a8[] = {""};

	build_fails(2, a1, "KEY=VALUE");
	build_fails(2, a2, "KEY=VALUE");
	build_fails(2, a3, "not JSON");
	build_fails(3, a4, "given twice");
	build_fails(1, a5, "raw takes one argument");
	build_fails(2, a6, "one-line");
	build_fails(3, a7, "raw takes one argument");
	build_fails(1, a8, "no command");
	build_fails(0, a8, "no command");
}

Test(ctl, raw_is_sent_unchanged)
{
	char *argv[] = {"raw", "{\"execute\": \"query-status\", \"id\": 9}"};
	char err[64];
	char *s = ctl_build_request(2, argv, err, sizeof(err));

	cr_assert_str_eq(s, argv[1]);
	free(s);
}

/* Print a reply into a memory stream; return the status and the text. */
static int printed(const char *cmd, const char *reply, char **out_text,
		   char **err_text)
{
	size_t on = 0, en = 0;
	FILE *o = open_memstream(out_text, &on);
	FILE *e = open_memstream(err_text, &en);
	int rc = ctl_print_reply(cmd, reply, o, e);

	fclose(o);
	fclose(e);
	return rc;
}

Test(ctl, replies_print_as_json_table_or_error)
{
	char *o, *e;

	cr_assert_eq(printed("query-status",
			     "{\"return\": {\"running\": true}, \"id\": 1}", &o,
			     &e),
		     0);
	cr_assert(strstr(o, "\"running\": true"), "%s", o);
	free(o);
	free(e);
	cr_assert_eq(printed("query-partitions",
			     "{\"return\": [{\"id\": 1, \"name\": \"child1\", "
			     "\"role\": \"child\", \"state\": \"paused\", "
			     "\"vcpus\": 2, \"memory\": 134217728, "
			     "\"cycles\": 77, \"instructions\": 55}]}",
			     &o, &e),
		     0);
	cr_assert(strstr(o, "NAME") && strstr(o, "child1") &&
		      strstr(o, "paused") && strstr(o, "128M"),
		  "%s", o);
	free(o);
	free(e);
	cr_assert_eq(printed("stop",
			     "{\"error\": {\"class\": \"GenericError\", "
			     "\"desc\": \"nope\"}}",
			     &o, &e),
		     1);
	cr_assert(strstr(e, "GenericError: nope"), "%s", e);
	free(o);
	free(e);
	cr_assert_eq(printed("stop", "garbage", &o, &e), 2);
	free(o);
	free(e);
	cr_assert_eq(printed("stop", "{\"neither\": 1}", &o, &e), 2);
	free(o);
	free(e);
}

Test(ctl, usage_and_connection_errors_exit_2, .init = setup, .fini = teardown)
{
	char missing[160];
	char *a1[] = {"ctl"};
	char *a2[] = {"ctl", missing, "query-status"};
	char *a3[] = {"ctl", sock, "stop", "bad"};

	snprintf(missing, sizeof(missing), "%s/nobody.sock", dir);
	cr_assert_eq(cmd_ctl(1, a1), CTL_EXIT_USAGE);
	cr_assert_eq(cmd_ctl(3, a2), CTL_EXIT_USAGE);
	cr_assert_eq(cmd_ctl(4, a3), CTL_EXIT_USAGE);
}

/* Run `hvsim ctl` in a child process while this one serves. */
static int ctl_against_server(char **argv, int argc, const char *outfile)
{
	pid_t pid = fork();
	int st = 0;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (!freopen(outfile, "w", stdout))
			_exit(99);
		int rc = cmd_ctl(argc, argv);
		fflush(stdout);
		_exit(rc);
	}
	for (int i = 0; i < 20000; i++) {
		mgmt_poll(m);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		nap();
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

Test(ctl, end_to_end_against_a_live_server, .init = setup, .fini = teardown,
     .timeout = 60)
{
	char out[160], text[4096] = "";
	char *a1[] = {"ctl", sock, "partition-pause", "name=child2"};
	char *a2[] = {"ctl", sock, "query-partitions"};
	char *a3[] = {"ctl", sock, "partition-pause", "name=ghost"};
	char *a4[] = {"ctl", sock, "raw", "{\"execute\":\"query-version\"}"};
	struct client *watcher = cl_ready();
	FILE *f;
	json_t *ev;

	snprintf(out, sizeof(out), "%s/out.txt", dir);
	cr_assert_eq(ctl_against_server(a1, 4, out), 0);
	cr_assert_str_eq(fk.parts[2].state, "paused");
	ev = cl_json(watcher); /* the other client saw it happen */
	cr_assert_str_eq(json_string_value(json_object_get(ev, "event")),
			 "X_HV_PARTITION_STATE_CHANGE");
	json_decref(ev);
	cr_assert_eq(ctl_against_server(a2, 3, out), 0);
	f = fopen(out, "r");
	cr_assert_not_null(f);
	cr_assert_gt(fread(text, 1, sizeof(text) - 1, f), 0);
	fclose(f);
	cr_assert(strstr(text, "child2") && strstr(text, "paused"), "%s", text);
	cr_assert_eq(ctl_against_server(a3, 4, out), 1);
	cr_assert_eq(ctl_against_server(a4, 4, out), 0);
	unlink(out);
	cl_free(watcher);
}

/* ---- random input ---------------------------------------------------------
 */

/* xorshift64: a fixed, portable sequence. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(mgmt, random_bytes_never_stop_the_server)
{
	static const char alphabet[] = "{}[]\":,\\ \t\r\nexecute0123456789"
				       "nulltruefalse\x00\x01\x7f\x80\xc3\xff";
	struct client *c = cl_ready(), *other = cl_ready();
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	char buf[512];
	json_t *r;

	for (int round = 0; round < 400; round++) {
		size_t n = rnd(&seed) % sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] =
			    (rnd(&seed) & 3)
				? alphabet[rnd(&seed) % (sizeof(alphabet) - 1)]
				: (char)rnd(&seed);
		if (send(c->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			break; /* dropped for not reading: also fine */
		mgmt_poll(m);
		c->len = 0; /* replies are not read here, only counted on */
		while (recv(c->fd, c->buf, sizeof(c->buf), MSG_DONTWAIT) > 0)
			;
	}
	/* The other client is served as before. */
	r = expect_return(other, "{\"execute\": \"query-status\"}");
	cr_assert(json_is_true(json_object_get(r, "running")) ||
		  json_is_false(json_object_get(r, "running")));
	json_decref(r);
	cl_free(c);
	cl_free(other);
}

/* ---- hvsim run --mgmt (sim/mgmt_glue.c) ------------------------------ */

/* A native-boot ELF64 with code at 1 MiB (at most 0x100 bytes). */
static void write_guest(const char *path, const uint8_t *code, size_t len)
{
	static _Alignas(8) uint8_t img[0x200];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	int fd;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x100000;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	*ph = (Elf64_Phdr){.p_type = PT_LOAD,
			   .p_flags = PF_R | PF_X,
			   .p_offset = 0x100,
			   .p_vaddr = 0x100000,
			   .p_paddr = 0x100000,
			   .p_filesz = len,
			   .p_memsz = len,
			   .p_align = 0x1000};
	cr_assert_leq(len, 0x100);
	memcpy(img + 0x100, code, len);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, img, 0x100 + len), (ssize_t)(0x100 + len));
	close(fd);
}

/* Blocking client for a server in another process. */
static int live_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, path);
	for (int i = 0; i < 5000; i++) { /* 10 s */
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		nap();
		nap();
		nap();
		nap();
	}
	cr_assert_fail("no server on %s", path);
	return -1;
}

/* The next non-event message (blocking, 10 s at most). */
static json_t *live_reply(struct client *c)
{
	struct timeval tv = {10, 0};

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		json_t *j;
		ssize_t n;
		if (!nl) {
			n = recv(c->fd, c->buf + c->len,
				 sizeof(c->buf) - c->len - 1, 0);
			cr_assert_gt(n, 0, "server went away");
			c->len += (size_t)n;
			continue;
		}
		*nl = '\0';
		j = json_loads(c->buf, 0, NULL);
		memmove(c->buf, nl + 1, c->len - (size_t)(nl + 1 - c->buf));
		c->len -= (size_t)(nl + 1 - c->buf);
		cr_assert_not_null(j);
		if (!json_object_get(j, "event") && !json_object_get(j, "QMP"))
			return j;
		json_decref(j);
	}
}

static json_t *live_cmd(struct client *c, const char *line)
{
	cl_send(c, line);
	cl_send(c, "\n");
	return live_reply(c);
}

Test(glue, run_with_mgmt_lists_pauses_and_quits)
{
	char d[] = "/tmp/hvsim-glue-XXXXXX", elf[96], path[96];
	struct client *c = calloc(1, sizeof(*c));
	static const uint8_t spin[] = {0xEB, 0xFE}; /* jmp $ */
	json_t *r, *reply, *parts, *guest = NULL;
	size_t i;
	pid_t pid;
	int st;

	cr_assert_not_null(mkdtemp(d));
	snprintf(elf, sizeof(elf), "%s/spin.elf", d);
	snprintf(path, sizeof(path), "%s/mgmt.sock", d);
	write_guest(elf, spin, sizeof(spin));
	pid = fork();
	if (pid == 0) {
		char *argv[] = {"hvsim",     "run", "--kernel", elf,
				"--mgmt",    path,  "--quiet",	"--serial",
				"/dev/null", NULL};
		alarm(60); /* never outlive a failed test */
		_exit(cli_main(9, argv));
	}
	c->fd = live_connect(path);
	json_decref(live_cmd(c, "{\"execute\": \"qmp_capabilities\"}"));
	reply = live_cmd(c, "{\"execute\": \"query-partitions\"}");
	parts = json_object_get(reply, "return");
	cr_assert_geq(json_array_size(parts), 2);
	json_array_foreach(
	    parts, i,
	    r) if (!strcmp(json_string_value(json_object_get(r, "role")),
			   "child")) guest = r;
	cr_assert_not_null(guest);
	cr_assert_str_eq(json_string_value(json_object_get(guest, "state")),
			 "running");
	json_decref(reply);
	r = live_cmd(c, "{\"execute\": \"stop\"}");
	cr_assert_not_null(json_object_get(r, "return"));
	json_decref(r);
	r = live_cmd(c, "{\"execute\": \"query-status\"}");
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_object_get(r, "return"), "status")),
			 "paused");
	json_decref(r);
	r = live_cmd(c, "{\"execute\": \"cont\"}");
	json_decref(r);
	r = live_cmd(c, "{\"execute\": \"partition-pause\", \"arguments\": "
			"{\"id\": 1}}");
	cr_assert_not_null(json_object_get(r, "return"), "%s",
			   json_dumps(r, 0));
	json_decref(r);
	r = live_cmd(c, "{\"execute\": \"query-stats\", \"arguments\": "
			"{\"id\": 1}}");
	cr_assert_gt(json_integer_value(json_object_get(
			 json_object_get(r, "return"), "instructions")),
		     0);
	json_decref(r);
	r = live_cmd(c, "{\"execute\": \"quit\"}");
	cr_assert_not_null(json_object_get(r, "return"));
	json_decref(r);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	cl_free(c);
	unlink(elf);
	unlink(path);
	rmdir(d);
}

static const char *str_of(json_t *j)
{
	return json_is_string(j) ? json_string_value(j) : "";
}

Test(glue, a_guest_ending_by_itself_is_announced)
{
	static const uint8_t count_then_exit[] = {
	    0xB9, 0x00, 0x2D, 0x31, 0x01, /* mov ecx, 20 000 000 */
	    0xFF, 0xC9, 0x75, 0xFC,	  /* 1: dec ecx; jnz 1b */
	    0x31, 0xC0, 0xE7, 0xF4,	  /* xor eax, eax; out 0xF4, eax */
	    0xEB, 0xFE,
	};
	char d[] = "/tmp/hvsim-glue-XXXXXX", elf[96], path[96];
	struct client *c = calloc(1, sizeof(*c));
	bool changed = false, shutdown = false;
	pid_t pid;
	int st;

	cr_assert_not_null(mkdtemp(d));
	snprintf(elf, sizeof(elf), "%s/count.elf", d);
	snprintf(path, sizeof(path), "%s/mgmt.sock", d);
	write_guest(elf, count_then_exit, sizeof(count_then_exit));
	pid = fork();
	if (pid == 0) {
		char *argv[] = {"hvsim",  "run", "--kernel", elf,
				"--mgmt", path,	 "--quiet",  NULL};
		alarm(60);
		_exit(cli_main(7, argv));
	}
	c->fd = live_connect(path);
	json_decref(live_cmd(c, "{\"execute\": \"qmp_capabilities\"}"));
	for (;;) { /* every event up to the server closing */
		char *nl;
		json_t *ev, *data;
		ssize_t n = recv(c->fd, c->buf + c->len,
				 sizeof(c->buf) - c->len - 1, 0);
		if (n <= 0)
			break;
		c->len += (size_t)n;
		while ((nl = memchr(c->buf, '\n', c->len))) {
			*nl = '\0';
			ev = json_loads(c->buf, 0, NULL);
			data = json_object_get(ev, "data");
			changed |=
			    !strcmp(str_of(json_object_get(data, "state")),
				    "shutdown") &&
			    !strcmp(str_of(json_object_get(data, "partition")),
				    "guest");
			shutdown |= !strcmp(
			    str_of(json_object_get(ev, "event")), "SHUTDOWN");
			json_decref(ev);
			c->len -= (size_t)(nl + 1 - c->buf);
			memmove(c->buf, nl + 1, c->len);
		}
	}
	cr_assert(changed, "no X_HV_PARTITION_STATE_CHANGE to shutdown");
	cr_assert(shutdown, "no SHUTDOWN event");
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %#x", st);
	cl_free(c);
	unlink(elf);
	unlink(path);
	rmdir(d);
}
