/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decode: validate raw records, put them back in sequence order within a
 * bounded window, and turn sequence gaps into explicit losses.
 */
#ifndef IT_DECODE_H
#define IT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include "iommutrace.h"
#include "model/owner.h"

struct decode_ops {
	int (*event)(void *cookie, const struct it_event *e);
	/* records [from, from + count) never arrived; ts_ns: where it shows */
	int (*lost)(void *cookie, __u64 from, __u64 count, __u64 ts_ns);
	/* a stack, meta, module or end record (not sequenced), passed on at once */
	int (*aux)(void *cookie, const struct it_hdr *h, const void *data, size_t len);
	/* an owner record, parsed and checked, passed on at once */
	int (*owner)(void *cookie, const struct ctx_owner *o);
};

struct decode_stats {
	unsigned long long records; /* accepted */
	unsigned long long rejected; /* malformed */
	unsigned long long unknown; /* well-formed, of a type, hook or object we do not know */
	unsigned long long lost; /* sequence numbers that never came */
	unsigned long long late; /* arrived after being declared lost */
	unsigned long long per_hook[IT_HOOK_MAX];
};

struct decoder;

#define DECODE_DEFAULT_WINDOW_NS (200ULL * 1000 * 1000)

struct decoder *decoder_new(const struct decode_ops *ops, void *cookie, __u64 window_ns);
void decoder_free(struct decoder *d);

/*
 * Check one raw record. Returns 0 and fills *e, -EPROTO for a type this
 * version does not know (counted, skipped), -EINVAL for a malformed one;
 * *why says what is wrong.
 */
int decode_record(const void *data, size_t len, struct it_event *e, const char **why);
/* IT_REC_EVENT, or ABI 1's IT_REC_EVENT_V1 */
bool is_event_record(unsigned int type);
/* The same for a non-event record: 0, -EPROTO or -EINVAL. */
/* o: the owner, parsed, when it is an owner record (NULL: not wanted) */
int decode_aux(const void *data, size_t len, const char **why, struct ctx_owner *o);

/* Feed one raw record (from the ring buffer or a file). */
int decoder_feed(struct decoder *d, const void *data, size_t len);
/* Time has reached now_ns (CLOCK_MONOTONIC): release what waited long enough. */
int decoder_tick(struct decoder *d, __u64 now_ns);
/* Release everything; sequence numbers below end_seq never seen are lost. */
int decoder_finish(struct decoder *d, __u64 end_seq);
const struct decode_stats *decoder_stats(const struct decoder *d);
/* Why the last record was rejected or skipped ("" if none was). */
const char *decoder_why(const struct decoder *d);

#endif
