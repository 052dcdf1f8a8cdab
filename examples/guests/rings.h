/*
 * examples/guests/rings.h — what the ring-3 half of the rings guest
 * (rings_user.c) records for the ring-0 half (rings.c) to check.
 */
#ifndef GUEST_RINGS_H_
#define GUEST_RINGS_H_

#include <stdint.h>

/* Records kernel-side state in rings.c, returns PROBE_OK. */
#define SYS_probe (SYS_GUEST + 0)
#define PROBE_OK  0x600D

/* Seen by ring 3 around one kernel entry (in the user region). */
struct user_view {
	uint64_t ret;          /* RAX after the return */
	uint64_t cs, ss;       /* after the return */
	uint64_t cf;           /* CF after the return (set before entry) */
	uint64_t rflags;       /* RFLAGS after the return (AC set before) */
	uint64_t rsp_before, rsp_after;
};
extern struct user_view uview;

uint64_t u_via_syscall(uint64_t arg);
uint64_t u_via_int80(uint64_t arg);
uint64_t u_int81(uint64_t arg);
uint64_t u_int3(uint64_t arg);
uint64_t u_iret_to_ring0(uint64_t arg);
uint64_t u_read_cs_ss(uint64_t arg);

#endif
