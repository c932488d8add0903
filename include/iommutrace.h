/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * iommutrace ABI: the records the BPF side writes into the ring buffer and
 * the recorder writes to trace files. Shared verbatim by bpf/ and src/, so
 * fixed-width types only, explicit padding, and a static size check on
 * every record.
 */
#ifndef IOMMUTRACE_H
#define IOMMUTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * 2: events as IT_REC_EVENT, only as long as what they hold; ABI 1's
 * IT_REC_EVENT_V1 records are still read
 */
#define IT_ABI_VERSION 2

#define IT_COMM_LEN 16
#define IT_DEVNAME_LEN 32
#define IT_MAX_RELS 2
#define IT_STACK_DEPTH 32

/*
 * Record types (it_hdr.type). Events come from the BPF side and carry the
 * global sequence number; the others are written by the recorder and have
 * seq 0.
 */
#define IT_REC_EVENT_V1 1 /* ABI 1: struct it_event_v1 */
#define IT_REC_STACK 2 /* a symbolized kernel stack */
#define IT_REC_META 3 /* what the recorder knew of the kernel */
#define IT_REC_END 4 /* a recording ended cleanly */
#define IT_REC_MODULE 5 /* the iommufd module went away or came back */
#define IT_REC_OWNER 6 /* who opened a context (from the BPF side, not sequenced) */
#define IT_REC_EVENT 7 /* struct it_event, IT_EVENT_SIZE_* bytes of it */

/*
 * Hooks. The numbers are ABI (they are stored in trace files): append only.
 * Their kernel functions and what each does are in one table, IT_HOOKS in
 * src/format/hooks.h.
 */
#define IT_HOOK_OBJ_ALLOC 1 /* _iommufd_object_alloc, return */
#define IT_HOOK_OBJ_FINALIZE 2
#define IT_HOOK_OBJ_ABORT 3
#define IT_HOOK_OBJ_ABORT_AND_DESTROY 4
#define IT_HOOK_OBJ_REMOVE 5 /* entry */
#define IT_HOOK_OBJ_REMOVE_RET 6
#define IT_HOOK_DEVICE_PRE_DESTROY 7
#define IT_HOOK_DEVICE_DESTROY 8
#define IT_HOOK_VDEVICE_ABORT 9
#define IT_HOOK_VDEVICE_DESTROY 10
#define IT_HOOK_FOPS_OPEN 11 /* return */
#define IT_HOOK_FOPS_RELEASE 12 /* entry */
#define IT_HOOK_FOPS_RELEASE_RET 13
#define IT_HOOK_IOAS_DESTROY 14
#define IT_HOOK_HWPT_PAGING_DESTROY 15
#define IT_HOOK_HWPT_PAGING_ABORT 16
#define IT_HOOK_HWPT_NESTED_DESTROY 17
#define IT_HOOK_HWPT_NESTED_ABORT 18
#define IT_HOOK_HW_PAGETABLE_DESTROY 19 /* 6.2-6.6 */
#define IT_HOOK_HW_PAGETABLE_ABORT 20 /* 6.6 */
#define IT_HOOK_ACCESS_DESTROY 21
#define IT_HOOK_FAULT_DESTROY 22
#define IT_HOOK_VIOMMU_DESTROY 23
#define IT_HOOK_VEVENTQ_DESTROY 24
#define IT_HOOK_VEVENTQ_ABORT 25
#define IT_HOOK_HW_QUEUE_DESTROY 26
#define IT_HOOK_SELFTEST_DESTROY 27
#define IT_HOOK_OBJ_DESTROY_USER 28 /* 6.2-6.4.7, entry */
#define IT_HOOK_OBJ_DESTROY_USER_RET 29
#define IT_HOOK__OBJ_DESTROY_USER 30 /* 6.4.8-6.6, entry */
#define IT_HOOK__OBJ_DESTROY_USER_RET 31
/*
 * Uses: code outside the core that touches an object through a pointer it
 * keeps (a file's, a mapping's, a driver's), not by id.
 */
#define IT_HOOK_EVENTQ_RELEASE 32 /* 6.15+: an event queue's file let go */
#define IT_HOOK_FAULT_RELEASE 33 /* 6.11-6.14: the fault queue's file let go */
#define IT_HOOK_VMA_OPEN 34 /* 6.17+: a mapping of an object copied */
#define IT_HOOK_VMA_CLOSE 35 /* 6.17+: a mapping of an object gone */
#define IT_HOOK_ACCESS_PIN 36 /* a driver's access pins pages */
#define IT_HOOK_ACCESS_UNPIN 37
#define IT_HOOK_ACCESS_DETACH 38 /* 6.6+ */
#define IT_HOOK_DEVICE_ATTACH 39 /* a driver's idev attached */
#define IT_HOOK_DEVICE_REPLACE 40 /* 6.6+ */
#define IT_HOOK_DEVICE_DETACH 41
#define IT_HOOK_ACCESS_ATTACH 42 /* 6.6+ */
#define IT_HOOK_ACCESS_REPLACE 43 /* 6.6+ */
/*
 * A short-term reference taken (iommufd_get_object() returned it) while a
 * removal of the object waits for them: the first per task and removal.
 */
#define IT_HOOK_GET_OBJECT 44
#define IT_HOOK_MAX 45

/*
 * Object types, iommutrace's own numbering: the kernel's enum
 * iommufd_object_type shifts between releases and with CONFIG_IOMMUFD_TEST,
 * so the BPF side maps it through CO-RE enum relocations.
 */
#define IT_OBJ_UNKNOWN 0
#define IT_OBJ_DEVICE 1
#define IT_OBJ_HWPT_PAGING 2 /* also the 6.2-6.6 HW_PAGETABLE */
#define IT_OBJ_HWPT_NESTED 3
#define IT_OBJ_IOAS 4
#define IT_OBJ_ACCESS 5
#define IT_OBJ_FAULT 6
#define IT_OBJ_VIOMMU 7
#define IT_OBJ_VDEVICE 8
#define IT_OBJ_VEVENTQ 9
#define IT_OBJ_HW_QUEUE 10
#define IT_OBJ_SELFTEST 11
#define IT_OBJ_CTX 12 /* the iommufd context itself (open/release) */
#define IT_OBJ_DEVICE_STRUCT 13 /* a struct device (vdev->dev, 6.13-6.16) */
#define IT_OBJ_MAX 14

/* it_event.flags */
#define IT_EVF_REMOVE_WAIT (1u << 0) /* iommufd_object_remove flags bit 0 */
#define IT_EVF_REMOVE_TOMBSTONE (1u << 1) /* bit 1, 6.17+ */
#define IT_EVF_HAS_RET (1u << 8)
#define IT_EVF_HAS_DUR (1u << 9)
#define IT_EVF_NO_ENTRY (1u << 10) /* return without a matching entry */
#define IT_EVF_BY_ID (1u << 11) /* remove by id only (IOMMU_DESTROY) */

/* Common header of every record. */
struct it_hdr {
	__u16 type; /* IT_REC_* */
	__u16 size; /* whole record, header included */
	__u32 cpu;
	__u64 seq; /* global, from the BPF side; gaps are lost records */
	__u64 ts_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
};
_Static_assert(sizeof(struct it_hdr) == 24, "it_hdr size");

struct it_objref {
	__u64 addr;
	__u32 id;
	__u16 type; /* IT_OBJ_* */
	__u16 __pad;
};
_Static_assert(sizeof(struct it_objref) == 16, "it_objref size");

/*
 * An event. The BPF side writes only as much of it as the event holds
 * (hdr.size): IT_EVENT_SIZE_CORE for a return or an object without
 * relations, IT_EVENT_SIZE_RELS for one that points at others (vIOMMU,
 * HWPTs, access), the whole for a device or vdevice (with its device's
 * name). What a record does not hold reads as zero. A newer ABI may
 * append fields.
 */
struct it_event {
	struct it_hdr hdr;
	__u16 hook; /* IT_HOOK_* */
	__u16 flags; /* IT_EVF_* */
	__u32 tgid; /* the process (user space's pid) */
	__u32 tid; /* the thread (the kernel's pid) */
	__s32 ret; /* IT_EVF_HAS_RET */
	__u64 dur_ns; /* IT_EVF_HAS_DUR */
	__u64 ctx; /* struct iommufd_ctx *, 0 when unknown */
	struct it_objref obj;
	__u32 users; /* obj->users at the hook */
	__u32 wait_cnt; /* obj->wait_cnt / shortterm_users, ~0 if none */
	__u32 kstack_id; /* kernel stack: id in the stack map + 1, 0 = none */
	__u32 __pad;
	char comm[IT_COMM_LEN];
	/* IT_EVENT_SIZE_CORE ends here */
	struct it_objref rel[IT_MAX_RELS];
	__u64 virt_id; /* vdevice: its virtual id */
	/* IT_EVENT_SIZE_RELS ends here */
	char devname[IT_DEVNAME_LEN]; /* device, vdevice: dev_name() */
};
_Static_assert(sizeof(struct it_event) == 176, "it_event size");
#define IT_EVENT_SIZE_CORE 104
#define IT_EVENT_SIZE_RELS 144
#define IT_EVENT_SIZE_FULL 176
_Static_assert(__builtin_offsetof(struct it_event, rel) == IT_EVENT_SIZE_CORE, "core");
_Static_assert(__builtin_offsetof(struct it_event, devname) == IT_EVENT_SIZE_RELS, "rels");

/* ABI 1's event (IT_REC_EVENT_V1): always the whole of it. */
struct it_event_v1 {
	struct it_hdr hdr;
	__u16 hook;
	__u16 flags;
	__u32 tgid;
	__u32 tid;
	__s32 ret;
	__u64 dur_ns;
	__u64 ctx;
	struct it_objref obj;
	struct it_objref rel[IT_MAX_RELS];
	__u64 virt_id;
	__u32 users;
	__u32 wait_cnt;
	__u32 kstack_id;
	__u32 __pad;
	char comm[IT_COMM_LEN];
	char devname[IT_DEVNAME_LEN];
};
_Static_assert(sizeof(struct it_event_v1) == 176, "it_event_v1 size");

/* Followed by nframes NUL-terminated strings "function+0xoffset". */
struct it_stack_rec {
	struct it_hdr hdr;
	__u32 stack_id; /* as in it_event.kstack_id */
	__u16 nframes;
	__u16 __pad;
};
_Static_assert(sizeof(struct it_stack_rec) == 32, "it_stack_rec size");

/* it_meta_rec.attached_hooks: bits above the hooks' */
#define IT_META_OWNERS (1ull << 63) /* an IT_REC_OWNER follows every context opened */

struct it_meta_rec {
	struct it_hdr hdr;
	__u64 attached_hooks; /* bit per IT_HOOK_*, and IT_META_* */
	__s64 real_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	char kernel[64]; /* uname -r */
};
_Static_assert(sizeof(struct it_meta_rec) == 104, "it_meta_rec size");

/*
 * The iommufd module was unloaded (every object of it is gone with it) or
 * loaded and attached again. Written by user space in stream order: after
 * everything the old module's probes wrote, before anything of the new.
 */
#define IT_MODULE_GONE 0
#define IT_MODULE_LIVE 1

struct it_module_rec {
	struct it_hdr hdr;
	__u64 next_seq; /* sequence numbers below it were taken */
	__u32 state; /* IT_MODULE_* */
	__u32 __pad;
	char name[16]; /* "iommufd" */
};
_Static_assert(sizeof(struct it_module_rec) == 56, "it_module_rec size");

/*
 * Who opened a context: written by the BPF side right after the successful
 * open's event (hdr.seq is that event's; the record takes no number of its
 * own). data[] holds cgroup_len bytes of cgroup path, then argv_len bytes
 * of arguments, and the record ends there (hdr.size is
 * IT_OWNER_FIXED + cgroup_len + argv_len: a process in the root cgroup with
 * a short command line costs some 100 bytes of ring buffer, not 1.6 KiB).
 * The cgroup path is read from the kernel's cgroup v2 hierarchy as
 * NUL-terminated names, the task's own cgroup first, up to the root
 * (excluded): "emulator\0libvirt\0machine-qemu\x2d1\x2dvm1.scope\0
 * machine.slice\0". The arguments are the first bytes of the process's,
 * NUL-separated, as in /proc/PID/cmdline.
 */
#define IT_OWNER_CGROUP_LEN 512
#define IT_OWNER_CGROUP_NAME 128 /* longest name read per level */
#define IT_OWNER_CGROUP_DEPTH 8
#define IT_OWNER_ARGV_LEN 1024

#define IT_OWNER_CGROUP_CUT (1u << 0) /* deeper than the record holds */
#define IT_OWNER_ARGV_CUT (1u << 1) /* longer than the record holds */
#define IT_OWNER_NO_CGROUP (1u << 2) /* the kernel has no cgroups */
#define IT_OWNER_NO_ARGV (1u << 3) /* arguments unreadable (paged out, no mm) */

struct it_owner_rec {
	struct it_hdr hdr;
	__u64 ctx; /* struct iommufd_ctx * */
	__u64 cgroup_id; /* the cgroup's kernfs id (its directory's inode), 0 if none */
	__u32 tgid;
	__u32 tid; /* the thread that opened it */
	__u16 cgroup_len; /* bytes used in cgroup[] */
	__u16 argv_len; /* bytes used in argv[] */
	__u16 flags; /* IT_OWNER_* */
	__u16 __pad;
	char comm[IT_COMM_LEN]; /* the process's (its group leader's) */
	char data[IT_OWNER_CGROUP_LEN + IT_OWNER_ARGV_LEN]; /* cgroup, then argv */
};
_Static_assert(sizeof(struct it_owner_rec) == 1608, "it_owner_rec size");
#define IT_OWNER_FIXED 72 /* the record without data[] */
_Static_assert(__builtin_offsetof(struct it_owner_rec, data) == IT_OWNER_FIXED, "data");

struct it_end_rec {
	struct it_hdr hdr;
	__u64 end_seq; /* sequence numbers below it were taken */
	__u64 kernel_drops;
	__u64 missed_returns;
};
_Static_assert(sizeof(struct it_end_rec) == 48, "it_end_rec size");

/*
 * What CO-RE chose on a kernel (or on BTF given to it), as the BPF program
 * `layout_probe` sees it: the proof that a layout is read right.
 */
#define IT_LAYOUT_WAIT_NONE 0
#define IT_LAYOUT_WAIT_RWSEM 1 /* destroy_rwsem, 6.2-6.6 */
#define IT_LAYOUT_WAIT_SHORTTERM 2 /* shortterm_users, 6.7-6.16 */
#define IT_LAYOUT_WAIT_CNT 3 /* wait_cnt, 6.17+ */
#define IT_LAYOUT_VDEV_NONE 0
#define IT_LAYOUT_VDEV_DEV_ID 1 /* 6.13-6.16 */
#define IT_LAYOUT_VDEV_IDEV_VIRT_ID 2 /* 6.17+ */
#define IT_LAYOUT_HWPT_NONE 0
#define IT_LAYOUT_HWPT_SINGLE 1 /* iommufd_hw_pagetable with ioas, 6.2-6.6 */
#define IT_LAYOUT_HWPT_PAGING 2 /* hwpt_paging / hwpt_nested, 6.7+ */
#define IT_LAYOUT_TYPES 16

struct it_layout {
	__u32 wait;
	__u32 vdev;
	__u32 hwpt;
	__u32 probed; /* 1 once the program ran */
	__u16 type_of[IT_LAYOUT_TYPES]; /* kernel enum value -> IT_OBJ_* */
};
_Static_assert(sizeof(struct it_layout) == 48, "it_layout size");

#endif /* IOMMUTRACE_H */
