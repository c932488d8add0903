/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pipeline hands its outputs: one small vtable. The outputs
 * themselves (text, JSON, journal, metrics) are in out/.
 */
#ifndef IT_MODEL_SINK_H
#define IT_MODEL_SINK_H

#include <stdio.h>
#include "model/decode.h"
#include "model/owner.h"
#include "model/rules.h"
#include "model/stacks.h"

struct summary {
	unsigned long long end_ns; /* CLOCK_MONOTONIC at the end */
	unsigned long long duration_ns;
	const struct decode_stats *dec;
	unsigned long long kernel_drops; /* failed ring buffer reservations */
	unsigned long long missed_returns; /* entries whose return never came */
	unsigned long long shown; /* events that passed the filters */
	const struct rules *rules; /* verdicts per rule */
	unsigned long long owners_lost; /* contexts whose owner record never came */
};

struct sink;

struct sink_ops {
	int (*event)(struct sink *s, const struct it_event *e);
	int (*lost)(struct sink *s, __u64 from, __u64 count, __u64 ts_ns);
	int (*summary)(struct sink *s, const struct summary *sum);
	int (*violation)(struct sink *s, const struct violation *v, const struct kstack *k);
	/* the iommufd module went away (forgotten: objects still in the graph) or came back */
	int (*module)(struct sink *s, const struct it_module_rec *m, unsigned long long forgotten);
	/* who opened a context: once per context, after its open event */
	int (*owner)(struct sink *s, const struct ctx_owner *o);
	/* release what the sink holds besides the struct itself */
	void (*fini)(struct sink *s);
};

/*
 * Every op may be NULL: that sink does not want those. A sink's own state
 * follows this in its own struct (out/sinks.h makes them).
 */
struct sink {
	const struct sink_ops *ops;
	FILE *out; /* NULL: nowhere (an export switched off) */
	bool no_events; /* --quiet: verdicts, losses and the summary only */
	enum owner_mode owner_mode; /* how VM names and cgroup paths are shown */
	long long real_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* out may be NULL; the time offset is now's, until a recording says its own */
void sink_init(struct sink *s, const struct sink_ops *ops, FILE *out);
/* ops->fini, and out flushed */
void sink_fini(struct sink *s);

#endif
