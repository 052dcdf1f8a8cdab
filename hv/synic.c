/*
 * hv/synic.c — PLACEHOLDER while the SynIC is written (see hv/synic.h):
 * no SynIC MSR is implemented and nothing can be delivered.
 */
#include <stdlib.h>

#include "hv/hvdefs.h"
#include "hv/synic.h"

struct synic {
	struct synic_hooks h;
	struct synic_stats st;
};

struct synic *synic_create(const struct synic_hooks *h)
{
	struct synic *s = calloc(1, sizeof(*s));

	if (s)
		s->h = *h;
	return s;
}
void synic_destroy(struct synic *s) { free(s); }
void synic_reset(struct synic *s) { (void)s; }
int synic_msr_read(struct synic *s, uint32_t msr, uint64_t *val)
{
	(void)s, (void)msr, (void)val;
	return 1;
}
int synic_msr_write(struct synic *s, uint32_t msr, uint64_t val)
{
	(void)s, (void)msr, (void)val;
	return 1;
}
unsigned synic_post_message(struct synic *s, unsigned sint, uint32_t type,
			    const void *payload, unsigned size)
{
	(void)s, (void)sint, (void)type, (void)payload, (void)size;
	return HV_STATUS_INVALID_SYNIC_STATE;
}
unsigned synic_signal_event(struct synic *s, unsigned sint, unsigned flag)
{
	(void)s, (void)sint, (void)flag;
	return HV_STATUS_INVALID_SYNIC_STATE;
}
unsigned synic_assert_sint(struct synic *s, unsigned sint)
{
	(void)s, (void)sint;
	return HV_STATUS_INVALID_SYNIC_STATE;
}
void synic_stimer_expired(struct synic *s, unsigned stimer)
{
	(void)s, (void)stimer;
}
const struct synic_stats *synic_stats(const struct synic *s) { return &s->st; }
bool synic_check_invariants(const struct synic *s)
{
	(void)s;
	return true;
}
