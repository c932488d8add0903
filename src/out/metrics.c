// SPDX-License-Identifier: GPL-2.0
/* Prometheus metrics (see metrics.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <microhttpd.h>

#include "format/hooks.h"
#include "base/log.h"
#include "out/metrics.h"
#include "base/parse.h"

/* seconds: from a blink to the kernel's own 60 s timeout */
static const double wait_le[WAIT_BUCKETS] = { 0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60 };

static int metrics_event(struct sink *s, const struct it_event *e)
{
	struct metrics *m = (struct metrics *)s;
	double sec;
	int b;

	if (e->hook != IT_HOOK_OBJ_REMOVE_RET || !(e->flags & IT_EVF_HAS_DUR))
		return 0;
	sec = e->dur_ns / 1e9;
	for (b = 0; b < WAIT_BUCKETS && sec > wait_le[b]; b++)
		;
	m->wait_bucket[b]++;
	m->wait_count++;
	m->wait_sum_s += sec;
	return 0;
}

static const struct sink_ops metrics_ops = {
	.event = metrics_event,
};

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
	sink_init(&m->sink, &metrics_ops, NULL);
	pthread_mutex_init(&m->lock, NULL);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* what came, what was lost, what the rules found */
static void render_counts(FILE *f, const struct stats *st)
{
	const struct decode_stats *d = st->dec;

	family(f, "iommutrace_events_total", "counter",
	       "Events delivered, per probed kernel function (:ret for its return).");
	for (int h = 1; h < IT_HOOK_MAX; h++)
		fprintf(f, "iommutrace_events_total{hook=\"%s\"} %llu\n", hook_label(h),
			d->per_hook[h]);
	family(f, "iommutrace_lost_events_total", "counter",
	       "Events the kernel took a sequence number for that never arrived.");
	fprintf(f, "iommutrace_lost_events_total %llu\n", d->lost);
	family(f, "iommutrace_kernel_drops_total", "counter",
	       "Failed ring buffer reservations counted in the kernel.");
	fprintf(f, "iommutrace_kernel_drops_total %llu\n", st->kernel_drops);
	family(f, "iommutrace_missed_returns_total", "counter",
	       "Function returns whose entry was not seen.");
	fprintf(f, "iommutrace_missed_returns_total %llu\n", st->missed_returns);
	family(f, "iommutrace_malformed_records_total", "counter",
	       "Records skipped as malformed or of an unknown type.");
	fprintf(f, "iommutrace_malformed_records_total %llu\n", d->rejected + d->unknown);

	family(f, "iommutrace_violations_total", "counter",
	       "Lifetime violations proven, per rule.");
	for (int i = 0; i < n_rules; i++)
		fprintf(f, "iommutrace_violations_total{rule=\"%s\"} %llu\n", rule_table[i].name,
			st->rules->count[i]);
	family(f, "iommutrace_uncertain_violations_total", "counter",
	       "Violations that depend on lost events, per rule.");
	for (int i = 0; i < n_rules; i++)
		fprintf(f, "iommutrace_uncertain_violations_total{rule=\"%s\"} %llu\n",
			rule_table[i].name, st->rules->uncertain[i]);
	family(f, "iommutrace_rule_degraded", "gauge",
	       "1 when a hook the rule needs is missing on this kernel.");
	for (int i = 0; i < n_rules; i++)
		fprintf(f, "iommutrace_rule_degraded{rule=\"%s\"} %d\n", rule_table[i].name,
			st->rules->degraded[i]);
}

/* the graph now, and the removal waits seen */
static void render_objects(FILE *f, struct metrics *m, const struct stats *st)
{
	unsigned long long cum = 0;

	family(f, "iommutrace_objects", "gauge", "iommufd objects alive now, per type.");
	for (int ty = 1; ty < IT_OBJ_MAX; ty++)
		if (ty != IT_OBJ_DEVICE_STRUCT && ty != IT_OBJ_CTX)
			fprintf(f, "iommutrace_objects{type=\"%s\"} %llu\n", obj_type_name(ty),
				st->alive_by_type[ty]);
	family(f, "iommutrace_dead_objects", "gauge",
	       "Dead objects remembered, for use after destroy and double abort.");
	fprintf(f, "iommutrace_dead_objects %llu\n", st->dead);
	family(f, "iommutrace_dead_objects_forgotten_total", "counter",
	       "Dead objects forgotten: dead for 10 minutes, or the oldest beyond 16384.");
	fprintf(f, "iommutrace_dead_objects_forgotten_total %llu\n", st->forgotten);
	family(f, "iommutrace_contexts", "gauge", "iommufd file descriptors (contexts) open now.");
	fprintf(f, "iommutrace_contexts %llu\n", st->contexts);

	family(f, "iommutrace_remove_wait_seconds", "histogram",
	       "Time iommufd_object_remove() took, waits for short-term references included.");
	for (int b = 0; b < WAIT_BUCKETS; b++) {
		cum += m->wait_bucket[b];
		fprintf(f, "iommutrace_remove_wait_seconds_bucket{le=\"%g\"} %llu\n", wait_le[b],
			cum);
	}
	fprintf(f, "iommutrace_remove_wait_seconds_bucket{le=\"+Inf\"} %llu\n", m->wait_count);
	fprintf(f, "iommutrace_remove_wait_seconds_sum %.9f\n", m->wait_sum_s);
	fprintf(f, "iommutrace_remove_wait_seconds_count %llu\n", m->wait_count);
}

/* the probes and the BPF programs */
static void render_probes(FILE *f, const struct stats *st)
{
	family(f, "iommutrace_attached", "gauge",
	       "1 while the probes are attached, 0 while waiting for the iommufd module.");
	fprintf(f, "iommutrace_attached %d\n", st->attached);
	family(f, "iommutrace_probe_attached", "gauge",
	       "1 when the kernel function is probed (attach: fentry or kprobe), 0 when "
	       "missing or failed (attach: none).");
	for (int i = 0; i < n_probe_defs && i < STATS_MAX_PROBES; i++)
		fprintf(f, "iommutrace_probe_attached{function=\"%s\",attach=\"%s\"} %d\n",
			probe_defs[i].func, st->probe_kind[i] ? st->probe_kind[i] : "none",
			st->probe_attached[i]);
	family(f, "iommutrace_bpf_recursion_misses_total", "counter",
	       "Probe runs the kernel skipped, the program already running on that CPU: "
	       "events lost without a sequence number.");
	fprintf(f, "iommutrace_bpf_recursion_misses_total %llu\n", st->recursion_misses);
	if (st->have_progs) {
		family(f, "iommutrace_bpf_run_time_seconds_total", "counter",
		       "Time spent in each BPF program (kernel.bpf_stats_enabled=1).");
		for (int i = 0; i < st->n_progs; i++)
			fprintf(f, "iommutrace_bpf_run_time_seconds_total{program=\"%s\"} %.9f\n",
				st->progs[i].name, st->progs[i].run_ns / 1e9);
		family(f, "iommutrace_bpf_run_count_total", "counter",
		       "Runs of each BPF program (kernel.bpf_stats_enabled=1).");
		for (int i = 0; i < st->n_progs; i++)
			fprintf(f, "iommutrace_bpf_run_count_total{program=\"%s\"} %llu\n",
				st->progs[i].name, st->progs[i].run_cnt);
	}
}

static void render(FILE *f, struct metrics *m, const struct stats *st)
{
	render_counts(f, st);
	render_objects(f, m, st);
	render_probes(f, st);
}

int metrics_update(struct metrics *m, const struct stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	render(f, m, st);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	pthread_mutex_lock(&m->lock);
	free(m->text);
	m->text = buf;
	m->len = len;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int metrics_write_file(struct metrics *m, const char *path)
{
	char tmp[600];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0644); /* the collector runs as another user */
	pthread_mutex_lock(&m->lock);
	for (size_t off = 0; off < m->len && !err;) {
		ssize_t w = write(fd, m->text + off, m->len - off);

		if (w < 0 && errno != EINTR)
			err = -errno;
		else if (w > 0)
			off += w;
	}
	pthread_mutex_unlock(&m->lock);
	if (close(fd) && !err)
		err = -errno;
	/* the collector sees the old file or the new one, never half of one */
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	struct metrics *m = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned int status = MHD_HTTP_OK;

	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		static const char msg[] = "only GET /metrics\n";

		r = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg,
						    MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else if (strcmp(url, "/metrics")) {
		static const char msg[] = "iommutrace: metrics are at /metrics\n";

		r = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg,
						    MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_NOT_FOUND;
	} else {
		pthread_mutex_lock(&m->lock);
		r = MHD_create_response_from_buffer(m->len, m->text ? m->text : (char *)"",
						    MHD_RESPMEM_MUST_COPY);
		pthread_mutex_unlock(&m->lock);
		if (r)
			MHD_add_response_header(r, "Content-Type",
						"text/plain; version=0.0.4; charset=utf-8");
	}
	if (!r)
		return MHD_NO;
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

int metrics_listen(struct metrics *m, const char *listen)
{
	struct sockaddr_storage ss;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	char why[200];
	int port;

	if (m->http) {
		MHD_stop_daemon(m->http);
		m->http = NULL;
		m->listen[0] = '\0';
	}
	if (!*listen)
		return 0;
	/* the configuration's own check: what passed it, binds */
	if (parse_loopback(listen, &ss, why, sizeof(why)))
		return -EINVAL;
	if (ss.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else {
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	m->http = MHD_start_daemon(flags, port, NULL, NULL, answer, m, MHD_OPTION_SOCK_ADDR,
				   (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 16,
				   MHD_OPTION_CONNECTION_TIMEOUT, 10, MHD_OPTION_END);
	if (!m->http)
		return errno ? -errno : -EADDRINUSE;
	snprintf(m->listen, sizeof(m->listen), "%s", listen);
	return 0;
}

void metrics_fini(struct metrics *m)
{
	metrics_listen(m, "");
	free(m->text);
	pthread_mutex_destroy(&m->lock);
	sink_fini(&m->sink);
}
