/*
 * tests/unit/sim/test_scenario_platform.c — the PC platform key of a
 * scenario: [partition] platform = pc | none (default pc). The RTC's
 * start is [machine] start_time (test_scenario_ic.c).
 */
#include "tests/unit/sim/scenario_fixture.h"

Test(scenario, platform_defaults_to_pc)
{
	expect_ok(CHILD);
	cr_expect(sc->part[1].platform_pc);
	expect_ok(CHILD "platform = none\n");
	cr_expect(!sc->part[1].platform_pc);
	expect_ok(CHILD "platform = PC\n");
	cr_expect(sc->part[1].platform_pc);
	expect_error(CHILD "platform = isa\n", 3,
		     "[partition \"c1\"] platform: 'isa' is not one of: pc, "
		     "none");
}
