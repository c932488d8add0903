/* SPDX-License-Identifier: GPL-2.0 */
/* Outputs: one small vtable, one implementation per format. */
#ifndef IT_SINK_H
#define IT_SINK_H

#include <stdio.h>
#include "decode.h"
#include "json.h"
#include "owner.h"
#include "rules.h"
#include "stacks.h"

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
};

/* Every op may be NULL: that sink does not want those. */
struct sink {
	const struct sink_ops *ops;
	FILE *out;
	bool no_events; /* --quiet: verdicts, losses and the summary only */
	enum owner_mode owner_mode; /* how VM names and cgroup paths are shown */
	long long real_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	bool header_done;
	bool journal; /* sink_journal: the journal, not out */
	bool wall_time; /* sink_json: a "time" (UTC, RFC 3339) on every line */
	struct json j;
};

void sink_init(struct sink *s, const struct sink_ops *ops, FILE *out);
void sink_fini(struct sink *s);

extern const struct sink_ops sink_tty_ops;
extern const struct sink_ops sink_json_ops;

/* CLOCK_REALTIME - CLOCK_MONOTONIC, to show event times as wall clock. */
long long realtime_offset_ns(void);

/* Formatting helpers shared by the sinks. */
void json_wall_time(char *buf, size_t len, long long real_ns);
/* "rules": { name: { violations, uncertain, degraded } } */
void json_rules(struct json *j, const struct rules *r);
const char *remove_flags_str(unsigned int flags, char *buf, size_t len);

#endif
