// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime rules over the object graph. Each verdict names the objects, the
 * task, the time, the events that prove it and the offending call's stack;
 * when events were lost around an object its verdicts are uncertain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/hooks.h"
#include "model/rules.h"

#define BIT(h) (1ULL << (h))
#define MS 1000000ULL
/* iommufd gives up waiting after 10 s (6.7-6.13) or 60 s (6.14+, 6.12.13+) */
#define KERNEL_WAIT_TIMEOUT_MIN_NS (9500ULL * MS)

const char *severity_name(enum severity s)
{
	return s == SEV_ERROR ? "error" : "warning";
}

static void viol_begin(struct violation *v, const struct rule *rule, const struct it_event *e)
{
	memset(v, 0, sizeof(*v));
	v->rule = rule;
	v->certain = true;
	v->seq = e->hdr.seq;
	v->ts_ns = e->hdr.ts_ns;
	v->cpu = e->hdr.cpu;
	v->tgid = e->tgid;
	memcpy(v->comm, e->comm, sizeof(v->comm));
	v->hook = e->hook;
	v->ret = e->ret;
	v->kstack_id = e->kstack_id;
}

/* Add an object and its recent history to the proof. */
static void viol_obj(struct violation *v, const char *role, const struct node *n)
{
	struct viol_obj *o;
	int idx;

	if (v->n_objs >= VIOL_MAX_OBJS)
		return;
	idx = v->n_objs++;
	o = &v->objs[idx];
	o->role = role;
	o->type = n->type;
	o->id = n->id;
	o->addr = n->addr;
	o->ctx = n->ctx;
	memcpy(o->devname, n->devname, sizeof(o->devname));
	if (n->uncertain)
		v->certain = false;

	/* merge the node's chain (a ring, oldest first) by sequence number */
	__u32 have = n->chain_n < CHAIN_LEN ? n->chain_n : CHAIN_LEN;

	for (__u32 k = 0; k < have; k++) {
		const struct chain_ev *c = &n->chain[(n->chain_n - have + k) % CHAIN_LEN];
		int at = v->n_chain;

		if (v->n_chain >= VIOL_MAX_CHAIN)
			break;
		while (at > 0 && v->chain[at - 1].seq > c->seq) {
			v->chain[at] = v->chain[at - 1];
			v->chain_obj[at] = v->chain_obj[at - 1];
			at--;
		}
		v->chain[at] = *c;
		v->chain_obj[at] = idx;
		v->n_chain++;
	}
}

/* An object known only from an event (not in the graph). */
static void viol_event_obj(struct violation *v, const char *role, const struct it_event *e)
{
	struct viol_obj *o;

	if (v->n_objs >= VIOL_MAX_OBJS)
		return;
	o = &v->objs[v->n_objs++];
	o->role = role;
	o->type = e->obj.type;
	o->id = e->obj.id;
	o->addr = e->obj.addr;
	o->ctx = e->ctx;
}

static int rule_index(const struct rule *rule)
{
	return (int)(rule - rule_table);
}

static void viol_report(struct rules *r, struct violation *v)
{
	int i = rule_index(v->rule);

	if (!(v->rule->reports & BIT(v->hook)) &&
	    !((v->rule->reports_failed & BIT(v->hook)) && v->ret))
		r->beyond_proof++;
	if (v->certain)
		r->count[i]++;
	else
		r->uncertain[i]++;
	for (int k = 0; k < v->n_objs && !v->owner; k++) {
		const struct ctx_node *c = graph_ctx(r->g, v->objs[k].ctx);

		v->owner = c ? c->owner : NULL;
	}
	if (r->report && !r->err)
		r->err = r->report(r->cookie, v);
}

static const char *type_of(const struct node *n)
{
	return obj_type_name(n->type);
}

/* --- vdev_outlives_idev -------------------------------------------------- */

static void check_vdev_outlives_idev(struct rules *r, const struct rule *self,
			const struct it_event *e, struct node *n, enum node_state prev)
{
	const struct rule *rule = self;
	struct violation v;
	struct table_slot *s;

	if (!n)
		return;
	if (e->hook == IT_HOOK_DEVICE_DESTROY && n->type == IT_OBJ_DEVICE) {
		table_for_each(&r->g->alive_vdevs, s) {
			struct node *vd = s->val;

			/* the graph marked the vdevs bound to it as it applied the destroy */
			if (vd->type != IT_OBJ_VDEVICE || !vd->outlived || vd->outlived->addr != n->addr)
				continue;
			viol_begin(&v, rule, e);
			snprintf(v.detail, sizeof(v.detail),
				 "device#%u (%s) destroyed while vdevice#%u (virt_id %#llx) bound to it is alive",
				 n->id, n->devname[0] ? n->devname : "?", vd->id,
				 (unsigned long long)vd->virt_id);
			viol_obj(&v, "idevice", n);
			viol_obj(&v, "vdevice", vd);
			viol_report(r, &v);
		}
		return;
	}
	/*
	 * Touched again later: once per operation on it. The callbacks that a
	 * removal or a destroy runs next (prev removing or dead) belong to the
	 * operation already reported.
	 */
	if (n->type == IT_OBJ_VDEVICE && n->outlived && e->hook != IT_HOOK_OBJ_ALLOC &&
	    !hook_is_return(e->hook) && (prev == NS_LIVE || prev == NS_RESERVED)) {
		viol_begin(&v, rule, e);
		snprintf(v.detail, sizeof(v.detail),
			 "vdevice#%u touched by %s after its device#%u (%s) was destroyed",
			 n->id, hook_func(e->hook), n->outlived->id,
			 n->outlived->devname[0] ? n->outlived->devname : "?");
		viol_obj(&v, "vdevice", n);
		viol_obj(&v, "idevice", n->outlived);
		viol_report(r, &v);
	}
}

/* --- double_abort -------------------------------------------------------- */

static void check_double_abort(struct rules *r, const struct rule *self,
			const struct it_event *e, struct node *n, enum node_state prev)
{
	const struct rule *rule = self;
	struct violation v;
	bool was_dead = prev == NS_DESTROYED || prev == NS_TOMBSTONED;

	if (!n)
		return;
	viol_begin(&v, rule, e);
	if (hook_is_abort(e->hook) && n->n_abort >= 2)
		snprintf(v.detail, sizeof(v.detail), "%s ran %u times on %s#%u",
			 hook_func(e->hook), n->n_abort, type_of(n), n->id);
	else if (hook_is_destroy(e->hook) && n->n_destroy >= 2)
		snprintf(v.detail, sizeof(v.detail), "%s ran %u times on %s#%u",
			 hook_func(e->hook), n->n_destroy, type_of(n), n->id);
	else if (e->hook == IT_HOOK_OBJ_ABORT && n->n_obj_abort >= 2)
		snprintf(v.detail, sizeof(v.detail), "iommufd_object_abort ran %u times on %s#%u",
			 n->n_obj_abort, type_of(n), n->id);
	else if (e->hook == IT_HOOK_OBJ_ABORT && was_dead && !n->in_abort_and_destroy)
		snprintf(v.detail, sizeof(v.detail),
			 "iommufd_object_abort on %s#%u after it was destroyed", type_of(n), n->id);
	else
		return;
	viol_obj(&v, "object", n);
	viol_report(r, &v);
}

/* --- long_wait and wait_timeout ------------------------------------------ */

static void report_wait(struct rules *r, const struct rule *rule, const struct it_event *e,
			struct node *n, __u64 wait_ns, const char *how)
{
	struct violation v;

	viol_begin(&v, rule, e);
	if (n && n->remove_start_ns) {
		v.tgid = n->remove_tgid;
		memcpy(v.comm, n->remove_comm, sizeof(v.comm));
	}
	snprintf(v.detail, sizeof(v.detail), "removal of %s#%u %s %.1f ms (threshold %.1f ms)",
		 n ? type_of(n) : obj_type_name(e->obj.type), n ? n->id : e->obj.id, how,
		 wait_ns / 1e6, r->cfg.long_wait_ns / 1e6);
	if (n)
		v.holder = n->holder;
	if (n)
		viol_obj(&v, "object", n);
	else
		viol_event_obj(&v, "object", e);
	viol_report(r, &v);
}

/* only iommufd_object_remove() waits for short-term references */
static bool is_waiting_remove_ret(const struct it_event *e)
{
	return e->hook == IT_HOOK_OBJ_REMOVE_RET;
}

static bool timed_out(const struct it_event *e)
{
	return is_waiting_remove_ret(e) && e->ret == -16 /* -EBUSY */ &&
	       (e->flags & IT_EVF_REMOVE_WAIT) && (e->flags & IT_EVF_HAS_DUR) &&
	       e->dur_ns >= KERNEL_WAIT_TIMEOUT_MIN_NS;
}

static void check_long_wait(struct rules *r, const struct rule *self,
			const struct it_event *e, struct node *n, enum node_state prev)
{
	const struct rule *rule = self;

	/* the wait ends when the destroy callback starts */
	if (n && hook_is_destroy(e->hook) && prev == NS_REMOVING && n->remove_pending &&
	    (n->remove_flags & IT_EVF_REMOVE_WAIT)) {
		__u64 wait = e->hdr.ts_ns - n->remove_start_ns;

		if (wait > r->cfg.long_wait_ns)
			report_wait(r, rule, e, n, wait, "waited for short-term references for");
		return;
	}
	/* or when the removal gives up (the timeout is wait_timeout's) */
	if (is_waiting_remove_ret(e) && e->ret && (e->flags & IT_EVF_REMOVE_WAIT) &&
	    (e->flags & IT_EVF_HAS_DUR) && e->dur_ns > r->cfg.long_wait_ns && !timed_out(e))
		report_wait(r, rule, e, n, e->dur_ns, "failed after waiting");
}

static void check_wait_timeout(struct rules *r, const struct rule *self,
			const struct it_event *e, struct node *n, enum node_state prev)
{
	if (timed_out(e))
		report_wait(r, self, e, n, e->dur_ns,
			    "gave up (-EBUSY, the kernel's timeout) after");
}

/* --- leak_at_close -------------------------------------------------------- */

static void check_leak_at_close(struct rules *r, const struct rule *self,
			const struct it_event *e, struct node *n, enum node_state prev)
{
	struct ctx_node *c;
	struct violation v;
	struct node *o;
	unsigned int leaked = 0;

	if (e->hook != IT_HOOK_FOPS_RELEASE_RET || !e->ctx)
		return;
	c = graph_ctx(r->g, e->ctx);
	if (!c || !c->nodes)
		return;
	viol_begin(&v, self, e);
	/* the context's own objects (not every living one), oldest first */
	for (o = c->nodes; o->ctx_next; o = o->ctx_next)
		;
	for (; o; o = o->ctx_prev) {
		if (!node_alive(o))
			continue;
		/* an object whose destroy this kernel does not let us see */
		if (!(hooks_ending(o->type) & r->cfg.attached))
			continue;
		leaked++;
		viol_obj(&v, "leaked", o);
	}
	if (!leaked)
		return;
	if (c->uncertain)
		v.certain = false;
	snprintf(v.detail, sizeof(v.detail),
		 "%u object(s) still alive after the release of the context of %s[%u]",
		 leaked, c->comm, c->tgid);
	viol_report(r, &v);
}

/* --- use_after_destroy ---------------------------------------------------- */

static void check_use_after_destroy(struct rules *r, const struct rule *self,
			const struct it_event *e, struct node *n, enum node_state prev)
{
	struct violation v;

	if (!n || (prev != NS_DESTROYED && prev != NS_ABORTED && prev != NS_TOMBSTONED))
		return;
	if (hook_is_use(e->hook)) {
		viol_begin(&v, self, e);
		snprintf(v.detail, sizeof(v.detail),
			 "%s touched %s#%u, %s before: a pointer kept past the object's end",
			 hook_func(e->hook), type_of(n), n->id, node_state_name(prev));
		viol_obj(&v, "object", n);
		viol_report(r, &v);
		return;
	}
	switch (e->hook) {
	case IT_HOOK_OBJ_FINALIZE:
	case IT_HOOK_OBJ_ABORT_AND_DESTROY:
	case IT_HOOK_DEVICE_PRE_DESTROY:
		break;
	case IT_HOOK_OBJ_REMOVE:
	case IT_HOOK_OBJ_DESTROY_USER:
	case IT_HOOK__OBJ_DESTROY_USER:
		/* by id, a dead id is the caller's mistake (ENOENT), not the kernel's */
		if (e->flags & IT_EVF_BY_ID)
			return;
		break;
	default:
		return;
	}
	viol_begin(&v, self, e);
	snprintf(v.detail, sizeof(v.detail), "%s on %s#%u, %s before",
		 hook_func(e->hook), type_of(n), n->id, node_state_name(prev));
	viol_obj(&v, "object", n);
	viol_report(r, &v);
}

/* What the rules report on, from the hook table. */
#define BIT_IF(cond, id) ((cond) ? BIT(id) : 0)
#define DESTROY_BIT(id, fn, r, act, type) | BIT_IF((act) == HA_DESTROY, id)
#define ABORT_BIT(id, fn, r, act, type) | BIT_IF((act) == HA_ABORT || (act) == HA_OBJ_ABORT, id)
#define DESTROYS (0 IT_HOOKS(DESTROY_BIT))
#define ABORTS (0 IT_HOOKS(ABORT_BIT))
#define USE_BIT(id, fn, r, act, type) | BIT_IF((act) == HA_USE, id)
#define USES (0 IT_HOOKS(USE_BIT))
#define REMOVES (BIT(IT_HOOK_OBJ_REMOVE) | BIT(IT_HOOK_OBJ_DESTROY_USER) | \
		 BIT(IT_HOOK__OBJ_DESTROY_USER))
/* the entries whose object may be a vdevice */
#define VDEV_ENTRIES (BIT(IT_HOOK_OBJ_FINALIZE) | BIT(IT_HOOK_OBJ_ABORT) |             \
		      BIT(IT_HOOK_OBJ_ABORT_AND_DESTROY) | REMOVES |                     \
		      BIT(IT_HOOK_VDEVICE_ABORT) | BIT(IT_HOOK_VDEVICE_DESTROY))

const struct rule rule_table[] = {
	{ "vdev_outlives_idev", SEV_ERROR,
	  "an iommufd device was destroyed while a vDEVICE bound to it was alive",
	  check_vdev_outlives_idev,
	  BIT(IT_HOOK_DEVICE_DESTROY) | BIT(IT_HOOK_VDEVICE_DESTROY) | BIT(IT_HOOK_OBJ_FINALIZE),
	  BIT(IT_HOOK_DEVICE_DESTROY) | VDEV_ENTRIES, 0,
	  "c2cd1db6eef34eb29270f1987f150ddc" },
	{ "double_abort", SEV_ERROR,
	  "an object's abort or destroy ran more than once",
	  check_double_abort, 0,
	  DESTROYS | ABORTS, 0,
	  "5712d08823a44b2e937a5176c72e989f" },
	{ "long_wait", SEV_WARNING,
	  "a removal waited long for short-term references (shortterm_users/wait_cnt)",
	  check_long_wait, BIT(IT_HOOK_OBJ_REMOVE) | BIT(IT_HOOK_OBJ_REMOVE_RET),
	  DESTROYS | BIT(IT_HOOK_GET_OBJECT), BIT(IT_HOOK_OBJ_REMOVE_RET),
	  "5d9c20ccf779424bb1b3bfd90869a849" },
	{ "wait_timeout", SEV_ERROR,
	  "a removal gave up with -EBUSY after the kernel's own wait timeout",
	  check_wait_timeout, BIT(IT_HOOK_OBJ_REMOVE_RET),
	  BIT(IT_HOOK_GET_OBJECT), BIT(IT_HOOK_OBJ_REMOVE_RET),
	  "03e5c891bca24436b2a5c9a9b13aa61a" },
	{ "leak_at_close", SEV_ERROR,
	  "objects still alive after their context's release finished",
	  check_leak_at_close,
	  BIT(IT_HOOK_FOPS_RELEASE) | BIT(IT_HOOK_FOPS_RELEASE_RET) | BIT(IT_HOOK_OBJ_ALLOC),
	  BIT(IT_HOOK_FOPS_RELEASE_RET), 0,
	  "608f352b11ae483a971676a7a50b3edc" },
	{ "use_after_destroy", SEV_ERROR,
	  "an object was used after it was destroyed",
	  check_use_after_destroy, 0,
	  BIT(IT_HOOK_OBJ_FINALIZE) | BIT(IT_HOOK_OBJ_ABORT_AND_DESTROY) |
		  BIT(IT_HOOK_DEVICE_PRE_DESTROY) | REMOVES | USES, 0,
	  "3b9d5a1f1fea41f4b95301c78ab2239f" },
};
const int n_rules = sizeof(rule_table) / sizeof(rule_table[0]);

__u64 rules_proof_hooks(__u64 *failed)
{
	__u64 all = 0, f = 0;

	for (int i = 0; i < n_rules; i++) {
		all |= rule_table[i].reports;
		f |= rule_table[i].reports_failed;
	}
	*failed = f & ~all;
	return all;
}

void rules_set_attached(struct rules *r, __u64 attached)
{
	r->cfg.attached = attached;
	for (int i = 0; i < n_rules; i++)
		r->degraded[i] = (rule_table[i].needs & attached) != rule_table[i].needs;
}

void rules_init(struct rules *r, struct graph *g, const struct rules_config *cfg,
		report_fn report, void *cookie)
{
	memset(r, 0, sizeof(*r));
	r->g = g;
	r->cfg = *cfg;
	if (!r->cfg.long_wait_ns)
		r->cfg.long_wait_ns = 100 * MS;
	r->report = report;
	r->cookie = cookie;
	rules_set_attached(r, cfg->attached);
}

int rules_check(struct rules *r, const struct it_event *e, struct node *n,
		enum node_state prev)
{
	for (int i = 0; i < n_rules; i++)
		if (!r->degraded[i])
			rule_table[i].check(r, &rule_table[i], e, n, prev);
	return r->err;
}

unsigned long long rules_total(const struct rules *r, bool certain)
{
	unsigned long long t = 0;

	for (int i = 0; i < n_rules; i++)
		t += certain ? r->count[i] : r->uncertain[i];
	return t;
}
