// SPDX-License-Identifier: GPL-2.0
/*
 * `iommutrace record`: the raw event stream into a trace file, with the
 * stacks its events refer to, for `replay` to run the pipeline on later.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "base/clock.h"
#include "cmd/cli.h"
#include "base/log.h"
#include "base/ptrhash.h"
#include "base/table.h"
#include "format/stack_rec.h"
#include "format/trace_file.h"
#include "kernel/tracer.h"

struct recorder {
	struct trace_writer *w;
	struct tracer *t;
	struct table stacks_written;
	unsigned long long events, last_flush_ns;
	int err;
};

/* A stack record: the frames as text, so that replay needs no kallsyms. */
static int write_stack(struct recorder *r, unsigned int id)
{
	char **frames;
	void *rec;
	size_t len;
	int n = tracer_stack(r->t, id, &frames), err;

	if (n < 0)
		return 0; /* no stack: the event still counts */
	err = stack_rec_encode(id, frames, n, &rec, &len);
	if (!err) {
		err = trace_append(r->w, rec, len);
		free(rec);
	}
	for (int i = 0; i < n; i++)
		free(frames[i]);
	free(frames);
	return err;
}

static int record_one(void *cookie, const void *data, size_t len)
{
	struct recorder *r = cookie;
	const struct it_hdr *h = data;

	if (len >= IT_EVENT_SIZE_CORE && h->type == IT_REC_EVENT) {
		const struct it_event *e = data;

		r->events++;
		if (e->kstack_id && !table_get(&r->stacks_written, e->kstack_id)) {
			table_put(&r->stacks_written, e->kstack_id, (void *)1);
			r->err = write_stack(r, e->kstack_id);
		}
	} else if (len >= sizeof(struct it_module_rec) && h->type == IT_REC_MODULE) {
		/* a new load numbers its stacks anew */
		table_fini(&r->stacks_written);
		table_init(&r->stacks_written);
	}
	if (!r->err)
		r->err = trace_append(r->w, data, len);
	return r->err;
}

static void record_tick(void *cookie, unsigned long long now)
{
	struct recorder *r = cookie;

	/* whole blocks at least once a second: a kill loses at most that */
	if (now - r->last_flush_ns >= 1000000000ULL) {
		if (!r->err)
			r->err = trace_flush(r->w);
		r->last_flush_ns = now;
	}
}

static const struct opt_def record_opts[] = {
	{ "output", 'o', "FILE", "the trace file to write (required); it must not exist" },
	{ "force", 'f', NULL, "replace FILE if it is a regular file (once tracing started)" },
	TRACER_OPT_DEFS,
	{ "verbose", 'v', NULL, "more detail" },
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};

const struct cmd cmd_record_def = {
	.name = "record",
	.fn = cmd_record,
	.summary = "Record the raw event stream to a trace file (zlib-compressed blocks\n"
		   "with checksums, readable up to the last whole block even after a\n"
		   "SIGKILL) for 'iommutrace replay' and 'iommutrace graph'.",
	.usage = "-o FILE [OPTIONS] [-- COMMAND [ARGS...]]",
	.opts = record_opts,
	.examples = "  iommutrace record -o vm42.itr --duration 600\n"
		    "  iommutrace record -o idev-first.itr -- ./build/iommufd-scenario idev-first\n"
		    "  iommutrace replay --json idev-first.itr\n",
};

int cmd_record(int argc, char **argv)
{
	struct tracer_opts to = { .who = "record", .ringbuf_size = 4 << 20 };
	enum stacks_mode stacks = STACKS_PROOF;
	struct recorder r = {};
	struct it_end_rec end = { .hdr = { .type = IT_REC_END, .size = sizeof(end) } };
	unsigned char key[PTRHASH_KEY_LEN];
	const char *path = NULL;
	struct tracer t;
	bool force = false;
	int verbose = 0, opt, ret, err;

	while ((opt = cmd_getopt(&cmd_record_def, argc, argv)) != -1) {
		if (opt == -2)
			return EXIT_USAGE;
		ret = tracer_opt("record", record_opts[opt].short_name, optarg, &to, &stacks);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret)
			continue;
		switch (record_opts[opt].short_name) {
		case 'o': path = optarg; break;
		case 'f': force = true; break;
		case 'v': verbose++; break;
		case 'h': cmd_help(&cmd_record_def, true); return EXIT_OK;
		}
	}
	if (!path) {
		fprintf(stderr, "iommutrace record: no output file: give -o FILE\n");
		return EXIT_USAGE;
	}
	tracer_opts_stacks(&to, stacks);
	log_init(verbose);
	to.argv = optind < argc ? argv + optind : NULL;

	ptrhash_init(false);
	ptrhash_get_key(key);
	r.w = trace_create(path, key, force);
	if (!r.w) {
		pr_warn("can't write %s: %s\n", path, trace_create_error(errno));
		return EXIT_USAGE;
	}
	table_init(&r.stacks_written);
	r.t = &t;
	/* path is touched only once tracing runs: a failed start leaves it as it was */
	ret = tracer_start(&t, &to, record_one, &r);
	if (ret)
		goto out;
	err = trace_publish(r.w);
	if (err) {
		pr_warn("can't write %s: %s\n", path, trace_create_error(-err));
		ret = EXIT_USAGE;
		goto out;
	}
	tracer_loop(&t, record_tick, &r);
	end.end_seq = tracer_next_seq(&t);
	end.kernel_drops = tracer_kernel_drops(&t);
	end.missed_returns = tracer_missed_returns(&t);
	if (!r.err)
		r.err = trace_append(r.w, &end, sizeof(end));
	tracer_report_child(&t);
	tracer_report_misses(&t);
	pr_info("recorded %llu events to %s (%llu taken by the kernel, %llu failed reservations)\n",
		r.events, path, (unsigned long long)end.end_seq, end.kernel_drops);
	ret = r.err ? EXIT_USAGE : EXIT_OK;
	if (r.err)
		pr_warn("writing %s failed: %s\n", path, strerror(-r.err));
out:
	err = trace_close(r.w);
	if (err && !ret) {
		pr_warn("closing %s failed: %s\n", path, strerror(-err));
		ret = EXIT_USAGE;
	}
	table_fini(&r.stacks_written);
	tracer_stop(&t);
	return ret;
}
