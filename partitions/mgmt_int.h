/*
 * partitions/mgmt_int.h — internals shared by mgmt_api.c (socket, framing,
 * clients, dispatch) and mgmt_cmds.c (the command table). Only those two
 * files include it; everyone else sees partitions/mgmt_api.h.
 */
#ifndef HVSIM_PARTITIONS_MGMT_INT_H_
#define HVSIM_PARTITIONS_MGMT_INT_H_

#include <jansson.h>
#include <sys/un.h>

#include "partitions/mgmt_api.h"

/* A client's unsent output past this is a client that does not read: it
 * is dropped rather than let hvsim's memory grow or its loop block. */
#define MGMT_OUT_MAX (1u << 20)

struct mgmt_client {
	int fd;		 /* -1: slot free */
	bool negotiated; /* qmp_capabilities done: commands and events */
	bool discarding; /* dropping the rest of an overlong line */
	size_t inlen;	 /* bytes of the current line in in[] */
	char *in;	 /* MGMT_LINE_MAX bytes */
	char *out;	 /* unsent output */
	size_t outlen, outcap;
};

struct mgmt {
	int lfd; /* listening socket */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct mgmt_target_ops ops;
	void *opaque;
	struct mgmt_client cl[MGMT_MAX_CLIENTS];
};

/* A failed command: QMP error class and description. */
struct mgmt_error {
	const char *cls; /* "GenericError", "CommandNotFound", ... */
	char desc[256];
};

void mgmt_fail(struct mgmt_error *e, const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A command: handler returns the "return" value (a new reference), or
 * NULL after mgmt_fail(). args is an object holding only names listed in
 * args[] (checked before the call). */
struct mgmt_cmd {
	const char *name;
	json_t *(*fn)(struct mgmt *m, json_t *args, struct mgmt_error *e);
	const char *args[6]; /* accepted argument names, NULL-terminated */
	const char *help;
};

const struct mgmt_cmd *mgmt_find_cmd(const char *name);
/* The table (for query-commands and tests). */
const struct mgmt_cmd *mgmt_cmd_table(size_t *n);
/* {"qemu": {"major", "minor", "micro"}, "package": "hvsim X.Y.Z"}: the
 * shape QMP clients expect in the greeting and query-version. */
json_t *mgmt_version_json(void);
/* A JSON string of s; bytes that are not UTF-8 (a name cut mid-character,
 * a partition named in Latin-1) become '?' rather than failing. */
json_t *mgmt_text(const char *s);
/* Send an event built from a JSON object (reference stolen, may be NULL). */
int mgmt_emit_json(struct mgmt *m, const char *name, json_t *data);

#endif
