// SPDX-License-Identifier: GPL-2.0
/*
 * `iommutrace replay` and `iommutrace graph`: the same pipeline as live,
 * fed from a trace file (or, for graph, from the live kernel).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "cmd/cli.h"
#include "base/log.h"
#include "model/pipeline.h"
#include "out/graph_view.h"
#include "out/sinks.h"
#include "base/ptrhash.h"
#include "format/trace_file.h"
#include "kernel/tracer.h"

struct replay {
	struct pipeline *p;
	struct trace_info *info;
	bool raw;
	__u64 first_ts, last_ts;
};

static int replay_record(void *cookie, const void *data, size_t len)
{
	struct replay *r = cookie;
	const struct it_hdr *h = data;
	int err;

	if (is_event_record(h->type) && h->ts_ns) {
		if (!r->first_ts || h->ts_ns < r->first_ts)
			r->first_ts = h->ts_ns;
		if (h->ts_ns > r->last_ts)
			r->last_ts = h->ts_ns;
	}
	err = pipeline_feed(r->p, data, len);
	if (err == -EINVAL)
		snprintf(r->info->why, sizeof(r->info->why), "%s", decoder_why(r->p->dec));
	return err;
}

/*
 * Run a trace file through p, then finish it with the recording's own
 * times, so that the output is the same on every run. 0, or EXIT_USAGE
 * after saying why.
 */
int replay_file(const char *who, const char *path, struct pipeline *p, bool raw)
{
	struct trace_info info;
	struct replay r = { .p = p, .info = &info, .raw = raw };
	char err[512] = "";
	int ret;

	struct trace_reader *tr = trace_open(path, &info, err, sizeof(err), &ret);

	if (tr) {
		/* handles as the recorder hashed them, before any record is shown */
		ptrhash_init_key(info.key, raw);
		ret = trace_read_records(tr, replay_record, &r, &info, err, sizeof(err));
		trace_close_reader(tr);
	}
	if (ret) {
		fprintf(stderr, "iommutrace %s: %s\n", who, err);
		return EXIT_USAGE;
	}
	if (info.truncated && info.version >= 2)
		pr_warn("%s ends inside block %llu at offset %llu, whose header is whole and "
			"right: the recorder was cut short (killed, or the disk full); %llu records "
			"in %llu whole blocks were read\n", path, info.blocks, info.truncated_at,
			info.records, info.blocks);
	else if (info.truncated)
		pr_warn("%s ends inside block %llu at offset %llu (was the recorder killed? a "
			"format %u file has no header checksum to tell a corrupt length from a "
			"kill): %llu records in %llu whole blocks were read\n", path, info.blocks,
			info.truncated_at, info.version, info.records, info.blocks);
	if (!p->have_end)
		pr_warn("%s has no end record: losses at the end of the recording cannot be "
			"counted\n", path);
	if (!p->have_meta)
		pr_warn("%s has no meta record: rules are not told which hooks were missing\n",
			path);
	pipeline_finish(p, 0, 0, 0, r.last_ts, r.last_ts - r.first_ts);
	return 0;
}

static const struct opt_def replay_opts[] = {
	VIEW_OPT_DEFS,
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};

const struct cmd cmd_replay_def = {
	.name = "replay",
	.fn = cmd_replay,
	.summary = "Run a trace file made by 'iommutrace record' through the same pipeline\n"
		   "as 'live': the same events, violations and summary, deterministically.",
	.usage = "[OPTIONS] FILE",
	.opts = replay_opts,
	.examples = "  iommutrace replay vm42.itr\n"
		    "  iommutrace replay --json --quiet vm42.itr | jq 'select(.kind == \"violation\")'\n",
};

int cmd_replay(int argc, char **argv)
{
	struct view_opts vo = VIEW_OPTS_DEFAULT;
	struct pipeline_opts po = { .attached = ~0ULL };
	struct pipeline p;
	struct sink *sink;
	int opt, ret;

	while ((opt = cmd_getopt(&cmd_replay_def, argc, argv)) != -1) {
		if (opt == -2)
			return EXIT_USAGE;
		ret = view_opt("replay", replay_opts[opt].short_name, optarg, &vo);
		if (ret < 0)
			return EXIT_USAGE;
		if (!ret && replay_opts[opt].short_name == 'h') {
			cmd_help(&cmd_replay_def, true);
			return EXIT_OK;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "iommutrace replay: give exactly one trace file (see --help)\n");
		return EXIT_USAGE;
	}
	log_init(vo.verbose);
	view_pipeline_opts(&vo, &po);
	if (pipeline_init(&p, &po))
		return EXIT_USAGE;
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	sink = vo.json ? sink_json_new(stdout, false) : sink_tty_new(stdout);
	if (!sink) {
		pipeline_fini(&p);
		return EXIT_USAGE;
	}
	sink->no_events = vo.quiet;
	sink->owner_mode = vo.owner;
	pipeline_add_sink(&p, sink);

	ret = replay_file("replay", argv[optind], &p, vo.raw);
	if (!ret)
		ret = pipeline_violations(&p) ? EXIT_VIOLATIONS : EXIT_OK;
	pipeline_fini(&p);
	sink_free(sink);
	return ret;
}

/* --- graph ------------------------------------------------------------------ */

static const struct opt_def graph_opts[] = {
	{ "format", 'f', "FMT", "tree (default), dot or json", "tree dot json" },
	{ "duration", 'd', "SEC", "trace the live kernel for SEC seconds, then print" },
	OWNER_OPT_DEF,
	RAW_POINTERS_OPT_DEF,
	{ "verbose", 'v', NULL, "more detail" },
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};

const struct cmd cmd_graph_def = {
	.name = "graph",
	.fn = cmd_graph,
	.summary = "Print the iommufd objects alive, per context, with their edges (IOAS ->\n"
		   "HWPT -> vIOMMU -> vDEVICE -> its idev): at the end of a trace file, or\n"
		   "after tracing the live kernel for a while. Objects created before\n"
		   "tracing began are known only once an event touches them.",
	.usage = "[OPTIONS] FILE | --duration SEC | -- COMMAND [ARGS...]",
	.opts = graph_opts,
	.examples = "  iommutrace graph vm42.itr\n"
		    "  iommutrace graph --format dot vm42.itr | dot -Tsvg > graph.svg\n"
		    "  iommutrace graph --duration 30 --format json\n",
};

static void graph_tick(void *cookie, unsigned long long now)
{
	pipeline_tick(cookie, now);
}

/* the graph is all graph prints: a sink that wants nothing */
static const struct sink_ops no_output_ops;

int cmd_graph(int argc, char **argv)
{
	struct pipeline_opts po = { .attached = ~0ULL };
	struct tracer_opts to = { .who = "graph", .ringbuf_size = 4 << 20 };
	enum graph_format fmt = GRAPH_TREE;
	unsigned long long duration = 0;
	struct pipeline p;
	struct sink sink;
	struct tracer t;
	enum owner_mode owner = OWNER_FULL;
	bool raw = false;
	int verbose = 0, opt, ret;

	while ((opt = cmd_getopt(&cmd_graph_def, argc, argv)) != -1) {
		if (opt == -2)
			return EXIT_USAGE;
		switch (graph_opts[opt].short_name) {
		case 'f':
			if (!strcmp(optarg, "tree"))
				fmt = GRAPH_TREE;
			else if (!strcmp(optarg, "dot"))
				fmt = GRAPH_DOT;
			else if (!strcmp(optarg, "json"))
				fmt = GRAPH_JSON;
			else {
				fprintf(stderr, "iommutrace graph: --format is tree, dot or json, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			if (parse_opt_num("graph", "duration", optarg, 1, DURATION_MAX, &duration))
				return EXIT_USAGE;
			break;
		case 'O':
			if (parse_owner_mode("graph", optarg, &owner))
				return EXIT_USAGE;
			break;
		case 'v': verbose++; break;
		case 'h': cmd_help(&cmd_graph_def, true); return EXIT_OK;
		case 0: raw = true; break;
		}
	}
	log_init(verbose);
	bool command = optind < argc && !strcmp(argv[optind - 1], "--");
	bool live = duration || command;

	if (duration && optind < argc && !command) {
		fprintf(stderr, "iommutrace graph: '%s' and --duration: give a trace file or "
			"--duration SEC (and -- COMMAND), not both\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!live && optind + 1 != argc) {
		fprintf(stderr, "iommutrace graph: give a trace file, --duration SEC or -- COMMAND "
				"(see --help)\n");
		return EXIT_USAGE;
	}
	if (pipeline_init(&p, &po))
		return EXIT_USAGE;
	sink_init(&sink, &no_output_ops, stdout);
	pipeline_add_sink(&p, &sink);
	if (live) {
		ptrhash_init(raw);
		to.duration_s = duration;
		to.argv = optind < argc ? argv + optind : NULL;
		ret = tracer_start(&t, &to, pipeline_record, &p);
		if (!ret) {
			tracer_loop(&t, graph_tick, &p);
			pipeline_finish(&p, tracer_next_seq(&t), 0, 0, t.end_ns, 0);
			tracer_report_child(&t);
		}
		tracer_stop(&t);
	} else {
		ret = replay_file("graph", argv[optind], &p, raw);
	}
	if (!ret)
		ret = graph_print(&p.g, stdout, fmt, owner) ? EXIT_USAGE : EXIT_OK;
	pipeline_fini(&p);
	sink_fini(&sink);
	return ret;
}
