/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus metrics of the daemon: a sink that keeps what the pipeline does
 * not (the histogram of removal waits), a renderer in the text exposition
 * format, an atomic text file for node_exporter's textfile collector, and a
 * loopback HTTP endpoint (libmicrohttpd). Every label takes its values from
 * fixed tables (hooks, rules, object types, programs): cardinality is bounded.
 */
#ifndef IT_METRICS_H
#define IT_METRICS_H

#include <pthread.h>
#include <stdio.h>
#include "model/sink.h"
#include "out/stats.h"

#define WAIT_BUCKETS 8

struct metrics {
	struct sink sink; /* first: the pipeline calls it */
	unsigned long long wait_bucket[WAIT_BUCKETS + 1]; /* per bucket; summed up at render */
	unsigned long long wait_count;
	double wait_sum_s;
	/* the last rendering, for the HTTP thread */
	pthread_mutex_t lock;
	char *text;
	size_t len;
	struct MHD_Daemon *http;
	char listen[64];
};

void metrics_init(struct metrics *m);
void metrics_fini(struct metrics *m);
/* Render the current values (and keep them for HTTP); 0 or -errno. */
int metrics_update(struct metrics *m, const struct stats *st);
/* Replace path atomically with the last rendering. */
int metrics_write_file(struct metrics *m, const char *path);
/* Serve /metrics on a loopback ADDRESS:PORT; "" stops serving. */
int metrics_listen(struct metrics *m, const char *listen);

#endif
