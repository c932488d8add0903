// SPDX-License-Identifier: GPL-2.0
/* Options and help, generated from each command's option table. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "base/parse.h"
#include "kernel/tracer.h"
#include "out/stats.h"
#include "model/pipeline.h"
#include "model/rules.h"

const struct cmd *const it_cmds[] = {
	&cmd_live_def,
	&cmd_check_def,
	&cmd_record_def,
	&cmd_replay_def,
	&cmd_graph_def,
	&cmd_report_def,
	&cmd_daemon_def,
};
const size_t it_n_cmds = sizeof(it_cmds) / sizeof(it_cmds[0]);

const char it_description[] =
	"Watch the lifetimes of iommufd objects (devices, vDEVICEs, vIOMMUs,\n"
	"HWPTs, IOASes) on the running kernel through kprobes and BPF.";

const struct cmd *cmd_find(const char *name)
{
	for (size_t i = 0; i < it_n_cmds; i++)
		if (!strcmp(it_cmds[i]->name, name)) /* exact names, no prefixes */
			return it_cmds[i];
	return NULL;
}

void usage_main(FILE *f)
{
	fprintf(f, "Usage: iommutrace [COMMAND] [OPTIONS]\n\n%s\n\nCOMMANDS\n", it_description);
	for (size_t i = 0; i < it_n_cmds; i++)
		fprintf(f, "  %-8s %.*s\n", it_cmds[i]->name,
			(int)strcspn(it_cmds[i]->summary, "\n:"), it_cmds[i]->summary);
	fprintf(f, "  %-8s %s\n", "help", "this help, or a command's: iommutrace help live");
	fprintf(f, "  %-8s %s\n", "version", "print the version");
	fprintf(f, "\nWithout a command, iommutrace runs 'live'.\n"
		   "\nEXAMPLES\n  iommutrace check\n  iommutrace live --json\n"
		   "\nEXIT STATUS\n  " EXIT_STATUS_DEFAULT "\n");
}

void cmd_help(const struct cmd *c, bool to_stdout)
{
	FILE *f = to_stdout ? stdout : stderr;

	fprintf(f, "Usage: iommutrace %s %s\n\n%s\n", c->name, c->usage, c->summary);
	if (c->opts && c->opts[0].name) {
		fprintf(f, "\nOPTIONS\n");
		for (const struct opt_def *o = c->opts; o->name; o++) {
			char left[64];

			snprintf(left, sizeof(left), "%c%c%s--%s%s%s",
				 o->short_name ? '-' : ' ', o->short_name ? o->short_name : ' ',
				 o->short_name ? ", " : "  ", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			fprintf(f, "  %-28s %s\n", left, o->help);
		}
	}
	if (c->examples)
		fprintf(f, "\nEXAMPLES\n%s", c->examples);
	fprintf(f, "\nEXIT STATUS\n  %s\n", c->exit_status ? c->exit_status : EXIT_STATUS_DEFAULT);
}

int cmd_getopt(const struct cmd *c, int argc, char **argv)
{
	struct option lopts[32];
	char sopts[64] = "+"; /* stop at the first operand: `-- CMD` */
	size_t n = 0, sl = 1;
	int idx = -1, ch;

	for (const struct opt_def *o = c->opts; o && o->name && n < 31; o++, n++) {
		lopts[n] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					    NULL, 0x100 + (int)n };
		if (o->short_name && sl < sizeof(sopts) - 3) {
			sopts[sl++] = (char)o->short_name;
			if (o->arg)
				sopts[sl++] = ':';
		}
	}
	lopts[n] = (struct option){ 0 };
	sopts[sl] = '\0';

	opterr = 0;
	ch = getopt_long(argc, argv, sopts, lopts, &idx);
	if (ch == -1)
		return -1;
	if (ch >= 0x100)
		return ch - 0x100;
	for (size_t i = 0; i < n; i++)
		if (c->opts[i].short_name == ch)
			return (int)i;
	if (ch == '?' && optopt >= 0x100 && optopt < 0x100 + (int)n)
		fprintf(stderr, "iommutrace %s: option --%s needs a value\n", c->name,
			c->opts[optopt - 0x100].name);
	else if (ch == '?' && optopt > 0x20 && optopt < 0x7f)
		fprintf(stderr, "iommutrace %s: option -%c %s\n", c->name, optopt,
			strchr(sopts, optopt) ? "needs a value" : "is unknown");
	else
		fprintf(stderr, "iommutrace %s: option '%s' is unknown or needs a value\n",
			c->name, argv[optind - 1]);
	fprintf(stderr, "try 'iommutrace %s --help'\n", c->name);
	return -2;
}

int parse_opt_num(const char *who, const char *opt, const char *s, unsigned long long min,
		  unsigned long long max, unsigned long long *out)
{
	char why[160];

	if (!parse_num(s, false, min, max, out, why, sizeof(why)))
		return 0;
	fprintf(stderr, "iommutrace %s: --%s '%s': give %s\n", who, opt, s, why);
	return -EINVAL;
}

int parse_owner_mode(const char *who, const char *s, enum owner_mode *m)
{
	if (!owner_mode_parse(s, m))
		return 0;
	fprintf(stderr, "iommutrace %s: --owner is full, hash or omit, not '%s'\n", who, s);
	return -1;
}

int view_opt(const char *who, int short_name, const char *arg, struct view_opts *v)
{
	switch (short_name) {
	case 'O': return parse_owner_mode(who, arg, &v->owner) ? -1 : 1;
	case 'j': v->json = true; return 1;
	case 'q': v->quiet = true; return 1;
	case 'v': v->verbose++; return 1;
	case 0: v->raw = true; return 1; /* --raw-pointers, the only long-only one */
	case 'p': /* PID_MAX_LIMIT */
		return parse_opt_num(who, "pid", arg, 1, 1 << 22, &v->pid) ? -1 : 1;
	case 't':
		return parse_types(who, arg, &v->type_mask) ? -1 : 1;
	case 'w':
		/* an hour: past the kernel's own 60 s timeout */
		return parse_opt_num(who, "long-wait", arg, 1, 3600000, &v->wait_ms) ? -1 : 1;
	}
	return 0;
}

void view_pipeline_opts(const struct view_opts *v, struct pipeline_opts *po)
{
	po->pid_filter = (int)v->pid;
	po->type_mask = v->type_mask;
	po->long_wait_ns = v->wait_ms * 1000000ULL;
}

int parse_stacks(const char *who, const char *s, enum stacks_mode *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "no") || stacks_mode_parse(s, out)) {
		fprintf(stderr, "iommutrace %s: --stacks '%s': give proof, all or none\n", who, s);
		return -EINVAL;
	}
	return 0;
}

void tracer_opts_stacks(struct tracer_opts *to, enum stacks_mode mode)
{
	to->stack_hooks = to->stack_hooks_failed = 0;
	if (mode == STACKS_ALL)
		to->stack_hooks = ~0ULL;
	else if (mode == STACKS_PROOF)
		to->stack_hooks = rules_proof_hooks(&to->stack_hooks_failed);
}

int tracer_opt(const char *who, int opt, const char *arg, struct tracer_opts *to,
	       enum stacks_mode *stacks)
{
	unsigned long long n;

	switch (opt) {
	case 'd':
		if (parse_opt_num(who, "duration", arg, 1, DURATION_MAX, &n))
			return -1;
		to->duration_s = n;
		return 1;
	case 'b':
		if (parse_ringbuf_size(who, arg, &n))
			return -1;
		to->ringbuf_size = n;
		return 1;
	case 'S':
		*stacks = STACKS_NONE;
		return 1;
	case 'K':
		return parse_stacks(who, arg, stacks) ? -1 : 1;
	case 'A':
		return parse_attach(who, arg, &to->attach) ? -1 : 1;
	}
	return 0;
}

int parse_attach(const char *who, const char *s, enum attach_mode *out)
{
	if (attach_mode_parse(s, out)) {
		fprintf(stderr, "iommutrace %s: --attach '%s': give auto, fentry or kprobe\n", who,
			s);
		return -EINVAL;
	}
	return 0;
}

int parse_ringbuf_size(const char *who, const char *s, unsigned long long *out)
{
	char why[160];

	if (parse_num(s, true, 4096, 1ULL << 30, out, why, sizeof(why)) || (*out & (*out - 1))) {
		fprintf(stderr, "iommutrace %s: --ringbuf-size '%s': give a power of two from 4K "
			"to 1G (4096 to 1073741824 bytes; K, M and G suffixes taken)\n", who, s);
		return -EINVAL;
	}
	return 0;
}

int resolve_live_stack(void *tracer, unsigned int id, struct stacks *into)
{
	char **frames;
	int n = tracer_stack(tracer, id, &frames);

	return n < 0 ? n : stacks_put(into, id, frames, n);
}

int parse_types(const char *who, const char *s, unsigned int *mask)
{
	char *dup = strdup(s), *save = NULL, *tok;
	int err = 0;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int t = obj_type_from_name(tok);

		if (t <= 0) {
			fprintf(stderr, "iommutrace %s: unknown object type '%s' (see --help)\n",
				who, tok);
			err = -EINVAL;
			break;
		}
		*mask |= 1u << t;
	}
	free(dup);
	if (!err && !*mask) {
		fprintf(stderr, "iommutrace %s: --type '%s' names no type: give one or more of "
			"device, vdevice, viommu, ioas, hwpt_paging, hwpt_nested, access, fault, "
			"veventq, hw_queue, selftest, ctx\n", who, s);
		err = -EINVAL;
	}
	return err;
}

static void add_prog(void *cookie, const char *prog, __u64 run_ns, __u64 run_cnt)
{
	struct stats *st = cookie;
	struct prog_stat *ps;

	if (st->n_progs == STATS_MAX_PROGS)
		return;
	ps = &st->progs[st->n_progs++];
	snprintf(ps->name, sizeof(ps->name), "%s", prog);
	ps->run_ns = run_ns;
	ps->run_cnt = run_cnt;
}

void stats_collect(struct stats *st, const struct pipeline *p, const struct tracer *t)
{
	memset(st, 0, sizeof(*st));
	st->dec = decoder_stats(p->dec);
	st->rules = &p->rules;
	st->alive = graph_count_alive(&p->g, st->alive_by_type);
	st->contexts = p->g.ctxs.n;
	st->dead = p->g.n_dead;
	st->forgotten = p->g.expired;
	st->attached = tracer_attached(t);
	st->kernel_drops = tracer_kernel_drops(t);
	st->missed_returns = tracer_missed_returns(t);
	st->recursion_misses = tracer_recursion_misses(t);
	for (int i = 0; i < n_probe_defs && i < STATS_MAX_PROBES; i++) {
		st->probe_attached[i] = tracer_probe_attached(t, i);
		st->probe_kind[i] = tracer_probe_kind(t, i);
	}
	st->have_progs = !tracer_prog_stats(t, add_prog, st);
}
