// SPDX-License-Identifier: GPL-2.0
/*
 * NDJSON output. The contract (README): every line has schema, kind, seq,
 * ts_ns, cpu, pid, comm; events add hook, obj {type, id, handle}, ret and
 * dur_ns where there are some. Fields are added only with a new schema
 * version (tools/schema/).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/hooks.h"
#include "base/ptrhash.h"
#include "out/sinks.h"

static void objref(struct json *j, const char *key, const struct it_objref *r)
{
	char h[PTRHASH_LEN];

	json_obj_begin(j, key);
	json_str(j, "type", obj_type_name(r->type));
	if (r->type != IT_OBJ_DEVICE_STRUCT && r->type != IT_OBJ_CTX)
		json_u64(j, "id", r->id);
	if (r->addr)
		json_str(j, "handle", ptrhash(r->addr, h));
	json_obj_end(j);
}

struct json_sink {
	struct sink s;
	struct json j; /* the line being built */
	bool wall_time;
};

static struct json *line_of(struct sink *s)
{
	return &((struct json_sink *)s)->j;
}

/* a sink without a stream (an export switched off) takes nothing */
static int put_line(struct sink *s)
{
	return s->out ? json_emit(line_of(s), s->out) : 0;
}

static void envelope(struct sink *s, const char *kind, __u64 seq, __u64 ts, __u32 cpu,
		     __u32 pid, const char *comm)
{
	struct json *j = line_of(s);

	json_envelope(j, kind);
	json_u64(j, "seq", seq);
	json_u64(j, "ts_ns", ts);
	if (((struct json_sink *)s)->wall_time) {
		char t[48];

		json_wall_time(t, sizeof(t), (long long)ts + s->real_offset_ns);
		json_str(j, "time", t);
	}
	json_u64(j, "cpu", cpu);
	json_u64(j, "pid", pid);
	json_str(j, "comm", comm);
}

static int json_event(struct sink *s, const struct it_event *e)
{
	struct json *j = line_of(s);
	char h[PTRHASH_LEN], fl[32];

	envelope(s, "event", e->hdr.seq, e->hdr.ts_ns, e->hdr.cpu, e->tgid, e->comm);
	json_u64(j, "tid", e->tid);
	json_str(j, "hook", hook_func(e->hook));
	json_str(j, "phase", hook_is_return(e->hook) ? "return" : "entry");
	if (e->ctx)
		json_str(j, "ctx", ptrhash(e->ctx, h));
	if (e->obj.addr || e->obj.id || e->obj.type) {
		objref(j, "obj", &e->obj);
	}
	if (e->flags & IT_EVF_HAS_RET)
		json_i64(j, "ret", e->ret);
	if (e->flags & IT_EVF_HAS_DUR)
		json_u64(j, "dur_ns", e->dur_ns);
	if (e->hook == IT_HOOK_OBJ_REMOVE || e->hook == IT_HOOK_OBJ_REMOVE_RET) {
		json_str(j, "remove_flags",
			 remove_flags_str(e->flags, fl, sizeof(fl)));
		json_bool(j, "by_id", e->flags & IT_EVF_BY_ID);
	}
	if (e->flags & IT_EVF_NO_ENTRY)
		json_bool(j, "entry_missed", true);
	if (e->rel[0].type || e->rel[1].type) {
		json_obj_begin(j, "rel");
		for (int i = 0; i < IT_MAX_RELS; i++)
			if (e->rel[i].type)
				objref(j, obj_type_name(e->rel[i].type), &e->rel[i]);
		json_obj_end(j);
	}
	if (e->obj.type == IT_OBJ_VDEVICE && e->rel[0].type)
		json_u64(j, "virt_id", e->virt_id);
	if (e->devname[0])
		json_str(j, "dev", e->devname);
	if (e->obj.addr) {
		json_u64(j, "users", e->users);
		if (e->wait_cnt != ~0u)
			json_u64(j, "wait_cnt", e->wait_cnt);
	}
	json_obj_end(j);
	return put_line(s);
}

static int json_owner_line(struct sink *s, const struct ctx_owner *o)
{
	struct json *j = line_of(s);
	char h[PTRHASH_LEN];

	envelope(s, "owner", o->open_seq, o->ts_ns, o->cpu, o->tgid, o->comm);
	json_u64(j, "tid", o->tid);
	json_str(j, "ctx", ptrhash(o->ctx, h));
	json_owner(j, "owner", o, s->owner_mode);
	json_obj_end(j);
	return put_line(s);
}

static int json_lost(struct sink *s, __u64 from, __u64 count, __u64 ts_ns)
{
	struct json *j = line_of(s);

	envelope(s, "lost", from, ts_ns, 0, 0, "");
	json_u64(j, "count", count);
	json_str(j, "why", "sequence gap: ring buffer full or records dropped");
	json_obj_end(j);
	return put_line(s);
}

static int json_module(struct sink *s, const struct it_module_rec *m,
		       unsigned long long forgotten)
{
	struct json *j = line_of(s);

	envelope(s, "module", m->next_seq, m->hdr.ts_ns, 0, 0, "");
	json_str(j, "module", m->name);
	json_str(j, "state", m->state == IT_MODULE_GONE ? "unloaded" : "loaded");
	json_u64(j, "forgotten", forgotten);
	json_obj_end(j);
	return put_line(s);
}

void json_rules(struct json *j, const struct rules *r)
{
	json_obj_begin(j, "rules");
	for (int i = 0; i < n_rules; i++) {
		json_obj_begin(j, rule_table[i].name);
		json_u64(j, "violations", r->count[i]);
		json_u64(j, "uncertain", r->uncertain[i]);
		json_bool(j, "degraded", r->degraded[i]);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static int json_summary(struct sink *s, const struct summary *sum)
{
	struct json *j = line_of(s);

	envelope(s, "summary", sum->dec->records, sum->end_ns, 0, 0, "");
	json_u64(j, "duration_ns", sum->duration_ns);
	json_u64(j, "events", sum->dec->records);
	json_u64(j, "shown", sum->shown);
	json_u64(j, "lost", sum->dec->lost);
	json_u64(j, "kernel_drops", sum->kernel_drops);
	json_u64(j, "missed_returns", sum->missed_returns);
	json_u64(j, "rejected", sum->dec->rejected);
	json_u64(j, "unknown_records", sum->dec->unknown);
	json_u64(j, "late", sum->dec->late);
	json_u64(j, "owners_lost", sum->owners_lost);
	json_obj_begin(j, "per_hook");
	for (int h = 1; h < IT_HOOK_MAX; h++)
		if (sum->dec->per_hook[h])
			json_u64(j, hook_label(h), sum->dec->per_hook[h]);
	json_obj_end(j);
	if (sum->rules) {
		json_u64(j, "violations", rules_total(sum->rules, true));
		json_u64(j, "uncertain", rules_total(sum->rules, false));
		json_rules(j, sum->rules);
	}
	json_obj_end(j);
	return put_line(s);
}

static int json_violation(struct sink *s, const struct violation *v, const struct kstack *k)
{
	struct json *j = line_of(s);
	char h[PTRHASH_LEN];

	envelope(s, v->certain ? "violation" : "uncertain", v->seq, v->ts_ns, v->cpu, v->tgid,
		 v->comm);
	json_str(j, "rule", v->rule->name);
	json_str(j, "severity", severity_name(v->rule->severity));
	json_str(j, "meaning", v->rule->meaning);
	json_str(j, "detail", v->detail);
	json_str(j, "hook", hook_func(v->hook));
	if (v->owner)
		json_owner(j, "owner", v->owner, s->owner_mode);
	json_arr_begin(j, "objects");
	for (int i = 0; i < v->n_objs; i++) {
		const struct viol_obj *o = &v->objs[i];

		json_obj_begin(j, NULL);
		json_str(j, "role", o->role);
		json_str(j, "type", obj_type_name(o->type));
		json_u64(j, "id", o->id);
		if (o->addr)
			json_str(j, "handle", ptrhash(o->addr, h));
		if (o->ctx)
			json_str(j, "ctx", ptrhash(o->ctx, h));
		if (o->devname[0])
			json_str(j, "dev", o->devname);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr_begin(j, "chain");
	for (int i = 0; i < v->n_chain; i++) {
		const struct chain_ev *c = &v->chain[i];
		const struct viol_obj *o = &v->objs[v->chain_obj[i]];
		char what[48];

		snprintf(what, sizeof(what), "%s#%u", obj_type_name(o->type), o->id);
		json_obj_begin(j, NULL);
		json_u64(j, "seq", c->seq);
		json_u64(j, "ts_ns", c->ts_ns);
		json_str(j, "hook", hook_label(c->hook));
		json_str(j, "obj", what);
		json_u64(j, "pid", c->tgid);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (k) {
		json_arr_begin(j, "stack");
		for (int i = 0; i < k->n; i++)
			json_str(j, NULL, k->frames[i]);
		json_arr_end(j);
	}
	if (v->holder.tasks) {
		json_obj_begin(j, "holder");
		json_u64(j, "tasks", v->holder.tasks);
		json_u64(j, "pid", v->holder.tgid);
		json_u64(j, "tid", v->holder.tid);
		json_strn(j, "comm", v->holder.comm, strnlen(v->holder.comm, sizeof(v->holder.comm)));
		json_u64(j, "ts_ns", v->holder.ts_ns);
		if (v->holder_stack) {
			json_arr_begin(j, "stack");
			for (int i = 0; i < v->holder_stack->n; i++)
				json_str(j, NULL, v->holder_stack->frames[i]);
			json_arr_end(j);
		}
		json_obj_end(j);
	}
	json_obj_end(j);
	return put_line(s);
}

static void json_fini(struct sink *s)
{
	json_free(line_of(s));
}

static const struct sink_ops json_ops = {
	.event = json_event,
	.lost = json_lost,
	.summary = json_summary,
	.violation = json_violation,
	.module = json_module,
	.owner = json_owner_line,
	.fini = json_fini,
};

struct sink *sink_json_new(FILE *out, bool wall_time)
{
	struct json_sink *js = calloc(1, sizeof(*js));

	if (!js)
		return NULL;
	sink_init(&js->s, &json_ops, out);
	json_init(&js->j);
	js->wall_time = wall_time;
	return &js->s;
}
