/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every command that traces the live kernel shares: check the
 * environment, load and attach, poll until Ctrl-C, a time limit or the end
 * of a command run under it, then drain.
 *
 * When iommufd is a module the tracer follows it: it waits for the module
 * when it is not loaded, and when it is unloaded it drains, tells the
 * consumer (an IT_REC_MODULE record), and loads and attaches again, with
 * the same sequence numbering, when a module is loaded again. The consumer
 * also gets an IT_REC_META record after every attach.
 */
#ifndef IT_TRACER_H
#define IT_TRACER_H

#include <stdbool.h>
#include <sys/types.h>
#include "kernel/features.h"
#include "kernel/loader.h"

struct tracer_opts {
	const char *who; /* command name, for messages */
	bool json; /* environment errors as JSON on stdout too */
	size_t ringbuf_size;
	/* the hooks whose events get a kernel stack, and those only when failed */
	__u64 stack_hooks, stack_hooks_failed;
	enum attach_mode attach; /* --attach */
	unsigned long long duration_s; /* 0: no limit */
	char **argv; /* a command to run under the tracer, or NULL */
	bool service; /* the daemon: no hints for a terminal */
};

struct tracer {
	struct tracer_opts o;
	struct features f;
	struct loader *l; /* NULL while waiting for the module */
	record_fn fn;
	void *cookie;
	bool follow_module; /* iommufd is a module: follow its loads */
	unsigned long module_ino; /* of the load attached to */
	int loads; /* attaches so far */
	/* what loads before the current one counted */
	unsigned long long next_seq, drops_base, missed_base, recursion_base;
	struct ksyms *ksyms; /* loaded at attach, again after a module load */
	bool ksyms_tried;
	unsigned long long start_ns, end_ns;
	pid_t child;
	int child_status;
	bool child_done;
};

typedef void (*tick_fn)(void *cookie, unsigned long long now_ns);

/* 0, or an exit status (2) after saying what is wrong. */
int tracer_start(struct tracer *t, const struct tracer_opts *o, record_fn fn, void *cookie);
/* Runs until stopped; returns 0 or -errno when reading failed. */
int tracer_loop(struct tracer *t, tick_fn tick, void *cookie);
void tracer_stop(struct tracer *t);
/* Counters over every load: sequence numbers taken, failed reservations, missed returns. */
unsigned long long tracer_next_seq(const struct tracer *t);
unsigned long long tracer_kernel_drops(const struct tracer *t);
unsigned long long tracer_missed_returns(const struct tracer *t);
/* Program runs the kernel skipped (loader_recursion_misses), every load. */
unsigned long long tracer_recursion_misses(const struct tracer *t);
/* Attached now (false while waiting for the module)? */
bool tracer_attached(const struct tracer *t);
/* The probe of probe_defs[i] attached now? */
bool tracer_probe_attached(const struct tracer *t, int i);
/* How it is attached: "fentry", "kprobe", or NULL when it is not. */
const char *tracer_probe_kind(const struct tracer *t, int i);
/*
 * fn for each loaded BPF program's run time and count, when the kernel
 * counts them (kernel.bpf_stats_enabled=1); 0, -ENODATA when it does not
 * or nothing is attached, or -errno.
 */
int tracer_prog_stats(const struct tracer *t, prog_stat_fn fn, void *cookie);
/*
 * The stack of id in the live stack map, symbolized: *frames (malloc'ed,
 * as each frame) gets them; returns how many, or -errno.
 */
int tracer_stack(struct tracer *t, unsigned int id, char ***frames);
/* Report how a child command ended, when it did not end well. */
void tracer_report_child(const struct tracer *t);
/* Says, on stderr, how many probe runs the kernel skipped, if any. */
void tracer_report_misses(const struct tracer *t);

void json_error_line(const char *what, const char *fix);

#endif
