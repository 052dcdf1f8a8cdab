/*
 * tests/unit/partitions/test_mgmt_api.c — the management API server
 * (partitions/mgmt_api.c, mgmt_cmds.c) over a real Unix socket against a
 * test machine (mgmt_fixture.h): greeting, negotiation, each command,
 * events, malformed, oversized and random input, client limits and
 * hang-ups, two clients at once, opening the socket.
 */
#include "mgmt_fixture.h"

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
					   "x-vmbus-rescind",
					   "system_powerdown",
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

Test(mgmt, vmbus_rescind_names_a_partition_and_a_relid)
{
	struct client *c = cl_ready();
	json_t *r;

	r = expect_return(c, "{\"execute\": \"x-vmbus-rescind\", "
			     "\"arguments\": {\"name\": \"child1\", "
			     "\"relid\": 3}}");
	json_decref(r);
	cr_assert_str_eq(fk.last_act, "rescind");
	cr_assert_eq(fk.last_id, fk.parts[1].id);
	cr_assert_eq(fk.last_relid, 3);
	fk.last_act = NULL;
	expect_error(c,
		     "{\"execute\": \"x-vmbus-rescind\", \"arguments\": "
		     "{\"name\": \"child1\"}}",
		     "GenericError", "'relid' must be an integer");
	expect_error(c,
		     "{\"execute\": \"x-vmbus-rescind\", \"arguments\": "
		     "{\"name\": \"child1\", \"relid\": 0}}",
		     "GenericError", "'relid' must be an integer");
	expect_error(c,
		     "{\"execute\": \"x-vmbus-rescind\", \"arguments\": "
		     "{\"name\": \"child1\", \"relid\": \"x\"}}",
		     "GenericError", "'relid' must be an integer");
	expect_error(c,
		     "{\"execute\": \"x-vmbus-rescind\", \"arguments\": "
		     "{\"name\": \"nobody\", \"relid\": 1}}",
		     "GenericError", "nobody");
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
