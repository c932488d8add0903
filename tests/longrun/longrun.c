// SPDX-License-Identifier: GPL-2.0
/*
 * A million object lifecycles through the daemon's pipeline (its journal,
 * export and metrics sinks, to /dev/null), with its memory measured as it
 * goes. The lifecycles are a real recording (a golden trace of the stock
 * kernel) played again and again with new sequence numbers, times,
 * context and object addresses (taken from pools, as the kernel's slabs
 * hand out addresses again) and an owner record per context:
 *
 *   contexts    half of them in contexts opened and closed, a VM each,
 *               64 VMs at a time;
 *   one context the other half in one context that is never closed (a VM
 *               with device hot-plug for months): its dead objects are what
 *               must not pile up.
 *
 * Heap in use (mallinfo2) is sampled every 50,000 lifecycles; after the
 * warm-up (the first fifth of each half) it must stay within 256 KiB of
 * where it was. A control runs the one-context half again, shorter, with
 * the bound on remembered dead objects lifted: its heap must grow by many
 * times that margin, or the measurement could not see a leak.
 *
 * usage: longrun GOLDEN.itr [LIFECYCLES]      prints ok / not ok lines
 */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/hooks.h"
#include "cmd/cli.h"
#include "kernel/tracer.h"
#include "out/metrics.h"
#include "model/pipeline.h"
#include "out/sinks.h"
#include "format/trace_file.h"
#include "../unit/recs.h"

#define MAX_ADDRS 64
#define CTX_POOL 64
#define ADDR_POOL (1 << 20) /* never the same address twice in a run: only forgetting bounds the graph */
#define SAMPLE_EVERY 50000ULL
#define MARGIN (256 * 1024ULL)

/* the recording, and what a cycle of it changes */
struct golden {
	struct recs r;
	__u64 ctx; /* its context */
	__u64 addr[MAX_ADDRS]; /* its objects, by allocation */
	int n_addr;
	__u64 seq_span, ts_span; /* one cycle's numbers and time */
	int lifecycles; /* objects allocated per cycle */
};

static int addr_index(const struct golden *g, __u64 a)
{
	for (int i = 0; i < g->n_addr; i++)
		if (g->addr[i] == a)
			return i;
	return -1;
}

static int golden_load(struct golden *g, const char *path)
{
	struct trace_info info;
	char err[256];
	__u64 first_ts = 0, last_ts = 0;

	memset(g, 0, sizeof(*g));
	if (trace_read(path, keep_rec, &g->r, &info, err, sizeof(err))) {
		fprintf(stderr, "longrun: %s\n", err);
		return -1;
	}
	for (int i = 0; i < g->r.n; i++) {
		const struct it_event *e = g->r.rec[i];

		if (e->hdr.type != IT_REC_EVENT)
			continue;
		if (!first_ts)
			first_ts = e->hdr.ts_ns;
		last_ts = e->hdr.ts_ns;
		if (e->hdr.seq + 1 > g->seq_span)
			g->seq_span = e->hdr.seq + 1;
		if (e->hook == IT_HOOK_FOPS_OPEN && !e->ret)
			g->ctx = e->ctx;
		if (e->hook == IT_HOOK_OBJ_ALLOC && e->obj.addr && g->n_addr < MAX_ADDRS &&
		    addr_index(g, e->obj.addr) < 0) {
			g->addr[g->n_addr++] = e->obj.addr;
			g->lifecycles++;
		}
	}
	g->ts_span = last_ts - first_ts + 50000000ULL; /* and 50 ms before the next */
	if (!g->ctx || !g->lifecycles) {
		fprintf(stderr, "longrun: %s has no context opened or no object allocated\n", path);
		return -1;
	}
	return 0;
}

struct player {
	struct pipeline *p;
	__u64 seq, ts; /* added to the recording's */
	unsigned long long cycle;
	bool one_ctx; /* the context is never opened or closed */
};

static __u64 new_addr(const struct golden *g, const struct player *pl, __u64 a)
{
	int i = addr_index(g, a);

	if (i < 0)
		return a;
	return 0xffff888100000000ULL + (pl->cycle % ADDR_POOL) * 0x10000 + i * 0x400;
}

static __u64 new_ctx(const struct player *pl)
{
	return 0xffff888200000000ULL + (pl->one_ctx ? 0 : (pl->cycle % CTX_POOL) * 0x1000);
}

static void owner_of(const struct player *pl, const struct it_event *open, struct it_owner_rec *o)
{
	static const char cg[] = "emulator\0libvirt\0machine-qemu\\x2d1\\x2dvm.scope\0machine.slice";
	char argv[256];
	int n = snprintf(argv, sizeof(argv), "/usr/bin/qemu-system-x86_64%c-name%cguest=vm%llu,"
			 "debug-threads=on%c-machine%cq35,accel=kvm", 0, 0,
			 pl->cycle % CTX_POOL, 0, 0);

	memset(o, 0, sizeof(*o));
	o->hdr = (struct it_hdr){ .type = IT_REC_OWNER, .seq = open->hdr.seq,
				  .ts_ns = open->hdr.ts_ns };
	o->ctx = open->ctx;
	o->tgid = o->tid = 1000 + pl->cycle % CTX_POOL;
	strcpy(o->comm, "qemu-system-x86");
	o->cgroup_len = sizeof(cg);
	memcpy(o->data, cg, sizeof(cg));
	o->argv_len = n + 1;
	memcpy(o->data + o->cgroup_len, argv, n + 1);
	o->hdr.size = IT_OWNER_FIXED + o->cgroup_len + o->argv_len;
}

/* One cycle of the recording; returns -1 on a pipeline error. */
static int play(const struct golden *g, struct player *pl)
{
	for (int i = 0; i < g->r.n; i++) {
		const struct it_hdr *h = g->r.rec[i];
		struct it_event e;
		struct it_owner_rec o;

		if (h->type == IT_REC_STACK || h->type == IT_REC_META) {
			if (!pl->cycle && !pl->seq && pipeline_feed(pl->p, h, g->r.len[i]))
				return -1;
			continue;
		}
		if (h->type != IT_REC_EVENT)
			continue; /* owners are made anew; the end is the player's */
		memcpy(&e, h, sizeof(e));
		if (pl->one_ctx && (e.hook == IT_HOOK_FOPS_OPEN || e.hook == IT_HOOK_FOPS_RELEASE ||
				    e.hook == IT_HOOK_FOPS_RELEASE_RET))
			e.hook = IT_HOOK_FOPS_RELEASE_RET, e.ctx = 0; /* a numbered no-op */
		e.hdr.seq += pl->seq;
		e.hdr.ts_ns += pl->ts;
		if (e.ctx == g->ctx)
			e.ctx = new_ctx(pl);
		e.obj.addr = new_addr(g, pl, e.obj.addr);
		for (int k = 0; k < IT_MAX_RELS; k++)
			if (e.rel[k].type != IT_OBJ_DEVICE_STRUCT)
				e.rel[k].addr = new_addr(g, pl, e.rel[k].addr);
		if (pipeline_feed(pl->p, &e, sizeof(e)))
			return -1;
		if (e.hook == IT_HOOK_FOPS_OPEN && !e.ret) {
			owner_of(pl, &e, &o);
			if (pipeline_feed(pl->p, &o, o.hdr.size))
				return -1;
		}
	}
	pl->seq += g->seq_span;
	pl->ts += g->ts_span;
	pl->cycle++;
	return 0;
}

static unsigned long long heap(void)
{
	return mallinfo2().uordblks;
}

static int failed;

static void report(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s longrun/%s", ok ? "ok" : "not ok", name);
	if (!ok) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		failed++;
	}
	printf("\n");
}

struct daemonish {
	struct pipeline p;
	struct sink *journal, *out;
	struct metrics m;
	FILE *null;
};

static const struct tracer no_tracer; /* nothing attached: its counts are 0 */

static void update_metrics(struct daemonish *d)
{
	struct stats st;

	stats_collect(&st, &d->p, &no_tracer);
	metrics_update(&d->m, &st);
}

/* the daemon's pipeline and sinks (journal off: its stderr form) */
static void daemonish_init(struct daemonish *d, unsigned long long dead_max, __u64 dead_keep_ns)
{
	struct pipeline_opts po = { .attached = ~0ULL, .long_wait_ns = 1000000000ULL,
				    .dead_max = dead_max, .dead_keep_ns = dead_keep_ns };

	d->null = fopen("/dev/null", "w");
	pipeline_init(&d->p, &po);
	metrics_init(&d->m);
	d->journal = sink_journal_new(d->null, false);
	d->out = sink_json_new(d->null, true);
	pipeline_add_sink(&d->p, d->journal);
	pipeline_add_sink(&d->p, d->out);
	pipeline_add_sink(&d->p, &d->m.sink);
}

static void daemonish_fini(struct daemonish *d, __u64 end_seq, __u64 end_ns)
{
	pipeline_finish(&d->p, end_seq, 0, 0, end_ns, 0);
	pipeline_fini(&d->p);
	metrics_fini(&d->m);
	sink_free(d->journal);
	sink_free(d->out);
	fclose(d->null);
}

/*
 * Play lifecycles' worth of cycles; *grow is the most the heap grew
 * beyond its size at the end of the warm-up (the first fifth).
 */
static int run_half(struct daemonish *d, const struct golden *g, struct player *pl,
		    unsigned long long lifecycles, long long *grow, unsigned long long *base,
		    int *samples)
{
	unsigned long long done = 0, next = SAMPLE_EVERY, warm = lifecycles / 5;

	*grow = 0;
	*base = 0;
	*samples = 0;
	while (done < lifecycles) {
		if (play(g, pl))
			return -1;
		done += g->lifecycles;
		if (done >= warm && !*base) {
			update_metrics(d);
			*base = heap();
		}
		if (done >= next) {
			next += SAMPLE_EVERY;
			update_metrics(d); /* as the daemon does, now and then */
			if (*base) {
				long long over = (long long)(heap() - *base);

				if (over > *grow)
					*grow = over;
				(*samples)++;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long total = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	struct golden g;
	struct daemonish d;
	struct player pl = { .p = &d.p };
	long long grow;
	unsigned long long base;
	int samples;

	if (argc < 2) {
		fprintf(stderr, "usage: longrun GOLDEN.itr [LIFECYCLES]\n");
		return 2;
	}
	if (golden_load(&g, argv[1]))
		return 2;

	daemonish_init(&d, 0, 0);
	if (run_half(&d, &g, &pl, total / 2, &grow, &base, &samples)) {
		report(false, "contexts/fed", "the pipeline refused a record: %s",
		       decoder_why(d.p.dec));
		return 1;
	}
	printf("# contexts: %llu lifecycles in %llu contexts, heap %llu KiB after the warm-up, "
	       "at most %+lld KiB later (%d samples)\n", pl.cycle * g.lifecycles, pl.cycle,
	       base >> 10, grow / 1024, samples);
	report(samples >= 4 && grow <= (long long)MARGIN, "contexts/heap_flat",
	       "grew %lld KiB after the warm-up (bound %llu KiB, %d samples)", grow / 1024,
	       MARGIN >> 10, samples);

	pl.one_ctx = true;
	if (run_half(&d, &g, &pl, total - total / 2, &grow, &base, &samples)) {
		report(false, "one_context/fed", "the pipeline refused a record: %s",
		       decoder_why(d.p.dec));
		return 1;
	}
	printf("# one context: %llu lifecycles, heap %llu KiB after the warm-up, at most %+lld "
	       "KiB later (%d samples); %llu dead remembered, %llu forgotten\n",
	       (total - total / 2), base >> 10, grow / 1024, samples, d.p.g.n_dead,
	       d.p.g.expired);
	report(samples >= 4 && grow <= (long long)MARGIN, "one_context/heap_flat",
	       "grew %lld KiB after the warm-up (bound %llu KiB, %d samples)", grow / 1024,
	       MARGIN >> 10, samples);
	report(d.p.g.n_dead <= PIPELINE_DEAD_MAX, "one_context/dead_bounded",
	       "%llu dead remembered", d.p.g.n_dead);
	report(graph_count_alive(&d.p.g, NULL) <= (unsigned long long)g.lifecycles,
	       "one_context/nothing_left_alive", "%llu alive",
	       graph_count_alive(&d.p.g, NULL));
	report(rules_total(&d.p.rules, true) == 0 && rules_total(&d.p.rules, false) == 0,
	       "no_verdict", "%llu violations, %llu uncertain", rules_total(&d.p.rules, true),
	       rules_total(&d.p.rules, false));
	report(decoder_stats(d.p.dec)->lost == 0, "no_loss", "%llu lost",
	       decoder_stats(d.p.dec)->lost);
	daemonish_fini(&d, pl.seq, pl.ts);

	/* the control: dead objects never forgotten; the heap must be seen to grow */
	memset(&pl, 0, sizeof(pl));
	pl.p = &d.p;
	pl.one_ctx = true;
	daemonish_init(&d, ~0ULL, ~0ULL);
	if (run_half(&d, &g, &pl, total / 4, &grow, &base, &samples))
		return 1;
	printf("# control, nothing forgotten: %llu lifecycles in one context, grew %+lld KiB "
	       "after the warm-up\n", total / 4, grow / 1024);
	report(grow > (long long)(8 * MARGIN), "control_grows",
	       "grew only %lld KiB with nothing forgotten: the measurement cannot see a leak",
	       grow / 1024);
	daemonish_fini(&d, pl.seq, pl.ts);
	return failed ? 1 : 0;
}
