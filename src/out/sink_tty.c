// SPDX-License-Identifier: GPL-2.0
/* Human-readable output: one line per event, a summary at the end. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/hooks.h"
#include "base/ptrhash.h"
#include "out/sinks.h"
#include "base/text.h"

struct tty_sink {
	struct sink s;
	bool header_done; /* the column heads, before the first event */
};

static void timestamp(struct sink *s, __u64 ts_ns, char *buf, size_t len)
{
	long long real = (long long)ts_ns + s->real_offset_ns;
	/* floored: a time before the epoch (a bad offset) is still a time */
	long long ns = ((real % 1000000000LL) + 1000000000LL) % 1000000000LL;
	time_t sec = (real - ns) / 1000000000LL;
	struct tm tm;

	localtime_r(&sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06lld", tm.tm_hour, tm.tm_min, tm.tm_sec, ns / 1000);
}

static void ref(FILE *f, const struct it_objref *r)
{
	char h[PTRHASH_LEN];

	if (r->type == IT_OBJ_DEVICE_STRUCT)
		fprintf(f, " struct_device@%s", ptrhash(r->addr, h));
	else
		fprintf(f, " %s#%u", obj_type_name(r->type), r->id);
}

static void duration(FILE *f, __u64 ns)
{
	if (ns < 10000)
		fprintf(f, " dur=%lluns", (unsigned long long)ns);
	else if (ns < 10000000)
		fprintf(f, " dur=%.1fus", ns / 1e3);
	else
		fprintf(f, " dur=%.1fms", ns / 1e6);
}

static int tty_event(struct sink *s, const struct it_event *e)
{
	char ts[32], who[80], fl[32], h[PTRHASH_LEN], safe[4 * IT_DEVNAME_LEN + 1];
	FILE *f = s->out;

	if (!((struct tty_sink *)s)->header_done) {
		fprintf(f, "%-15s %-3s %-22s %-36s %s\n", "TIME", "CPU", "COMM[PID]",
			"HOOK", "OBJECT DETAILS");
		((struct tty_sink *)s)->header_done = true;
	}
	timestamp(s, e->hdr.ts_ns, ts, sizeof(ts));
	/* a process names itself: nothing of it may move the cursor */
	snprintf(who, sizeof(who), "%s[%u]", tty_safe(e->comm, safe, sizeof(safe)), e->tgid);
	fprintf(f, "%-15s %-3u %-22s %-36s", ts, e->hdr.cpu, who, hook_label(e->hook));
	if (e->obj.type == IT_OBJ_CTX)
		fprintf(f, " ctx@%s", ptrhash(e->obj.addr, h));
	else if (e->obj.type)
		fprintf(f, " %s#%u", obj_type_name(e->obj.type), e->obj.id);
	else if (e->obj.id || e->hook == IT_HOOK_OBJ_REMOVE ||
		 e->hook == IT_HOOK_OBJ_REMOVE_RET)
		fprintf(f, " #%u", e->obj.id);
	for (int i = 0; i < IT_MAX_RELS; i++)
		/* an idev's own struct device is its dev= name */
		if (e->rel[i].type && !(e->obj.type == IT_OBJ_DEVICE &&
					e->rel[i].type == IT_OBJ_DEVICE_STRUCT))
			ref(f, &e->rel[i]);
	if (e->obj.type == IT_OBJ_VDEVICE && e->rel[0].type)
		fprintf(f, " virt_id=%#llx", (unsigned long long)e->virt_id);
	if (e->devname[0])
		fprintf(f, " dev=%s", tty_safe(e->devname, safe, sizeof(safe)));
	if ((e->hook == IT_HOOK_OBJ_REMOVE || e->hook == IT_HOOK_OBJ_REMOVE_RET) &&
	    (e->flags & (IT_EVF_REMOVE_WAIT | IT_EVF_REMOVE_TOMBSTONE)))
		fprintf(f, " flags=%s", remove_flags_str(e->flags, fl, sizeof(fl)));
	if (e->flags & IT_EVF_HAS_RET)
		fprintf(f, " ret=%d", e->ret);
	if (e->flags & IT_EVF_HAS_DUR)
		duration(f, e->dur_ns);
	if (e->flags & IT_EVF_NO_ENTRY)
		fputs(" (entry missed)", f);
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}

static int tty_lost(struct sink *s, __u64 from, __u64 count, __u64 ts_ns)
{
	char ts[32];

	timestamp(s, ts_ns, ts, sizeof(ts));
	fprintf(s->out, "%-15s LOST %llu event(s) (seq %llu..%llu): ring buffer full; "
		"raise --ringbuf-size\n", ts, (unsigned long long)count,
		(unsigned long long)from, (unsigned long long)(from + count - 1));
	return 0;
}

static int tty_module(struct sink *s, const struct it_module_rec *m,
		      unsigned long long forgotten)
{
	char ts[32], name[4 * sizeof(m->name) + 1];

	timestamp(s, m->hdr.ts_ns, ts, sizeof(ts));
	tty_safe(m->name, name, sizeof(name));
	if (m->state == IT_MODULE_GONE)
		fprintf(s->out, "%-15s MODULE %s unloaded: its objects went with it (%llu still "
			"in the graph, forgotten); waiting for it to be loaded again\n", ts,
			name, forgotten);
	else
		fprintf(s->out, "%-15s MODULE %s loaded: tracing it again\n", ts, name);
	return ferror(s->out) ? -EIO : 0;
}

static int tty_owner(struct sink *s, const struct ctx_owner *o)
{
	char ts[32], h[PTRHASH_LEN];

	timestamp(s, o->ts_ns, ts, sizeof(ts));
	fprintf(s->out, "%-15s OWNER ctx@%s opened by ", ts, ptrhash(o->ctx, h));
	owner_text(s->out, o, s->owner_mode);
	fputc('\n', s->out);
	return ferror(s->out) ? -EIO : 0;
}

static int tty_summary(struct sink *s, const struct summary *sum)
{
	const struct decode_stats *d = sum->dec;
	FILE *f = s->out;

	fprintf(f, "\n%llu events in %.1fs (%llu shown)", d->records,
		sum->duration_ns / 1e9, sum->shown);
	fprintf(f, ", %llu lost", d->lost);
	if (sum->kernel_drops)
		fprintf(f, " (%llu failed reservations in the kernel)", sum->kernel_drops);
	if (sum->missed_returns)
		fprintf(f, ", %llu returns missed", sum->missed_returns);
	if (sum->owners_lost)
		fprintf(f, ", %llu context owner(s) unknown (their records were lost)",
			sum->owners_lost);
	if (d->rejected || d->unknown)
		fprintf(f, ", %llu malformed and %llu unknown records skipped",
			d->rejected, d->unknown);
	fputc('\n', f);
	for (int h = 1; h < IT_HOOK_MAX; h++)
		if (d->per_hook[h])
			fprintf(f, "  %-40s %llu\n", hook_label(h), d->per_hook[h]);
	if (sum->rules) {
		const struct rules *r = sum->rules;

		fprintf(f, "%llu violation(s), %llu uncertain\n", rules_total(r, true),
			rules_total(r, false));
		for (int i = 0; i < n_rules; i++) {
			if (r->count[i] || r->uncertain[i])
				fprintf(f, "  %-40s %llu (+%llu uncertain)\n", rule_table[i].name,
					r->count[i], r->uncertain[i]);
			if (r->degraded[i])
				fprintf(f, "  %-40s degraded: a hook it needs is missing\n",
					rule_table[i].name);
		}
	}
	return 0;
}

static int tty_violation(struct sink *s, const struct violation *v, const struct kstack *k)
{
	char ts[32], safe[4 * sizeof(v->detail) + 1];
	FILE *f = s->out;

	timestamp(s, v->ts_ns, ts, sizeof(ts));
	fprintf(f, "%-15s %s %s (%s): %s\n", ts, v->certain ? "VIOLATION" : "UNCERTAIN",
		v->rule->name, severity_name(v->rule->severity),
		tty_safe(v->detail, safe, sizeof(safe)));
	fprintf(f, "%15s   task %s[%u] in %s%s\n", "", tty_safe(v->comm, safe, sizeof(safe)),
		v->tgid, hook_func(v->hook),
		v->certain ? "" : "; events were lost around these objects");
	if (v->owner) {
		fprintf(f, "%15s   context opened by ", "");
		owner_text(f, v->owner, s->owner_mode);
		fputc('\n', f);
	}
	for (int i = 0; i < v->n_chain; i++) {
		const struct chain_ev *c = &v->chain[i];
		const struct viol_obj *o = &v->objs[v->chain_obj[i]];

		timestamp(s, c->ts_ns, ts, sizeof(ts));
		fprintf(f, "%15s   %s seq %-6llu %-36s %s#%u\n", "", ts,
			(unsigned long long)c->seq, hook_label(c->hook), obj_type_name(o->type),
			o->id);
	}
	for (int i = 0; k && i < k->n; i++)
		fprintf(f, "%15s   %s %s\n", "", i ? "    " : "stack",
			tty_safe(k->frames[i], safe, sizeof(safe)));
	if (v->holder.tasks) {
		timestamp(s, v->holder.ts_ns, ts, sizeof(ts));
		fprintf(f, "%15s   held meanwhile by %u task(s), the last %s[%u] (thread %u) at %s\n",
			"", v->holder.tasks, tty_safe(v->holder.comm, safe, sizeof(safe)),
			v->holder.tgid, v->holder.tid, ts);
	}
	for (int i = 0; v->holder_stack && i < v->holder_stack->n; i++)
		fprintf(f, "%15s   %s %s\n", "", i ? "           " : "holder stack",
			tty_safe(v->holder_stack->frames[i], safe, sizeof(safe)));
	return ferror(f) ? -EIO : 0;
}

static const struct sink_ops tty_ops = {
	.event = tty_event,
	.lost = tty_lost,
	.summary = tty_summary,
	.violation = tty_violation,
	.module = tty_module,
	.owner = tty_owner,
};

struct sink *sink_tty_new(FILE *out)
{
	struct tty_sink *ts = calloc(1, sizeof(*ts));

	if (!ts)
		return NULL;
	sink_init(&ts->s, &tty_ops, out);
	return &ts->s;
}
