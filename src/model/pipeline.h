/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one pipeline behind live, replay and the daemon: raw records ->
 * decode (order, losses) -> graph -> rules -> sinks.
 */
#ifndef IT_PIPELINE_H
#define IT_PIPELINE_H

#include "model/decode.h"
#include "model/graph.h"
#include "model/rules.h"
#include "model/sink.h"
#include "model/stacks.h"

#define PIPELINE_MAX_SINKS 4
#define PIPELINE_MAX_PENDING_OWNERS 32

struct pipeline_opts {
	int pid_filter; /* events of this process or thread only, 0 = all */
	unsigned int type_mask; /* events of these IT_OBJ_* only, 0 = all */
	__u64 long_wait_ns;
	__u64 attached; /* hooks attached (bit per IT_HOOK_*) */
	/* the dead are remembered this long and at most this many (0: defaults) */
	__u64 dead_keep_ns;
	unsigned long long dead_max;
};

/*
 * A dead object is remembered (for use after destroy and double abort) for
 * ten minutes of event time, and at most 16384 of them, the oldest forgotten
 * first: about 10 MiB, whatever the rate and however long the run.
 */
#define PIPELINE_DEAD_KEEP_NS (600ULL * 1000000000ULL)
#define PIPELINE_DEAD_MAX 16384

/* Live: fill in the stack of an id the pipeline has not seen yet. */
typedef int (*stack_resolver)(void *cookie, unsigned int id, struct stacks *into);

struct pipeline {
	struct decoder *dec;
	struct graph g;
	struct rules rules;
	struct stacks stacks;
	struct sink *sinks[PIPELINE_MAX_SINKS];
	int n_sinks;
	struct pipeline_opts opts;
	stack_resolver resolve;
	void *resolve_cookie;
	unsigned long long shown;
	/* owner records that came before their open's event (reordered) */
	struct ctx_owner pending[PIPELINE_MAX_PENDING_OWNERS];
	int n_pending;
	unsigned long long owners_lost;
	bool have_meta, have_end;
	struct it_meta_rec meta;
	struct it_end_rec end;
	int err;
};

int pipeline_init(struct pipeline *p, const struct pipeline_opts *o);
void pipeline_fini(struct pipeline *p);
void pipeline_add_sink(struct pipeline *p, struct sink *s);
int pipeline_feed(struct pipeline *p, const void *data, size_t len);
/* A record_fn for the tracer: feed; a malformed record is counted, not fatal. */
int pipeline_record(void *pipeline, const void *data, size_t len);
int pipeline_tick(struct pipeline *p, __u64 now_ns);
/*
 * Drain, count what never came below end_seq, and send the summary.
 * Uses the end record of a trace file when it had one and end_seq is 0.
 */
int pipeline_finish(struct pipeline *p, __u64 end_seq, unsigned long long kernel_drops,
		    unsigned long long missed_returns, __u64 end_ns, __u64 duration_ns);
/* Violations found (certain ones), for the exit status. */
unsigned long long pipeline_violations(const struct pipeline *p);

#endif
