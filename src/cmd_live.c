// SPDX-License-Identifier: GPL-2.0
/*
 * `iommutrace live`: attach, stream events through decode to a sink until
 * Ctrl-C, a time limit, or the end of a command run under it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cli.h"
#include "decode.h"
#include "features.h"
#include "hooks.h"
#include "loader.h"
#include "log.h"
#include "ptrhash.h"
#include "sink.h"

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	if (exiting) /* a second Ctrl-C is final */
		_exit(128 + sig);
	exiting = sig;
}

struct live {
	struct sink sink;
	struct decoder *dec;
	int pid_filter;
	unsigned int type_mask; /* 0 = all */
	unsigned long long shown;
	int err;
};

static int on_event(void *cookie, const struct it_event *e)
{
	struct live *lv = cookie;

	if (lv->pid_filter && (int)e->tgid != lv->pid_filter && (int)e->pid != lv->pid_filter)
		return 0;
	if (lv->type_mask && !(lv->type_mask & (1u << e->obj.type)))
		return 0;
	lv->shown++;
	return lv->sink.ops->event(&lv->sink, e);
}

static int on_lost(void *cookie, __u64 from, __u64 count, __u64 ts_ns)
{
	struct live *lv = cookie;

	return lv->sink.ops->lost(&lv->sink, from, count, ts_ns);
}

static const struct decode_ops live_decode_ops = {
	.event = on_event,
	.lost = on_lost,
};

static int on_record(void *cookie, const void *data, size_t len)
{
	struct live *lv = cookie;
	int err = decoder_feed(lv->dec, data, len);

	if (err == -EINVAL) /* malformed: counted, reported in the summary */
		return 0;
	if (err) {
		lv->err = err; /* output failed: stop */
		return err;
	}
	return 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static const struct opt_def live_opts[] = {
	{ "json", 'j', NULL, "one JSON object per line (NDJSON) on stdout" },
	{ "pid", 'p', "PID", "only events of this process (or thread)" },
	{ "type", 't', "TYPE[,TYPE]", "only these object types: device, vdevice, viommu,\n"
	  "                               ioas, hwpt_paging, hwpt_nested, access, fault,\n"
	  "                               veventq, hw_queue, selftest, ctx" },
	{ "duration", 'd', "SEC", "stop after SEC seconds" },
	{ "ringbuf-size", 'b', "BYTES", "BPF ring buffer size, a power of two (default 4M)" },
	{ "raw-pointers", 0, NULL, "print kernel addresses instead of keyed hashes" },
	{ "verbose", 'v', NULL, "more detail (libbpf's messages with -vv)" },
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};

const struct cmd cmd_live_def = {
	.name = "live",
	.fn = cmd_live,
	.summary = "Stream iommufd object lifecycle events as they happen: one line per\n"
		   "event (time, cpu, comm[pid], hook, object type#id, relations, result,\n"
		   "duration). Ctrl-C prints a summary with events per hook and losses.\n"
		   "With a command after --, trace while it runs and stop when it ends.",
	.usage = "[OPTIONS] [-- COMMAND [ARGS...]]",
	.opts = live_opts,
	.examples = "  iommutrace live\n"
		    "  iommutrace live --json --type vdevice,device\n"
		    "  iommutrace live --pid $(pidof qemu-system-x86_64)\n"
		    "  iommutrace live --json -- ./build/iommufd-scenario idev-first\n",
};

/* In --json mode errors are JSON on stdout too. */
static void json_error(const char *what, const char *fix)
{
	struct json j;

	json_init(&j);
	json_obj_begin(&j, NULL);
	json_u64(&j, "schema", JSON_SCHEMA_VERSION);
	json_str(&j, "kind", "error");
	json_str(&j, "what", what);
	json_str(&j, "fix", fix);
	json_obj_end(&j);
	json_emit(&j, stdout);
	json_free(&j);
}

static int parse_types(const char *s, unsigned int *mask)
{
	char *dup = strdup(s), *save = NULL, *tok;
	int err = 0;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int t = obj_type_from_name(tok);

		if (t <= 0) {
			fprintf(stderr, "iommutrace live: unknown object type '%s' (see --help)\n",
				tok);
			err = -EINVAL;
			break;
		}
		*mask |= 1u << t;
	}
	free(dup);
	return err;
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "iommutrace live: can't run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		pr_warn("can't fork: %s\n", strerror(errno));
	return pid;
}

int cmd_live(int argc, char **argv)
{
	unsigned long long ringbuf = 4 << 20, duration = 0, pid = 0;
	struct live lv = {};
	struct problem probs[8];
	struct features f;
	struct loader *l = NULL;
	bool json = false, raw = false;
	int verbose = 0, opt, n, ret = EXIT_USAGE, child_status = 0;
	pid_t child = 0;
	__u64 start, deadline = 0;
	struct sigaction sa = { .sa_handler = on_signal };

	while ((opt = cmd_getopt(&cmd_live_def, argc, argv)) != -1) {
		if (opt == -2)
			return EXIT_USAGE;
		switch (live_opts[opt].short_name) {
		case 'j': json = true; break;
		case 'p':
			if (parse_ull("pid", optarg, &pid) || !pid || pid > 0x7fffffff)
				return EXIT_USAGE;
			break;
		case 't':
			if (parse_types(optarg, &lv.type_mask))
				return EXIT_USAGE;
			break;
		case 'd':
			if (parse_ull("duration", optarg, &duration))
				return EXIT_USAGE;
			break;
		case 'b':
			if (parse_size("ringbuf-size", optarg, &ringbuf))
				return EXIT_USAGE;
			if (ringbuf < 4096 || (ringbuf & (ringbuf - 1)) || ringbuf > (1ULL << 30)) {
				fprintf(stderr, "iommutrace live: --ringbuf-size must be a power of two "
						"from 4096 to 1G, not %llu\n", ringbuf);
				return EXIT_USAGE;
			}
			break;
		case 'v': verbose++; break;
		case 'h': cmd_help(&cmd_live_def, true); return EXIT_OK;
		case 0: raw = true; break; /* --raw-pointers */
		}
	}
	log_init(verbose);
	lv.pid_filter = (int)pid;

	features_probe(&f);
	n = features_problems(&f, probs, 8);
	if (n) {
		for (int i = 0; i < n && i < 8; i++) {
			pr_warn("%s\n  fix: %s\n", probs[i].what, probs[i].fix);
			if (json)
				json_error(probs[i].what, probs[i].fix);
		}
		pr_warn("cannot trace here; 'iommutrace check' shows the details\n");
		return EXIT_USAGE;
	}
	if (ptrhash_init(raw)) {
		pr_warn("can't initialise libsodium for pointer hashing\n");
		return EXIT_USAGE;
	}

	/*
	 * A pipe or file gets big writes, unless a command shares our stdout:
	 * then whole lines only, so that its output never splits one of ours.
	 */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, optind < argc ? _IOLBF : _IOFBF, 1 << 16);
	sink_init(&lv.sink, json ? &sink_json_ops : &sink_tty_ops, stdout);
	lv.dec = decoder_new(&live_decode_ops, &lv, DECODE_DEFAULT_WINDOW_NS);
	if (!lv.dec)
		goto out;
	l = loader_start(&f, ringbuf, on_record, &lv);
	if (!l) {
		pr_warn("can't start tracing: %s ('iommutrace check -vv' tells more)\n",
			strerror(errno));
		if (json)
			json_error("can't load or attach the BPF programs",
				   "run 'iommutrace check -vv' for libbpf's log");
		goto out;
	}
	for (int i = 0; i < n_probe_defs; i++) {
		const struct probe_status *st = loader_status(l, i);

		if (st->state == PROBE_FAILED || (st->state != PROBE_ATTACHED && probe_defs[i].core))
			pr_warn("%s: %s\n", probe_defs[i].func, probe_state_name(st->state));
		else if (st->state != PROBE_ATTACHED)
			pr_debug("%s: %s on this kernel\n", probe_defs[i].func,
				 probe_state_name(st->state));
	}
	pr_info("tracing %d of %d iommufd functions%s\n", loader_n_attached(l), n_probe_defs,
		optind < argc ? "" : "; Ctrl-C to stop");

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = now_ns();
	if (duration)
		deadline = start + duration * 1000000000ULL;
	if (optind < argc) {
		fflush(stdout);
		child = spawn(argv + optind);
		if (child < 0)
			goto out;
	}

	while (!exiting && !lv.err) {
		int err = loader_poll(l, 100);

		if (err < 0 && err != -EINTR) {
			if (!lv.err)
				pr_warn("reading the ring buffer failed: %s\n", strerror(-err));
			break;
		}
		decoder_tick(lv.dec, now_ns());
		fflush(stdout);
		if (deadline && now_ns() >= deadline)
			break;
		if (child > 0 && waitpid(child, &child_status, WNOHANG) == child) {
			child = 0;
			break;
		}
	}
	/* everything the kernel wrote before we stopped, then the tail */
	loader_poll(l, 0);
	decoder_finish(lv.dec, loader_next_seq(l));

	__u64 end = now_ns();
	struct summary sum = {
		.end_ns = end,
		.duration_ns = end - start,
		.dec = decoder_stats(lv.dec),
		.kernel_drops = loader_kernel_drops(l),
		.missed_returns = loader_missed_returns(l),
		.shown = lv.shown,
	};
	lv.sink.ops->summary(&lv.sink, &sum);
	if (sum.dec->rejected)
		pr_warn("%llu malformed records were skipped\n", sum.dec->rejected);
	ret = lv.err ? EXIT_USAGE : EXIT_OK;
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, &child_status, 0);
	}
	if (optind < argc && WIFEXITED(child_status) && WEXITSTATUS(child_status))
		pr_warn("%s exited with status %d\n", argv[optind], WEXITSTATUS(child_status));
	else if (optind < argc && WIFSIGNALED(child_status))
		pr_warn("%s was killed by signal %d\n", argv[optind], WTERMSIG(child_status));
out:
	loader_free(l);
	decoder_free(lv.dec);
	sink_fini(&lv.sink);
	return ret;
}
