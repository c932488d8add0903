/* SPDX-License-Identifier: GPL-2.0 */
/* Command table and option parsing shared by the commands. */
#ifndef IT_CLI_H
#define IT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "cmd/config.h"
#include "kernel/loader.h"
#include "model/owner.h"

#define EXIT_OK 0
#define EXIT_VIOLATIONS 1
#define EXIT_USAGE 2 /* usage or environment error */

struct opt_def {
	const char *name;
	int short_name; /* 0 for none */
	const char *arg; /* NULL for a flag */
	const char *help;
	/*
	 * the words the value may be, space-separated, for the completion
	 * and the man page (NULL: free, or known by arg: FILE, PID,
	 * TYPE[,TYPE], KEY=VALUE)
	 */
	const char *values;
};

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage; /* after "iommutrace NAME " */
	const struct opt_def *opts;
	const char *examples;
	const char *exit_status; /* NULL: 0 ok, 1 violations, 2 error */
};

#define IOMMUTRACE_VERSION "0.1.0"

/* Every command, in the order --help lists them. */
extern const struct cmd *const it_cmds[];
extern const size_t it_n_cmds;
const struct cmd *cmd_find(const char *name);
/* The top-level --help. */
void usage_main(FILE *f);
/* What iommutrace does, a paragraph (--help and the man page). */
extern const char it_description[];
/* The exit status of a command without its own */
#define EXIT_STATUS_DEFAULT "0 ok, 1 violations found, 2 usage or environment error"

void cmd_help(const struct cmd *c, bool to_stdout);
/*
 * getopt_long over c->opts. Returns the option's index in c->opts, -1 at
 * the end, -2 on a usage error (already reported). optarg as getopt's.
 */
int cmd_getopt(const struct cmd *c, int argc, char **argv);

/*
 * --OPT's value as a whole number from min to max (parse.h's rules); on a
 * refusal, says which option, which value and what is allowed.
 */
int parse_opt_num(const char *who, const char *opt, const char *s, unsigned long long min,
		  unsigned long long max, unsigned long long *out);
/* --duration: a second to a year */
#define DURATION_MAX (365ULL * 24 * 3600)
/* --ringbuf-size: a power of two from 4 KiB to 1 GiB */
int parse_ringbuf_size(const char *who, const char *s, unsigned long long *out);
/* --attach auto|fentry|kprobe; says what is wrong */
int parse_attach(const char *who, const char *s, enum attach_mode *out);

struct tracer_opts;
/* --stacks MODE; says what is wrong */
int parse_stacks(const char *who, const char *s, enum stacks_mode *out);
/* The hooks whose events get a stack in mode, for the tracer. */
void tracer_opts_stacks(struct tracer_opts *to, enum stacks_mode mode);
/*
 * The tracer's options of live and record: --duration, --ringbuf-size,
 * --attach (into to), --stacks and --no-stacks (into *stacks). 1 if opt was one (and right), 0 if it
 * is not one of them, -1 after saying what is wrong.
 */
int tracer_opt(const char *who, int opt, const char *arg, struct tracer_opts *to,
	       enum stacks_mode *stacks);
#define TRACER_OPT_DEFS                                                                     \
	{ "duration", 'd', "SEC", "stop after SEC seconds" },                                 \
	{ "ringbuf-size", 'b', "BYTES", "BPF ring buffer size, a power of two (default 4M)" }, \
	{ "stacks", 'K', "MODE", "kernel stacks: proof (default), all or none",                \
	  "proof all none" },                                                                 \
	{ "no-stacks", 'S', NULL, "--stacks none" },                                           \
	{ "attach", 'A', "KIND", "fentry or kprobe; auto (default): fentry where it can",     \
	  "auto fentry kprobe" }

/* --type: object type names, comma-separated, into a mask of IT_OBJ_* bits */
int parse_types(const char *who, const char *s, unsigned int *mask);

struct stacks;
struct stats;
struct pipeline;
struct tracer;
/* A snapshot of p's and t's counts (t: its counts are 0 when it never attached). */
void stats_collect(struct stats *st, const struct pipeline *p, const struct tracer *t);
/* The pipeline's stack resolver when live: the tracer's stack map, symbolized. */
int resolve_live_stack(void *tracer, unsigned int id, struct stacks *into);

/* The options live and replay share: what is shown, and how. */
struct view_opts {
	bool json, quiet, raw;
	int verbose;
	unsigned long long pid;
	unsigned int type_mask;
	unsigned long long wait_ms; /* long_wait threshold */
	enum owner_mode owner; /* VM names and cgroup paths: full, hash or omit */
};

#define VIEW_OPTS_DEFAULT { .wait_ms = 100 }

/* --owner and --raw-pointers: how owners and pointers are shown (graph, report too) */
#define OWNER_OPT_DEF                                                                    \
	{ "owner", 'O', "MODE", "context owners' VM names and cgroup paths: full\n"      \
	  "                               (default), hash (keyed, stable within a run)\n"   \
	  "                               or omit", "full hash omit" }
#define RAW_POINTERS_OPT_DEF \
	{ "raw-pointers", 0, NULL, "print kernel addresses instead of keyed hashes" }

/* Their rows in a command's option table (view_opt() parses them). */
#define VIEW_OPT_DEFS                                                                    \
	{ "json", 'j', NULL, "one JSON object per line (NDJSON) on stdout" },             \
	{ "pid", 'p', "PID", "only events of this process (or thread)" },                 \
	{ "type", 't', "TYPE[,TYPE]", "only events of these object types: device,\n"      \
	  "                               vdevice, viommu, ioas, hwpt_paging, hwpt_nested,\n" \
	  "                               access, fault, veventq, hw_queue, selftest, ctx" }, \
	{ "long-wait", 'w', "MS", "long_wait threshold in milliseconds (default 100)" },   \
	{ "quiet", 'q', NULL, "violations and the summary only, no events" },             \
	OWNER_OPT_DEF,                                                                    \
	RAW_POINTERS_OPT_DEF,                                                             \
	{ "verbose", 'v', NULL, "more detail (libbpf's messages with -vv)" }

/* --owner's value; -1 after saying what is wrong */
int parse_owner_mode(const char *who, const char *s, enum owner_mode *m);

/*
 * One of the shared options (-j -q -p -t -w -O -v, --raw-pointers): 1 when
 * taken, 0 when not one of them, -1 on a bad value (already reported).
 */
int view_opt(const char *who, int short_name, const char *arg, struct view_opts *v);

struct pipeline_opts;
/* The pipeline's filters and thresholds from them. */
void view_pipeline_opts(const struct view_opts *v, struct pipeline_opts *po);

/*
 * Run a trace file through p, then finish it with the recording's own
 * times. 0, or EXIT_USAGE after saying why.
 */
int replay_file(const char *who, const char *path, struct pipeline *p, bool raw);

int cmd_check(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_graph(int argc, char **argv);

extern const struct cmd cmd_check_def;
extern const struct cmd cmd_live_def;
extern const struct cmd cmd_record_def;
extern const struct cmd cmd_replay_def;
extern const struct cmd cmd_graph_def;
extern const struct cmd cmd_daemon_def;
extern const struct cmd cmd_report_def;

#endif
