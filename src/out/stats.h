/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a run has counted so far, taken at one moment for whoever reports it
 * (metrics, the daemon's snapshot line and its systemd status): the
 * pipeline's counts and the tracer's, filled in by the command that runs
 * both (cmd/cli.h: stats_collect), so that no reporter reaches into them.
 */
#ifndef IT_OUT_STATS_H
#define IT_OUT_STATS_H

#include <stdbool.h>
#include "iommutrace.h"
#include "model/decode.h"
#include "model/rules.h"

#define STATS_MAX_PROBES 64
#define STATS_MAX_PROGS 96

struct prog_stat {
	char name[32];
	unsigned long long run_ns, run_cnt;
};

struct stats {
	/* the pipeline's */
	const struct decode_stats *dec;
	const struct rules *rules;
	unsigned long long alive, alive_by_type[IT_OBJ_MAX];
	unsigned long long contexts, dead, forgotten;
	/* the tracer's */
	bool attached; /* false while waiting for the module */
	unsigned long long kernel_drops, missed_returns, recursion_misses;
	bool probe_attached[STATS_MAX_PROBES]; /* per probe_defs[] */
	const char *probe_kind[STATS_MAX_PROBES]; /* "fentry", "kprobe", NULL */
	bool have_progs; /* kernel.bpf_stats_enabled is 1 */
	int n_progs;
	struct prog_stat progs[STATS_MAX_PROGS];
};

#endif
