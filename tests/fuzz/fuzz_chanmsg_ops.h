/*
 * tests/fuzz/fuzz_chanmsg_ops.h — the input format of fuzz_chanmsg, shared
 * with the seed generator (gen_corpus.c) so seeds stay in step with the
 * harness.
 *
 * Input: one mode byte (bit 0: a service parent partition runs the
 * server's work, so time passes only in FZ_RUN), then records until the
 * input ends; each record is an op byte (taken modulo FZ_NR_OPS) and its
 * fields, little-endian. Missing bytes read as zero.
 */
#ifndef HVSIM_TESTS_FUZZ_CHANMSG_OPS_H_
#define HVSIM_TESTS_FUZZ_CHANMSG_OPS_H_

#define FZ_MODE_PARENT 0x1u

enum fz_op {
	FZ_POST,     /* u8 sel, u8 len, bytes: HvPostMessage from vCPU
			(sel >> 1) & 1 on connection sel & 1 ? 4 : 1 */
	FZ_DIRECT,   /* u8 conn, u8 vp, u8 len, bytes: straight into
			vmbus_server_on_message (any conn id, up to 255 B) */
	FZ_TAKE,     /* u8 vp: read vCPU vp's SINT 2 slot, EOM */
	FZ_TAKE_ALL, /* read every message there is, both vCPUs */
	FZ_RAM,	     /* u8 page, u16 off, u8 len, bytes: guest writes RAM */
	FZ_SEND,     /* u8 page, u8 npages, u8 type, u8 flags, u8 offset8,
			u64 trans_id, u16 len, bytes: a packet into the g→h
			ring at page (type: 0..3 → 6/7/9/0xB, else the byte
			itself; bytes start after the descriptor, the
			payload at offset8 * 8) */
	FZ_SIGNAL,   /* u8 relid, u8 vp: HvSignalEvent on the channel */
	FZ_DRAIN,    /* u8 page, u8 npages: consume the h→g ring */
	FZ_RESCIND,  /* u8 relid: the host withdraws the offer */
	FZ_RESET,    /* the child is reset (VM Worker's order) */
	FZ_FLUSH,    /* vmbus_server_flush */
	FZ_RUN,	     /* u16 n: let n * 1000 cycles pass (parent mode) */
	FZ_NR_OPS
};

#endif
