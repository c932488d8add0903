// SPDX-License-Identifier: GPL-2.0
/*
 * Object graph maintenance. A node is keyed by the object's address while
 * it lives and after it died, until the address is allocated again (then a
 * new node replaces it: address reuse) or its context is released.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/graph.h"
#include "format/hooks.h"

void graph_init(struct graph *g)
{
	memset(g, 0, sizeof(*g));
	table_init(&g->nodes);
	table_init(&g->ctxs);
	table_init(&g->alive);
	table_init(&g->alive_vdevs);
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	free(n->outlived);
	free(n);
}

static void ctx_free(struct ctx_node *c)
{
	if (!c)
		return;
	table_fini(&c->ids);
	free(c->owner);
	free(c);
}

void graph_fini(struct graph *g)
{
	struct table_slot *s;

	table_for_each(&g->nodes, s)
		node_free(s->val);
	table_for_each(&g->ctxs, s)
		ctx_free(s->val);
	table_fini(&g->nodes);
	table_fini(&g->ctxs);
	table_fini(&g->alive);
	table_fini(&g->alive_vdevs);
}

bool node_alive(const struct node *n)
{
	return n->state == NS_RESERVED || n->state == NS_LIVE || n->state == NS_REMOVING;
}

const char *node_state_name(enum node_state s)
{
	static const char *const names[] = {
		[NS_RESERVED] = "reserved", [NS_LIVE] = "live",
		[NS_REMOVING] = "removing", [NS_ABORTED] = "aborted",
		[NS_DESTROYED] = "destroyed", [NS_TOMBSTONED] = "tombstoned",
	};
	return s <= NS_TOMBSTONED ? names[s] : "?";
}

struct node *graph_find(struct graph *g, __u64 addr)
{
	return table_get(&g->nodes, addr);
}

struct ctx_node *graph_ctx(struct graph *g, __u64 ctx)
{
	return table_get(&g->ctxs, ctx);
}

struct node *graph_find_id(struct graph *g, __u64 ctx, __u32 id)
{
	struct ctx_node *c = graph_ctx(g, ctx);
	struct node *n = c ? table_get(&c->ids, id) : NULL;

	return n;
}

static struct ctx_node *ctx_get(struct graph *g, __u64 ctx, const struct it_event *e,
				bool pre_existing)
{
	struct ctx_node *c = graph_ctx(g, ctx);

	if (c || !ctx)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->addr = ctx;
	c->tgid = e->tgid;
	memcpy(c->comm, e->comm, sizeof(c->comm));
	c->born_ns = e->hdr.ts_ns;
	c->pre_existing = pre_existing;
	c->uncertain = pre_existing && g->had_gap;
	table_init(&c->ids);
	if (table_put(&g->ctxs, ctx, c)) {
		ctx_free(c);
		return NULL;
	}
	return c;
}

static void dead_unlink(struct graph *g, struct node *n)
{
	if (!n->on_dead_list)
		return;
	if (n->dead_prev)
		n->dead_prev->dead_next = n->dead_next;
	else
		g->dead_head = n->dead_next;
	if (n->dead_next)
		n->dead_next->dead_prev = n->dead_prev;
	else
		g->dead_tail = n->dead_prev;
	n->dead_prev = n->dead_next = NULL;
	n->on_dead_list = false;
	g->n_dead--;
}

/* n died at ts_ns (state is the kind of death): at the tail of the dead list */
static void node_died(struct graph *g, struct node *n, enum node_state state, __u64 ts_ns)
{
	n->state = state;
	n->died_ns = ts_ns;
	dead_unlink(g, n);
	n->dead_prev = g->dead_tail;
	if (g->dead_tail)
		g->dead_tail->dead_next = n;
	else
		g->dead_head = n;
	g->dead_tail = n;
	n->on_dead_list = true;
	g->n_dead++;
}

static void ctx_unlink(struct node *n)
{
	struct ctx_node *c = n->in_ctx;

	if (!c)
		return;
	if (n->ctx_prev)
		n->ctx_prev->ctx_next = n->ctx_next;
	else
		c->nodes = n->ctx_next;
	if (n->ctx_next)
		n->ctx_next->ctx_prev = n->ctx_prev;
	n->ctx_prev = n->ctx_next = NULL;
	n->in_ctx = NULL;
}

/* Unlink a node from every index and list, and free it. */
static void node_drop(struct graph *g, struct node *n)
{
	struct ctx_node *c = graph_ctx(g, n->ctx);

	dead_unlink(g, n);
	ctx_unlink(n);
	if (table_get(&g->alive, n->addr) == n)
		table_del(&g->alive, n->addr);
	if (table_get(&g->alive_vdevs, n->addr) == n)
		table_del(&g->alive_vdevs, n->addr);
	if (c && table_get(&c->ids, n->id) == n)
		table_del(&c->ids, n->id);
	if (table_get(&g->nodes, n->addr) == n)
		table_del(&g->nodes, n->addr);
	node_free(n);
}

void graph_drop_ctx(struct graph *g, __u64 ctx)
{
	struct ctx_node *c = graph_ctx(g, ctx);

	if (!c)
		return;
	while (c->nodes)
		node_drop(g, c->nodes);
	ctx_free(table_del(&g->ctxs, ctx));
}

unsigned long long graph_expire(struct graph *g, __u64 now_ns)
{
	unsigned long long n = 0;
	struct node *d;

	while ((d = g->dead_head) &&
	       ((g->dead_max && g->n_dead > g->dead_max) ||
		(g->dead_keep_ns && now_ns > g->dead_keep_ns &&
		 d->died_ns < now_ns - g->dead_keep_ns))) {
		node_drop(g, d);
		n++;
	}
	g->expired += n;
	return n;
}

unsigned long long graph_count_alive(const struct graph *g, unsigned long long *by_type)
{
	unsigned long long alive = 0;
	struct table_slot *s;

	if (by_type)
		memset(by_type, 0, IT_OBJ_MAX * sizeof(*by_type));
	table_for_each(&g->alive, s) {
		const struct node *n = s->val;

		alive++;
		if (by_type && n->type < IT_OBJ_MAX)
			by_type[n->type]++;
	}
	return alive;
}

unsigned long long graph_reset(struct graph *g)
{
	unsigned long long alive = graph_count_alive(g, NULL);
	struct graph keep = *g;

	graph_fini(g);
	graph_init(g);
	g->next_serial = keep.next_serial;
	g->dead_keep_ns = keep.dead_keep_ns;
	g->dead_max = keep.dead_max;
	g->expired = keep.expired;
	return alive;
}

void graph_gap(struct graph *g)
{
	struct table_slot *s;

	table_for_each(&g->nodes, s)
		((struct node *)s->val)->uncertain = true;
	table_for_each(&g->ctxs, s)
		((struct ctx_node *)s->val)->uncertain = true;
	g->had_gap = true;
}

static struct node *node_new(struct graph *g, const struct it_event *e, bool pre_existing)
{
	struct node *n = calloc(1, sizeof(*n));
	struct ctx_node *c;

	if (!n)
		return NULL;
	n->addr = e->obj.addr;
	n->ctx = e->ctx;
	n->id = e->obj.id;
	n->type = e->obj.type;
	n->state = pre_existing ? NS_LIVE : NS_RESERVED;
	n->pre_existing = pre_existing;
	n->uncertain = pre_existing && g->had_gap;
	n->born_ns = pre_existing ? 0 : e->hdr.ts_ns;
	n->serial = ++g->next_serial;
	n->tgid = e->tgid;
	memcpy(n->comm, e->comm, sizeof(n->comm));
	if (table_put(&g->nodes, n->addr, n)) {
		free(n);
		return NULL;
	}
	c = ctx_get(g, n->ctx, e, true);
	if (c && n->id)
		table_put(&c->ids, n->id, n);
	if (c) {
		n->in_ctx = c;
		n->ctx_next = c->nodes;
		if (c->nodes)
			c->nodes->ctx_prev = n;
		c->nodes = n;
	}
	return n;
}

static void chain_add(struct node *n, const struct it_event *e)
{
	struct chain_ev *c = &n->chain[n->chain_n++ % CHAIN_LEN];

	c->seq = e->hdr.seq;
	c->ts_ns = e->hdr.ts_ns;
	c->tgid = e->tgid;
	c->hook = e->hook;
	c->kstack_id = e->kstack_id;
}

/* What an event read out of the object itself. */
static void take_details(struct node *n, const struct it_event *e)
{
	if (hook_is_return(e->hook) || !e->obj.type)
		return;
	n->type = e->obj.type;
	n->id = e->obj.id;
	if (e->devname[0])
		memcpy(n->devname, e->devname, sizeof(n->devname));
	if (n->type == IT_OBJ_DEVICE) {
		if (e->rel[0].type == IT_OBJ_DEVICE_STRUCT)
			n->dev_addr = e->rel[0].addr;
		return;
	}
	for (int i = 0; i < IT_MAX_RELS; i++)
		if (e->rel[i].type)
			n->rel[i] = e->rel[i];
	if (n->type == IT_OBJ_VDEVICE && e->rel[0].type)
		n->virt_id = e->virt_id;
}

static int apply(struct graph *g, const struct it_event *e, struct node **node,
		 enum node_state *prev);

static bool bound_to(const struct node *vdev, const struct node *idev)
{
	const struct it_objref *ref = &vdev->rel[1];

	if (ref->type == IT_OBJ_DEVICE) /* 6.17+: vdev->idev */
		return ref->addr == idev->addr;
	if (ref->type == IT_OBJ_DEVICE_STRUCT) /* 6.13-6.16: vdev->dev */
		return idev->dev_addr && ref->addr == idev->dev_addr;
	return false;
}

/* idev is destroyed: each vdev alive and bound to it outlives it (a copy kept) */
static void mark_outlived(struct graph *g, const struct node *idev)
{
	struct table_slot *s;

	table_for_each(&g->alive_vdevs, s) {
		struct node *vd = s->val;

		if (vd->type != IT_OBJ_VDEVICE || vd->outlived || !bound_to(vd, idev))
			continue;
		vd->outlived = malloc(sizeof(*vd->outlived));
		if (vd->outlived) {
			*vd->outlived = *idev;
			vd->outlived->outlived = NULL;
		}
	}
}

int graph_apply(struct graph *g, const struct it_event *e, struct node **node,
		enum node_state *prev)
{
	int err = apply(g, e, node, prev);
	struct node *n = *node;

	/* the indexes of the living follow the node's state (and type) */
	if (n && node_alive(n) != (table_get(&g->alive, n->addr) == n)) {
		if (!node_alive(n))
			table_del(&g->alive, n->addr);
		else if (table_put(&g->alive, n->addr, n))
			return -ENOMEM;
	}
	if (n && (node_alive(n) && n->type == IT_OBJ_VDEVICE) !=
			 (table_get(&g->alive_vdevs, n->addr) == n)) {
		if (!node_alive(n) || n->type != IT_OBJ_VDEVICE)
			table_del(&g->alive_vdevs, n->addr);
		else if (table_put(&g->alive_vdevs, n->addr, n))
			return -ENOMEM;
	}
	return err;
}

/*
 * The transitions: what each hook does to the graph (its action in the hook
 * table, format/hooks.h). A context's open and release act on the context;
 * the rest on the object the event names, found by address (or by id, for
 * removals by id and returns).
 */
static int ctx_open(struct graph *g, const struct it_event *e)
{
	if (e->ret || !e->ctx)
		return 0;
	/* a context address used again is a new context */
	if (graph_ctx(g, e->ctx))
		graph_drop_ctx(g, e->ctx);
	return ctx_get(g, e->ctx, e, false) ? 0 : -ENOMEM;
}

static int ctx_release(struct graph *g, const struct it_event *e)
{
	/* a context opened before the tracer: known from now on */
	return ctx_get(g, e->ctx, e, true) || !e->ctx ? 0 : -ENOMEM;
}

static void obj_destroy(struct graph *g, struct node *n, const struct it_event *e)
{
	n->n_destroy++;
	node_died(g, n, n->remove_pending && (n->remove_flags & IT_EVF_REMOVE_TOMBSTONE) ?
		  NS_TOMBSTONED : NS_DESTROYED, e->hdr.ts_ns);
	if (e->hook == IT_HOOK_DEVICE_DESTROY && n->type == IT_OBJ_DEVICE)
		mark_outlived(g, n);
}

static void obj_remove(struct graph *g, struct node *n, const struct it_event *e)
{
	if (!node_alive(n))
		return; /* e.g. IOMMU_DESTROY of a tombstoned id: ENOENT */
	n->state = NS_REMOVING;
	n->remove_pending = true;
	n->remove_flags = e->flags;
	n->remove_start_ns = e->hdr.ts_ns;
	n->remove_tgid = e->tgid;
	memcpy(n->remove_comm, e->comm, sizeof(n->remove_comm));
	n->holder.tasks = 0;
}

/* A task took the object while its removal waited: it holds the removal up. */
static void obj_hold(struct node *n, const struct it_event *e)
{
	if (!n->remove_pending)
		return;
	n->holder.tasks++;
	n->holder.tgid = e->tgid;
	n->holder.tid = e->tid;
	n->holder.kstack_id = e->kstack_id;
	n->holder.ts_ns = e->hdr.ts_ns;
	memcpy(n->holder.comm, e->comm, sizeof(n->holder.comm));
}

static void obj_remove_ret(struct graph *g, struct node *n, const struct it_event *e,
			   enum hook_action a)
{
	bool tomb = e->flags & IT_EVF_REMOVE_TOMBSTONE;

	n->remove_pending = false;
	if (e->ret && n->state == NS_REMOVING)
		n->state = NS_LIVE;
	/*
	 * Removed: freed, whether or not its destroy was seen (it ran before a
	 * tracer started, or was lost). Not so the void
	 * __iommufd_object_destroy_user() (HA_DEREF_RET), which may only drop
	 * a reference.
	 */
	if (!e->ret && node_alive(n) && a == HA_REMOVE_RET)
		node_died(g, n, tomb ? NS_TOMBSTONED : NS_DESTROYED, e->hdr.ts_ns);
}

static void obj_transition(struct graph *g, struct node *n, const struct it_event *e,
			   enum hook_action a)
{
	switch (a) {
	case HA_DESTROY: obj_destroy(g, n, e); break;
	case HA_ABORT: n->n_abort++; break;
	case HA_FINALIZE:
		if (n->state == NS_RESERVED)
			n->state = NS_LIVE;
		break;
	case HA_OBJ_ABORT:
		n->n_obj_abort++;
		node_died(g, n, NS_ABORTED, e->hdr.ts_ns);
		break;
	case HA_ABORT_AND_DESTROY: n->in_abort_and_destroy = true; break;
	case HA_REMOVE: obj_remove(g, n, e); break;
	case HA_REMOVE_RET:
	case HA_DEREF_RET: obj_remove_ret(g, n, e, a); break;
	case HA_HOLD: obj_hold(n, e); break;
	default: break;
	}
}

static int apply(struct graph *g, const struct it_event *e, struct node **node,
		 enum node_state *prev)
{
	enum hook_action k = hook_action(e->hook);
	struct node *n = NULL;

	*node = NULL;
	*prev = NS_LIVE;
	switch (k) {
	case HA_OPEN: return ctx_open(g, e);
	case HA_RELEASE: return ctx_release(g, e);
	case HA_RELEASE_RET: return 0;
	default: break;
	}
	if (e->obj.addr)
		n = graph_find(g, e->obj.addr);
	else if (e->obj.id && e->ctx)
		n = graph_find_id(g, e->ctx, e->obj.id);

	if (k == HA_ALLOC) {
		if (!e->obj.addr)
			return 0; /* the allocation failed */
		if (n)
			node_drop(g, n); /* the address used again: its old object is gone */
		n = node_new(g, e, false);
		if (!n)
			return -ENOMEM;
		*prev = NS_RESERVED;
		chain_add(n, e);
		*node = n;
		return 0;
	}
	if (!n) {
		/*
		 * Returns and removals by id tell nothing about an unknown
		 * object, nor does a use (what it reads of the object may be
		 * freed memory), nor a hold (no removal of it is known).
		 */
		if (k == HA_REMOVE_RET || k == HA_DEREF_RET || k == HA_USE || k == HA_HOLD ||
		    !e->obj.addr)
			return 0;
		n = node_new(g, e, true);
		if (!n)
			return -ENOMEM;
	}
	*prev = n->state;
	*node = n;
	/* a hold is the removal's story, not the object's: its proof chain keeps room */
	if (k != HA_HOLD)
		chain_add(n, e);
	/* a use's read of the object proves nothing: it may be freed memory */
	if (k != HA_USE)
		take_details(n, e);
	obj_transition(g, n, e, k);
	return 0;
}
