/*
 * tests/unit/partitions/test_vm_service.c — the VM Service
 * (partitions/vm_service.c) on the real machine: lifecycle transitions
 * (the parent refused), reset (kernel reloaded, runs again from the
 * start), a guest crash ends the run with status 6 and its parameters, an
 * idle child costs no slices (and its parent none either), and over the
 * management API: partition-reset and query-stats (exits by reason,
 * per-vCPU time).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "../hv/hv_test.h"
#include "mmu/mmu.h"
#include "partitions/vm_service.h"
#include "sim/cli.h"

/* Defined in sim/sim.c. */
struct vm_service *sim_vm_service(struct sim *s);

/* out COM1, 'X'; out COM1, '\n'; jmp $ */
static const uint8_t say_x[] = {0x66, 0xBA, 0xF8, 0x03, 0xB0, 'X',
				0xEE, 0xB0, '\n', 0xEE, 0xEB, 0xFE};

static struct sim *build(struct scenario *sc)
{
	struct sim_config cfg;
	struct sim *s;
	int rc;

	sim_config_defaults(&cfg);
	cfg.quiet = true;
	s = sim_create_scenario(sc, &cfg, &rc);
	cr_assert_not_null(s, "status %d", rc);
	return s;
}

Test(vm_service, lifecycle_transitions_and_the_parent_is_refused)
{
	struct scenario *sc = hvt_scenario(1, 100000, 0);
	char *k = hvt_guest(say_x, sizeof(say_x));
	struct vm_service *vs;
	struct partition *p;
	struct sim *s;
	char err[100];

	hvt_child(sc, "c", k, 4ull << 20)->autostart = false;
	s = build(sc);
	vs = sim_vm_service(s);
	cr_assert_eq(vm_service_count(vs), 2);
	p = vm_service_partition(vs, 1);
	cr_assert_eq(partition_state(vm_service_partition(vs, 0)), PART_RUNNING,
		     "the parent always runs");
	cr_assert_eq(partition_state(p), PART_CREATED);
	cr_assert_eq(vm_service_pause(vs, 1, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "not allowed while it is created");
	cr_assert_eq(vm_service_start(vs, 1, err, sizeof(err)), 0);
	cr_assert_eq(partition_state(p), PART_RUNNING);
	cr_assert_eq(vm_service_pause(vs, 1, err, sizeof(err)), 0);
	cr_assert_eq(partition_state(p), PART_PAUSED);
	cr_assert_eq(vm_service_resume(vs, 1, err, sizeof(err)), 0);
	cr_assert_eq(vm_service_stop(vs, 1, err, sizeof(err)), 0);
	cr_assert_eq(partition_state(p), PART_STOPPED);
	cr_assert_eq(vm_service_resume(vs, 1, err, sizeof(err)), -1);
	cr_assert_eq(vm_service_start(vs, 1, err, sizeof(err)), -1);
	/* Reset brings even a stopped partition back, running. */
	cr_assert_eq(vm_service_reset(vs, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(partition_state(p), PART_RUNNING);
	/* The parent serves the children: not paused, stopped or reset. */
	cr_assert_eq(vm_service_pause(vs, 0, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "the parent partition runs the services");
	cr_assert_eq(vm_service_stop(vs, 0, err, sizeof(err)), -1);
	cr_assert_eq(vm_service_reset(vs, 0, err, sizeof(err)), -1);
	cr_assert_eq(vm_service_stop(vs, 7, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "no partition 7");
	sim_destroy(s);
	free(sc);
	unlink(k);
	free(k);
}

Test(vm_service, reset_reloads_the_kernel_at_its_entry)
{
	struct scenario *sc = hvt_scenario(1, 100000, 0);
	char *k = hvt_guest(say_x, sizeof(say_x));
	struct hv_part *hp;
	struct sim *s;
	uint8_t buf[sizeof(say_x)];
	char err[100];

	hvt_child(sc, "c", k, 4ull << 20);
	s = build(sc);
	hp = partition_hv(sim_partition(s, 1));
	physmem_copy_to(hv_part_mem(hp), 0x100000, "scribble", 8);
	physmem_write(hv_part_mem(hp), 0x300000, 8, 0x1234);
	cpu_set_rip(hv_part_cpu(hp, 0), 0x100005);
	cr_assert_eq(vm_service_reset(sim_vm_service(s), 1, err, sizeof(err)),
		     0, "%s", err);
	physmem_copy_from(hv_part_mem(hp), buf, 0x100000, sizeof(buf));
	cr_assert_eq(memcmp(buf, say_x, sizeof(say_x)), 0);
	cr_assert_eq(physmem_read(hv_part_mem(hp), 0x300000, 8), 0);
	cr_assert_eq(cpu_get_rip(hv_part_cpu(hp, 0)), 0x100000,
		     "entered at the ELF entry again");
	sim_destroy(s);
	free(sc);
	unlink(k);
	free(k);
}

/* P0 = 0x11 (CRASH_P0), then CRASH_CTL.notify. */
Test(vm_service, a_guest_crash_ends_the_run_with_status_6)
{
	static const uint8_t crash[] = {
	    0xB9, 0x00, 0x01, 0x00, 0x40,	      /* mov ecx, CRASH_P0 */
	    0xB8, 0x11, 0x00, 0x00, 0x00,	      /* mov eax, 0x11 */
	    0x31, 0xD2, 0x0F, 0x30,		      /* xor edx, edx; wrmsr */
	    0xB9, 0x05, 0x01, 0x00, 0x40,	      /* mov ecx, CRASH_CTL */
	    0x31, 0xC0, 0xBA, 0x00, 0x00, 0x00, 0x80, /* edx = notify */
	    0x0F, 0x30, 0xEB, 0xFE,		      /* wrmsr; jmp $ */
	};
	struct scenario *sc = hvt_scenario(1, 100000, 50000000);
	char *k = hvt_guest(crash, sizeof(crash));
	struct sim *s;
	int status;

	hvt_child(sc, "c", k, 4ull << 20);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, SIM_EXIT_PANIC);
	cr_assert_eq(partition_end_status(sim_partition(s, 1)), 6);
	cr_assert_not_null(strstr(sim_result(s)->reason, "P0=0x11"), "%s",
			   sim_result(s)->reason);
	cr_assert_not_null(strstr(sim_result(s)->reason, "crash"));
	sim_destroy(s);
	free(sc);
	unlink(k);
	free(k);
}

Test(vm_service, an_idle_child_costs_no_slices)
{
	struct scenario *sc = hvt_scenario(1, 100000, 50000000);
	char *k = hvt_guest(hvt_halt, sizeof(hvt_halt));
	struct hv_vp_stats child, parent;
	struct sim *s;
	int status;

	hvt_child(sc, "idle", k, 4ull << 20);
	s = hvt_run(sc, &status);
	cr_assert_eq(status, SIM_EXIT_HALT);
	hv_vp_stats(partition_hv(sim_partition(s, 1)), 0, &child);
	hv_vp_stats(partition_hv(sim_partition(s, 0)), 0, &parent);
	cr_assert_eq(child.slices, 1, "one slice to reach HLT");
	cr_assert_eq(parent.slices, 0, "no work for the parent");
	cr_assert_lt(hv_now(sim_hv(s)), 10000);
	sim_destroy(s);
	free(sc);
	unlink(k);
	free(k);
}

/* ---- over the management API (a forked hvsim run --mgmt) ---------------- */

struct conn {
	int fd;
	size_t len;
	char buf[64 << 10];
};

static void nap_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000};
	nanosleep(&ts, NULL);
}

static void conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {10, 0};

	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	c->len = 0;
	strcpy(sa.sun_path, path);
	for (int i = 0; i < 2000; i++) {
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				   sizeof(tv));
			return;
		}
		nap_ms(5);
	}
	cr_assert_fail("no server on %s", path);
}

/* Send a command; the next reply that is not an event or the greeting. */
static json_t *conn_cmd(struct conn *c, const char *line)
{
	cr_assert_gt(send(c->fd, line, strlen(line), 0), 0);
	cr_assert_eq(send(c->fd, "\n", 1, 0), 1);
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		json_t *j;
		if (!nl) {
			ssize_t n = recv(c->fd, c->buf + c->len,
					 sizeof(c->buf) - c->len - 1, 0);
			cr_assert_gt(n, 0, "server went away");
			c->len += (size_t)n;
			continue;
		}
		*nl = 0;
		j = json_loads(c->buf, 0, NULL);
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len);
		cr_assert_not_null(j);
		if (!json_object_get(j, "event") && !json_object_get(j, "QMP"))
			return j;
		json_decref(j);
	}
}

static size_t file_size(const char *path)
{
	FILE *f = fopen(path, "r");
	long n;

	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n > 0 ? (size_t)n : 0;
}

Test(vm_service, mgmt_reset_runs_the_guest_again_and_stats_show_exits)
{
	char d[] = "/tmp/hvsim-vms-XXXXXX", sock[96], ser[96];
	char *k = hvt_guest(say_x, sizeof(say_x));
	struct conn *c = calloc(1, sizeof(*c));
	json_t *r, *ret, *vcpus;
	pid_t pid;
	int st;

	cr_assert_not_null(mkdtemp(d));
	snprintf(sock, sizeof(sock), "%s/m.sock", d);
	snprintf(ser, sizeof(ser), "%s/serial.txt", d);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {"hvsim", "run",	    "--kernel", k,   "--mgmt",
				sock,	 "--quiet", "--serial", ser, NULL};
		alarm(60);
		_exit(cli_main(9, argv));
	}
	conn_open(c, sock);
	json_decref(conn_cmd(c, "{\"execute\": \"qmp_capabilities\"}"));
	for (int i = 0; i < 2000 && file_size(ser) < 2; i++)
		nap_ms(5);
	cr_assert_eq(file_size(ser), 2, "X\\n once");
	r = conn_cmd(c, "{\"execute\": \"partition-reset\", \"arguments\": "
			"{\"id\": 1}}");
	cr_assert_not_null(json_object_get(r, "return"), "%s",
			   json_dumps(r, 0));
	json_decref(r);
	for (int i = 0; i < 2000 && file_size(ser) < 4; i++)
		nap_ms(5);
	cr_assert_eq(file_size(ser), 4, "X\\n again after the reset");
	r = conn_cmd(c, "{\"execute\": \"partition-reset\", \"arguments\": "
			"{\"id\": 0}}");
	cr_assert_not_null(json_object_get(r, "error"));
	json_decref(r);
	r = conn_cmd(c, "{\"execute\": \"query-stats\", \"arguments\": "
			"{\"id\": 1}}");
	ret = json_object_get(r, "return");
	/* 2 OUTs before and 2 after the reset, each one exit. */
	cr_assert_eq(
	    json_integer_value(json_object_get(
		json_object_get(json_object_get(ret, "exits"), "IO_OUT"),
		"count")),
	    4, "%s", json_dumps(r, 0));
	vcpus = json_object_get(ret, "vcpus");
	cr_assert_eq(json_array_size(vcpus), 1);
	cr_assert_gt(json_integer_value(
			 json_object_get(json_array_get(vcpus, 0), "root")),
		     0);
	json_decref(r);
	r = conn_cmd(c, "{\"execute\": \"query-stats\", \"arguments\": "
			"{\"id\": 0}}");
	vcpus = json_object_get(json_object_get(r, "return"), "vcpus");
	cr_assert_gt(json_integer_value(
			 json_object_get(json_array_get(vcpus, 0), "ring3")),
		     0, "the parent's vCPU ran the VM Worker");
	json_decref(r);
	json_decref(conn_cmd(c, "{\"execute\": \"quit\"}"));
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	close(c->fd);
	free(c);
	unlink(ser);
	unlink(sock);
	rmdir(d);
	unlink(k);
	free(k);
}

/* x-vmbus-rescind over a live socket: the child's echo device (testdev,
 * relid 1) is rescinded once; an unknown channel, the same one again and
 * the parent are refused. */
Test(vm_service, mgmt_rescind_hot_removes_a_vmbus_device)
{
	char d[] = "/tmp/hvsim-vmr-XXXXXX", sock[96], ser[96];
	char *k = hvt_guest(say_x, sizeof(say_x));
	struct conn *c = calloc(1, sizeof(*c));
	json_t *r;
	pid_t pid;
	int st;

	cr_assert_not_null(mkdtemp(d));
	snprintf(sock, sizeof(sock), "%s/m.sock", d);
	snprintf(ser, sizeof(ser), "%s/serial.txt", d);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {"hvsim",   "run",    "--kernel", k,
				"--mgmt",  sock,     "--quiet",	 "--serial",
				ser,	   "--testdev", NULL};
		alarm(60);
		_exit(cli_main(10, argv));
	}
	conn_open(c, sock);
	json_decref(conn_cmd(c, "{\"execute\": \"qmp_capabilities\"}"));
	r = conn_cmd(c, "{\"execute\": \"x-vmbus-rescind\", \"arguments\": "
			"{\"id\": 1, \"relid\": 9}}");
	cr_assert_not_null(json_object_get(r, "error"), "%s", json_dumps(r, 0));
	json_decref(r);
	r = conn_cmd(c, "{\"execute\": \"x-vmbus-rescind\", \"arguments\": "
			"{\"id\": 1, \"relid\": 1}}");
	cr_assert_not_null(json_object_get(r, "return"), "%s",
			   json_dumps(r, 0));
	json_decref(r);
	r = conn_cmd(c, "{\"execute\": \"x-vmbus-rescind\", \"arguments\": "
			"{\"id\": 1, \"relid\": 1}}");
	cr_assert_not_null(json_object_get(r, "error"), "rescinded twice: %s",
			   json_dumps(r, 0));
	json_decref(r);
	r = conn_cmd(c, "{\"execute\": \"x-vmbus-rescind\", \"arguments\": "
			"{\"id\": 0, \"relid\": 1}}");
	cr_assert_not_null(json_object_get(r, "error"), "%s", json_dumps(r, 0));
	json_decref(r);
	json_decref(conn_cmd(c, "{\"execute\": \"quit\"}"));
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	close(c->fd);
	free(c);
	unlink(sock);
	unlink(ser);
	rmdir(d);
	unlink(k);
	free(k);
}
