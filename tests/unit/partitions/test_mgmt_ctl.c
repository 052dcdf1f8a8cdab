/*
 * tests/unit/partitions/test_mgmt_ctl.c — the clients of the management
 * API: `hvsim ctl` (sim/cmd_ctl.c: request building, reply printing, exit
 * statuses, a run against a live server) and `hvsim run --mgmt`
 * (sim/mgmt_glue.c: a real machine in a child process, driven over its
 * socket).
 */
#include "mgmt_fixture.h"

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
