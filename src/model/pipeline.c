// SPDX-License-Identifier: GPL-2.0
/* The pipeline (see pipeline.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/hooks.h"
#include "base/log.h"
#include "format/stack_rec.h"
#include "model/pipeline.h"

static const struct kstack *stack_of(struct pipeline *p, unsigned int id)
{
	const struct kstack *k = stacks_get(&p->stacks, id);

	if (!k && id && p->resolve)
		if (!p->resolve(p->resolve_cookie, id, &p->stacks))
			k = stacks_get(&p->stacks, id);
	return k;
}

static int on_violation(void *cookie, const struct violation *v)
{
	struct pipeline *p = cookie;
	const struct kstack *k = stack_of(p, v->kstack_id);
	struct violation w = *v;
	int err = 0;

	w.holder_stack = v->holder.kstack_id ? stack_of(p, v->holder.kstack_id) : NULL;
	for (int i = 0; i < p->n_sinks && !err; i++)
		if (p->sinks[i]->ops->violation)
			err = p->sinks[i]->ops->violation(p->sinks[i], &w, k);
	return err;
}

/* What --pid and --type let through (the rules see everything). */
static bool passes(const struct pipeline *p, __u32 tgid, __u32 pid, __u16 type)
{
	if (p->opts.pid_filter && (int)tgid != p->opts.pid_filter &&
	    (int)pid != p->opts.pid_filter)
		return false;
	return !p->opts.type_mask || (p->opts.type_mask & (1u << type));
}

/* A context and its owner record have both been seen: keep it, say it once. */
static int owner_attach(struct pipeline *p, struct ctx_node *c, const struct ctx_owner *o)
{
	int err = 0;

	if (c->owner)
		return 0;
	c->owner = malloc(sizeof(*c->owner));
	if (!c->owner)
		return -ENOMEM;
	*c->owner = *o;
	if (!passes(p, o->tgid, o->tid, IT_OBJ_CTX))
		return 0;
	for (int i = 0; i < p->n_sinks && !err; i++)
		if (p->sinks[i]->ops->owner && !p->sinks[i]->no_events)
			err = p->sinks[i]->ops->owner(p->sinks[i], o);
	return err;
}

/* The open of a context: its owner record may have come first. */
static int owner_opened(struct pipeline *p, const struct it_event *e)
{
	struct ctx_node *c = graph_ctx(&p->g, e->ctx);

	if (!c)
		return 0;
	c->open_seq = e->hdr.seq;
	c->owner_expected = p->have_meta && (p->meta.attached_hooks & IT_META_OWNERS);
	for (int i = 0; i < p->n_pending; i++) {
		if (p->pending[i].open_seq != e->hdr.seq || p->pending[i].ctx != e->ctx)
			continue;
		struct ctx_owner o = p->pending[i];

		p->pending[i] = p->pending[--p->n_pending];
		return owner_attach(p, c, &o);
	}
	return 0;
}

static void owner_forget(struct pipeline *p, struct ctx_node *c)
{
	if (c && c->owner_expected && !c->owner)
		p->owners_lost++;
}

/* an owner record, as the decoder parsed it */
static int on_owner(void *cookie, const struct ctx_owner *o)
{
	struct pipeline *p = cookie;
	struct ctx_node *c = graph_ctx(&p->g, o->ctx);

	if (c && c->open_seq == o->open_seq)
		return owner_attach(p, c, o);
	/* its event is still held for reordering (or was lost) */
	if (p->n_pending == PIPELINE_MAX_PENDING_OWNERS) {
		/* the oldest: its event will not come any more */
		int oldest = 0;

		for (int i = 1; i < p->n_pending; i++)
			if (p->pending[i].open_seq < p->pending[oldest].open_seq)
				oldest = i;
		p->pending[oldest] = p->pending[--p->n_pending];
	}
	p->pending[p->n_pending++] = *o;
	return 0;
}

static int on_event(void *cookie, const struct it_event *in)
{
	struct pipeline *p = cookie;
	struct it_event e = *in;
	enum node_state prev;
	struct node *n;
	int err;

	err = graph_apply(&p->g, &e, &n, &prev);
	if (err)
		return err;
	/* an object a return or a removal by id only named: the graph knows it */
	if (n && !e.obj.type) {
		e.obj.type = n->type;
		if (!e.obj.addr)
			e.obj.addr = n->addr;
	}
	if (passes(p, e.tgid, e.tid, e.obj.type)) {
		p->shown++;
		for (int i = 0; i < p->n_sinks && !err; i++)
			if (p->sinks[i]->ops->event && !p->sinks[i]->no_events)
				err = p->sinks[i]->ops->event(p->sinks[i], &e);
		if (err)
			return err;
	}
	if (e.hook == IT_HOOK_FOPS_OPEN && !e.ret && e.ctx)
		err = owner_opened(p, &e);
	if (!err)
		err = rules_check(&p->rules, &e, n, prev);
	if (e.hook == IT_HOOK_FOPS_RELEASE_RET && e.ctx) {
		owner_forget(p, graph_ctx(&p->g, e.ctx));
		graph_drop_ctx(&p->g, e.ctx);
	}
	graph_expire(&p->g, e.hdr.ts_ns);
	return err;
}

static int on_lost(void *cookie, __u64 from, __u64 count, __u64 ts_ns)
{
	struct pipeline *p = cookie;
	int err = 0;

	graph_gap(&p->g);
	for (int i = 0; i < p->n_sinks && !err; i++)
		if (p->sinks[i]->ops->lost)
			err = p->sinks[i]->ops->lost(p->sinks[i], from, count, ts_ns);
	return err;
}

static int on_aux(void *cookie, const struct it_hdr *h, const void *data, size_t len)
{
	struct pipeline *p = cookie;

	switch (h->type) {
	case IT_REC_META:
		memcpy(&p->meta, data, sizeof(p->meta));
		p->meta.kernel[sizeof(p->meta.kernel) - 1] = '\0';
		p->have_meta = true;
		rules_set_attached(&p->rules, p->meta.attached_hooks);
		for (int i = 0; i < p->n_sinks; i++)
			p->sinks[i]->real_offset_ns = p->meta.real_offset_ns;
		return 0;
	case IT_REC_MODULE: {
		struct it_module_rec m;
		unsigned long long forgotten = 0;
		int err = 0;

		memcpy(&m, data, sizeof(m));
		m.name[sizeof(m.name) - 1] = '\0';
		if (m.state == IT_MODULE_GONE) {
			/* its objects died with it; stack ids start over with the next load */
			forgotten = graph_reset(&p->g);
			stacks_fini(&p->stacks);
			stacks_init(&p->stacks);
		}
		for (int i = 0; i < p->n_sinks && !err; i++)
			if (p->sinks[i]->ops->module)
				err = p->sinks[i]->ops->module(p->sinks[i], &m, forgotten);
		return err;
	}
	case IT_REC_END:
		memcpy(&p->end, data, sizeof(p->end));
		p->have_end = true;
		return 0;
	case IT_REC_STACK: {
		unsigned int id;
		char **frames;
		int n = stack_rec_decode(data, h->size, &id, &frames);

		return n < 0 ? n : stacks_put(&p->stacks, id, frames, n);
	}
	}
	return 0;
}

static const struct decode_ops pipeline_decode_ops = {
	.event = on_event,
	.lost = on_lost,
	.aux = on_aux,
	.owner = on_owner,
};

int pipeline_init(struct pipeline *p, const struct pipeline_opts *o)
{
	struct rules_config rc = { .long_wait_ns = o->long_wait_ns, .attached = o->attached };

	memset(p, 0, sizeof(*p));
	p->opts = *o;
	graph_init(&p->g);
	p->g.dead_keep_ns = o->dead_keep_ns ? o->dead_keep_ns : PIPELINE_DEAD_KEEP_NS;
	p->g.dead_max = o->dead_max ? o->dead_max : PIPELINE_DEAD_MAX;
	stacks_init(&p->stacks);
	rules_init(&p->rules, &p->g, &rc, on_violation, p);
	p->dec = decoder_new(&pipeline_decode_ops, p, DECODE_DEFAULT_WINDOW_NS);
	return p->dec ? 0 : -ENOMEM;
}

void pipeline_fini(struct pipeline *p)
{
	decoder_free(p->dec);
	graph_fini(&p->g);
	stacks_fini(&p->stacks);
}

void pipeline_add_sink(struct pipeline *p, struct sink *s)
{
	if (p->n_sinks < PIPELINE_MAX_SINKS)
		p->sinks[p->n_sinks++] = s;
}

int pipeline_feed(struct pipeline *p, const void *data, size_t len)
{
	return decoder_feed(p->dec, data, len);
}

int pipeline_record(void *pipeline, const void *data, size_t len)
{
	struct pipeline *p = pipeline;
	int err = pipeline_feed(p, data, len);

	if (err == -EINVAL) /* malformed: counted, reported in the summary */
		return 0;
	if (err)
		p->err = err; /* output failed: stop */
	return err;
}

int pipeline_tick(struct pipeline *p, __u64 now_ns)
{
	return decoder_tick(p->dec, now_ns);
}

int pipeline_finish(struct pipeline *p, __u64 end_seq, unsigned long long kernel_drops,
		    unsigned long long missed_returns, __u64 end_ns, __u64 duration_ns)
{
	struct summary sum = {
		.end_ns = end_ns,
		.duration_ns = duration_ns,
		.kernel_drops = kernel_drops,
		.missed_returns = missed_returns,
		.rules = &p->rules,
	};
	int err;

	if (!end_seq && p->have_end) {
		end_seq = p->end.end_seq;
		sum.kernel_drops = p->end.kernel_drops;
		sum.missed_returns = p->end.missed_returns;
	}
	err = decoder_finish(p->dec, end_seq);
	sum.dec = decoder_stats(p->dec);
	{
		struct table_slot *sl;

		table_for_each(&p->g.ctxs, sl)
			owner_forget(p, sl->val);
	}
	sum.owners_lost = p->owners_lost;
	sum.shown = p->shown;
	for (int i = 0; i < p->n_sinks; i++) {
		int e2 = p->sinks[i]->ops->summary ? p->sinks[i]->ops->summary(p->sinks[i], &sum) : 0;

		if (!err)
			err = e2;
	}
	return err;
}

unsigned long long pipeline_violations(const struct pipeline *p)
{
	return rules_total(&p->rules, true);
}
