/* SPDX-License-Identifier: GPL-2.0 */
/* Facts about the running kernel, probed once; every load decision reads them. */
#ifndef IT_FEATURES_H
#define IT_FEATURES_H

#include <stdbool.h>
#include "format/hooks.h"

#define SYM_LEN 128

struct probe_target {
	bool present; /* the exact symbol is in kallsyms */
	char module[64]; /* "" when built in */
	char clone[SYM_LEN]; /* a .isra/.constprop clone, when only that exists */
};

struct features {
	/* environment */
	bool kallsyms_readable;
	bool kprobes; /* perf kprobe PMU or tracefs kprobe_events */
	bool btf_vmlinux;
	bool btf_iommufd_module; /* /sys/kernel/btf/iommufd */
	bool iommufd; /* iommufd code is in the running kernel */
	bool iommufd_module_on_disk; /* not loaded, but modprobe would find it */
	bool privileged; /* CAP_BPF+CAP_PERFMON or CAP_SYS_ADMIN */
	bool sys_admin; /* CAP_SYS_ADMIN: libbpf can find a module's BTF by id */
	/* from the kernel's build configuration: 'y', 'm', 'n' (not set), or
	 * 0 when no configuration could be read */
	char config_iommufd;
	char config_kprobes_on_ftrace; /* kprobes go through ftrace */
	char config_ftrace_with_jmp; /* ftrace reads bit 0 of a callback as "jmp" */
	/* kprobes' ftrace callback in kallsyms: 0 when absent or hidden */
	unsigned long long kprobe_handler_addr;
	char config_path[128]; /* the file they came from */
	char btf_source[128];
	/* where iommufd's functions are, when f->iommufd: built in, or the module named */
	bool iommufd_builtin;
	char iommufd_module[56];
	/* layouts found in BTF (names of the fields CO-RE will use) */
	const char *obj_wait_field; /* wait_cnt, shortterm_users, destroy_rwsem */
	const char *vdev_layout; /* "idev, virt_id", "dev, id", NULL */
	const char *hwpt_layout; /* "hwpt_paging/hwpt_nested", "hw_pagetable" */
	struct probe_target targets[64];
};

/* Fills *f; never fails: what it cannot find is recorded as absent. */
void features_probe(struct features *f);

struct problem {
	const char *what;
	const char *fix;
	bool waitable; /* a module not loaded yet: a tracer can wait for it */
};

/* Everything that stops tracing, each with its fix; returns how many. */
int features_problems(const struct features *f, struct problem *p, int max);

/*
 * A loaded module's identity: the inode of /sys/module/NAME while its state
 * is "live" (a new load gets a new inode), 0 when it is absent, coming or
 * going.
 */
unsigned long features_module_live(const char *name);

/*
 * OPT's value in a kernel configuration file, plain or gzipped
 * (/boot/config-RELEASE, /proc/config.gz): 'y', 'm', 'n' when it is not set
 * (or set to something other than y or m),
 * 0 when the file cannot be read or does not name it.
 */
char features_kernel_config(const char *path, const char *opt);
/*
 * The same for N options in one read: VALS[i] for OPTS[i]. Returns how many
 * were named, or -1 when the file cannot be read.
 */
int features_kernel_configs(const char *path, const char *const *opts, char *vals, int n);

/*
 * A kernel whose ftrace takes bit 0 of a callback's address to mean "jump"
 * (DYNAMIC_FTRACE_WITH_JMP, 7.x) but whose kprobe callback,
 * kprobe_ftrace_handler, sits at an odd address (functions not aligned:
 * -Os with GCC before 14): registering kprobes through ftrace a second time
 * in a boot writes a jmp to the byte before the handler into their
 * trampoline, and the next traced call crashes (README, "kprobes on ftrace").
 */
bool features_ftrace_reregister_crash(const struct features *f);

/* The symbols of kallsyms text that is read, for tests. */
int features_parse_kallsyms(struct features *f, const char *path);

#endif
