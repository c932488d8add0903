// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * iommutrace's probes on the iommufd object lifecycle: one record per hook
 * hit into a BPF ring buffer. Every hook has two forms with one body: a
 * kprobe/kretprobe program and an fentry/fexit program (BPF trampoline).
 * User space picks one form per kernel function (fentry where the function
 * is in BTF and the kernel has trampolines, else the kprobe), loads those
 * for the functions the running kernel has, and attaches them by name.
 */
/*
 * bpftool 7.1 prints the anonymous tagged members of 7.x kernels (built with
 * -fms-extensions) as `struct x;`. Those few structs are laid out wrong in
 * vmlinux.h; nothing here uses them, and CO-RE relocates what it reads.
 */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmissing-declarations"
#include "vmlinux.h"
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "iommutrace.h"
#include "iommufd_core.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_FRAMES 8 /* nested entry/return pairs per task */

/*
 * Filled by user space before load: the hooks whose events get a kernel
 * stack (bit per IT_HOOK_*), and those whose events get one only when the
 * call failed (--stacks: all, or the proof the rules can report, or none).
 */
const volatile __u64 stack_hooks = ~0ULL;
const volatile __u64 stack_hooks_failed;

/* Kernel stacks of events, for the proof of a violation. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, IT_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* resized by --ringbuf-size */
} events SEC(".maps");

/* Failed ring buffer reservations, per CPU and hook. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IT_HOOK_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/*
 * A task's calls still in flight, for entry/return pairs. The return finds
 * its entry by a key that is the same for both and unique among the calls
 * in flight: the stack pointer (kprobes), or the address of the arguments
 * the trampoline saved on the stack (fentry/fexit). So a return whose
 * kretprobe instance was missed cannot be paired with the wrong entry.
 */
struct frame {
	__u64 key; /* a stack address: deeper calls have lower ones */
	__u64 ts;
	__u64 ctx;
	__u64 arg; /* obj or filp */
	__u32 id;
	__u16 hook;
	__u16 flags;
	__u16 type; /* IT_OBJ_* of arg, when it is an object */
	__u16 __pad[3];
};

struct frames {
	__u32 depth;
	__u32 __pad;
	struct frame f[MAX_FRAMES];
};

/*
 * In the task's own storage: no lookup by thread id in a shared table, and
 * the frames go with the task, so a thread id used again never finds a dead
 * thread's calls.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct frames);
} inflight SEC(".maps");

/*
 * The objects whose removal waits for short-term references now, with the
 * tasks that took one meanwhile (IT_HOOK_GET_OBJECT: the first get per
 * task is an event, with its stack; the tasks past MAX_HOLDERS are not).
 */
#define MAX_HOLDERS 8
struct holders {
	__u32 n;
	__u32 tid[MAX_HOLDERS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct holders);
} waiting SEC(".maps");

/* Frames whose return never came (missed kretprobe instance). */
__u64 missed_returns;
/* Global record sequence: a number taken and not delivered is a loss. */
__u64 next_seq;

/*
 * An owner record is put together here, then sent as long as it is: in
 * the opening task's storage, not a per-CPU buffer, since an fexit
 * program can be preempted (it runs with migration disabled, not
 * preemption) and another task on the CPU would write over it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct it_owner_rec);
} owner_buf SEC(".maps");

static __always_inline __u16 map_type(__u32 k)
{
	enum iommufd_object_type___it e;

#define MAP(name, it)                                                      \
	if (bpf_core_enum_value_exists(e, IOMMUFD_OBJ_##name##___it) &&    \
	    k == bpf_core_enum_value(e, IOMMUFD_OBJ_##name##___it))        \
		return it;
	MAP(DEVICE, IT_OBJ_DEVICE)
	MAP(HW_PAGETABLE, IT_OBJ_HWPT_PAGING)
	MAP(HWPT_PAGING, IT_OBJ_HWPT_PAGING)
	MAP(HWPT_NESTED, IT_OBJ_HWPT_NESTED)
	MAP(IOAS, IT_OBJ_IOAS)
	MAP(ACCESS, IT_OBJ_ACCESS)
	MAP(FAULT, IT_OBJ_FAULT)
	MAP(VIOMMU, IT_OBJ_VIOMMU)
	MAP(VDEVICE, IT_OBJ_VDEVICE)
	MAP(VEVENTQ, IT_OBJ_VEVENTQ)
	MAP(HW_QUEUE, IT_OBJ_HW_QUEUE)
	MAP(SELFTEST, IT_OBJ_SELFTEST)
#undef MAP
	return IT_OBJ_UNKNOWN;
}

static __always_inline void read_ref(struct it_objref *ref, __u16 type,
				     struct iommufd_object *obj)
{
	if (!obj)
		return;
	ref->addr = (__u64)obj;
	ref->id = BPF_CORE_READ(obj, id);
	ref->type = type;
}

static __always_inline void read_devname(char *dst, struct device *dev)
{
	const char *name;

	if (!dev)
		return;
	name = BPF_CORE_READ(dev, kobj.name);
	if (name)
		bpf_probe_read_kernel_str(dst, IT_DEVNAME_LEN, name);
}

/*
 * What a device or a vdevice points at, and its device's name: the fields
 * of a whole (IT_EVENT_SIZE_FULL) record. type is in a register, not read
 * back from the record, so that the verifier knows which branch runs.
 */
static __always_inline void read_named(struct it_event *e, struct iommufd_object *obj,
				       __u16 type)
{
	if (type == IT_OBJ_DEVICE) {
		struct iommufd_device *idev = (void *)obj;
		struct device *dev = BPF_CORE_READ(idev, dev);

		/* 6.13-6.16 vDEVICEs point at this, not at the idev */
		e->rel[0].addr = (__u64)dev;
		e->rel[0].type = IT_OBJ_DEVICE_STRUCT;
		read_devname(e->devname, dev);
	} else if (bpf_core_field_exists(struct iommufd_vdevice___v617, idev)) {
		struct iommufd_vdevice___v617 *v = (void *)obj;
		struct iommufd_device *idev;

		read_ref(&e->rel[0], IT_OBJ_VIOMMU, (void *)BPF_CORE_READ(v, viommu));
		idev = BPF_CORE_READ(v, idev);
		read_ref(&e->rel[1], IT_OBJ_DEVICE, (void *)idev);
		if (idev)
			read_devname(e->devname, BPF_CORE_READ(idev, dev));
		e->virt_id = BPF_CORE_READ(v, virt_id);
	} else if (bpf_core_field_exists(struct iommufd_vdevice___v613, dev)) {
		struct iommufd_vdevice___v613 *v = (void *)obj;
		struct device *dev = BPF_CORE_READ(v, dev);

		read_ref(&e->rel[0], IT_OBJ_VIOMMU, (void *)BPF_CORE_READ(v, viommu));
		/* 6.13-6.16 pin the struct device, not the idev */
		e->rel[1].addr = (__u64)dev;
		e->rel[1].type = IT_OBJ_DEVICE_STRUCT;
		read_devname(e->devname, dev);
		e->virt_id = BPF_CORE_READ(v, id);
	}
}

/* The record an object's event needs: with relations, with a name, or neither. */
static __always_inline bool has_name(__u16 type)
{
	return type == IT_OBJ_DEVICE || type == IT_OBJ_VDEVICE;
}

static __always_inline bool has_rels(__u16 type)
{
	return type == IT_OBJ_VIOMMU || type == IT_OBJ_HWPT_PAGING ||
	       type == IT_OBJ_HWPT_NESTED || type == IT_OBJ_ACCESS;
}

/* What a vIOMMU, an HWPT or an access points at (IT_EVENT_SIZE_RELS). */
static __always_inline void read_rels(struct it_event *e, struct iommufd_object *obj,
				      __u16 type)
{
	if (type == IT_OBJ_VIOMMU) {
		if (bpf_core_type_exists(struct iommufd_viommu)) {
			struct iommufd_viommu *vi = (void *)obj;

			read_ref(&e->rel[0], IT_OBJ_HWPT_PAGING, (void *)BPF_CORE_READ(vi, hwpt));
		}
	} else if (type == IT_OBJ_HWPT_PAGING) {
		if (bpf_core_type_exists(struct iommufd_hwpt_paging)) {
			struct iommufd_hwpt_paging *hp = (void *)obj;

			read_ref(&e->rel[0], IT_OBJ_IOAS, (void *)BPF_CORE_READ(hp, ioas));
		} else if (bpf_core_field_exists(struct iommufd_hw_pagetable___v62, ioas)) {
			struct iommufd_hw_pagetable___v62 *hw = (void *)obj;

			read_ref(&e->rel[0], IT_OBJ_IOAS, (void *)BPF_CORE_READ(hw, ioas));
		}
	} else if (type == IT_OBJ_HWPT_NESTED) {
		if (bpf_core_type_exists(struct iommufd_hwpt_nested)) {
			struct iommufd_hwpt_nested *hn = (void *)obj;

			read_ref(&e->rel[0], IT_OBJ_HWPT_PAGING, (void *)BPF_CORE_READ(hn, parent));
			if (bpf_core_field_exists(hn->viommu))
				read_ref(&e->rel[1], IT_OBJ_VIOMMU,
					 (void *)BPF_CORE_READ(hn, viommu));
		}
	} else if (type == IT_OBJ_ACCESS) {
		if (bpf_core_type_exists(struct iommufd_access)) {
			struct iommufd_access *ac = (void *)obj;

			read_ref(&e->rel[0], IT_OBJ_IOAS, (void *)BPF_CORE_READ(ac, ioas));
		}
	}
}

static __always_inline struct frames *task_frames(bool create)
{
	return bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* The context of the innermost call in flight that knows one. */
static __always_inline __u64 task_ctx(struct frames *fr)
{
	__u64 ctx = 0;

	if (!fr)
		return 0;
#pragma unroll
	for (int i = 0; i < MAX_FRAMES; i++) {
		if (i < fr->depth && fr->f[i].ctx)
			ctx = fr->f[i].ctx;
	}
	return ctx;
}

struct emit_args {
	__u16 hook;
	__u16 flags;
	__s32 ret;
	__u64 ctx;
	__u64 dur_ns;
	__u32 id;
	__u16 ref_type; /* obj identity without reading it (returns) */
	__u16 __pad;
	__u64 ref_addr;
	struct iommufd_object *obj;
};

/*
 * The part every event has (IT_EVENT_SIZE_CORE), in a record of size
 * bytes; type: the object's IT_OBJ_*, already read.
 */
static __always_inline void fill_core(struct it_event *e, __u32 size, void *pctx,
				      const struct emit_args *a, __u64 seq, __u16 type)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct iommufd_object *obj = a->obj;

	__builtin_memset(e, 0, size);
	e->hdr.type = IT_REC_EVENT;
	e->hdr.size = size;
	e->hdr.cpu = bpf_get_smp_processor_id();
	e->hdr.seq = seq;
	e->hdr.ts_ns = bpf_ktime_get_ns();
	e->hook = a->hook;
	e->flags = a->flags;
	e->tgid = id >> 32;
	e->tid = (__u32)id;
	e->ret = a->ret;
	e->dur_ns = a->dur_ns;
	e->ctx = a->ctx;
	e->wait_cnt = ~0u;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (((stack_hooks >> (a->hook & 63)) & 1) ||
	    (((stack_hooks_failed >> (a->hook & 63)) & 1) && a->ret)) {
		long sid = bpf_get_stackid(pctx, &stacks, 0);

		e->kstack_id = sid >= 0 ? (__u32)sid + 1 : 0;
	}
	if (!e->ctx)
		e->ctx = task_ctx(task_frames(false));
	if (!obj) {
		e->obj.id = a->id;
		e->obj.addr = a->ref_addr;
		e->obj.type = a->ref_type;
		return;
	}
	e->obj.addr = (__u64)obj;
	e->obj.id = BPF_CORE_READ(obj, id);
	e->obj.type = type;
	e->users = BPF_CORE_READ(obj, users.refs.counter);
	if (bpf_core_field_exists(struct iommufd_object___wc, wait_cnt)) {
		struct iommufd_object___wc *o = (void *)obj;

		e->wait_cnt = BPF_CORE_READ(o, wait_cnt.refs.counter);
	} else if (bpf_core_field_exists(struct iommufd_object___st, shortterm_users)) {
		struct iommufd_object___st *o = (void *)obj;

		e->wait_cnt = BPF_CORE_READ(o, shortterm_users.refs.counter);
	}
}

/*
 * One event record, only as long as it needs: a device or vdevice with its
 * relations and name, an object with relations, or the core alone (returns
 * and the other objects). *seq_out: its sequence number, once it is
 * written. pctx: the program's context (struct pt_regs *, or the
 * trampoline's arguments), for the stack.
 */
static __always_inline int emit_seq(void *pctx, const struct emit_args *a, __u64 *seq_out)
{
	__u64 seq = __sync_fetch_and_add(&next_seq, 1);
	struct iommufd_object *obj = a->obj;
	__u16 type = obj ? map_type(BPF_CORE_READ(obj, type)) : 0;
	struct it_event *e;

	if (obj && has_name(type)) {
		e = bpf_ringbuf_reserve(&events, IT_EVENT_SIZE_FULL, 0);
		if (!e)
			goto drop;
		fill_core(e, IT_EVENT_SIZE_FULL, pctx, a, seq, type);
		read_named(e, obj, type);
	} else if (obj && has_rels(type)) {
		e = bpf_ringbuf_reserve(&events, IT_EVENT_SIZE_RELS, 0);
		if (!e)
			goto drop;
		fill_core(e, IT_EVENT_SIZE_RELS, pctx, a, seq, type);
		read_rels(e, obj, type);
	} else {
		e = bpf_ringbuf_reserve(&events, IT_EVENT_SIZE_CORE, 0);
		if (!e)
			goto drop;
		fill_core(e, IT_EVENT_SIZE_CORE, pctx, a, seq, type);
	}
	bpf_ringbuf_submit(e, 0);
	if (seq_out)
		*seq_out = seq;
	return 0;
drop: {
	__u32 key = a->hook;
	__u64 *cnt = bpf_map_lookup_elem(&drops, &key);

	if (cnt)
		*cnt += 1;
	return 0;
}
}

static __always_inline int submit_event(void *pctx, const struct emit_args *a)
{
	return emit_seq(pctx, a, NULL);
}

/*
 * The keys that pair a call's entry with its return. A kretprobe runs
 * with the return address popped: on x86 its stack pointer is one slot
 * above the entry's (arch_rethook_prepare()/
 * arch_rethook_trampoline_callback()). fentry and fexit programs of one
 * call get the same pointer to the arguments the trampoline saved.
 */
#if defined(__TARGET_ARCH_x86)
#define KRET_SP_OFF 8
#else
#define KRET_SP_OFF 0
#endif
#define KP_KEY(regs) ((__u64)PT_REGS_SP(regs))
#define KRET_KEY(regs) ((__u64)PT_REGS_SP(regs) - KRET_SP_OFF)
#define TRAMP_KEY(args) ((__u64)(args))

/* Entry of a call whose return is probed too. */
static __always_inline int push(__u64 key, __u16 hook, __u64 ctx, __u64 arg, __u32 id,
				__u16 flags, __u16 type)
{
	struct frames *fr = task_frames(true);
	__u32 d;

	if (!fr)
		return 0;
	d = fr->depth;
	if (d >= MAX_FRAMES)
		return 0;
	fr->f[d].key = key;
	fr->f[d].ts = bpf_ktime_get_ns();
	fr->f[d].ctx = ctx;
	fr->f[d].arg = arg;
	fr->f[d].id = id;
	fr->f[d].hook = hook;
	fr->f[d].flags = flags;
	fr->f[d].type = type;
	fr->depth = d + 1;
	return 0;
}

/*
 * Return of a pushed call, by its key. Deeper frames (lower keys) left on
 * the stack are calls whose return probe never ran.
 */
static __always_inline bool pop(__u64 key, __u16 hook, struct frame *out)
{
	struct frames *fr = task_frames(false);
	bool found = false;

	if (!fr)
		return false;
#pragma unroll
	for (int i = MAX_FRAMES - 1; i >= 0; i--) {
		if (found || i >= fr->depth)
			continue;
		if (fr->f[i].key < key) {
			/* a deeper call that never returned through us */
			__sync_fetch_and_add(&missed_returns, 1);
			fr->depth = i;
			continue;
		}
		if (fr->f[i].key == key && fr->f[i].hook == hook) {
			*out = fr->f[i];
			fr->depth = i;
			found = true;
			continue;
		}
		break;
	}
	return found;
}

/*
 * The object of a return event is the entry's: it is not read again, since
 * by now it may be freed.
 */
static __always_inline bool ret_args(__u64 key, __u16 entry_hook, __u16 hook, __s32 ret,
				     struct emit_args *a)
{
	struct frame f;

	__builtin_memset(a, 0, sizeof(*a));
	a->hook = hook;
	a->flags = IT_EVF_HAS_RET;
	a->ret = ret;
	if (!pop(key, entry_hook, &f)) {
		a->flags |= IT_EVF_NO_ENTRY;
		return false;
	}
	a->dur_ns = bpf_ktime_get_ns() - f.ts;
	a->flags |= IT_EVF_HAS_DUR | f.flags;
	a->ctx = f.ctx;
	a->id = f.id;
	a->ref_addr = f.arg;
	a->ref_type = f.type;
	return true;
}

static __always_inline int emit_ret(void *pctx, __u64 key, __u16 entry_hook, __u16 hook,
				    __s32 ret)
{
	struct emit_args a;

	ret_args(key, entry_hook, hook, ret, &a);
	return submit_event(pctx, &a);
}

static __always_inline int emit_obj(void *pctx, __u16 hook, struct iommufd_object *obj,
				    __u64 ctx)
{
	struct emit_args a = { .hook = hook, .obj = obj, .ctx = ctx };

	return submit_event(pctx, &a);
}

/* The return value in an fexit program, whatever the function's arity. */
static __always_inline __u64 fexit_ret(void *args)
{
	__u64 ret = 0;

	bpf_get_func_ret(args, &ret);
	return ret;
}

/*
 * Each hook's body once; its programs below only say where they come from.
 * A kprobe program is named after the hook ("obj_remove"), its fentry
 * form "fe_" and its fexit form "fx_" before that name.
 */

/* --- allocation and publication ----------------------------------------- */

static __always_inline int obj_alloc_ret_body(void *pctx, __u64 key, struct iommufd_object *obj)
{
	struct emit_args a;

	ret_args(key, IT_HOOK_OBJ_ALLOC, IT_HOOK_OBJ_ALLOC, 0, &a);
	/* ERR_PTR(-errno): the top page of the address space */
	if ((unsigned long)obj >= (unsigned long)-4095) {
		a.ret = (__s32)(long)obj;
	} else {
		__u64 k = (__u64)obj;

		a.obj = obj;
		/*
		 * a waiting removal of an object at this address whose return
		 * was never seen (a missed kretprobe) is over: its holders are not
		 * the new object's
		 */
		bpf_map_delete_elem(&waiting, &k);
	}
	return submit_event(pctx, &a);
}

SEC("kprobe")
int BPF_KPROBE(obj_alloc, struct iommufd_ctx *ictx)
{
	return push(KP_KEY(ctx), IT_HOOK_OBJ_ALLOC, (__u64)ictx, 0, 0, 0, 0);
}

SEC("fentry")
int BPF_PROG(fe_obj_alloc, struct iommufd_ctx *ictx)
{
	return push(TRAMP_KEY(ctx), IT_HOOK_OBJ_ALLOC, (__u64)ictx, 0, 0, 0, 0);
}

SEC("kretprobe")
int BPF_KRETPROBE(obj_alloc_ret, struct iommufd_object *obj)
{
	return obj_alloc_ret_body(ctx, KRET_KEY(ctx), obj);
}

SEC("fexit")
int BPF_PROG(fx_obj_alloc_ret)
{
	return obj_alloc_ret_body(ctx, TRAMP_KEY(ctx), (void *)fexit_ret(ctx));
}

/* Hooks that take (ictx, obj) and emit one event about obj. */
#define CTX_OBJ_HOOK(prog, hook)                                                      \
	SEC("kprobe")                                                                 \
	int BPF_KPROBE(prog, struct iommufd_ctx *ictx, struct iommufd_object *obj)    \
	{                                                                             \
		return emit_obj(ctx, hook, obj, (__u64)ictx);                         \
	}                                                                             \
	SEC("fentry")                                                                 \
	int BPF_PROG(fe_##prog, struct iommufd_ctx *ictx, struct iommufd_object *obj) \
	{                                                                             \
		return emit_obj(ctx, hook, obj, (__u64)ictx);                         \
	}

CTX_OBJ_HOOK(obj_finalize, IT_HOOK_OBJ_FINALIZE)
CTX_OBJ_HOOK(obj_abort, IT_HOOK_OBJ_ABORT)
CTX_OBJ_HOOK(obj_abort_and_destroy, IT_HOOK_OBJ_ABORT_AND_DESTROY)

/* --- removal -------------------------------------------------------------- */

/* 6.7+: int iommufd_object_remove(ictx, to_destroy, id, flags) */
static __always_inline int obj_remove_body(void *pctx, __u64 key, struct iommufd_ctx *ictx,
					   struct iommufd_object *to_destroy, __u32 id,
					   unsigned int flags)
{
	struct emit_args a = {
		.hook = IT_HOOK_OBJ_REMOVE,
		.ctx = (__u64)ictx,
		.obj = to_destroy,
		.id = id,
		.flags = flags & (IT_EVF_REMOVE_WAIT | IT_EVF_REMOVE_TOMBSTONE),
	};

	if (!to_destroy)
		a.flags |= IT_EVF_BY_ID;
	push(key, IT_HOOK_OBJ_REMOVE, (__u64)ictx, (__u64)to_destroy, id, a.flags,
	     to_destroy ? map_type(BPF_CORE_READ(to_destroy, type)) : 0);
	/* a removal that waits (only by pointer: the unbinds and the release) */
	if (to_destroy && (a.flags & IT_EVF_REMOVE_WAIT)) {
		struct holders none = {};
		__u64 k = (__u64)to_destroy;

		bpf_map_update_elem(&waiting, &k, &none, BPF_ANY);
	}
	return submit_event(pctx, &a);
}

static __always_inline int obj_remove_ret_body(void *pctx, __u64 key, int ret)
{
	struct emit_args a;

	ret_args(key, IT_HOOK_OBJ_REMOVE, IT_HOOK_OBJ_REMOVE_RET, ret, &a);
	if (a.ref_addr)
		bpf_map_delete_elem(&waiting, &a.ref_addr);
	return submit_event(pctx, &a);
}

SEC("kprobe")
int BPF_KPROBE(obj_remove, struct iommufd_ctx *ictx, struct iommufd_object *to_destroy,
	       __u32 id, unsigned int flags)
{
	return obj_remove_body(ctx, KP_KEY(ctx), ictx, to_destroy, id, flags);
}

SEC("fentry")
int BPF_PROG(fe_obj_remove, struct iommufd_ctx *ictx, struct iommufd_object *to_destroy,
	     __u32 id, unsigned int flags)
{
	return obj_remove_body(ctx, TRAMP_KEY(ctx), ictx, to_destroy, id, flags);
}

SEC("kretprobe")
int BPF_KRETPROBE(obj_remove_ret, int ret)
{
	return obj_remove_ret_body(ctx, KRET_KEY(ctx), ret);
}

SEC("fexit")
int BPF_PROG(fx_obj_remove_ret)
{
	return obj_remove_ret_body(ctx, TRAMP_KEY(ctx), (int)fexit_ret(ctx));
}

/*
 * struct iommufd_object *iommufd_get_object(ictx, id, type): a short-term
 * reference. Nothing unless a removal of that object waits: then the first
 * get of each task, whose stack shows what holds the removal up. One map
 * lookup on every get otherwise.
 */
static __always_inline int get_object_ret_body(void *pctx, struct iommufd_object *obj)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), n;
	__u64 k = (__u64)obj;
	struct holders *h;

	if (!obj || (unsigned long)obj >= (unsigned long)-4095)
		return 0;
	h = bpf_map_lookup_elem(&waiting, &k);
	if (!h)
		return 0;
	n = h->n;
#pragma unroll
	for (int i = 0; i < MAX_HOLDERS; i++)
		if (i < n && h->tid[i] == tid)
			return 0;
	if (n >= MAX_HOLDERS)
		return 0;
	/* two first gets at once may both be sent: a duplicate, not a loss */
	h->tid[n & (MAX_HOLDERS - 1)] = tid;
	h->n = n + 1;
	return emit_obj(pctx, IT_HOOK_GET_OBJECT, obj, 0);
}

SEC("kretprobe")
int BPF_KRETPROBE(get_object_ret, struct iommufd_object *obj)
{
	return get_object_ret_body(ctx, obj);
}

SEC("fexit")
int BPF_PROG(fx_get_object_ret)
{
	return get_object_ret_body(ctx, (struct iommufd_object *)fexit_ret(ctx));
}

/* 6.2-6.6: the entry of (__)iommufd_object_destroy_user(ictx, obj, ...) */
static __always_inline int destroy_user_body(void *pctx, __u64 key, __u16 hook,
					     struct iommufd_ctx *ictx,
					     struct iommufd_object *obj)
{
	push(key, hook, (__u64)ictx, (__u64)obj, obj ? BPF_CORE_READ(obj, id) : 0, 0,
	     obj ? map_type(BPF_CORE_READ(obj, type)) : 0);
	return emit_obj(pctx, hook, obj, (__u64)ictx);
}

/* 6.2-6.4.7: bool iommufd_object_destroy_user(ictx, obj) */
SEC("kprobe")
int BPF_KPROBE(obj_destroy_user, struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	return destroy_user_body(ctx, KP_KEY(ctx), IT_HOOK_OBJ_DESTROY_USER, ictx, obj);
}

SEC("fentry")
int BPF_PROG(fe_obj_destroy_user, struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	return destroy_user_body(ctx, TRAMP_KEY(ctx), IT_HOOK_OBJ_DESTROY_USER, ictx, obj);
}

/* true means destroyed: report 0, and -EBUSY for false like 6.7+ */
#define DESTROYED(ret) (((ret) & 0xff) ? 0 : -16)

SEC("kretprobe")
int BPF_KRETPROBE(obj_destroy_user_ret, long ret)
{
	return emit_ret(ctx, KRET_KEY(ctx), IT_HOOK_OBJ_DESTROY_USER,
			IT_HOOK_OBJ_DESTROY_USER_RET, DESTROYED(ret));
}

SEC("fexit")
int BPF_PROG(fx_obj_destroy_user_ret)
{
	return emit_ret(ctx, TRAMP_KEY(ctx), IT_HOOK_OBJ_DESTROY_USER,
			IT_HOOK_OBJ_DESTROY_USER_RET, DESTROYED(fexit_ret(ctx)));
}

/* 6.4.8-6.6: void __iommufd_object_destroy_user(ictx, obj, allow_fail) */
SEC("kprobe")
int BPF_KPROBE(obj__destroy_user, struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	return destroy_user_body(ctx, KP_KEY(ctx), IT_HOOK__OBJ_DESTROY_USER, ictx, obj);
}

SEC("fentry")
int BPF_PROG(fe_obj__destroy_user, struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	return destroy_user_body(ctx, TRAMP_KEY(ctx), IT_HOOK__OBJ_DESTROY_USER, ictx, obj);
}

SEC("kretprobe")
int BPF_KRETPROBE(obj__destroy_user_ret)
{
	return emit_ret(ctx, KRET_KEY(ctx), IT_HOOK__OBJ_DESTROY_USER,
			IT_HOOK__OBJ_DESTROY_USER_RET, 0);
}

SEC("fexit")
int BPF_PROG(fx_obj__destroy_user_ret)
{
	return emit_ret(ctx, TRAMP_KEY(ctx), IT_HOOK__OBJ_DESTROY_USER,
			IT_HOOK__OBJ_DESTROY_USER_RET, 0);
}

/* --- the file: a context is born at open and torn down at release --------- */

SEC("kprobe")
int BPF_KPROBE(fops_open, struct inode *inode, struct file *filp)
{
	return push(KP_KEY(ctx), IT_HOOK_FOPS_OPEN, 0, (__u64)filp, 0, 0, 0);
}

SEC("fentry")
int BPF_PROG(fe_fops_open, struct inode *inode, struct file *filp)
{
	return push(TRAMP_KEY(ctx), IT_HOOK_FOPS_OPEN, 0, (__u64)filp, 0, 0, 0);
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___old, parent))
		return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
	return BPF_CORE_READ(kn, __parent);
}

/* The opener's cgroup v2 path, its own directory's name first. */
static __always_inline void read_cgroup(struct it_owner_rec *o, struct task_struct *task)
{
	struct task_struct___cg *t = (void *)task;
	struct kernfs_node *kn;
	__u32 off = 0;

	if (!bpf_core_field_exists(t->cgroups)) {
		o->flags |= IT_OWNER_NO_CGROUP;
		return;
	}
	kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);
	if (!kn)
		return;
	o->cgroup_id = BPF_CORE_READ(kn, id);
#pragma unroll
	for (int i = 0; i < IT_OWNER_CGROUP_DEPTH; i++) {
		struct kernfs_node *parent = kn_parent(kn);
		const char *name;
		long n;

		if (!parent) /* the root: no name of its own */
			break;
		if (off > IT_OWNER_CGROUP_LEN - IT_OWNER_CGROUP_NAME) {
			o->flags |= IT_OWNER_CGROUP_CUT;
			break;
		}
		name = BPF_CORE_READ(kn, name);
		n = bpf_probe_read_kernel_str(&o->data[off], IT_OWNER_CGROUP_NAME, name);
		if (n <= 0)
			break;
		if (n == IT_OWNER_CGROUP_NAME)
			o->flags |= IT_OWNER_CGROUP_CUT;
		off += n;
		kn = parent;
		if (i == IT_OWNER_CGROUP_DEPTH - 1 && kn_parent(kn))
			o->flags |= IT_OWNER_CGROUP_CUT;
	}
	o->cgroup_len = off <= IT_OWNER_CGROUP_LEN ? off : IT_OWNER_CGROUP_LEN;
}

/*
 * Who opened the context just born: after its event, with its sequence
 * number. A full ring loses it; user space then says the owner is unknown.
 */
static __always_inline void emit_owner(__u64 seq, __u64 ictx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct it_owner_rec *o;
	struct mm_struct *mm;
	__u32 cg, size;

	o = bpf_task_storage_get(&owner_buf, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!o)
		return;
	/* the fixed part only: data[] is sent as far as it is filled */
	__builtin_memset(o, 0, IT_OWNER_FIXED);
	o->hdr.type = IT_REC_OWNER;
	o->hdr.cpu = bpf_get_smp_processor_id();
	o->hdr.seq = seq;
	o->hdr.ts_ns = bpf_ktime_get_ns();
	o->ctx = ictx;
	o->tgid = id >> 32;
	o->tid = (__u32)id;
	BPF_CORE_READ_STR_INTO(&o->comm, task, group_leader, comm);
	read_cgroup(o, task);
	mm = BPF_CORE_READ(task, mm);
	if (mm) {
		__u64 start = BPF_CORE_READ(mm, arg_start);
		__u64 len = BPF_CORE_READ(mm, arg_end) - start;

		if (len > IT_OWNER_ARGV_LEN) {
			len = IT_OWNER_ARGV_LEN;
			o->flags |= IT_OWNER_ARGV_CUT;
		}
		cg = o->cgroup_len;
		if (cg > IT_OWNER_CGROUP_LEN)
			cg = IT_OWNER_CGROUP_LEN;
		if (len && !bpf_probe_read_user(&o->data[cg], len, (void *)start))
			o->argv_len = len;
		else if (len)
			o->flags |= IT_OWNER_NO_ARGV;
	} else {
		o->flags |= IT_OWNER_NO_ARGV;
	}
	size = IT_OWNER_FIXED + o->cgroup_len + o->argv_len;
	if (size > sizeof(*o))
		size = sizeof(*o);
	o->hdr.size = size;
	bpf_ringbuf_output(&events, o, size, 0);
	/* 1.6 KiB per task that opens /dev/iommu: not kept */
	bpf_task_storage_delete(&owner_buf, bpf_get_current_task_btf());
}

static __always_inline int fops_open_ret_body(void *pctx, __u64 key, int ret)
{
	struct emit_args a;
	__u64 seq = ~0ULL; /* stays so when the event could not be written */

	if (ret_args(key, IT_HOOK_FOPS_OPEN, IT_HOOK_FOPS_OPEN, ret, &a)) {
		struct file *filp = (void *)a.ref_addr;

		/* the entry kept the file; the event is about the new context */
		a.ref_addr = 0;
		if (!ret) {
			a.ctx = (__u64)BPF_CORE_READ(filp, private_data);
			a.ref_addr = a.ctx;
			a.ref_type = IT_OBJ_CTX;
		}
	}
	emit_seq(pctx, &a, &seq);
	if (!ret && a.ctx && seq != ~0ULL)
		emit_owner(seq, a.ctx);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(fops_open_ret, int ret)
{
	return fops_open_ret_body(ctx, KRET_KEY(ctx), ret);
}

SEC("fexit")
int BPF_PROG(fx_fops_open_ret)
{
	return fops_open_ret_body(ctx, TRAMP_KEY(ctx), (int)fexit_ret(ctx));
}

static __always_inline int fops_release_body(void *pctx, __u64 key, struct file *filp)
{
	__u64 ictx = (__u64)BPF_CORE_READ(filp, private_data);
	struct emit_args a = { .hook = IT_HOOK_FOPS_RELEASE, .ctx = ictx,
			       .ref_addr = ictx, .ref_type = IT_OBJ_CTX };

	push(key, IT_HOOK_FOPS_RELEASE, ictx, ictx, 0, 0, IT_OBJ_CTX);
	return submit_event(pctx, &a);
}

SEC("kprobe")
int BPF_KPROBE(fops_release, struct inode *inode, struct file *filp)
{
	return fops_release_body(ctx, KP_KEY(ctx), filp);
}

SEC("fentry")
int BPF_PROG(fe_fops_release, struct inode *inode, struct file *filp)
{
	return fops_release_body(ctx, TRAMP_KEY(ctx), filp);
}

SEC("kretprobe")
int BPF_KRETPROBE(fops_release_ret, int ret)
{
	return emit_ret(ctx, KRET_KEY(ctx), IT_HOOK_FOPS_RELEASE, IT_HOOK_FOPS_RELEASE_RET,
			ret);
}

SEC("fexit")
int BPF_PROG(fx_fops_release_ret)
{
	return emit_ret(ctx, TRAMP_KEY(ctx), IT_HOOK_FOPS_RELEASE, IT_HOOK_FOPS_RELEASE_RET,
			(int)fexit_ret(ctx));
}

/* --- per-type callbacks: the only hooks that see every object die --------- */

#define OBJ_CALLBACK(prog, hook)                                  \
	SEC("kprobe")                                             \
	int BPF_KPROBE(prog, struct iommufd_object *obj)          \
	{                                                         \
		return emit_obj(ctx, hook, obj, 0);               \
	}                                                         \
	SEC("fentry")                                             \
	int BPF_PROG(fe_##prog, struct iommufd_object *obj)       \
	{                                                         \
		return emit_obj(ctx, hook, obj, 0);               \
	}

OBJ_CALLBACK(device_pre_destroy, IT_HOOK_DEVICE_PRE_DESTROY)
OBJ_CALLBACK(device_destroy, IT_HOOK_DEVICE_DESTROY)
OBJ_CALLBACK(vdevice_abort, IT_HOOK_VDEVICE_ABORT)
OBJ_CALLBACK(vdevice_destroy, IT_HOOK_VDEVICE_DESTROY)
OBJ_CALLBACK(ioas_destroy, IT_HOOK_IOAS_DESTROY)
OBJ_CALLBACK(hwpt_paging_destroy, IT_HOOK_HWPT_PAGING_DESTROY)
OBJ_CALLBACK(hwpt_paging_abort, IT_HOOK_HWPT_PAGING_ABORT)
OBJ_CALLBACK(hwpt_nested_destroy, IT_HOOK_HWPT_NESTED_DESTROY)
OBJ_CALLBACK(hwpt_nested_abort, IT_HOOK_HWPT_NESTED_ABORT)
OBJ_CALLBACK(hw_pagetable_destroy, IT_HOOK_HW_PAGETABLE_DESTROY)
OBJ_CALLBACK(hw_pagetable_abort, IT_HOOK_HW_PAGETABLE_ABORT)
OBJ_CALLBACK(access_destroy, IT_HOOK_ACCESS_DESTROY)
OBJ_CALLBACK(fault_destroy, IT_HOOK_FAULT_DESTROY)
OBJ_CALLBACK(viommu_destroy, IT_HOOK_VIOMMU_DESTROY)
OBJ_CALLBACK(veventq_destroy, IT_HOOK_VEVENTQ_DESTROY)
OBJ_CALLBACK(veventq_abort, IT_HOOK_VEVENTQ_ABORT)
OBJ_CALLBACK(hw_queue_destroy, IT_HOOK_HW_QUEUE_DESTROY)
OBJ_CALLBACK(selftest_destroy, IT_HOOK_SELFTEST_DESTROY)

/*
 * --- uses: code outside the core touching an object through a pointer it
 * keeps, which must hold a users reference while it does. The object is
 * read as it is: after a use-after-free bug its memory is freed (the
 * reads are probe reads; user space trusts only the address).
 */

/*
 * A driver's access and its idev (struct iommufd_access and struct
 * iommufd_device begin with their object). iommufd_access_rw() is left
 * out: emulated devices call it per DMA.
 */
OBJ_CALLBACK(access_pin, IT_HOOK_ACCESS_PIN)
OBJ_CALLBACK(access_unpin, IT_HOOK_ACCESS_UNPIN)
OBJ_CALLBACK(access_detach, IT_HOOK_ACCESS_DETACH)
OBJ_CALLBACK(access_attach, IT_HOOK_ACCESS_ATTACH)
OBJ_CALLBACK(access_replace, IT_HOOK_ACCESS_REPLACE)
OBJ_CALLBACK(device_attach, IT_HOOK_DEVICE_ATTACH)
OBJ_CALLBACK(device_replace, IT_HOOK_DEVICE_REPLACE)
OBJ_CALLBACK(device_detach, IT_HOOK_DEVICE_DETACH)

/*
 * The release of an event queue's file (6.15+) or the fault queue's
 * (6.11-6.14): its private data is the queue, which begins with its
 * object. The file holds a users reference until this returns.
 */
#define FILE_USE(prog, hook)                                                      \
	SEC("kprobe")                                                             \
	int BPF_KPROBE(prog, struct inode *inode, struct file *filep)             \
	{                                                                         \
		return emit_obj(ctx, hook, BPF_CORE_READ(filep, private_data), 0); \
	}                                                                         \
	SEC("fentry")                                                             \
	int BPF_PROG(fe_##prog, struct inode *inode, struct file *filep)          \
	{                                                                         \
		return emit_obj(ctx, hook, BPF_CORE_READ(filep, private_data), 0); \
	}

FILE_USE(eventq_release, IT_HOOK_EVENTQ_RELEASE)
FILE_USE(fault_release, IT_HOOK_FAULT_RELEASE)

/* 6.17+: a mapping of an object's MMIO holds its owner (struct iommufd_mmap) */
static __always_inline struct iommufd_object *vma_owner(struct vm_area_struct *vma)
{
	struct iommufd_mmap *immap;

	if (!bpf_core_type_exists(struct iommufd_mmap))
		return NULL;
	immap = BPF_CORE_READ(vma, vm_private_data);
	return immap ? BPF_CORE_READ(immap, owner) : NULL;
}

#define VMA_USE(prog, hook)                                         \
	SEC("kprobe")                                               \
	int BPF_KPROBE(prog, struct vm_area_struct *vma)            \
	{                                                           \
		return emit_obj(ctx, hook, vma_owner(vma), 0);      \
	}                                                           \
	SEC("fentry")                                               \
	int BPF_PROG(fe_##prog, struct vm_area_struct *vma)         \
	{                                                           \
		return emit_obj(ctx, hook, vma_owner(vma), 0);      \
	}

VMA_USE(vma_open, IT_HOOK_VMA_OPEN)
VMA_USE(vma_close, IT_HOOK_VMA_CLOSE)

/* --- the layouts CO-RE chose, for `check` and the layout tests ------------- */

struct it_layout layout;

SEC("syscall")
int layout_probe(void *ctx)
{
	if (bpf_core_field_exists(struct iommufd_object___wc, wait_cnt))
		layout.wait = IT_LAYOUT_WAIT_CNT;
	else if (bpf_core_field_exists(struct iommufd_object___st, shortterm_users))
		layout.wait = IT_LAYOUT_WAIT_SHORTTERM;
	else if (bpf_core_field_exists(struct iommufd_object___rwsem, destroy_rwsem))
		layout.wait = IT_LAYOUT_WAIT_RWSEM;
	if (bpf_core_field_exists(struct iommufd_vdevice___v617, idev))
		layout.vdev = IT_LAYOUT_VDEV_IDEV_VIRT_ID;
	else if (bpf_core_field_exists(struct iommufd_vdevice___v613, dev))
		layout.vdev = IT_LAYOUT_VDEV_DEV_ID;
	if (bpf_core_type_exists(struct iommufd_hwpt_paging))
		layout.hwpt = IT_LAYOUT_HWPT_PAGING;
	else if (bpf_core_field_exists(struct iommufd_hw_pagetable___v62, ioas))
		layout.hwpt = IT_LAYOUT_HWPT_SINGLE;
	for (__u32 k = 0; k < IT_LAYOUT_TYPES; k++)
		layout.type_of[k] = map_type(k);
	layout.probed = 1;
	return 0;
}
