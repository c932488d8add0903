// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-built event sequences through the whole pipeline (decode, graph,
 * rules): every rule, the three cases of idev destroy from the "Destroy
 * vdevice on idevice destroy" series, address reuse, pre-existing objects,
 * lost and out-of-order events.
 */
#include <stdlib.h>

#include "format/hooks.h"
#include "model/pipeline.h"
#include "test.h"

#define MS 1000000ULL
#define CTX 0xffff888001000000ULL
#define A(n) (0xffff888002000000ULL + (n) * 0x400)
#define DEV(n) (0xffff888003000000ULL + (n) * 0x400)

struct seen {
	int n;
	char rules[16][32];
	bool certain[16];
	char detail[16][192];
	unsigned int holders[16], holder_tid[16];
	int lost;
};

static int cap_event(struct sink *s, const struct it_event *e)
{
	return 0;
}

/* the capturing sink: a struct sink first, then what it saw */
struct cap {
	struct sink sink;
	struct seen seen;
};

static int cap_lost(struct sink *s, __u64 from, __u64 count, __u64 ts)
{
	((struct cap *)s)->seen.lost += count;
	return 0;
}

static int cap_summary(struct sink *s, const struct summary *sum)
{
	return 0;
}

static int cap_violation(struct sink *s, const struct violation *v, const struct kstack *k)
{
	struct seen *seen = &((struct cap *)s)->seen;

	if (seen->n < 16) {
		snprintf(seen->rules[seen->n], 32, "%s", v->rule->name);
		seen->certain[seen->n] = v->certain;
		snprintf(seen->detail[seen->n], 192, "%s", v->detail);
		seen->holders[seen->n] = v->holder.tasks;
		seen->holder_tid[seen->n] = v->holder.tid;
		seen->n++;
	}
	return 0;
}

static const struct sink_ops cap_ops = {
	.event = cap_event, .lost = cap_lost, .summary = cap_summary,
	.violation = cap_violation,
};

struct run {
	struct pipeline p;
	struct cap cap;
	__u64 seq, ts;
};

static void run_init(struct run *r)
{
	struct pipeline_opts o = { .attached = ~0ULL, .long_wait_ns = 100 * MS };

	memset(r, 0, sizeof(*r));
	pipeline_init(&r->p, &o);
	sink_init(&r->cap.sink, &cap_ops, NULL);
	pipeline_add_sink(&r->p, &r->cap.sink);
	r->ts = 1000 * MS;
}

static void run_fini(struct run *r)
{
	pipeline_finish(&r->p, r->seq, 0, 0, r->ts, 0);
	/* every verdict on an event that --stacks proof gives a stack */
	ASSERT_EQ(r->p.rules.beyond_proof, 0, "verdicts beyond the proof stacks");
	pipeline_fini(&r->p);
	sink_fini(&r->cap.sink);
}

static struct it_event ev(struct run *r, __u16 hook, __u64 addr, __u16 type, __u32 id)
{
	struct it_event e = {
		.hdr = { .type = IT_REC_EVENT, .size = sizeof(e), .seq = r->seq++,
			 .ts_ns = (r->ts += MS) },
		.hook = hook, .tgid = 100, .tid = 100, .ctx = CTX,
		.obj = { .addr = addr, .type = type, .id = id },
		.wait_cnt = ~0u,
	};

	strcpy(e.comm, "vmm");
	return e;
}

static void feed(struct run *r, struct it_event e)
{
	ASSERT_EQ(pipeline_feed(&r->p, &e, sizeof(e)), 0, "feed");
}

static void hook(struct run *r, __u16 h, __u64 addr, __u16 type, __u32 id)
{
	feed(r, ev(r, h, addr, type, id));
}

static void open_ctx(struct run *r)
{
	struct it_event e = ev(r, IT_HOOK_FOPS_OPEN, CTX, IT_OBJ_CTX, 0);

	e.flags = IT_EVF_HAS_RET;
	feed(r, e);
}

static void born(struct run *r, __u64 addr, __u16 type, __u32 id)
{
	hook(r, IT_HOOK_OBJ_ALLOC, addr, type, id);
	hook(r, IT_HOOK_OBJ_FINALIZE, addr, type, id);
}

static void born_idev(struct run *r, __u64 addr, __u32 id, __u64 dev)
{
	struct it_event e;

	hook(r, IT_HOOK_OBJ_ALLOC, addr, IT_OBJ_DEVICE, id);
	e = ev(r, IT_HOOK_OBJ_FINALIZE, addr, IT_OBJ_DEVICE, id);
	e.rel[0] = (struct it_objref){ .addr = dev, .type = IT_OBJ_DEVICE_STRUCT };
	strcpy(e.devname, "mock0");
	feed(r, e);
}

/* a vdev bound to an idev (6.17+) or to its struct device (6.13-6.16) */
static struct it_event vdev_ev(struct run *r, __u16 h, __u32 id, __u64 idev, __u64 dev)
{
	struct it_event e = ev(r, h, A(7), IT_OBJ_VDEVICE, id);

	e.rel[0] = (struct it_objref){ .addr = A(6), .id = 6, .type = IT_OBJ_VIOMMU };
	if (idev)
		e.rel[1] = (struct it_objref){ .addr = idev, .id = 3, .type = IT_OBJ_DEVICE };
	else
		e.rel[1] = (struct it_objref){ .addr = dev, .type = IT_OBJ_DEVICE_STRUCT };
	return e;
}

static void remove_by(struct run *r, __u64 addr, __u16 type, __u32 id, __u16 flags)
{
	struct it_event e = ev(r, IT_HOOK_OBJ_REMOVE, addr, type, id);

	e.flags = flags | (addr ? 0 : IT_EVF_BY_ID);
	if (!addr)
		e.obj.type = 0;
	feed(r, e);
}

static void remove_ret(struct run *r, __u64 addr, __u32 id, __u16 flags, int ret, __u64 dur)
{
	struct it_event e = ev(r, IT_HOOK_OBJ_REMOVE_RET, addr, 0, id);

	e.flags = flags | IT_EVF_HAS_RET | IT_EVF_HAS_DUR;
	e.ret = ret;
	e.dur_ns = dur;
	feed(r, e);
}

/* IOAS, idev, HWPT, vIOMMU and a vdev bound to the idev */
static void build(struct run *r, bool v617)
{
	open_ctx(r);
	born(r, A(1), IT_OBJ_IOAS, 1);
	born_idev(r, A(3), 3, DEV(3));
	born(r, A(5), IT_OBJ_HWPT_PAGING, 5);
	born(r, A(6), IT_OBJ_VIOMMU, 6);
	hook(r, IT_HOOK_OBJ_ALLOC, A(7), IT_OBJ_VDEVICE, 7);
	feed(r, vdev_ev(r, IT_HOOK_OBJ_FINALIZE, 7, v617 ? A(3) : 0, DEV(3)));
}

static void teardown_rest(struct run *r)
{
	remove_by(r, 0, 0, 6, 0);
	hook(r, IT_HOOK_VIOMMU_DESTROY, A(6), IT_OBJ_VIOMMU, 6);
	remove_ret(r, 0, 6, 0, 0, MS);
	remove_by(r, 0, 0, 5, 0);
	hook(r, IT_HOOK_HWPT_PAGING_DESTROY, A(5), IT_OBJ_HWPT_PAGING, 5);
	remove_ret(r, 0, 5, 0, 0, MS);
	remove_by(r, 0, 0, 1, 0);
	hook(r, IT_HOOK_IOAS_DESTROY, A(1), IT_OBJ_IOAS, 1);
	remove_ret(r, 0, 1, 0, 0, MS);
	hook(r, IT_HOOK_FOPS_RELEASE, CTX, IT_OBJ_CTX, 0);
	feed(r, (struct it_event){ .hdr = { .type = IT_REC_EVENT, .size = sizeof(struct it_event),
					   .seq = r->seq++, .ts_ns = (r->ts += MS) },
				   .hook = IT_HOOK_FOPS_RELEASE_RET, .ctx = CTX,
				   .flags = IT_EVF_HAS_RET, .obj = { .addr = CTX, .type = IT_OBJ_CTX } });
}

static void idev_remove_begin(struct run *r)
{
	remove_by(r, A(3), IT_OBJ_DEVICE, 3, IT_EVF_REMOVE_WAIT);
}

static void idev_remove_end(struct run *r)
{
	hook(r, IT_HOOK_DEVICE_DESTROY, A(3), IT_OBJ_DEVICE, 3);
	remove_ret(r, A(3), 3, IT_EVF_REMOVE_WAIT, 0, MS);
}

void test_idev_destroy_cases(void)
{
	struct run r;

	/* 1: the vdev was destroyed by user space first */
	if (test__start_subtest("vdev_already_destroyed")) {
		run_init(&r);
		build(&r, true);
		remove_by(&r, 0, 0, 7, 0);
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_DESTROY, 7, A(3), 0));
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_ABORT, 7, A(3), 0));
		remove_ret(&r, 0, 7, 0, 0, MS);
		idev_remove_begin(&r);
		idev_remove_end(&r);
		teardown_rest(&r);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation");
	}
	/* 2a: vdev alive, 6.17+: destroyed inside the idev's pre_destroy */
	if (test__start_subtest("vdev_alive_tombstoned")) {
		run_init(&r);
		build(&r, true);
		idev_remove_begin(&r);
		hook(&r, IT_HOOK_DEVICE_PRE_DESTROY, A(3), IT_OBJ_DEVICE, 3);
		feed(&r, vdev_ev(&r, IT_HOOK_OBJ_REMOVE, 7, A(3), 0));
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_DESTROY, 7, A(3), 0));
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_ABORT, 7, A(3), 0));
		remove_ret(&r, A(7), 7, IT_EVF_REMOVE_WAIT | IT_EVF_REMOVE_TOMBSTONE, 0, MS);
		idev_remove_end(&r);
		/* IOMMU_DESTROY of the tombstoned id: ENOENT, the caller's business */
		remove_by(&r, 0, 0, 7, 0);
		remove_ret(&r, 0, 7, 0, -2, MS);
		teardown_rest(&r);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation");
	}
	/* 2b: vdev alive, 6.13-6.16: it outlives the idev */
	if (test__start_subtest("vdev_alive_outlives")) {
		run_init(&r);
		build(&r, false);
		idev_remove_begin(&r);
		idev_remove_end(&r);
		ASSERT_EQ(r.cap.seen.n, 1, "reported at the idev's destroy");
		ASSERT_STREQ(r.cap.seen.rules[0], "vdev_outlives_idev", "rule");
		ASSERT_TRUE(r.cap.seen.certain[0], "certain");
		/* touched later: reported again, once for the removal */
		remove_by(&r, 0, 0, 7, 0);
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_DESTROY, 7, 0, DEV(3)));
		remove_ret(&r, 0, 7, 0, 0, MS);
		ASSERT_EQ(r.cap.seen.n, 2, "reported again when touched");
		ASSERT_HAS(r.cap.seen.detail[1], "touched", "the second says touched");
		teardown_rest(&r);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 2, "nothing else");
	}
	/* 3: user space destroys the vdev while the idev is being destroyed */
	if (test__start_subtest("vdev_destroyed_concurrently")) {
		run_init(&r);
		build(&r, true);
		remove_by(&r, 0, 0, 7, 0); /* CPU 0: IOMMU_DESTROY(vdev) */
		idev_remove_begin(&r); /* CPU 1: unbind */
		hook(&r, IT_HOOK_DEVICE_PRE_DESTROY, A(3), IT_OBJ_DEVICE, 3);
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_DESTROY, 7, A(3), 0));
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_ABORT, 7, A(3), 0));
		remove_ret(&r, 0, 7, 0, 0, MS);
		idev_remove_end(&r);
		teardown_rest(&r);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation");
	}
}

void test_rule_double_abort(void)
{
	struct run r;

	if (test__start_subtest("abort_twice")) {
		run_init(&r);
		build(&r, true);
		remove_by(&r, 0, 0, 7, 0);
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_DESTROY, 7, A(3), 0));
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_ABORT, 7, A(3), 0));
		feed(&r, vdev_ev(&r, IT_HOOK_VDEVICE_ABORT, 7, A(3), 0));
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 1, "one violation");
		ASSERT_STREQ(r.cap.seen.rules[0], "double_abort", "rule");
	}
	if (test__start_subtest("abort_then_destroy_is_fine")) {
		/* hwpt abort calls the destroy callback: one of each is right */
		run_init(&r);
		open_ctx(&r);
		hook(&r, IT_HOOK_OBJ_ALLOC, A(5), IT_OBJ_HWPT_PAGING, 5);
		hook(&r, IT_HOOK_OBJ_ABORT_AND_DESTROY, A(5), IT_OBJ_HWPT_PAGING, 5);
		hook(&r, IT_HOOK_HWPT_PAGING_ABORT, A(5), IT_OBJ_HWPT_PAGING, 5);
		hook(&r, IT_HOOK_HWPT_PAGING_DESTROY, A(5), IT_OBJ_HWPT_PAGING, 5);
		hook(&r, IT_HOOK_OBJ_ABORT, A(5), IT_OBJ_HWPT_PAGING, 5);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation");
	}
	if (test__start_subtest("destroy_twice")) {
		run_init(&r);
		open_ctx(&r);
		born(&r, A(1), IT_OBJ_IOAS, 1);
		hook(&r, IT_HOOK_IOAS_DESTROY, A(1), IT_OBJ_IOAS, 1);
		hook(&r, IT_HOOK_IOAS_DESTROY, A(1), IT_OBJ_IOAS, 1);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 1, "one violation");
		ASSERT_STREQ(r.cap.seen.rules[0], "double_abort", "rule");
	}
}

/* the graph with its vdev already gone, so that only the idev is left */
static void build_no_vdev(struct run *r)
{
	build(r, true);
	remove_by(r, 0, 0, 7, 0);
	feed(r, vdev_ev(r, IT_HOOK_VDEVICE_DESTROY, 7, A(3), 0));
	feed(r, vdev_ev(r, IT_HOOK_VDEVICE_ABORT, 7, A(3), 0));
	remove_ret(r, 0, 7, 0, 0, MS);
}

void test_rule_waits(void)
{
	struct run r;

	if (test__start_subtest("long_wait")) {
		run_init(&r);
		build_no_vdev(&r);
		idev_remove_begin(&r);
		r.ts += 300 * MS;
		idev_remove_end(&r);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 1, "one violation");
		ASSERT_STREQ(r.cap.seen.rules[0], "long_wait", "rule");
	}
	if (test__start_subtest("long_wait_names_its_last_holder")) {
		run_init(&r);
		build_no_vdev(&r);
		/* taken before the removal: no holder of it */
		hook(&r, IT_HOOK_GET_OBJECT, A(3), IT_OBJ_DEVICE, 3);
		idev_remove_begin(&r);
		for (__u32 tid = 200; tid < 202; tid++) {
			struct it_event e = ev(&r, IT_HOOK_GET_OBJECT, A(3), IT_OBJ_DEVICE, 3);

			e.tid = tid;
			feed(&r, e);
		}
		/* a hold of an object never seen makes nothing up */
		hook(&r, IT_HOOK_GET_OBJECT, A(40), IT_OBJ_DEVICE, 40);
		r.ts += 300 * MS;
		idev_remove_end(&r);
		ASSERT_EQ(graph_find(&r.p.g, A(40)) == NULL, true, "no node for an unknown hold");
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 1, "one violation");
		ASSERT_STREQ(r.cap.seen.rules[0], "long_wait", "rule");
		ASSERT_EQ(r.cap.seen.holders[0], 2, "two holders while it waited");
		ASSERT_EQ(r.cap.seen.holder_tid[0], 201, "the last of them");
	}
	if (test__start_subtest("short_wait_is_fine")) {
		run_init(&r);
		build_no_vdev(&r);
		idev_remove_begin(&r);
		r.ts += 50 * MS;
		idev_remove_end(&r);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation under the threshold");
	}
	if (test__start_subtest("slow_destroy_without_wait_is_fine")) {
		/* IOMMU_DESTROY has no REMOVE_WAIT: its time is not a wait */
		run_init(&r);
		build_no_vdev(&r);
		remove_by(&r, 0, 0, 1, 0);
		r.ts += 500 * MS;
		hook(&r, IT_HOOK_IOAS_DESTROY, A(1), IT_OBJ_IOAS, 1);
		remove_ret(&r, 0, 1, 0, 0, 500 * MS);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation");
	}
	if (test__start_subtest("wait_timeout")) {
		run_init(&r);
		build_no_vdev(&r);
		idev_remove_begin(&r);
		r.ts += 60000 * MS;
		remove_ret(&r, A(3), 3, IT_EVF_REMOVE_WAIT, -16, 60000 * MS);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 1, "one violation");
		ASSERT_STREQ(r.cap.seen.rules[0], "wait_timeout", "rule");
	}
	if (test__start_subtest("auto_domain_busy_is_fine")) {
		/* a put of a shared auto domain fails with EBUSY, no wait flag */
		run_init(&r);
		build_no_vdev(&r);
		remove_by(&r, A(5), IT_OBJ_HWPT_PAGING, 5, 0);
		remove_ret(&r, A(5), 5, 0, -16, 2 * MS);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation");
	}
}

void test_rule_leak_and_use(void)
{
	struct run r;

	if (test__start_subtest("leak_at_close")) {
		run_init(&r);
		build(&r, true);
		/* release destroys all but the vdev */
		hook(&r, IT_HOOK_FOPS_RELEASE, CTX, IT_OBJ_CTX, 0);
		hook(&r, IT_HOOK_VIOMMU_DESTROY, A(6), IT_OBJ_VIOMMU, 6);
		hook(&r, IT_HOOK_HWPT_PAGING_DESTROY, A(5), IT_OBJ_HWPT_PAGING, 5);
		hook(&r, IT_HOOK_DEVICE_DESTROY, A(3), IT_OBJ_DEVICE, 3);
		hook(&r, IT_HOOK_IOAS_DESTROY, A(1), IT_OBJ_IOAS, 1);
		hook(&r, IT_HOOK_FOPS_RELEASE_RET, CTX, IT_OBJ_CTX, 0);
		run_fini(&r);
		/* the idev died under a live vdev first */
		ASSERT_EQ(r.cap.seen.n, 2, "two violations");
		ASSERT_STREQ(r.cap.seen.rules[0], "vdev_outlives_idev", "first");
		ASSERT_STREQ(r.cap.seen.rules[1], "leak_at_close", "then the leak");
		ASSERT_HAS(r.cap.seen.detail[1], "1 object", "one object leaked");
	}
	if (test__start_subtest("use_after_destroy")) {
		run_init(&r);
		build(&r, true);
		hook(&r, IT_HOOK_IOAS_DESTROY, A(1), IT_OBJ_IOAS, 1);
		remove_by(&r, A(1), IT_OBJ_IOAS, 1, IT_EVF_REMOVE_WAIT);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 1, "one violation");
		ASSERT_STREQ(r.cap.seen.rules[0], "use_after_destroy", "rule");
	}
	if (test__start_subtest("file_release_after_abort")) {
		/* CVE-2025-39966's shape: the file's release after the free */
		run_init(&r);
		born(&r, A(20), IT_OBJ_FAULT, 20);
		hook(&r, IT_HOOK_OBJ_ABORT_AND_DESTROY, A(20), IT_OBJ_FAULT, 20);
		hook(&r, IT_HOOK_FAULT_DESTROY, A(20), IT_OBJ_FAULT, 20);
		hook(&r, IT_HOOK_OBJ_ABORT, A(20), IT_OBJ_FAULT, 20);
		/* what the release read of the freed object is garbage */
		hook(&r, IT_HOOK_EVENTQ_RELEASE, A(20), IT_OBJ_UNKNOWN, 0x6b6b6b6b);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 1, "one violation");
		ASSERT_STREQ(r.cap.seen.rules[0], "use_after_destroy", "rule");
		ASSERT_HAS(r.cap.seen.detail[0],
			   "iommufd_eventq_fops_release touched fault#20, aborted before",
			   "the object as it was known, not as the freed memory reads");
	}
	if (test__start_subtest("file_release_before_abort_is_fine")) {
		/* the fixed kernel puts the file synchronously, before the destroy */
		run_init(&r);
		born(&r, A(20), IT_OBJ_FAULT, 20);
		hook(&r, IT_HOOK_OBJ_ABORT_AND_DESTROY, A(20), IT_OBJ_FAULT, 20);
		hook(&r, IT_HOOK_EVENTQ_RELEASE, A(20), IT_OBJ_FAULT, 20);
		hook(&r, IT_HOOK_FAULT_DESTROY, A(20), IT_OBJ_FAULT, 20);
		hook(&r, IT_HOOK_OBJ_ABORT, A(20), IT_OBJ_FAULT, 20);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation");
	}
	if (test__start_subtest("use_of_unknown_object_says_nothing")) {
		/* a use names no object the tracer saw: no node from freed memory */
		run_init(&r);
		hook(&r, IT_HOOK_VMA_CLOSE, A(21), IT_OBJ_HW_QUEUE, 21);
		hook(&r, IT_HOOK_ACCESS_UNPIN, A(22), IT_OBJ_ACCESS, 22);
		ASSERT_EQ(r.p.g.nodes.n, 0, "no node");
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation");
	}
	if (test__start_subtest("address_reuse_is_a_new_object")) {
		run_init(&r);
		build(&r, true);
		remove_by(&r, 0, 0, 1, 0);
		hook(&r, IT_HOOK_IOAS_DESTROY, A(1), IT_OBJ_IOAS, 1);
		remove_ret(&r, 0, 1, 0, 0, MS);
		born(&r, A(1), IT_OBJ_IOAS, 9); /* same address, new object */
		remove_by(&r, A(1), IT_OBJ_IOAS, 9, IT_EVF_REMOVE_WAIT);
		hook(&r, IT_HOOK_IOAS_DESTROY, A(1), IT_OBJ_IOAS, 9);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no use after destroy, no double destroy");
	}
	if (test__start_subtest("pre_existing_no_false_verdict")) {
		/* started mid-life: never saw these born, nor their context open */
		run_init(&r);
		hook(&r, IT_HOOK_VDEVICE_DESTROY, A(7), IT_OBJ_VDEVICE, 7);
		hook(&r, IT_HOOK_VDEVICE_ABORT, A(7), IT_OBJ_VDEVICE, 7);
		hook(&r, IT_HOOK_DEVICE_DESTROY, A(3), IT_OBJ_DEVICE, 3);
		ASSERT_EQ(r.p.g.nodes.n, 2, "two pre-existing nodes");
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "nothing from missing history");
	}
}

void test_lost_and_reordered(void)
{
	struct run r;

	if (test__start_subtest("gap_makes_verdicts_uncertain")) {
		run_init(&r);
		build(&r, false);
		r.seq += 3; /* three events lost: maybe the vdev's destroy */
		idev_remove_begin(&r);
		idev_remove_end(&r);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.lost, 3, "loss reported");
		ASSERT_EQ(r.cap.seen.n, 1, "one verdict");
		ASSERT_STREQ(r.cap.seen.rules[0], "vdev_outlives_idev", "rule");
		ASSERT_TRUE(!r.cap.seen.certain[0], "uncertain, not a violation");
		ASSERT_EQ(pipeline_violations(&r.p), 0, "no certain violation counted");
	}
	if (test__start_subtest("objects_after_the_gap_are_certain")) {
		run_init(&r);
		r.seq += 2; /* lost before anything we care about */
		build(&r, false);
		idev_remove_begin(&r);
		idev_remove_end(&r);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 1, "one verdict");
		ASSERT_TRUE(r.cap.seen.certain[0], "certain: born after the gap");
	}
	if (test__start_subtest("cross_cpu_order_restored")) {
		/* the abort arrives before the destroy that precedes it */
		struct it_event d, a1;

		run_init(&r);
		build(&r, true);
		remove_by(&r, 0, 0, 7, 0);
		d = vdev_ev(&r, IT_HOOK_VDEVICE_DESTROY, 7, A(3), 0);
		a1 = vdev_ev(&r, IT_HOOK_VDEVICE_ABORT, 7, A(3), 0);
		feed(&r, a1);
		feed(&r, d);
		remove_ret(&r, 0, 7, 0, 0, MS);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no false double abort or use after destroy");
		ASSERT_EQ(r.cap.seen.lost, 0, "nothing lost");
	}
}

/*
 * A rule whose hooks this kernel lacks (inlined, or only a .isra clone whose
 * arguments may differ) is degraded and silent, never half right.
 */
void test_rules_degraded(void)
{
	struct run r;
	int long_wait = -1;

	for (int i = 0; i < n_rules; i++)
		if (!strcmp(rule_table[i].name, "long_wait"))
			long_wait = i;
	run_init(&r);
	rules_set_attached(&r.p.rules, ~0ULL & ~(1ULL << IT_HOOK_OBJ_REMOVE));
	ASSERT_TRUE(r.p.rules.degraded[long_wait], "long_wait degraded without remove");
	build_no_vdev(&r);
	idev_remove_begin(&r);
	r.ts += 300 * MS;
	idev_remove_end(&r);
	run_fini(&r);
	ASSERT_EQ(r.cap.seen.n, 0, "a degraded rule reports nothing");
}

static void module_rec(struct run *r, __u32 state, __u64 next_seq)
{
	struct it_module_rec m = {
		.hdr = { .type = IT_REC_MODULE, .size = sizeof(m), .ts_ns = (r->ts += MS) },
		.next_seq = next_seq, .state = state, .name = "iommufd",
	};

	ASSERT_EQ(pipeline_feed(&r->p, &m, sizeof(m)), 0, "feed module record");
}

/* rmmod and modprobe: the graph starts over, nothing is a verdict of it */
void test_module_reload(void)
{
	struct run r;

	if (test__start_subtest("clean_reload")) {
		run_init(&r);
		build(&r, true);
		teardown_rest(&r); /* the vdev and idev leak, as a lost destroy would */
		r.cap.seen.n = 0;
		ASSERT_EQ(r.p.g.nodes.n, 0, "context release dropped its nodes");
		build(&r, true);
		module_rec(&r, IT_MODULE_GONE, r.seq);
		ASSERT_EQ(r.p.g.nodes.n, 0, "graph empty after unload");
		ASSERT_EQ(r.p.g.ctxs.n, 0, "no contexts after unload");
		module_rec(&r, IT_MODULE_LIVE, r.seq);
		/* the new load reuses every address and id */
		build(&r, true);
		hook(&r, IT_HOOK_VDEVICE_DESTROY, A(7), IT_OBJ_VDEVICE, 7);
		idev_remove_begin(&r);
		idev_remove_end(&r);
		teardown_rest(&r);
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation across the reload");
		ASSERT_EQ(r.cap.seen.lost, 0, "nothing lost");
	}
	if (test__start_subtest("events_before_unload_come_first")) {
		/* out of order in the window: all are released before the record */
		struct it_event a, b;

		run_init(&r);
		open_ctx(&r);
		a = ev(&r, IT_HOOK_OBJ_ALLOC, A(1), IT_OBJ_IOAS, 1);
		b = ev(&r, IT_HOOK_OBJ_FINALIZE, A(1), IT_OBJ_IOAS, 1);
		feed(&r, b);
		feed(&r, a);
		r.seq += 2; /* two numbers taken, never written */
		module_rec(&r, IT_MODULE_GONE, r.seq);
		ASSERT_EQ(r.cap.seen.lost, 2, "the missing numbers are lost at once");
		ASSERT_EQ(decoder_stats(r.p.dec)->records, 3, "all three events decoded");
		ASSERT_EQ(r.p.g.nodes.n, 0, "and forgotten with the module");
		run_fini(&r);
		ASSERT_EQ(r.cap.seen.n, 0, "no violation");
	}
}

/* objects long dead are forgotten, and only those */
void test_graph_expire(void)
{
	struct run r;
	__u64 t;

	run_init(&r);
	build(&r, true);
	remove_by(&r, 0, 0, 6, 0);
	hook(&r, IT_HOOK_VIOMMU_DESTROY, A(6), IT_OBJ_VIOMMU, 6);
	remove_ret(&r, 0, 6, 0, 0, MS);
	pipeline_tick(&r.p, r.ts + 1000 * MS); /* let the decoder release all */
	t = r.ts;
	ASSERT_EQ(r.p.g.nodes.n, 5, "five objects known, one of them dead");
	ASSERT_EQ(r.p.g.n_dead, 1, "one on the dead list");
	r.p.g.dead_keep_ns = 10 * MS;
	ASSERT_EQ(graph_expire(&r.p.g, t), 0, "died less than 10 ms ago: kept");
	ASSERT_EQ(graph_expire(&r.p.g, t + 20 * MS), 1, "the dead vIOMMU forgotten");
	ASSERT_EQ(r.p.g.nodes.n, 4, "the living stay");
	ASSERT_EQ(r.p.g.n_dead, 0, "the dead list empty");
	ASSERT_TRUE(graph_find_id(&r.p.g, CTX, 6) == NULL, "its id forgotten too");
	teardown_rest(&r);
	run_fini(&r);
}

/* beyond dead_max the oldest dead go first, whatever their age */
void test_graph_dead_max(void)
{
	struct run r;

	run_init(&r);
	r.p.g.dead_max = 2;
	for (__u32 id = 1; id <= 5; id++) {
		hook(&r, IT_HOOK_OBJ_ALLOC, A(id), IT_OBJ_IOAS, id);
		hook(&r, IT_HOOK_OBJ_FINALIZE, A(id), IT_OBJ_IOAS, id);
		hook(&r, IT_HOOK_IOAS_DESTROY, A(id), IT_OBJ_IOAS, id);
	}
	pipeline_tick(&r.p, r.ts + 1000 * MS);
	ASSERT_EQ(r.p.g.n_dead, 2, "two dead kept");
	ASSERT_EQ(r.p.g.expired, 3, "three forgotten");
	ASSERT_TRUE(graph_find_id(&r.p.g, CTX, 3) == NULL, "ioas#3 forgotten");
	ASSERT_TRUE(graph_find_id(&r.p.g, CTX, 4) != NULL, "ioas#4 kept");
	ASSERT_TRUE(graph_find_id(&r.p.g, CTX, 5) != NULL, "ioas#5 kept");
	run_fini(&r);
}
