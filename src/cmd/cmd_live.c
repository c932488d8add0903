// SPDX-License-Identifier: GPL-2.0
/*
 * `iommutrace live`: attach and stream events, with the rules' verdicts,
 * through the pipeline until Ctrl-C, a time limit, or the end of a command
 * run under it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "cmd/cli.h"
#include "format/hooks.h"
#include "base/log.h"
#include "model/pipeline.h"
#include "out/sinks.h"
#include "base/ptrhash.h"
#include "kernel/tracer.h"

static const struct opt_def live_opts[] = {
	VIEW_OPT_DEFS,
	TRACER_OPT_DEFS,
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};

const struct cmd cmd_live_def = {
	.name = "live",
	.fn = cmd_live,
	.summary = "Stream iommufd object lifecycle events as they happen: one line per\n"
		   "event (time, cpu, comm[pid], hook, object type#id, relations, result,\n"
		   "duration), and a report for every rule an event breaks. Ctrl-C prints a\n"
		   "summary: events per hook, losses and violations per rule. With a command\n"
		   "after --, trace while it runs and stop when it ends.",
	.usage = "[OPTIONS] [-- COMMAND [ARGS...]]",
	.opts = live_opts,
	.examples = "  iommutrace live\n"
		    "  iommutrace live --json --type vdevice,device\n"
		    "  iommutrace live --quiet --pid $(pidof qemu-system-x86_64)\n"
		    "  iommutrace live --json -- ./build/iommufd-scenario idev-first\n",
};


static void live_tick(void *cookie, unsigned long long now)
{
	struct pipeline *p = cookie;

	pipeline_tick(p, now);
	for (int i = 0; i < p->n_sinks; i++)
		fflush(p->sinks[i]->out);
}

int cmd_live(int argc, char **argv)
{
	struct view_opts vo = VIEW_OPTS_DEFAULT;
	struct pipeline_opts po = {};
	struct tracer_opts to = { .who = "live", .ringbuf_size = 4 << 20 };
	enum stacks_mode stacks = STACKS_PROOF;
	struct pipeline p;
	struct tracer t;
	struct sink *sink;
	int opt, ret;

	while ((opt = cmd_getopt(&cmd_live_def, argc, argv)) != -1) {
		if (opt == -2)
			return EXIT_USAGE;
		ret = tracer_opt("live", live_opts[opt].short_name, optarg, &to, &stacks);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret)
			continue;
		ret = view_opt("live", live_opts[opt].short_name, optarg, &vo);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret)
			continue;
		switch (live_opts[opt].short_name) {
		case 'h': cmd_help(&cmd_live_def, true); return EXIT_OK;
		}
	}
	tracer_opts_stacks(&to, stacks);
	log_init(vo.verbose);
	view_pipeline_opts(&vo, &po);
	po.attached = ~0ULL; /* set below, once attached */
	to.json = vo.json;
	to.argv = optind < argc ? argv + optind : NULL;

	if (ptrhash_init(vo.raw)) {
		pr_warn("can't initialise libsodium for pointer hashing\n");
		return EXIT_USAGE;
	}
	if (pipeline_init(&p, &po)) {
		pr_warn("out of memory\n");
		return EXIT_USAGE;
	}
	/*
	 * A pipe or file gets big writes, unless a command shares our stdout:
	 * then whole lines only, so that its output never splits one of ours.
	 */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, to.argv ? _IOLBF : _IOFBF, 1 << 16);
	sink = vo.json ? sink_json_new(stdout, false) : sink_tty_new(stdout);
	if (!sink) {
		pipeline_fini(&p);
		return EXIT_USAGE;
	}
	sink->no_events = vo.quiet;
	sink->owner_mode = vo.owner;
	pipeline_add_sink(&p, sink);

	ret = tracer_start(&t, &to, pipeline_record, &p);
	if (ret)
		goto out;
	p.resolve = resolve_live_stack;
	p.resolve_cookie = &t;
	tracer_loop(&t, live_tick, &p);
	pipeline_finish(&p, tracer_next_seq(&t), tracer_kernel_drops(&t),
			tracer_missed_returns(&t), t.end_ns, t.end_ns - t.start_ns);
	tracer_report_child(&t);
	tracer_report_misses(&t);
	if (decoder_stats(p.dec)->rejected)
		pr_warn("%llu malformed records were skipped\n", decoder_stats(p.dec)->rejected);
	ret = p.err ? EXIT_USAGE : pipeline_violations(&p) ? EXIT_VIOLATIONS : EXIT_OK;
out:
	tracer_stop(&t);
	pipeline_fini(&p);
	sink_free(sink);
	return ret;
}
