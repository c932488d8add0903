/* SPDX-License-Identifier: GPL-2.0 */
/* A recording's records in memory, for tests that replay them changed. */
#ifndef IT_TEST_RECS_H
#define IT_TEST_RECS_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "iommutrace.h"
#include "format/trace_file.h"
#include "model/decode.h"

#define MAX_RECS 512

struct recs {
	int n;
	void *rec[MAX_RECS];
	size_t len[MAX_RECS];
	bool event[MAX_RECS]; /* an IT_REC_EVENT */
};

/*
 * a trace_record_fn: keeps a copy of each record, its events in today's
 * layout (an ABI 1 recording's too), whole
 */
static inline int keep_rec(void *cookie, const void *data, size_t len)
{
	struct recs *r = cookie;
	struct it_event e;
	const char *why;

	if (r->n == MAX_RECS)
		return -E2BIG;
	if (len >= sizeof(struct it_hdr) && is_event_record(((const struct it_hdr *)data)->type) &&
	    !decode_record(data, len, &e, &why)) {
		data = &e;
		len = sizeof(e);
	}
	r->rec[r->n] = malloc(len);
	if (!r->rec[r->n])
		return -ENOMEM;
	memcpy(r->rec[r->n], data, len);
	r->len[r->n] = len;
	r->event[r->n] = ((const struct it_hdr *)data)->type == IT_REC_EVENT;
	r->n++;
	return 0;
}

static inline void recs_free(struct recs *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->rec[i]);
	r->n = 0;
}

#endif
