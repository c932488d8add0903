// SPDX-License-Identifier: GPL-2.0
/*
 * Losses never make a certain verdict. Each golden recording is replayed
 * with events taken out, as a full ring buffer takes them out: every run of
 * consecutive events, every pair of single events and random sets of
 * events. Whatever is taken out, each certain verdict that comes is one the
 * whole recording gives too, and the losses counted are the events taken
 * out. On the stock kernel's recordings that means no certain verdict at all.
 */
#include <errno.h>
#include <stdlib.h>

#include "model/pipeline.h"
#include "recs.h"
#include "test.h"
#include "format/trace_file.h"

#define MAX_VERDICTS 32

/* what a run reported: "rule type#id ..." per verdict, and the losses */
struct verdicts {
	int n;
	char key[MAX_VERDICTS][96];
	bool certain[MAX_VERDICTS];
	unsigned long long lost;
};

struct vsink {
	struct sink sink;
	struct verdicts *v;
};

static int vs_violation(struct sink *s, const struct violation *viol, const struct kstack *k)
{
	struct verdicts *v = ((struct vsink *)s)->v;
	int off;

	if (v->n == MAX_VERDICTS)
		return 0;
	off = snprintf(v->key[v->n], sizeof(v->key[0]), "%s", viol->rule->name);
	for (int i = 0; i < viol->n_objs && off < (int)sizeof(v->key[0]); i++)
		off += snprintf(v->key[v->n] + off, sizeof(v->key[0]) - off, " %u#%u",
				viol->objs[i].type, viol->objs[i].id);
	v->certain[v->n++] = viol->certain;
	return 0;
}

static int vs_lost(struct sink *s, __u64 from, __u64 count, __u64 ts_ns)
{
	((struct vsink *)s)->v->lost += count;
	return 0;
}

static const struct sink_ops vs_ops = { .violation = vs_violation, .lost = vs_lost };

/* Replay r without the events whose bit is set in drop (indexes of r). */
static void run(const struct recs *r, const bool *drop, struct verdicts *v)
{
	struct pipeline_opts o = { .attached = ~0ULL, .long_wait_ns = 1000000000ULL };
	struct pipeline p;
	struct vsink vs = { .v = v };

	memset(v, 0, sizeof(*v));
	ASSERT_EQ(pipeline_init(&p, &o), 0, "pipeline_init");
	sink_init(&vs.sink, &vs_ops, NULL);
	pipeline_add_sink(&p, &vs.sink);
	for (int i = 0; i < r->n; i++)
		if (!drop || !drop[i])
			pipeline_feed(&p, r->rec[i], r->len[i]);
	pipeline_finish(&p, 0, 0, 0, 0, 0);
	/* every verdict on an event that --stacks proof gives a stack */
	ASSERT_EQ(p.rules.beyond_proof, 0, "verdicts beyond the proof stacks");
	pipeline_fini(&p);
	sink_fini(&vs.sink);
}

static bool has_certain(const struct verdicts *v, const char *key)
{
	for (int i = 0; i < v->n; i++)
		if (v->certain[i] && !strcmp(v->key[i], key))
			return true;
	return false;
}

/*
 * r as a tracer started just before its event index k sees it: what came
 * before is not there (records other than events, owners and stacks kept),
 * and the sequence numbers start again at 0. No loss: a start.
 */
static void start_at(const struct recs *r, int k, struct recs *out)
{
	__u64 base = ((const struct it_hdr *)r->rec[k])->seq;

	out->n = 0;
	for (int i = 0; i < r->n; i++) {
		struct it_hdr *h = r->rec[i];
		bool sequenced = h->type == IT_REC_EVENT || h->type == IT_REC_OWNER ||
				 h->type == IT_REC_STACK;

		if (i < k && sequenced)
			continue;
		out->rec[out->n] = malloc(r->len[i]);
		memcpy(out->rec[out->n], r->rec[i], r->len[i]);
		out->len[out->n] = r->len[i];
		h = out->rec[out->n];
		if (h->type == IT_REC_EVENT || h->type == IT_REC_OWNER)
			h->seq -= base;
		if (h->type == IT_REC_END)
			((struct it_end_rec *)h)->end_seq -= base;
		out->n++;
	}
}

/* One run with drop; false after saying what was wrong. */
static bool check(const char *name, const struct recs *r, const struct verdicts *base,
		  const bool *drop)
{
	struct verdicts v;
	char taken[256] = "";
	int off = 0, n = 0;

	for (int i = 0; i < r->n; i++) {
		if (!drop[i])
			continue;
		n++;
		if (off < (int)sizeof(taken))
			off += snprintf(taken + off, sizeof(taken) - off, " %d", i);
	}
	run(r, drop, &v);
	if (!ASSERT_EQ(v.lost, n, "losses counted"))
		tlog("%s: records taken out:%s\n", name, taken);
	for (int i = 0; i < v.n; i++) {
		if (!v.certain[i] || has_certain(base, v.key[i]))
			continue;
		test__fail(__FILE__, __LINE__, "%s: records%s taken out: certain '%s'", name,
			   taken, v.key[i]);
		return false;
	}
	return v.lost == (unsigned long long)n;
}

static void golden(const char *name)
{
	char path[512], err[256];
	struct trace_info info;
	struct recs r = { 0 };
	struct verdicts base;
	bool drop[MAX_RECS];
	int ev[MAX_RECS], n_ev = 0;
	__u64 x = 0x9e3779b97f4a7c15ULL; /* xorshift64 */

	snprintf(path, sizeof(path), "%s/tests/golden/%s.itr", IT_SRC_DIR, name);
	if (!ASSERT_EQ(trace_read(path, keep_rec, &r, &info, err, sizeof(err)), 0, err))
		goto out;
	for (int i = 0; i < r.n; i++)
		if (r.event[i])
			ev[n_ev++] = i;
	ASSERT_TRUE(n_ev >= 20, "a recording with events");
	run(&r, NULL, &base);
	ASSERT_EQ(base.lost, 0, "nothing lost in the whole recording");

	/* every run of consecutive events */
	for (int a = 0; a < n_ev; a++) {
		for (int b = a + 1; b <= n_ev; b++) {
			memset(drop, 0, sizeof(drop));
			for (int k = a; k < b; k++)
				drop[ev[k]] = true;
			if (!check(name, &r, &base, drop))
				goto out;
		}
	}
	/* every pair of single events: two gaps */
	for (int a = 0; a < n_ev; a++) {
		for (int b = a + 2; b < n_ev; b++) {
			memset(drop, 0, sizeof(drop));
			drop[ev[a]] = drop[ev[b]] = true;
			if (!check(name, &r, &base, drop))
				goto out;
		}
	}
	/* random sets, one event in four */
	for (int t = 0; t < 2000; t++) {
		memset(drop, 0, sizeof(drop));
		for (int k = 0; k < n_ev; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			drop[ev[k]] = (x >> 32) % 4 == 0;
		}
		if (!check(name, &r, &base, drop))
			goto out;
	}
	/* a tracer (a daemon restarted) that starts before any event */
	for (int k = 1; k < n_ev; k++) {
		struct recs late;
		struct verdicts v;

		start_at(&r, ev[k], &late);
		run(&late, NULL, &v);
		ASSERT_EQ(v.lost, 0, "a start is not a loss");
		for (int i = 0; i < v.n; i++)
			if (v.certain[i] && !has_certain(&base, v.key[i]))
				test__fail(__FILE__, __LINE__, "%s: started at event %d: certain '%s'",
					   name, k, v.key[i]);
		recs_free(&late);
	}
out:
	recs_free(&r);
}

void test_loss(void)
{
	static const char *const names[] = {
		"stock-alloc-fail", "stock-close-all", "stock-idev-first",
		"double-abort", "long-wait", "vdev-outlives-idev",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!test__start_subtest(names[i]))
			continue;
		golden(names[i]);
	}
}
