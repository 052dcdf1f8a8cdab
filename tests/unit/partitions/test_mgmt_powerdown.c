/*
 * tests/unit/partitions/test_mgmt_powerdown.c — system_powerdown and the
 * integration object of query-partitions (partitions/mgmt_cmds.c) over
 * the fake machine of mgmt_fixture.h: the partition named or implied,
 * the force/reboot flags (JSON booleans, or the strings `hvsim ctl
 * KEY=VALUE` sends), bad arguments, the machine's refusal passed on.
 */
#include "tests/unit/partitions/mgmt_fixture.h"

TestSuite(mgmt, .init = setup, .fini = teardown, .timeout = 60);

Test(mgmt, system_powerdown_names_a_child_and_flags)
{
	struct client *c = cl_ready();
	json_t *r;

	r = expect_return(c, "{\"execute\": \"system_powerdown\", "
			     "\"arguments\": {\"name\": \"child2\"}}");
	json_decref(r);
	cr_assert_str_eq(fk.last_act, "powerdown");
	cr_assert_eq(fk.last_id, 2);
	cr_assert_eq(fk.last_flags, 0);
	r = expect_return(c, "{\"execute\": \"system_powerdown\", "
			     "\"arguments\": {\"id\": 1, \"force\": true, "
			     "\"reboot\": true}}");
	json_decref(r);
	cr_assert_eq(fk.last_id, 1);
	cr_assert_eq(fk.last_flags,
		     MGMT_POWERDOWN_FORCE | MGMT_POWERDOWN_REBOOT);
	r = expect_return(c, "{\"execute\": \"system_powerdown\", "
			     "\"arguments\": {\"name\": \"child1\", "
			     "\"reboot\": \"true\", \"force\": \"false\"}}");
	json_decref(r);
	cr_assert_eq(fk.last_flags, MGMT_POWERDOWN_REBOOT);
	cl_free(c);
}

Test(mgmt, system_powerdown_bad_arguments_do_nothing)
{
	struct client *c = cl_ready();

	fk.last_act = NULL;
	expect_error(c, "{\"execute\": \"system_powerdown\"}", "GenericError",
		     "several children");
	expect_error(c,
		     "{\"execute\": \"system_powerdown\", \"arguments\": "
		     "{\"name\": \"child1\", \"force\": 5}}",
		     "GenericError", "'force'");
	expect_error(c,
		     "{\"execute\": \"system_powerdown\", \"arguments\": "
		     "{\"name\": \"nobody\"}}",
		     "GenericError", "nobody");
	expect_error(c,
		     "{\"execute\": \"system_powerdown\", \"arguments\": "
		     "{\"name\": \"child1\", \"delay\": 5}}",
		     "GenericError", "delay");
	cr_assert_null(fk.last_act, "an action ran on bad arguments");
	/* With one child the partition may be left out. */
	fk.n = 2;
	json_decref(expect_return(c, "{\"execute\": \"system_powerdown\"}"));
	cr_assert_eq(fk.last_id, 1);
	cl_free(c);
}

Test(mgmt, system_powerdown_passes_the_refusal_on)
{
	struct client *c = cl_ready();

	fk.fail_next = true;
	expect_error(c,
		     "{\"execute\": \"system_powerdown\", \"arguments\": "
		     "{\"name\": \"child1\"}}",
		     "GenericError", "system_powerdown child1: invalid state");
	cl_free(c);
}

Test(mgmt, query_partitions_shows_the_integration_services)
{
	struct client *c = cl_ready();
	json_t *r, *ic;

	fk.parts[1].heartbeat = "no-contact";
	fk.parts[1].heartbeats = 7;
	fk.parts[1].missed_heartbeats = 3;
	fk.parts[1].shutdown = "timeout";
	r = expect_return(c, "{\"execute\": \"query-partitions\"}");
	cr_assert_null(json_object_get(json_array_get(r, 0), "integration"));
	ic = json_object_get(json_array_get(r, 1), "integration");
	cr_assert_str_eq("no-contact",
			 json_string_value(json_object_get(ic, "heartbeat")));
	cr_assert_eq(7, json_integer_value(json_object_get(ic, "heartbeats")));
	cr_assert_eq(3, json_integer_value(
			    json_object_get(ic, "missed-heartbeats")));
	cr_assert_str_eq("timeout",
			 json_string_value(json_object_get(ic, "shutdown")));
	json_decref(r);
	cl_free(c);
}
