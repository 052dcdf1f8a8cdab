/* tests/common/fixture.c — not written yet. */
#include "tests/common/fixture.h"
