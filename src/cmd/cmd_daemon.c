// SPDX-License-Identifier: GPL-2.0
/*
 * `iommutrace daemon`: the live pipeline as a service. Verdicts go to the
 * journal (or stderr with priorities), an NDJSON export gets violations,
 * optionally events, and periodic snapshots, and metrics go to a textfile
 * and/or a loopback HTTP endpoint. SIGHUP re-reads the configuration and
 * reopens the outputs; SIGTERM flushes everything and exits 0. It tells
 * systemd when it is ready, how it is doing, and that it is alive.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "base/clock.h"
#include "cmd/cli.h"
#include "cmd/config.h"
#include "out/export.h"
#include "base/log.h"
#include "model/pipeline.h"
#include "out/graph_view.h"
#include "out/metrics.h"
#include "base/ptrhash.h"
#include "out/sinks.h"
#include "out/stats.h"
#include "kernel/tracer.h"

#define MAX_OVERRIDES 32
struct daemon {
	const char *config_path;
	bool config_explicit;
	char *overrides[MAX_OVERRIDES]; /* KEY=VALUE, after the file; owned */
	int n_overrides;
	struct daemon_config cfg;
	struct pipeline p;
	struct tracer t;
	struct sink *journal, *out; /* verdicts to the log; the export */
	struct json snap; /* the snapshot line */
	struct export *x;
	struct metrics m;
	unsigned long long start_ns, last_status_ns, last_snapshot_ns, last_metrics_ns;
	uint64_t watchdog_usec;
	bool config_error;
	bool export_failed; /* said once, until it works again */
	bool started; /* the pipeline and outputs exist: daemon_free() ends them */
};

static volatile sig_atomic_t reload_requested;

static void on_sighup(int sig)
{
	reload_requested = 1;
}

static const struct opt_def daemon_opts[] = {
	{ "config", 'c', "FILE", "configuration file (default " CONFIG_DEFAULT_PATH ")" },
	{ "set", 's', "KEY=VALUE", "override one setting of the file (repeatable)" },
	{ "export", 'e', "FILE", "NDJSON export file (same as --set export=FILE)" },
	{ "metrics-file", 'm', "FILE", "Prometheus textfile (--set metrics_file=FILE)" },
	{ "metrics-listen", 'l', "ADDR:PORT", "serve /metrics on loopback (--set metrics_listen=)" },
	{ "print-config", 0, NULL, "print the settings in effect, with their meaning, and exit" },
	{ "verbose", 'v', NULL, "more detail" },
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};

const struct cmd cmd_daemon_def = {
	.name = "daemon",
	.fn = cmd_daemon,
	.summary = "Trace iommufd lifetimes as a service: violations to the journal,\n"
		   "an NDJSON export for dashboards, Prometheus metrics. Configured by\n"
		   CONFIG_DEFAULT_PATH " (optional) with command-line\n"
		   "overrides; SIGHUP re-reads it and reopens the outputs, SIGTERM\n"
		   "flushes and exits 0. Meant for systemd (Type=notify, watchdog).",
	.usage = "[OPTIONS]",
	.opts = daemon_opts,
	.examples = "  systemctl enable --now iommutrace\n"
		    "  iommutrace daemon --set log=stderr --export /var/log/iommutrace/events.ndjson\n"
		    "  iommutrace daemon --metrics-listen 127.0.0.1:9477 --set snapshot_interval=10\n"
		    "  iommutrace daemon --print-config\n",
	.exit_status = "0 stopped by SIGTERM or SIGINT (verdicts are in the outputs),\n"
		       "  2 usage, configuration or environment error",
};

/* defaults, then the file, then the command line */
static int read_config(struct daemon *d, struct daemon_config *c)
{
	char err[512];

	config_defaults(c);
	if (config_load(c, d->config_path, d->config_explicit, err, sizeof(err))) {
		pr_warn("%s\n", err);
		return -EINVAL;
	}
	/* the file's own rules: "key = value", trimmed */
	for (int i = 0; i < d->n_overrides; i++) {
		if (config_set_line(c, d->overrides[i], err, sizeof(err))) {
			pr_warn("--set '%s': %s\n", d->overrides[i], err);
			return -EINVAL;
		}
	}
	return 0;
}

static bool use_journal(const struct daemon_config *c)
{
	return c->log == LOG_JOURNAL || (c->log == LOG_AUTO && journal_available());
}

/* Open what the configuration asks for; what fails is said and left out. */
static int open_outputs(struct daemon *d)
{
	struct export_opts xo = {
		.max_size = d->cfg.export_max_size,
		.backups = d->cfg.export_backups,
		.compress = d->cfg.export_compress,
	};
	int err = 0;

	sink_journal_use(d->journal, use_journal(&d->cfg));
	d->x = NULL;
	d->out->out = NULL;
	if (d->cfg.export_path[0]) {
		d->x = export_open(d->cfg.export_path, &xo);
		if (d->x)
			d->out->out = export_stream(d->x);
		else
			err = -errno;
	}
	d->out->no_events = !d->cfg.export_events;
	d->out->owner_mode = d->cfg.owner;
	d->journal->owner_mode = d->cfg.owner;
	if (strcmp(d->m.listen, d->cfg.metrics_listen)) {
		int e = metrics_listen(&d->m, d->cfg.metrics_listen);

		if (e) {
			pr_warn("can't serve metrics on %s: %s\n", d->cfg.metrics_listen,
				strerror(-e));
			err = err ? err : e;
		}
	}
	d->p.rules.cfg.long_wait_ns = d->cfg.long_wait_ms * 1000000ULL;
	return err;
}

static void close_export(struct daemon *d)
{
	int err = export_close(d->x);

	if (err)
		pr_warn("writing %s failed: %s\n", d->cfg.export_path, strerror(-err));
	d->x = NULL;
	if (d->out)
		d->out->out = NULL;
}

static void snapshot(struct daemon *d, unsigned long long now)
{
	struct json *j = &d->snap;
	struct stats st;
	char t[48];

	if (!d->x)
		return;
	stats_collect(&st, &d->p, &d->t);
	json_wall_time(t, sizeof(t), (long long)now + d->out->real_offset_ns);
	json_envelope(j, "snapshot");
	json_u64(j, "ts_ns", now);
	json_str(j, "time", t);
	json_u64(j, "uptime_s", (now - d->start_ns) / SEC);
	json_bool(j, "attached", st.attached);
	json_u64(j, "events", st.dec->records);
	json_u64(j, "lost", st.dec->lost);
	json_u64(j, "kernel_drops", st.kernel_drops);
	json_u64(j, "violations", rules_total(st.rules, true));
	json_u64(j, "uncertain", rules_total(st.rules, false));
	json_rules(j, st.rules);
	json_u64(j, "contexts", st.contexts);
	json_obj_begin(j, "objects");
	for (int ty = 1; ty < IT_OBJ_MAX; ty++)
		if (st.alive_by_type[ty])
			json_u64(j, obj_type_name(ty), st.alive_by_type[ty]);
	json_obj_end(j);
	json_obj_end(j);
	json_emit(j, d->out->out);
	/* the objects themselves, one line */
	graph_print(&d->p.g, d->out->out, GRAPH_JSON, d->cfg.owner);
}

static void status(struct daemon *d)
{
	const char *cfg = d->config_error ? "; configuration error, see the log" : "";
	struct stats st;

	stats_collect(&st, &d->p, &d->t);
	if (!st.attached) {
		sd_notifyf(0, "STATUS=waiting for the iommufd module (modprobe iommufd)%s", cfg);
		return;
	}
	sd_notifyf(0, "STATUS=%llu events, %llu objects alive, %llu violations (%llu uncertain), "
		   "%llu lost%s", st.dec->records, st.alive, rules_total(st.rules, true),
		   rules_total(st.rules, false), st.dec->lost, cfg);
}

static void update_metrics(struct daemon *d)
{
	struct stats st;
	int err;

	stats_collect(&st, &d->p, &d->t);
	err = metrics_update(&d->m, &st);
	if (!err && d->cfg.metrics_file[0])
		err = metrics_write_file(&d->m, d->cfg.metrics_file);
	if (err)
		pr_warn("can't write %s: %s\n", d->cfg.metrics_file, strerror(-err));
}

static void reload(struct daemon *d)
{
	struct daemon_config c;

	sd_notify(0, "RELOADING=1");
	if (read_config(d, &c)) {
		d->config_error = true;
		pr_warn("configuration not reloaded; the old one stays\n");
	} else {
		d->config_error = false;
		if (config_needs_restart(&d->cfg, &c)) {
			pr_warn("ringbuf_size, stacks, attach and raw_pointers apply at the next start; "
				"the running values stay\n");
			c.ringbuf_size = d->cfg.ringbuf_size;
			c.stacks = d->cfg.stacks;
			c.attach = d->cfg.attach;
			c.raw_pointers = d->cfg.raw_pointers;
		}
		d->cfg = c;
	}
	close_export(d);
	open_outputs(d);
	pr_info("configuration reloaded, outputs reopened\n");
	sd_notify(0, "READY=1");
	status(d);
}

static void tick(void *cookie, unsigned long long now)
{
	struct daemon *d = cookie;
	bool metrics_due;

	pipeline_tick(&d->p, now);
	if (reload_requested) {
		reload_requested = 0;
		reload(d);
	}
	if (d->x) {
		int err = export_flush(d->x);

		if (err && !d->export_failed)
			pr_warn("writing %s failed: %s\n", d->cfg.export_path, strerror(-err));
		d->export_failed = err != 0;
	}
	if (d->cfg.snapshot_interval_s &&
	    now - d->last_snapshot_ns >= d->cfg.snapshot_interval_s * SEC) {
		d->last_snapshot_ns = now;
		snapshot(d, now);
	}
	metrics_due = now - d->last_metrics_ns >= d->cfg.metrics_interval_s * SEC;
	/* HTTP readers get values at most a second old */
	if (metrics_due || (d->m.http && now - d->last_metrics_ns >= SEC)) {
		d->last_metrics_ns = now;
		update_metrics(d);
	}
	if (now - d->last_status_ns >= SEC) {
		d->last_status_ns = now;
		status(d);
		if (d->watchdog_usec)
			sd_notify(0, "WATCHDOG=1");
	}
}

/* -1 to go on, or the exit status (help, a usage error) */
static int parse_args(struct daemon *d, int argc, char **argv, bool *print, int *verbose)
{
	int opt;

	d->config_path = CONFIG_DEFAULT_PATH;
	while ((opt = cmd_getopt(&cmd_daemon_def, argc, argv)) != -1) {
		const char *key = NULL;
		char *kv;

		if (opt == -2)
			return EXIT_USAGE;
		switch (daemon_opts[opt].short_name) {
		case 'c':
			d->config_path = optarg;
			d->config_explicit = true;
			continue;
		case 's': break;
		case 'e': key = "export"; break;
		case 'm': key = "metrics_file"; break;
		case 'l': key = "metrics_listen"; break;
		case 0: *print = true; continue;
		case 'v': (*verbose)++; continue;
		case 'h': cmd_help(&cmd_daemon_def, true); return EXIT_OK;
		}
		if (d->n_overrides == MAX_OVERRIDES) {
			fprintf(stderr, "iommutrace daemon: more than %d overrides\n", MAX_OVERRIDES);
			return EXIT_USAGE;
		}
		if (key ? asprintf(&kv, "%s=%s", key, optarg) < 0 : !(kv = strdup(optarg)))
			return EXIT_USAGE;
		d->overrides[d->n_overrides++] = kv;
	}
	if (optind < argc) {
		fprintf(stderr, "iommutrace daemon: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	return -1;
}

/* The pipeline, its three outputs and the tracer; 0, or the exit status. */
static int daemon_start(struct daemon *d)
{
	struct pipeline_opts po = { .attached = ~0ULL };
	struct tracer_opts to = { .who = "daemon", .service = true };
	int ret;

	po.long_wait_ns = d->cfg.long_wait_ms * 1000000ULL;
	if (pipeline_init(&d->p, &po)) {
		pr_warn("out of memory\n");
		return EXIT_USAGE;
	}
	d->started = true;
	metrics_init(&d->m);
	d->journal = sink_journal_new(stderr, false);
	d->out = sink_json_new(NULL, true);
	json_init(&d->snap);
	if (!d->journal || !d->out) {
		pr_warn("out of memory\n");
		return EXIT_USAGE;
	}
	pipeline_add_sink(&d->p, d->journal);
	pipeline_add_sink(&d->p, d->out);
	pipeline_add_sink(&d->p, &d->m.sink);
	if (open_outputs(d)) {
		pr_warn("can't open the outputs the configuration asks for: not starting\n");
		return EXIT_USAGE;
	}
	to.ringbuf_size = d->cfg.ringbuf_size;
	tracer_opts_stacks(&to, d->cfg.stacks);
	to.attach = d->cfg.attach;
	ret = tracer_start(&d->t, &to, pipeline_record, &d->p);
	if (ret) {
		sd_notifyf(0, "STATUS=cannot trace here; see the log\nERRNO=%d", ENODEV);
		return ret;
	}
	d->p.resolve = resolve_live_stack;
	d->p.resolve_cookie = &d->t;
	return 0;
}

/* Ready, then until SIGTERM or SIGINT; then the last outputs. */
static void daemon_run(struct daemon *d)
{
	struct sigaction sa = { .sa_handler = on_sighup };
	unsigned long long now;

	sigaction(SIGHUP, &sa, NULL);
	if (sd_watchdog_enabled(0, &d->watchdog_usec) <= 0)
		d->watchdog_usec = 0;
	d->start_ns = d->last_snapshot_ns = now = mono_ns();
	update_metrics(d);
	d->last_metrics_ns = now;
	sd_notify(0, "READY=1");
	status(d);
	d->last_status_ns = now;
	pr_info("running: journal %s, export %s, metrics %s%s%s\n",
		sink_journal_uses(d->journal) ? "yes" : "no (stderr)",
		d->cfg.export_path[0] ? d->cfg.export_path : "none",
		d->cfg.metrics_file[0] ? d->cfg.metrics_file : "",
		d->cfg.metrics_file[0] && d->cfg.metrics_listen[0] ? " and " : "",
		d->cfg.metrics_listen[0] ? d->cfg.metrics_listen :
		d->cfg.metrics_file[0] ? "" : "none");

	tracer_loop(&d->t, tick, d);

	sd_notify(0, "STOPPING=1");
	pipeline_finish(&d->p, tracer_next_seq(&d->t), tracer_kernel_drops(&d->t),
			tracer_missed_returns(&d->t), d->t.end_ns, d->t.end_ns - d->start_ns);
	if (d->cfg.snapshot_interval_s)
		snapshot(d, mono_ns());
	update_metrics(d);
}

static void daemon_free(struct daemon *d)
{
	if (d->started) {
		close_export(d);
		tracer_stop(&d->t);
		pipeline_fini(&d->p);
		metrics_fini(&d->m);
		sink_free(d->journal);
		sink_free(d->out);
		json_free(&d->snap);
	}
	for (int i = 0; i < d->n_overrides; i++)
		free(d->overrides[i]);
	free(d);
}

int cmd_daemon(int argc, char **argv)
{
	struct daemon *d = calloc(1, sizeof(*d));
	bool print = false;
	int verbose = 0, ret;

	if (!d)
		return EXIT_USAGE;
	ret = parse_args(d, argc, argv, &print, &verbose);
	if (ret >= 0)
		goto out;
	ret = EXIT_USAGE;
	log_init(verbose);
	log_syslog_prefix = !print && !isatty(STDERR_FILENO);
	if (read_config(d, &d->cfg))
		goto out;
	if (print) {
		config_print(&d->cfg, stdout);
		ret = EXIT_OK;
		goto out;
	}
	if (ptrhash_init(d->cfg.raw_pointers)) {
		pr_warn("can't initialise libsodium for pointer hashing\n");
		goto out;
	}
	ret = daemon_start(d);
	if (!ret) {
		daemon_run(d);
		ret = EXIT_OK; /* a service's verdicts are in its outputs, not its status */
	}
out:
	daemon_free(d);
	return ret;
}
