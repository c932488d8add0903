// SPDX-License-Identifier: GPL-2.0
/*
 * Views of the objects alive now: a tree per context (each object under
 * its parent, the idev a vdev is bound to named beside it), Graphviz DOT,
 * and one JSON line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/ptrhash.h"
#include "base/text.h"
#include "format/hooks.h"
#include "out/graph_view.h"

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
	json_envelope(&j, "graph");
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
