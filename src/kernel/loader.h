/* SPDX-License-Identifier: GPL-2.0 */
/* Open, configure, load and attach the BPF side; consume its ring buffer. */
#ifndef IT_LOADER_H
#define IT_LOADER_H

#include <stddef.h>
#include <linux/types.h>
#include "kernel/features.h"
#include "iommutrace.h"

enum probe_state {
	PROBE_MISSING, /* the kernel has no such function */
	PROBE_CLONE_ONLY, /* only a .isra/.constprop clone: arguments may differ */
	PROBE_FAILED, /* present, but load or attach failed */
	PROBE_ATTACHED,
};

/* How a function's programs are attached. */
enum attach_kind {
	ATTACH_NONE,
	ATTACH_KPROBE, /* kprobe/kretprobe */
	ATTACH_FENTRY, /* fentry/fexit: a BPF trampoline */
};

/* --attach: which kind to use where both could be */
enum attach_mode {
	ATTACH_AUTO, /* fentry where the kernel allows it, else kprobes */
	ATTACH_ONLY_FENTRY, /* fentry or nothing */
	ATTACH_ONLY_KPROBE,
};

struct probe_status {
	enum probe_state state;
	int err; /* -errno when failed */
	enum attach_kind kind; /* when attached */
	char why[120]; /* why this kind (or why not the other) */
};

struct loader;

typedef int (*record_fn)(void *cookie, const void *data, size_t len);

struct loader_opts {
	size_t ringbuf_size;
	/* the hooks whose events get a kernel stack, and those only when failed */
	__u64 stack_hooks, stack_hooks_failed;
	bool layout_probe; /* load the program that reports CO-RE's choices */
	enum attach_mode attach;
	unsigned long long first_seq; /* go on from an earlier load's numbering */
};

/*
 * Open, configure (ring buffer size, stacks, autoload from *f), load and
 * attach. Returns NULL and sets errno when nothing useful could be attached.
 */
struct loader *loader_start(const struct features *f, const struct loader_opts *o,
			    record_fn fn, void *cookie);
const struct probe_status *loader_status(const struct loader *l, int probe);
int loader_n_attached(const struct loader *l);
/* Wait up to timeout_ms for records and hand each to fn. */
int loader_poll(struct loader *l, int timeout_ms);
/* Failed reservations (all CPUs) and returns whose entry was lost. */
unsigned long long loader_kernel_drops(const struct loader *l);
unsigned long long loader_missed_returns(const struct loader *l);
unsigned long long loader_next_seq(const struct loader *l);
/*
 * Runs of the programs the kernel skipped because the program was already
 * running on that CPU (bpf_prog_info.recursion_misses, counted whether or
 * not kernel.bpf_stats_enabled is set): events lost without a number.
 */
unsigned long long loader_recursion_misses(const struct loader *l);
/* Hooks (bit per IT_HOOK_*) whose kernel function is attached. */
__u64 loader_attached_hooks(const struct loader *l);
/* The raw stack of a kstack id (event numbering: map key + 1). */
int loader_stack(const struct loader *l, unsigned int id, unsigned long long *ips, int max);
void loader_free(struct loader *l);
/* CO-RE's choices on the running kernel (needs opts.layout_probe). */
int loader_layout(const struct loader *l, struct it_layout *out);
/* The same against the BTF in btf_path (raw or ELF), loading nothing else. */
int layout_probe_btf(const char *btf_path, struct it_layout *out);

const char *probe_state_name(enum probe_state s);
const char *attach_kind_name(enum attach_kind k); /* "fentry", "kprobe", "none" */
/* "auto", "fentry", "kprobe" -> *mode; -1 if none of them */
int attach_mode_parse(const char *s, enum attach_mode *mode);
const char *attach_mode_name(enum attach_mode mode);

/* Run time and count of every loaded program (kernel.bpf_stats_enabled=1 counts them). */
typedef void (*prog_stat_fn)(void *cookie, const char *prog, __u64 run_time_ns, __u64 run_cnt);
int loader_prog_stats(const struct loader *l, prog_stat_fn fn, void *cookie);

#endif
