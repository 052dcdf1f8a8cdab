/*
 * traces/trace.h — hvsim trace files: the fixed-size record, the table of
 * event kinds, the recorder (trace.c) and the reader (trace_read.c).
 * The on-disk format is docs/TRACE.md; the users are the simulator
 * (trace_emit at each step) and `hvsim trace` (traces/stats.c,
 * traces/chrome.c, sim/cmd_trace.c).
 *
 * Recording: t = trace_open(path, &info, err, len); then at every event
 * trace_emit(t, &rec) — a NULL t costs one branch, so "tracing off" is
 * simply t == NULL; finally trace_close(t, err, len). Write errors (disk
 * full) are sticky: later records are dropped and trace_close reports it.
 */
#ifndef HVSIM_TRACES_TRACE_H_
#define HVSIM_TRACES_TRACE_H_

#include <stddef.h>
#include <stdint.h>

#define TRACE_MAGIC	   "HVSTRACE" /* 8 bytes, no NUL on disk */
#define TRACE_END_MAGIC	   "HVSTREND" /* trailer after the zlib stream */
#define TRACE_VERSION	   2u /* the format written; 1 is still read */
#define TRACE_RECORD_SIZE  40u	       /* bytes of one record on disk */
#define TRACE_MAX_SCENARIO (64u << 10) /* bytes of scenario text */
#define TRACE_MAX_NAME	   255u	       /* bytes of one partition name */
#define TRACE_MAX_PARTS	   1024u
#define TRACE_PART_NONE	   0xFFFFu /* an event about no partition */

/* One event. On disk: little-endian, in this order, 40 bytes. */
struct trace_rec {
	uint64_t cycle; /* simulated cycle at which it happened */
	uint16_t kind;	/* enum trace_kind */
	uint16_t part;	/* partition index (0 = parent) or TRACE_PART_NONE */
	uint16_t vp;	/* vCPU index; the pCPU for hypervisor-lane kinds */
	uint16_t chan;	/* VMBus channel (child relid), 0 if none */
	uint64_t txn;	/* request id within the channel, 0 if none */
	uint64_t arg0, arg1; /* meaning per kind (struct trace_kind_info) */
};

/* Kinds (traces/kinds.c has their rows). The values are what the file
 * holds: append new ones, never renumber. Stage kinds are 1..9. */
enum trace_kind {
	TK_NONE = 0,
	/* One VMBus request, in order (stages 1..9). */
	TK_VSC_WRITE_PACKET = 1,
	TK_VSC_SIGNAL = 2,
	TK_HV_DELIVER_EVENT = 3,
	TK_VSP_PICKUP = 4,
	TK_VSP_READ = 5,
	TK_VSP_COMPLETE = 6,
	TK_COMPLETION_SIGNAL = 7,
	TK_CHILD_INTERRUPT = 8,
	TK_VSC_CONSUME = 9,
	/* Channel management (Linux's hyperv tracepoint names). */
	TK_VMBUS_ON_MSG_DPC = 10,
	TK_VMBUS_ON_MESSAGE = 11,
	TK_VMBUS_ONOFFER = 12,
	TK_VMBUS_ONOFFER_RESCIND = 13,
	TK_VMBUS_ONOPEN_RESULT = 14,
	TK_VMBUS_ONGPADL_CREATED = 15,
	TK_VMBUS_ONGPADL_TORNDOWN = 16,
	TK_VMBUS_ONVERSION_RESPONSE = 17,
	TK_VMBUS_REQUEST_OFFERS = 18,
	TK_VMBUS_OPEN = 19,
	TK_VMBUS_CLOSE_INTERNAL = 20,
	TK_VMBUS_ESTABLISH_GPADL_HEADER = 21,
	TK_VMBUS_ESTABLISH_GPADL_BODY = 22,
	TK_VMBUS_TEARDOWN_GPADL = 23,
	TK_VMBUS_NEGOTIATE_VERSION = 24,
	/* The hypervisor. */
	TK_HV_EXIT = 25,
	TK_HV_HYPERCALL = 26,
	TK_SCHED_SWITCH = 27,
	TK_SYNIC_DELIVER = 28,
	TK_SYNIC_EOM = 29,
	TK_STIMER_EXPIRE = 30,
	/* A message or packet the VMBus server refused (ours). */
	TK_VMBUS_REFUSED = 31,
	/* The storage VSP's answer to one storvsc packet (its NT status). */
	TK_STORVSP_COMPLETE = 32,
	TRACE_NR_KINDS
};

#define TRACE_NR_STAGES 9 /* stages 1..9 of a request; 0 = not a stage */

/* Where an event is drawn (traces/chrome.c) */
enum trace_lane {
	TL_VP,	/* the partition's vCPU `vp` */
	TL_VSC, /* the partition's client end of channel `chan` */
	TL_VSP, /* the partition's (the parent's) server end of `chan` */
	TL_HV,	/* the hypervisor, physical CPU `vp` */
};

/* What arg1 is, beyond a value to show (traces/chrome.c draws it). */
enum trace_arg1_use {
	TA_VALUE,   /* just a value */
	TA_DUR,	    /* a duration in cycles: the event is a slice */
	TA_COUNTER, /* a level worth plotting (ring occupancy) */
};

struct trace_kind_info {
	uint16_t id;
	const char *name; /* Linux tracepoint name where one exists */
	const char *cat;  /* "request", "vmbus", "exit", "sched", ... */
	uint8_t stage;	  /* 1..TRACE_NR_STAGES, 0 if not a request step */
	uint8_t lane;	  /* enum trace_lane */
	uint8_t arg1_use; /* enum trace_arg1_use */
	const char *arg0, *arg1; /* argument names, NULL if unused */
};

/* NULL for an id that is not in the table (a newer file, or garbage). */
const struct trace_kind_info *trace_kind(unsigned id);
/* The kind of stage s (1..TRACE_NR_STAGES), or NULL. */
const struct trace_kind_info *trace_stage_kind(unsigned stage);
/* Kind's name, or "kind#N" written into buf for an unknown id. */
const char *trace_kind_name(unsigned id, char *buf, size_t len);

/* ---- recorder (trace.c) ------------------------------------------------ */

struct trace_info {
	const char *scenario;	       /* text, may be NULL */
	uint64_t freq_hz;	       /* cycles per simulated second, > 0 */
	unsigned nr_parts;	       /* <= TRACE_MAX_PARTS */
	const char *const *part_names; /* nr_parts names, index 0 = parent */
	int level;		       /* zlib level 1..9; 0 = default (1) */
	unsigned version; /* format: 0 = TRACE_VERSION; 1 = the old one
			   * (for tests, and an older hvsim's tools) */
};

struct trace;

/* Create the file and write its header. NULL with a message on error. */
struct trace *trace_open(const char *path, const struct trace_info *info,
			 char *err, size_t errlen);
/* Append one record (t may be NULL: nothing happens). */
void trace_emit(struct trace *t, const struct trace_rec *r);
/* Records accepted so far (those dropped after an error excluded). */
uint64_t trace_count(const struct trace *t);
/* Flush, finish the zlib stream, write the trailer, close, free.
 * Returns 0, or -1 with a message (write error now or earlier). */
int trace_close(struct trace *t, char *err, size_t errlen);

/* ---- reader (trace_read.c) --------------------------------------------- */

struct trace_file_info {
	uint32_t version;
	uint64_t freq_hz;
	char *scenario; /* NUL-terminated */
	unsigned nr_parts;
	char **part_names; /* NUL-terminated each */
};

struct trace_reader;

/* Open and check the header. NULL with a message on error. */
struct trace_reader *trace_reader_open(const char *path, char *err,
				       size_t errlen);
const struct trace_file_info *trace_reader_info(const struct trace_reader *r);
/* 1: *out is the next record; 0: end of a complete, intact file;
 * -1: error (truncated, corrupt, bad record), see trace_reader_error. */
int trace_reader_next(struct trace_reader *r, struct trace_rec *out);
const char *trace_reader_error(const struct trace_reader *r);
void trace_reader_close(struct trace_reader *r);

/* Little-endian record encoding, shared by the writer and the reader. */
void trace_rec_encode(const struct trace_rec *r,
		      uint8_t out[TRACE_RECORD_SIZE]);
void trace_rec_decode(const uint8_t in[TRACE_RECORD_SIZE], struct trace_rec *r);

#endif
