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
#include "base/json.h"
#include "base/ptrhash.h"
#include "base/text.h"

void graph_init(struct graph *g)
{
	memset(g, 0, sizeof(*g));
	table_init(&g->nodes);
	table_init(&g->ctxs);
	table_init(&g->alive);
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

static bool is_remove_ret(unsigned int hook)
{
	return hook == IT_HOOK_OBJ_REMOVE_RET || hook == IT_HOOK_OBJ_DESTROY_USER_RET ||
	       hook == IT_HOOK__OBJ_DESTROY_USER_RET;
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

	table_for_each(&g->alive, s) {
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

	/* the index of the living follows the node's state */
	if (n && node_alive(n) != (table_get(&g->alive, n->addr) == n)) {
		if (!node_alive(n))
			table_del(&g->alive, n->addr);
		else if (table_put(&g->alive, n->addr, n))
			return -ENOMEM;
	}
	return err;
}

static int apply(struct graph *g, const struct it_event *e, struct node **node,
		 enum node_state *prev)
{
	struct node *n = NULL;

	*node = NULL;
	*prev = NS_LIVE;
	switch (e->hook) {
	case IT_HOOK_FOPS_OPEN:
		if (e->ret == 0 && e->ctx) {
			/* a context address used again is a new context */
			if (graph_ctx(g, e->ctx))
				graph_drop_ctx(g, e->ctx);
			if (!ctx_get(g, e->ctx, e, false))
				return -ENOMEM;
		}
		return 0;
	case IT_HOOK_FOPS_RELEASE:
		/* a context opened before the tracer: known from now on */
		return ctx_get(g, e->ctx, e, true) || !e->ctx ? 0 : -ENOMEM;
	case IT_HOOK_FOPS_RELEASE_RET:
		return 0;
	}

	if (e->obj.addr)
		n = graph_find(g, e->obj.addr);
	else if (e->obj.id && e->ctx)
		n = graph_find_id(g, e->ctx, e->obj.id);

	if (e->hook == IT_HOOK_OBJ_ALLOC) {
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
		/* returns and removals by id tell nothing about an unknown object */
		if (is_remove_ret(e->hook) || !e->obj.addr)
			return 0;
		n = node_new(g, e, true);
		if (!n)
			return -ENOMEM;
	}
	*prev = n->state;
	*node = n;
	chain_add(n, e);
	take_details(n, e);

	if (hook_is_destroy(e->hook)) {
		n->n_destroy++;
		node_died(g, n, n->remove_pending && (n->remove_flags & IT_EVF_REMOVE_TOMBSTONE) ?
			  NS_TOMBSTONED : NS_DESTROYED, e->hdr.ts_ns);
		if (e->hook == IT_HOOK_DEVICE_DESTROY && n->type == IT_OBJ_DEVICE)
			mark_outlived(g, n);
		return 0;
	}
	if (hook_is_abort(e->hook)) {
		n->n_abort++;
		return 0;
	}
	switch (e->hook) {
	case IT_HOOK_OBJ_FINALIZE:
		if (n->state == NS_RESERVED)
			n->state = NS_LIVE;
		break;
	case IT_HOOK_OBJ_ABORT:
		n->n_obj_abort++;
		node_died(g, n, NS_ABORTED, e->hdr.ts_ns);
		break;
	case IT_HOOK_OBJ_ABORT_AND_DESTROY:
		n->in_abort_and_destroy = true;
		break;
	case IT_HOOK_OBJ_REMOVE:
	case IT_HOOK_OBJ_DESTROY_USER:
	case IT_HOOK__OBJ_DESTROY_USER:
		if (!node_alive(n))
			break; /* e.g. IOMMU_DESTROY of a tombstoned id: ENOENT */
		n->state = NS_REMOVING;
		n->remove_pending = true;
		n->remove_flags = e->flags;
		n->remove_start_ns = e->hdr.ts_ns;
		n->remove_tgid = e->tgid;
		memcpy(n->remove_comm, e->comm, sizeof(n->remove_comm));
		break;
	default:
		if (is_remove_ret(e->hook)) {
			bool tomb = e->flags & IT_EVF_REMOVE_TOMBSTONE;

			n->remove_pending = false;
			if (e->ret && n->state == NS_REMOVING)
				n->state = NS_LIVE;
			/*
			 * Removed: freed, whether or not its destroy was seen (it
			 * ran before a tracer started, or was lost). Not so the
			 * void __iommufd_object_destroy_user(), which may only
			 * drop a reference.
			 */
			if (!e->ret && node_alive(n) && e->hook != IT_HOOK__OBJ_DESTROY_USER_RET)
				node_died(g, n, tomb ? NS_TOMBSTONED : NS_DESTROYED, e->hdr.ts_ns);
		}
		break;
	}
	return 0;
}

/* --- output of the objects alive now ------------------------------------ */

struct live_set {
	struct node **v;
	size_t n;
	const struct ctx_node **ctxs; /* every context known, oldest first */
	size_t n_ctxs;
};

static int cmp_ctx(const void *a, const void *b)
{
	const struct ctx_node *x = *(const struct ctx_node *const *)a;
	const struct ctx_node *y = *(const struct ctx_node *const *)b;

	if (x->born_ns != y->born_ns)
		return x->born_ns < y->born_ns ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_node(const void *a, const void *b)
{
	const struct node *x = *(struct node *const *)a, *y = *(struct node *const *)b;

	if (x->ctx != y->ctx)
		return x->ctx < y->ctx ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int collect(struct graph *g, struct live_set *ls)
{
	struct table_slot *s;

	ls->v = calloc(g->nodes.n + 1, sizeof(*ls->v));
	ls->n = 0;
	if (!ls->v)
		return -ENOMEM;
	table_for_each(&g->alive, s)
		ls->v[ls->n++] = s->val;
	qsort(ls->v, ls->n, sizeof(*ls->v), cmp_node);
	ls->ctxs = calloc(g->ctxs.n + 1, sizeof(*ls->ctxs));
	ls->n_ctxs = 0;
	if (!ls->ctxs) {
		free(ls->v);
		return -ENOMEM;
	}
	table_for_each(&g->ctxs, s)
		ls->ctxs[ls->n_ctxs++] = s->val;
	qsort(ls->ctxs, ls->n_ctxs, sizeof(*ls->ctxs), cmp_ctx);
	return 0;
}

/* The node an object hangs from in the tree: vIOMMU for a vDEVICE, ... */
static struct node *parent_of(struct graph *g, const struct node *n)
{
	struct node *p;

	if (!n->rel[0].type || n->rel[0].type == IT_OBJ_DEVICE_STRUCT)
		return NULL;
	p = graph_find(g, n->rel[0].addr);
	return p && node_alive(p) && p != n ? p : NULL;
}

static struct node *idev_of(struct graph *g, const struct node *n)
{
	if (n->type != IT_OBJ_VDEVICE || n->rel[1].type != IT_OBJ_DEVICE)
		return NULL;
	return graph_find(g, n->rel[1].addr);
}

#define TREE_MAX_DEPTH 16

/* Mark what hangs below n as shown, without drawing it; how many. */
static size_t mark_below(struct graph *g, struct live_set *ls, bool *shown, struct node *n)
{
	size_t count = 0;

	for (size_t i = 0; i < ls->n; i++) {
		if (shown[i] || parent_of(g, ls->v[i]) != n)
			continue;
		shown[i] = true;
		count += 1 + mark_below(g, ls, shown, ls->v[i]);
	}
	return count;
}

/* Object k of ls and, below it, those whose parent it is; each once. */
static void tree_node(struct graph *g, struct live_set *ls, bool *shown, FILE *f, size_t k,
		      char *prefix, size_t plen, bool last, int depth)
{
	char h[PTRHASH_LEN], safe[4 * IT_DEVNAME_LEN + 1];
	struct node *n = ls->v[k], *idev = idev_of(g, n);
	size_t kids = 0, seen = 0;

	shown[k] = true;
	fprintf(f, "%s%s %s#%u", prefix, last ? "`-" : "|-", obj_type_name(n->type), n->id);
	if (n->devname[0] && n->type == IT_OBJ_DEVICE)
		fprintf(f, " %s", tty_safe(n->devname, safe, sizeof(safe)));
	if (n->type == IT_OBJ_VDEVICE) {
		fprintf(f, " virt_id=%#llx", (unsigned long long)n->virt_id);
		if (idev)
			fprintf(f, " -> device#%u%s%s", idev->id, node_alive(idev) ? "" : " (destroyed)",
				n->outlived ? " OUTLIVED" : "");
		else if (n->rel[1].type == IT_OBJ_DEVICE_STRUCT)
			fprintf(f, " -> %s", tty_safe(n->devname, safe, sizeof(safe)));
	}
	if (n->state != NS_LIVE)
		fprintf(f, " [%s]", node_state_name(n->state));
	if (n->pre_existing)
		fprintf(f, " [pre-existing]");
	fprintf(f, " @%s\n", ptrhash(n->addr, h));
	for (size_t i = 0; i < ls->n; i++)
		kids += !shown[i] && parent_of(g, ls->v[i]) == n;
	if (!kids)
		return;
	if (depth >= TREE_MAX_DEPTH || plen + 4 >= 256) {
		/* said, not dropped: graph --format json has them all */
		fprintf(f, "%s%s `- ... %zu more below, deeper than %d levels\n", prefix,
			last ? "  " : "| ", mark_below(g, ls, shown, n), TREE_MAX_DEPTH);
		return;
	}
	strcpy(prefix + plen, last ? "   " : "|  ");
	for (size_t i = 0; i < ls->n; i++) {
		if (shown[i] || parent_of(g, ls->v[i]) != n)
			continue;
		seen++;
		tree_node(g, ls, shown, f, i, prefix, plen + 3, seen == kids, depth + 1);
	}
	prefix[plen] = '\0';
}

static void print_tree(struct graph *g, struct live_set *ls, FILE *f, enum owner_mode m)
{
	char h[PTRHASH_LEN], prefix[256], safe[IT_COMM_LEN * 4];
	size_t i = 0;

	if (!ls->n)
		fprintf(f, "no iommufd objects alive\n");
	while (i < ls->n) {
		__u64 ctx = ls->v[i]->ctx;
		struct ctx_node *c = graph_ctx(g, ctx);
		size_t end = i, roots = 0, seen = 0;

		while (end < ls->n && ls->v[end]->ctx == ctx)
			end++;
		fprintf(f, "ctx %s", ptrhash(ctx, h));
		if (c && c->owner) {
			fputs(" opened by ", f);
			owner_text(f, c->owner, m);
		}
		else if (c)
			fprintf(f, " %s[%u]%s", tty_safe(c->comm, safe, sizeof(safe)), c->tgid,
				c->pre_existing ? " [pre-existing]" : "");
		fputc('\n', f);
		struct live_set sub = { .v = ls->v + i, .n = end - i };
		bool *shown = calloc(sub.n, sizeof(*shown));

		if (!shown)
			return;
		for (size_t k = 0; k < sub.n; k++)
			roots += !parent_of(g, sub.v[k]);
		for (size_t k = 0; k < sub.n; k++) {
			if (parent_of(g, sub.v[k]))
				continue;
			prefix[0] = '\0';
			tree_node(g, &sub, shown, f, k, prefix, 0, ++seen == roots, 0);
		}
		/* parents that lead back to themselves: no root reaches them */
		for (size_t k = 0; k < sub.n; k++) {
			if (shown[k])
				continue;
			fprintf(f, "(a cycle of parents, which the kernel never makes: a corrupt "
				   "recording?)\n");
			prefix[0] = '\0';
			tree_node(g, &sub, shown, f, k, prefix, 0, true, 0);
		}
		free(shown);
		i = end;
	}
}

/* s inside a DOT string: printable, its quotes and backslashes escaped */
static const char *dot_safe(const char *s, char *buf, size_t len)
{
	char tmp[4 * IT_DEVNAME_LEN + 1];
	size_t o = 0;

	tty_safe(s, tmp, sizeof(tmp));
	for (const char *p = tmp; *p && o + 3 < len; p++) {
		if (*p == '"' || *p == '\\')
			buf[o++] = '\\';
		buf[o++] = *p;
	}
	buf[o] = '\0';
	return buf;
}

static void print_dot(struct graph *g, struct live_set *ls, FILE *f)
{
	char h[PTRHASH_LEN], safe[8 * IT_DEVNAME_LEN + 1];

	fprintf(f, "digraph iommufd {\n\trankdir=LR;\n\tnode [shape=box];\n");
	for (size_t i = 0; i < ls->n; i++) {
		struct node *n = ls->v[i], *p = parent_of(g, n), *idev = idev_of(g, n);

		fprintf(f, "\tn%llu [label=\"%s#%u%s%s\"];\n", (unsigned long long)n->serial,
			obj_type_name(n->type), n->id, n->devname[0] ? "\\n" : "",
			dot_safe(n->devname, safe, sizeof(safe)));
		if (p)
			fprintf(f, "\tn%llu -> n%llu;\n", (unsigned long long)p->serial,
				(unsigned long long)n->serial);
		if (idev && node_alive(idev))
			fprintf(f, "\tn%llu -> n%llu [style=dashed, label=\"idev\"];\n",
				(unsigned long long)n->serial, (unsigned long long)idev->serial);
	}
	/* one cluster label per context, as a comment-free invisible node */
	for (size_t i = 0; i < ls->n; i++)
		if (!i || ls->v[i - 1]->ctx != ls->v[i]->ctx)
			fprintf(f, "\t\"ctx %s\" [shape=plaintext];\n", ptrhash(ls->v[i]->ctx, h));
	fprintf(f, "}\n");
}

static void json_ref(struct json *j, const char *key, const struct node *n)
{
	char h[PTRHASH_LEN];

	json_obj_begin(j, key);
	json_str(j, "type", obj_type_name(n->type));
	json_u64(j, "id", n->id);
	json_str(j, "handle", ptrhash(n->addr, h));
	json_obj_end(j);
}

static int print_json(struct graph *g, struct live_set *ls, FILE *f, enum owner_mode m)
{
	struct json j;
	char h[PTRHASH_LEN];
	int err;

	json_init(&j);
	json_obj_begin(&j, NULL);
	json_u64(&j, "schema", JSON_SCHEMA_VERSION);
	json_str(&j, "kind", "graph");
	json_arr_begin(&j, "contexts");
	for (size_t i = 0; i < ls->n_ctxs; i++) {
		const struct ctx_node *c = ls->ctxs[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "ctx", ptrhash(c->addr, h));
		json_bool(&j, "pre_existing", c->pre_existing);
		if (!c->pre_existing)
			json_u64(&j, "born_ns", c->born_ns);
		json_u64(&j, "pid", c->tgid);
		json_str(&j, "comm", c->comm);
		if (c->owner)
			json_owner(&j, "owner", c->owner, m);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "objects");
	for (size_t i = 0; i < ls->n; i++) {
		struct node *n = ls->v[i], *p = parent_of(g, n), *idev = idev_of(g, n);

		json_obj_begin(&j, NULL);
		json_str(&j, "ctx", ptrhash(n->ctx, h));
		json_str(&j, "type", obj_type_name(n->type));
		json_u64(&j, "id", n->id);
		json_str(&j, "handle", ptrhash(n->addr, h));
		json_str(&j, "state", node_state_name(n->state));
		json_bool(&j, "pre_existing", n->pre_existing);
		if (!n->pre_existing)
			json_u64(&j, "born_ns", n->born_ns);
		json_u64(&j, "pid", n->tgid);
		json_str(&j, "comm", n->comm);
		if (p)
			json_ref(&j, "parent", p);
		if (idev)
			json_ref(&j, "idev", idev);
		if (n->devname[0])
			json_str(&j, "dev", n->devname);
		if (n->type == IT_OBJ_VDEVICE)
			json_u64(&j, "virt_id", n->virt_id);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	err = json_emit(&j, f);
	json_free(&j);
	return err;
}

int graph_print(struct graph *g, FILE *out, enum graph_format fmt, enum owner_mode m)
{
	struct live_set ls;
	int err = collect(g, &ls);

	if (err)
		return err;
	switch (fmt) {
	case GRAPH_TREE: print_tree(g, &ls, out, m); break;
	case GRAPH_DOT: print_dot(g, &ls, out); break;
	case GRAPH_JSON: err = print_json(g, &ls, out, m); break;
	}
	free(ls.v);
	free(ls.ctxs);
	return err;
}
