/*
 * tests/unit/sim/test_scenario_ic.c — the integration-services keys of a
 * scenario (docs/SCENARIO.md): [machine] start_time (a UTC time), and per
 * partition integration (on/off) and heartbeat (a time; 0 = none).
 */
#include "tests/unit/sim/scenario_fixture.h"

Test(scenario, integration_defaults)
{
	expect_ok(CHILD);
	cr_assert_eq(1767225600ull, sc->start_time, "2026-01-01T00:00:00Z");
	cr_assert(sc->part[1].integration || sc->part[0].integration);
	for (unsigned i = 0; i < sc->nr_partitions; i++) {
		cr_assert(sc->part[i].integration);
		cr_assert_eq(2000000000ull, sc->part[i].heartbeat_ns);
	}
}

Test(scenario, start_time_is_a_utc_time)
{
	expect_ok("[machine]\nstart_time = 2030-06-15T12:34:56Z\n" CHILD);
	cr_assert_eq(1907757296ull, sc->start_time);
	expect_ok("[machine]\nstart_time = 1970-01-01T00:00:00Z\n" CHILD);
	cr_assert_eq(0, sc->start_time);
	expect_ok("[machine]\nstart_time = 2024-02-29T23:59:59Z\n" CHILD);
	cr_assert_eq(1709251199ull, sc->start_time);
	expect_error("[machine]\nstart_time = 2026-01-01\n", 2,
		     "[machine] start_time: '2026-01-01' is not a UTC time");
	expect_error("[machine]\nstart_time = 2026-01-01T00:00:00\n", 2,
		     "[machine] start_time: '2026-01-01T00:00:00' is not a "
		     "UTC time");
	expect_error("[machine]\nstart_time = 2025-02-29T00:00:00Z\n", 2,
		     "[machine] start_time: '2025-02-29T00:00:00Z' is not a "
		     "valid date");
	expect_error("[machine]\nstart_time = 1969-12-31T23:59:59Z\n", 2,
		     "[machine] start_time: '1969-12-31T23:59:59Z' is not a "
		     "valid date");
	expect_error("[machine]\nstart_time = 2026-13-01T00:00:00Z\n", 2,
		     "[machine] start_time: '2026-13-01T00:00:00Z' is not a "
		     "valid date");
	expect_error(CHILD "start_time = 2026-01-01T00:00:00Z\n", 3,
		     "[partition \"c1\"] start_time: not a key of this "
		     "section");
}

Test(scenario, heartbeat_and_integration_keys)
{
	expect_ok(CHILD "heartbeat = 50ms\nintegration = off\n");
	cr_assert_eq(50000000ull, sc->part[sc->nr_partitions - 1].heartbeat_ns);
	cr_assert_not(sc->part[sc->nr_partitions - 1].integration);
	expect_ok(CHILD "heartbeat = 0\n");
	cr_assert_eq(0, sc->part[sc->nr_partitions - 1].heartbeat_ns);
	expect_error(CHILD "heartbeat = 5\n", 3,
		     "[partition \"c1\"] heartbeat: '5' needs a time unit");
	expect_error(CHILD "heartbeat = 2h\n", 3,
		     "[partition \"c1\"] heartbeat: '2h' has an unknown unit");
	expect_error(CHILD "heartbeat = 3601s\n", 3,
		     "[partition \"c1\"] heartbeat: 3601000000000 ns is out "
		     "of range (0..1 h)");
	expect_error(CHILD "integration = maybe\n", 3,
		     "[partition \"c1\"] integration: 'maybe' is not one of");
}

/* examples/scenarios/util.scn, as meson copies it next to the guests
 * (this test runs from build/tests/). */
Test(scenario, example_util)
{
	char path[PATH_MAX];

	cr_assert_eq(0, cli_path_near_binary("../examples/scenarios/util.scn",
					     path, sizeof(path)));
	cr_assert_eq(0, scenario_load(path, sc, err, sizeof(err)), "%s", err);
	cr_assert_eq(1767225600ull, sc->start_time);
	cr_assert_str_eq("util", sc->part[1].name);
	cr_assert_eq(1000000000ull, sc->part[1].heartbeat_ns);
	cr_assert(sc->part[1].integration);
}
