// SPDX-License-Identifier: GPL-2.0
/*
 * Context owners: the IT_REC_OWNER record parsed (QEMU's -name forms,
 * libvirt's and other machined scopes, truncation, malformed records),
 * joined to its context through the pipeline in either order, counted when
 * it never came, shown in violations, hashed or omitted on request.
 */
#include <errno.h>

#include "model/owner.h"
#include "model/pipeline.h"
#include "base/ptrhash.h"
#include "test.h"
#include "base/text.h"

#define CTX 0xffff888001000000ULL
#define OBJ 0xffff888002000000ULL

/* a record from argv (NUL-separated, n bytes) and leaf-first cgroup names */
static struct it_owner_rec rec(const char *argv, size_t argv_n, const char *cg, size_t cg_n)
{
	struct it_owner_rec r = {
		.hdr = { .type = IT_REC_OWNER, .size = sizeof(r), .seq = 5, .ts_ns = 1000 },
		.ctx = CTX, .cgroup_id = 4242, .tgid = 300, .tid = 301,
		.comm = "qemu-system-x86",
	};

	memcpy(r.data, cg, cg_n);
	r.cgroup_len = cg_n;
	memcpy(r.data + cg_n, argv, argv_n);
	r.argv_len = argv_n;
	r.hdr.size = IT_OWNER_FIXED + cg_n + argv_n;
	return r;
}

#define S(lit) lit, sizeof(lit) - 1 /* a literal with its embedded NULs */

#define LIBVIRT_CG "emulator\0libvirt\0machine-qemu\\x2d1\\x2dvm\\x2done.scope\0machine.slice\0"

static void vm_of(const char *argv, size_t n, const char *want, bool want_cut, const char *what)
{
	char vm[OWNER_VM_LEN];
	bool cut;
	bool found = owner_vm_from_argv(argv, n, vm, sizeof(vm), &cut);

	if (!want) {
		ASSERT_TRUE(!found, what);
		return;
	}
	ASSERT_TRUE(found, what);
	ASSERT_STREQ(vm, want, what);
	ASSERT_EQ(cut, want_cut, what);
}

void test_owner_parse(void)
{
	struct ctx_owner o;
	struct it_owner_rec r;

	if (test__start_subtest("libvirt")) {
		r = rec(S("/usr/bin/qemu-system-x86_64\0-name\0guest=vm-one,debug-threads=on\0-S\0"),
			S(LIBVIRT_CG));
		ASSERT_EQ(owner_parse(&r, sizeof(r), &o), 0, "parse");
		ASSERT_STREQ(o.cgroup, "/machine.slice/machine-qemu\\x2d1\\x2dvm\\x2done.scope/libvirt/emulator",
			     "cgroup path, root first");
		ASSERT_STREQ(o.vm, "vm-one", "vm");
		ASSERT_EQ(o.vm_from, OWNER_VM_ARGV, "from argv");
		ASSERT_EQ(o.cgroup_id, 4242, "cgroup id");
		ASSERT_EQ(o.tgid, 300, "tgid");
		ASSERT_EQ(o.tid, 301, "tid");
		ASSERT_EQ(o.open_seq, 5, "the open's seq");
		ASSERT_STREQ(o.comm, "qemu-system-x86", "comm");
	}
	if (test__start_subtest("name_forms")) {
		vm_of(S("qemu\0-name\0plain\0"), "plain", false, "bare name");
		vm_of(S("qemu\0-name\0plain,process=p\0"), "plain", false, "name and process");
		vm_of(S("qemu\0--name\0guest=a,,b,debug-threads=on\0"), "a,b", false, ",, is a comma");
		vm_of(S("qemu\0-name\0first\0-m\0128\0-name\0second\0"), "second", false, "last wins");
		vm_of(S("qemu\0-name\0debug-threads=on,guest=late\0"), "late", false, "guest= later");
		vm_of(S("qemu\0-m\0128\0"), NULL, false, "no -name");
		vm_of(S("qemu\0-name\0"), NULL, false, "-name without a value");
		vm_of(S("qemu\0-name\0debug-threads=on\0"), NULL, false, "no guest in the list");
		vm_of("qemu\0-name\0cut-he", 17, "cut-he", true, "value cut by the record");
		vm_of(S("qemu\0-name\0" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0"),
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true,
		      "longer than shown");
	}
	if (test__start_subtest("vm_from_cgroup")) {
		char vm[OWNER_VM_LEN];
		bool cut;

		r = rec(S("/usr/bin/cloud-hypervisor\0--api-socket\0/run/x\0"), S(LIBVIRT_CG));
		ASSERT_EQ(owner_parse(&r, sizeof(r), &o), 0, "parse");
		ASSERT_STREQ(o.vm, "vm-one", "libvirt scope, unescaped");
		ASSERT_EQ(o.vm_from, OWNER_VM_CGROUP, "from the cgroup");
		ASSERT_TRUE(owner_vm_from_cgroup("/machine.slice/machine-box.scope", vm, sizeof(vm), &cut),
			    "nspawn scope");
		ASSERT_STREQ(vm, "box", "nspawn's name");
		ASSERT_TRUE(owner_vm_from_cgroup("/machine.slice/machine-ch\\x2d12\\x2dweb.scope/vcpu0",
						 vm, sizeof(vm), &cut), "cloud-hypervisor scope");
		ASSERT_STREQ(vm, "web", "its name");
		ASSERT_TRUE(!owner_vm_from_cgroup("/user.slice/user-0.slice/session-1.scope", vm,
						  sizeof(vm), &cut), "no machine scope");
		ASSERT_TRUE(!owner_vm_from_cgroup("/machine.slice/machine-.scope", vm, sizeof(vm), &cut),
			    "empty machine name");
	}
	if (test__start_subtest("root_cut_none")) {
		r = rec(S("a.out\0"), "", 0);
		ASSERT_EQ(owner_parse(&r, sizeof(r), &o), 0, "root cgroup");
		ASSERT_STREQ(o.cgroup, "/", "the root");
		ASSERT_EQ(o.vm_from, OWNER_VM_NONE, "no vm");
		ASSERT_STREQ(o.vm, "", "empty vm");
		r = rec(S("a.out\0"), S("leaf\0mid\0"));
		r.flags = IT_OWNER_CGROUP_CUT;
		ASSERT_EQ(owner_parse(&r, sizeof(r), &o), 0, "cut path");
		ASSERT_STREQ(o.cgroup, ".../mid/leaf", "the top is marked missing");
		ASSERT_TRUE(o.cgroup_cut, "cut");
		r = rec(S("a.out\0"), "", 0);
		r.flags = IT_OWNER_NO_CGROUP;
		r.cgroup_id = 0;
		ASSERT_EQ(owner_parse(&r, sizeof(r), &o), 0, "no cgroups");
		ASSERT_STREQ(o.cgroup, "", "no path");
	}
	if (test__start_subtest("malformed")) {
		r = rec(S("a\0"), "leaf-without-nul", 16);
		ASSERT_EQ(owner_parse(&r, sizeof(r), &o), -EINVAL, "unterminated name");
		r = rec(S("a\0"), S("x\0"));
		r.cgroup_len = IT_OWNER_CGROUP_LEN + 1;
		ASSERT_EQ(owner_parse(&r, sizeof(r), &o), -EINVAL, "cgroup_len too big");
		r = rec(S("a\0"), S("x\0"));
		r.argv_len = IT_OWNER_ARGV_LEN + 1;
		ASSERT_EQ(owner_parse(&r, sizeof(r), &o), -EINVAL, "argv_len too big");
		r = rec(S("a\0"), S("x\0"));
		ASSERT_EQ(owner_parse(&r, r.hdr.size - 1, &o), -EINVAL, "cut short");
		r = rec(S("a\0"), S("x\0"));
		r.argv_len += 8;
		ASSERT_EQ(owner_parse(&r, sizeof(r), &o), -EINVAL, "lengths past its size");
		r = rec(S("qemu\0-name\0vm\0"), S("x\0"));
		ASSERT_EQ(r.hdr.size, 72 + 2 + 14, "as long as it is filled");
		ASSERT_EQ(owner_parse(&r, r.hdr.size, &o), 0, "read from its own bytes");
		ASSERT_STREQ(o.vm, "vm", "its vm");
	}
}

void test_owner_show(void)
{
	char buf[64], a[32], b[32], t[64];

	ptrhash_init(false);
	ASSERT_STREQ(owner_show(OWNER_FULL, "vm1", buf, sizeof(buf)), "vm1", "full");
	ASSERT_TRUE(owner_show(OWNER_OMIT, "vm1", buf, sizeof(buf)) == NULL, "omit");
	ASSERT_TRUE(owner_show(OWNER_FULL, "", buf, sizeof(buf)) == NULL, "nothing to show");
	snprintf(a, sizeof(a), "%s", owner_show(OWNER_HASH, "vm1", buf, sizeof(buf)));
	snprintf(b, sizeof(b), "%s", owner_show(OWNER_HASH, "vm1", buf, sizeof(buf)));
	ASSERT_TRUE(!strncmp(a, "h:", 2) && strlen(a) == 14, "h: and 12 hex digits");
	ASSERT_STREQ(a, b, "stable within a run");
	ASSERT_TRUE(!strstr(a, "vm1"), "the name is not in it");
	ASSERT_TRUE(strcmp(a, owner_show(OWNER_HASH, "vm2", buf, sizeof(buf))), "names differ");
	ASSERT_STREQ(tty_safe("a\x1b[2J\nb\\x2dc\x7f", t, sizeof(t)), "a\\x1b[2J\\x0ab\\x2dc\\x7f",
		     "escape, newline and DEL escaped, a backslash kept");
}

/* --- through the pipeline ------------------------------------------------ */

struct owner_cap {
	struct sink sink;
	int owners;
	struct ctx_owner last;
	int violations;
	char viol_vm[OWNER_VM_LEN];
	unsigned long long owners_lost;
};

static int oc_owner(struct sink *s, const struct ctx_owner *o)
{
	struct owner_cap *c = (struct owner_cap *)s;

	c->owners++;
	c->last = *o;
	return 0;
}

static int oc_violation(struct sink *s, const struct violation *v, const struct kstack *k)
{
	struct owner_cap *c = (struct owner_cap *)s;

	c->violations++;
	snprintf(c->viol_vm, sizeof(c->viol_vm), "%s", v->owner ? v->owner->vm : "(none)");
	return 0;
}

static int oc_summary(struct sink *s, const struct summary *sum)
{
	((struct owner_cap *)s)->owners_lost = sum->owners_lost;
	return 0;
}

static const struct sink_ops oc_ops = {
	.owner = oc_owner, .violation = oc_violation, .summary = oc_summary,
};

static struct it_event oev(__u16 hook, __u64 seq, __u64 addr, __u16 type, __u32 id)
{
	struct it_event e = {
		.hdr = { .type = IT_REC_EVENT, .size = sizeof(e), .seq = seq,
			 .ts_ns = 1000000000ULL + seq * 1000000 },
		.hook = hook, .tgid = 300, .tid = 301, .ctx = CTX,
		.obj = { .addr = addr, .type = type, .id = id }, .wait_cnt = ~0u,
	};

	strcpy(e.comm, "qemu-system-x86");
	if (hook == IT_HOOK_FOPS_OPEN || hook == IT_HOOK_FOPS_RELEASE_RET)
		e.flags = IT_EVF_HAS_RET;
	return e;
}

static void meta(struct pipeline *p, bool owners)
{
	struct it_meta_rec m = { .hdr = { .type = IT_REC_META, .size = sizeof(m) },
				 .attached_hooks = ~0ULL >> 1 };

	if (owners)
		m.attached_hooks |= IT_META_OWNERS;
	ASSERT_EQ(pipeline_feed(p, &m, sizeof(m)), 0, "meta");
}

static void ofeed(struct pipeline *p, struct it_event e)
{
	ASSERT_EQ(pipeline_feed(p, &e, sizeof(e)), 0, "event");
}

static void owner_feed(struct pipeline *p, __u64 open_seq)
{
	struct it_owner_rec r = rec(S("qemu\0-name\0guest=vm7\0"), S("machine.slice\0"));

	r.hdr.seq = open_seq;
	ASSERT_EQ(pipeline_feed(p, &r, sizeof(r)), 0, "owner record");
}

static void start(struct pipeline *p, struct owner_cap *c)
{
	struct pipeline_opts o = { .attached = ~0ULL, .long_wait_ns = 100000000 };

	memset(c, 0, sizeof(*c));
	pipeline_init(p, &o);
	sink_init(&c->sink, &oc_ops, NULL);
	pipeline_add_sink(p, &c->sink);
}

static void stop(struct pipeline *p, struct owner_cap *c, __u64 end_seq)
{
	pipeline_finish(p, end_seq, 0, 0, 0, 0);
	pipeline_fini(p);
	sink_fini(&c->sink);
}

void test_owner_pipeline(void)
{
	struct owner_cap c;
	struct pipeline p;

	if (test__start_subtest("after_its_event")) {
		start(&p, &c);
		meta(&p, true);
		ofeed(&p, oev(IT_HOOK_FOPS_OPEN, 0, CTX, IT_OBJ_CTX, 0));
		owner_feed(&p, 0);
		ASSERT_EQ(c.owners, 1, "said once");
		ASSERT_STREQ(c.last.vm, "vm7", "vm");
		ASSERT_STREQ(graph_ctx(&p.g, CTX)->owner->cgroup, "/machine.slice", "kept");
		/* a double destroy in that context names the VM */
		ofeed(&p, oev(IT_HOOK_OBJ_ALLOC, 1, OBJ, IT_OBJ_IOAS, 1));
		ofeed(&p, oev(IT_HOOK_OBJ_FINALIZE, 2, OBJ, IT_OBJ_IOAS, 1));
		ofeed(&p, oev(IT_HOOK_IOAS_DESTROY, 3, OBJ, IT_OBJ_IOAS, 1));
		ofeed(&p, oev(IT_HOOK_IOAS_DESTROY, 4, OBJ, IT_OBJ_IOAS, 1));
		owner_feed(&p, 0); /* again: not a second owner */
		stop(&p, &c, 5);
		ASSERT_EQ(c.violations, 1, "double_abort");
		ASSERT_STREQ(c.viol_vm, "vm7", "the violation names the VM");
		ASSERT_EQ(c.owners, 1, "still once");
		ASSERT_EQ(c.owners_lost, 0, "none lost");
	}
	if (test__start_subtest("before_its_event")) {
		/* seq 0 is late: the open (seq 1) waits in the reorder window */
		start(&p, &c);
		meta(&p, true);
		ofeed(&p, oev(IT_HOOK_FOPS_OPEN, 1, CTX, IT_OBJ_CTX, 0));
		owner_feed(&p, 1);
		ASSERT_EQ(c.owners, 0, "not yet: its context is not known");
		ofeed(&p, oev(IT_HOOK_OBJ_ALLOC, 0, OBJ, IT_OBJ_IOAS, 1));
		ASSERT_EQ(c.owners, 1, "joined when the open came out");
		ASSERT_EQ(c.last.open_seq, 1, "to the right open");
		stop(&p, &c, 2);
		ASSERT_EQ(c.owners_lost, 0, "none lost");
	}
	if (test__start_subtest("never_came")) {
		start(&p, &c);
		meta(&p, true);
		ofeed(&p, oev(IT_HOOK_FOPS_OPEN, 0, CTX, IT_OBJ_CTX, 0));
		ofeed(&p, oev(IT_HOOK_FOPS_RELEASE_RET, 1, CTX, IT_OBJ_CTX, 0));
		ofeed(&p, oev(IT_HOOK_FOPS_OPEN, 2, CTX, IT_OBJ_CTX, 0));
		owner_feed(&p, 7); /* of another open: not this one's */
		stop(&p, &c, 3);
		ASSERT_EQ(c.owners, 0, "no owner said");
		ASSERT_EQ(c.owners_lost, 2, "both contexts counted");
	}
	if (test__start_subtest("old_recording")) {
		/* a tracer that wrote no owner records: nothing is missing */
		start(&p, &c);
		meta(&p, false);
		ofeed(&p, oev(IT_HOOK_FOPS_OPEN, 0, CTX, IT_OBJ_CTX, 0));
		stop(&p, &c, 1);
		ASSERT_EQ(c.owners_lost, 0, "not expected, not lost");
	}
}

void test_owner_malformed_counted(void)
{
	struct owner_cap c;
	struct pipeline p;
	struct it_owner_rec r = rec(S("a\0"), "no-nul", 6);

	start(&p, &c);
	meta(&p, true);
	ofeed(&p, oev(IT_HOOK_FOPS_OPEN, 0, CTX, IT_OBJ_CTX, 0));
	r.hdr.seq = 0;
	ASSERT_EQ(pipeline_record(&p, &r, sizeof(r)), 0, "skipped, not fatal");
	ASSERT_EQ(decoder_stats(p.dec)->rejected, 1, "counted as malformed");
	ASSERT_EQ(c.owners, 0, "no owner from it");
	stop(&p, &c, 1);
	ASSERT_EQ(c.owners_lost, 1, "the context's owner is unknown");
}
