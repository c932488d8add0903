/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who owns a context: the process that opened it, its cgroup and, for a
 * VMM, the VM's name, read from the IT_REC_OWNER record the BPF side writes
 * at the open. The VM's name is QEMU's -name (guest=NAME), else the name in
 * a systemd-machined scope of the cgroup path (libvirt's
 * machine-qemu\x2dN\x2dNAME.scope).
 */
#ifndef IT_OWNER_H
#define IT_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "iommutrace.h"

#define OWNER_VM_LEN 64
#define OWNER_CGROUP_LEN (IT_OWNER_CGROUP_LEN + 8)

enum owner_vm_from { OWNER_VM_NONE, OWNER_VM_ARGV, OWNER_VM_CGROUP };

struct ctx_owner {
	__u64 ctx;
	__u64 open_seq; /* the open's event */
	__u64 ts_ns;
	__u64 cgroup_id; /* 0: unknown */
	__u32 tgid;
	__u32 tid; /* the thread that opened it */
	__u32 cpu;
	char comm[IT_COMM_LEN];
	char cgroup[OWNER_CGROUP_LEN]; /* "/machine.slice/...", "" if unknown */
	char vm[OWNER_VM_LEN]; /* "" if none found */
	enum owner_vm_from vm_from;
	bool cgroup_cut; /* the path's top is missing ("..." in front) */
	bool vm_cut; /* the name was longer than shown */
	bool argv_cut; /* only the first arguments were seen */
};

/* What output shows of the names (VM, cgroup) a reader may not be meant to see. */
enum owner_mode { OWNER_FULL, OWNER_HASH, OWNER_OMIT };

/* 0, or -EINVAL when the record is not a well-formed IT_REC_OWNER. */
int owner_parse(const void *rec, size_t len, struct ctx_owner *o);
/* QEMU's -name from NUL-separated arguments; false when there is none. */
bool owner_vm_from_argv(const char *argv, size_t len, char *vm, size_t vmlen, bool *cut);
/* The machine name of a systemd-machined scope in a cgroup path. */
bool owner_vm_from_cgroup(const char *path, char *vm, size_t vmlen, bool *cut);
const char *owner_vm_from_name(enum owner_vm_from f);

int owner_mode_parse(const char *s, enum owner_mode *m);
const char *owner_mode_name(enum owner_mode m);
/*
 * A name as output under mode m: s itself, a keyed hash "h:0123456789ab"
 * (the same name gives the same hash within one run), or NULL (omit, and
 * for an empty s).
 */
const char *owner_show(enum owner_mode m, const char *s, char *buf, size_t len);

/* "COMM[PID] vm NAME (from argv) cgroup PATH", names under m, safe for a terminal */
void owner_text(FILE *f, const struct ctx_owner *o, enum owner_mode m);

struct json;
/* "key": { pid, comm, vm, vm_from, cgroup, cgroup_id, truncated }, names under m */
void json_owner(struct json *j, const char *key, const struct ctx_owner *o, enum owner_mode m);

#endif
