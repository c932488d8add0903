// SPDX-License-Identifier: GPL-2.0
/*
 * Host benchmarks for the pieces iommutrace writes itself, each measured
 * side by side with the maintained alternative in the same run:
 *  - the open-addressing table against glibc's tsearch tree;
 *  - the JSON writer against jansson building and dumping the same event;
 *  - the whole pipeline (decode, graph, rules) on a synthetic stream;
 *  - replay of a generated trace file (IOMMUTRACE_BENCH_EVENTS events, 10
 *    million by default) against a pass over the same file that only
 *    decodes, and the pipeline's time per event with 100,000 and with
 *    1,000,000 objects alive at once (linear growth: the same);
 *  - the heap per live object and per dead object kept.
 * Each short figure is the best of 5 repetitions, to damp a noisy machine;
 * the long ones are measured once, side by side.
 */
#include <errno.h>
#include <malloc.h>
#include <unistd.h>
#include <sys/stat.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "format/hooks.h"
#include "format/trace_file.h"
#include "model/decode.h"
#include "model/pipeline.h"
#include "out/sinks.h"
#include "base/ptrhash.h"
#include "base/table.h"

#define REPS 5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- table vs tsearch ------------------------------------------------------ */

#define NKEYS 200000

static uint64_t keys[NKEYS];

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double run_table(void)
{
	struct table t;
	double t0 = now();
	uintptr_t sum = 0;

	table_init(&t);
	for (int i = 0; i < NKEYS; i++)
		table_put(&t, keys[i], &keys[i]);
	for (int r = 0; r < 4; r++)
		for (int i = 0; i < NKEYS; i++)
			sum += (uintptr_t)table_get(&t, keys[i]);
	for (int i = 0; i < NKEYS; i++)
		table_del(&t, keys[i]);
	table_fini(&t);
	if (!sum)
		abort();
	return (now() - t0) / (NKEYS * 6.0) * 1e9;
}

static double run_tsearch(void)
{
	void *root = NULL;
	double t0 = now();
	uintptr_t sum = 0;

	for (int i = 0; i < NKEYS; i++)
		tsearch(&keys[i], &root, cmp_u64);
	for (int r = 0; r < 4; r++)
		for (int i = 0; i < NKEYS; i++)
			sum += (uintptr_t)tfind(&keys[i], &root, cmp_u64);
	for (int i = 0; i < NKEYS; i++)
		tdelete(&keys[i], &root, cmp_u64);
	if (!sum)
		abort();
	return (now() - t0) / (NKEYS * 6.0) * 1e9;
}

/* --- JSON: ours vs jansson ---------------------------------------------------- */

#define NJSON 200000

static double run_json_ours(FILE *devnull)
{
	struct json j;
	double t0 = now();

	json_init(&j);
	for (int i = 0; i < NJSON; i++) {
		json_reset(&j);
		json_obj_begin(&j, NULL);
		json_u64(&j, "schema", 1);
		json_str(&j, "kind", "event");
		json_u64(&j, "seq", i);
		json_u64(&j, "ts_ns", 123456789ULL + i);
		json_u64(&j, "cpu", 1);
		json_u64(&j, "pid", 4242);
		json_str(&j, "comm", "qemu-system-x86");
		json_str(&j, "hook", "iommufd_object_remove");
		json_obj_begin(&j, "obj");
		json_str(&j, "type", "vdevice");
		json_u64(&j, "id", 7);
		json_str(&j, "handle", "5e77df347ec3");
		json_obj_end(&j);
		json_i64(&j, "ret", 0);
		json_obj_end(&j);
		json_emit(&j, devnull);
	}
	json_free(&j);
	return (now() - t0) / NJSON * 1e9;
}

static double run_json_jansson(FILE *devnull)
{
	double t0 = now();

	for (int i = 0; i < NJSON; i++) {
		json_t *o = json_pack("{s:i, s:s, s:I, s:I, s:i, s:i, s:s, s:s, "
				      "s:{s:s, s:i, s:s}, s:i}",
				      "schema", 1, "kind", "event", "seq", (json_int_t)i,
				      "ts_ns", (json_int_t)(123456789LL + i), "cpu", 1,
				      "pid", 4242, "comm", "qemu-system-x86",
				      "hook", "iommufd_object_remove", "obj", "type", "vdevice",
				      "id", 7, "handle", "5e77df347ec3", "ret", 0);

		json_dumpf(o, devnull, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', devnull);
		json_decref(o);
	}
	return (now() - t0) / NJSON * 1e9;
}

/* --- the pipeline on a synthetic stream ------------------------------------------ */

static int null_event(struct sink *s, const struct it_event *e) { return 0; }
static int null_lost(struct sink *s, __u64 a, __u64 b, __u64 c) { return 0; }
static int null_summary(struct sink *s, const struct summary *x) { return 0; }
static const struct sink_ops null_ops = {
	.event = null_event,
	.lost = null_lost,
	.summary = null_summary,
};

#define ROUNDS 20000

/* one context: 6 objects born, published, removed by id and destroyed */
/* json: the JSON sink into out; else a sink that takes nothing */
static double run_pipeline(bool json, FILE *out, unsigned long long *events)
{
	static const __u16 types[] = { IT_OBJ_IOAS, IT_OBJ_DEVICE, IT_OBJ_HWPT_PAGING,
				       IT_OBJ_HWPT_PAGING, IT_OBJ_VIOMMU, IT_OBJ_VDEVICE };
	static const __u16 destroy[] = { IT_HOOK_IOAS_DESTROY, IT_HOOK_DEVICE_DESTROY,
					 IT_HOOK_HWPT_PAGING_DESTROY, IT_HOOK_HWPT_PAGING_DESTROY,
					 IT_HOOK_VIOMMU_DESTROY, IT_HOOK_VDEVICE_DESTROY };
	struct pipeline_opts o = { .attached = ~0ULL, .long_wait_ns = 100000000ULL };
	struct pipeline p;
	struct sink null_sink, *sink = &null_sink;
	struct it_event e = { .hdr = { .type = IT_REC_EVENT, .size = sizeof(e) }, .tgid = 1 };
	__u64 seq = 0;
	double t0;

	pipeline_init(&p, &o);
	sink_init(&null_sink, &null_ops, out);
	if (json)
		sink = sink_json_new(out, false);
	pipeline_add_sink(&p, sink);
	strcpy(e.comm, "vmm");
	t0 = now();
#define EMIT(h, a, t, i, f)                                                                \
	do {                                                                              \
		e.hdr.seq = seq++;                                                        \
		e.hdr.ts_ns = seq * 1000;                                                 \
		e.hook = (h);                                                             \
		e.obj.addr = (a);                                                         \
		e.obj.type = (t);                                                         \
		e.obj.id = (i);                                                           \
		e.flags = (f);                                                            \
		pipeline_feed(&p, &e, sizeof(e));                                         \
	} while (0)
	for (int r = 0; r < ROUNDS; r++) {
		__u64 ctx = 0xffff888100000000ULL + (__u64)(r % 64) * 0x10000;

		e.ctx = ctx;
		EMIT(IT_HOOK_FOPS_OPEN, ctx, IT_OBJ_CTX, 0, IT_EVF_HAS_RET);
		for (int k = 0; k < 6; k++) {
			EMIT(IT_HOOK_OBJ_ALLOC, ctx + 0x100 + k * 0x40, types[k], k + 1, IT_EVF_HAS_RET);
			EMIT(IT_HOOK_OBJ_FINALIZE, ctx + 0x100 + k * 0x40, types[k], k + 1, 0);
		}
		for (int k = 5; k >= 0; k--) {
			EMIT(IT_HOOK_OBJ_REMOVE, 0, 0, k + 1, IT_EVF_BY_ID);
			EMIT(destroy[k], ctx + 0x100 + k * 0x40, types[k], k + 1, 0);
			EMIT(IT_HOOK_OBJ_REMOVE_RET, 0, 0, k + 1, IT_EVF_HAS_RET | IT_EVF_HAS_DUR);
		}
		EMIT(IT_HOOK_FOPS_RELEASE, ctx, IT_OBJ_CTX, 0, 0);
		EMIT(IT_HOOK_FOPS_RELEASE_RET, ctx, IT_OBJ_CTX, 0, IT_EVF_HAS_RET);
	}
	pipeline_finish(&p, seq, 0, 0, seq * 1000, 0);
	t0 = now() - t0;
	if (pipeline_violations(&p))
		abort(); /* the stream is clean: a verdict here is a bug */
	pipeline_fini(&p);
	if (sink != &null_sink)
		sink_free(sink);
	sink_fini(&null_sink);
	*events = seq;
	return seq / t0;
}

/* --- a trace file of N events, replayed and decoded --------------------------- */

/*
 * The records of one lifecycle round of a context, in the lengths the BPF
 * side writes them (core, with relations, whole), fresh addresses each
 * round: open, 6 objects born and published, removed and destroyed, release.
 */
struct gen {
	__u64 seq, round;
	int (*out)(void *cookie, const void *rec, size_t len);
	void *cookie;
};

static __u16 event_size(const struct it_event *e)
{
	if (!e->obj.addr || (e->flags & IT_EVF_HAS_RET))
		return IT_EVENT_SIZE_CORE;
	if (e->obj.type == IT_OBJ_DEVICE || e->obj.type == IT_OBJ_VDEVICE)
		return IT_EVENT_SIZE_FULL;
	if (e->obj.type == IT_OBJ_VIOMMU || e->obj.type == IT_OBJ_HWPT_PAGING)
		return IT_EVENT_SIZE_RELS;
	return IT_EVENT_SIZE_CORE;
}

static int gen_one(struct gen *g, struct it_event *e, __u16 hook, __u64 addr, __u16 type,
		   __u32 id, __u16 flags)
{
	e->hdr.seq = g->seq++;
	e->hdr.ts_ns = g->seq * 1000;
	e->hook = hook;
	e->obj.addr = addr;
	e->obj.type = type;
	e->obj.id = id;
	e->flags = flags;
	e->hdr.size = event_size(e);
	return g->out(g->cookie, e, e->hdr.size);
}

static int gen_round(struct gen *g)
{
	static const __u16 types[] = { IT_OBJ_IOAS, IT_OBJ_DEVICE, IT_OBJ_HWPT_PAGING,
				       IT_OBJ_HWPT_PAGING, IT_OBJ_VIOMMU, IT_OBJ_VDEVICE };
	static const __u16 destroy[] = { IT_HOOK_IOAS_DESTROY, IT_HOOK_DEVICE_DESTROY,
					 IT_HOOK_HWPT_PAGING_DESTROY, IT_HOOK_HWPT_PAGING_DESTROY,
					 IT_HOOK_VIOMMU_DESTROY, IT_HOOK_VDEVICE_DESTROY };
	struct it_event e = { .hdr = { .type = IT_REC_EVENT }, .tgid = 1, .tid = 1 };
	__u64 ctx = 0xffff888100000000ULL + g->round++ * 0x1000;
	int err = 0;

	strcpy(e.comm, "vmm");
	strcpy(e.devname, "0000:00:03.0");
	e.ctx = ctx;
	err |= gen_one(g, &e, IT_HOOK_FOPS_OPEN, ctx, IT_OBJ_CTX, 0, IT_EVF_HAS_RET);
	for (int k = 0; k < 6; k++) {
		err |= gen_one(g, &e, IT_HOOK_OBJ_ALLOC, ctx + 0x100 + k * 0x40, types[k], k + 1,
			       0);
		err |= gen_one(g, &e, IT_HOOK_OBJ_FINALIZE, ctx + 0x100 + k * 0x40, types[k],
			       k + 1, 0);
	}
	for (int k = 5; k >= 0; k--) {
		err |= gen_one(g, &e, IT_HOOK_OBJ_REMOVE, 0, 0, k + 1, IT_EVF_BY_ID);
		err |= gen_one(g, &e, destroy[k], ctx + 0x100 + k * 0x40, types[k], k + 1, 0);
		err |= gen_one(g, &e, IT_HOOK_OBJ_REMOVE_RET, 0, 0, k + 1,
			       IT_EVF_HAS_RET | IT_EVF_HAS_DUR);
	}
	err |= gen_one(g, &e, IT_HOOK_FOPS_RELEASE, ctx, IT_OBJ_CTX, 0, 0);
	err |= gen_one(g, &e, IT_HOOK_FOPS_RELEASE_RET, ctx, IT_OBJ_CTX, 0, IT_EVF_HAS_RET);
	return err;
}

static int write_rec(void *cookie, const void *rec, size_t len)
{
	return trace_append(cookie, rec, len);
}

/* A trace file of at least n events; its event count, or 0. */
static unsigned long long make_trace(const char *path, unsigned long long n)
{
	static const uint8_t key[TRACE_KEY_LEN];
	struct trace_writer *w = trace_create(path, key, true);
	struct gen g = { .out = write_rec, .cookie = w };

	if (!w || trace_publish(w))
		return 0;
	while (g.seq < n)
		if (gen_round(&g))
			break;
	return trace_close(w) ? 0 : g.seq;
}

static int decode_only(void *cookie, const void *rec, size_t len)
{
	struct it_event e;
	const char *why;

	if (decode_record(rec, len, &e, &why))
		return -EINVAL;
	*(unsigned long long *)cookie += e.hook;
	return 0;
}

static int feed_pipeline(void *cookie, const void *rec, size_t len)
{
	return pipeline_feed(cookie, rec, len);
}

/* Seconds to read the file into fn (a pipeline's feed, or decode alone). */
static double read_trace(const char *path, bool full, unsigned long long *events)
{
	struct pipeline_opts o = { .attached = ~0ULL, .long_wait_ns = 100000000ULL };
	struct trace_info info;
	struct pipeline p;
	struct sink null_sink;
	unsigned long long sum = 0;
	char err[256];
	double t0;

	pipeline_init(&p, &o);
	sink_init(&null_sink, &null_ops, NULL);
	pipeline_add_sink(&p, &null_sink);
	t0 = now();
	if (trace_read(path, full ? feed_pipeline : decode_only, full ? (void *)&p : &sum, &info,
		       err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	if (full)
		pipeline_finish(&p, info.records, 0, 0, info.records * 1000, 0);
	t0 = now() - t0;
	if (full && pipeline_violations(&p))
		abort();
	*events = full ? decoder_stats(p.dec)->records : info.records;
	pipeline_fini(&p);
	sink_fini(&null_sink);
	return t0;
}

/* --- many objects alive at once ----------------------------------------------- */

/*
 * n IOASes born and published in one context, all alive at once (else
 * each destroyed right after its birth), then all removed and destroyed;
 * ns per event. The heap grown with them alive, and at the end (the dead
 * the pipeline keeps, and the tables' room).
 */
static double many_objects(unsigned long n, bool at_once, size_t *live_heap, size_t *end_heap,
			   unsigned long *kept_dead, double *dev_ns)
{
	struct pipeline_opts o = { .attached = ~0ULL, .long_wait_ns = 100000000ULL };
	struct it_event e = { .hdr = { .type = IT_REC_EVENT }, .tgid = 1, .tid = 1,
			      .ctx = 0xffff888100000000ULL };
	struct gen g = { .out = feed_pipeline };
	struct pipeline p;
	struct sink null_sink;
	size_t base;
	double t0;

	malloc_trim(0);
	base = mallinfo2().uordblks;
	pipeline_init(&p, &o);
	g.cookie = &p;
	sink_init(&null_sink, &null_ops, NULL);
	pipeline_add_sink(&p, &null_sink);
	strcpy(e.comm, "vmm");
	t0 = now();
	gen_one(&g, &e, IT_HOOK_FOPS_OPEN, e.ctx, IT_OBJ_CTX, 0, IT_EVF_HAS_RET);
	for (unsigned long i = 0; i < n; i++) {
		__u64 a = 0xffff889000000000ULL + i * 0x100;

		gen_one(&g, &e, IT_HOOK_OBJ_ALLOC, a, IT_OBJ_IOAS, i + 1, 0);
		gen_one(&g, &e, IT_HOOK_OBJ_FINALIZE, a, IT_OBJ_IOAS, i + 1, 0);
		if (!at_once) {
			gen_one(&g, &e, IT_HOOK_OBJ_REMOVE, a, IT_OBJ_IOAS, i + 1, 0);
			gen_one(&g, &e, IT_HOOK_IOAS_DESTROY, a, IT_OBJ_IOAS, i + 1, 0);
		}
	}
	pipeline_tick(&p, g.seq * 1000 + 1000000000ULL); /* all released by the decoder */
	*live_heap = mallinfo2().uordblks - base;
	if (dev_ns) {
		/* devices born and destroyed among them: no scan of the living */
		__u64 seq0 = g.seq;
		double t1 = now();

		for (unsigned long i = 0; i < 10000; i++) {
			__u64 a = 0xffff88a000000000ULL + i * 0x100;

			gen_one(&g, &e, IT_HOOK_OBJ_ALLOC, a, IT_OBJ_DEVICE, n + i + 1, 0);
			gen_one(&g, &e, IT_HOOK_OBJ_FINALIZE, a, IT_OBJ_DEVICE, n + i + 1, 0);
			gen_one(&g, &e, IT_HOOK_OBJ_REMOVE, a, IT_OBJ_DEVICE, n + i + 1, 0);
			gen_one(&g, &e, IT_HOOK_DEVICE_DESTROY, a, IT_OBJ_DEVICE, n + i + 1, 0);
		}
		pipeline_tick(&p, g.seq * 1000 + 1000000000ULL);
		*dev_ns = (now() - t1) / (g.seq - seq0) * 1e9;
	}
	for (unsigned long i = 0; at_once && i < n; i++) {
		__u64 a = 0xffff889000000000ULL + i * 0x100;

		gen_one(&g, &e, IT_HOOK_OBJ_REMOVE, a, IT_OBJ_IOAS, i + 1, 0);
		gen_one(&g, &e, IT_HOOK_IOAS_DESTROY, a, IT_OBJ_IOAS, i + 1, 0);
	}
	pipeline_tick(&p, g.seq * 1000 + 1000000000ULL);
	t0 = now() - t0;
	*end_heap = mallinfo2().uordblks - base;
	*kept_dead = p.g.n_dead;
	pipeline_finish(&p, g.seq, 0, 0, g.seq * 1000, 0);
	pipeline_fini(&p);
	sink_fini(&null_sink);
	return t0 / g.seq * 1e9;
}

static double best_min(double (*fn)(void))
{
	double best = 1e30;

	for (int i = 0; i < REPS; i++) {
		double v = fn();

		if (v < best)
			best = v;
	}
	return best;
}

static FILE *devnull;

/* Replay against decode alone, over one generated file, once each. */
static void bench_replay(void)
{
	const char *env = getenv("IOMMUTRACE_BENCH_EVENTS");
	unsigned long long want = env ? strtoull(env, NULL, 0) : 10000000ULL, n, n_full, n_dec;
	char path[] = "/tmp/iommutrace-bench-XXXXXX";
	int fd = mkstemp(path);
	struct stat st;
	double t_full, t_dec;

	if (fd < 0 || !(n = make_trace(path, want))) {
		fprintf(stderr, "bench: can't write a trace file in /tmp\n");
		exit(1);
	}
	close(fd);
	stat(path, &st);
	t_dec = read_trace(path, false, &n_dec);
	t_full = read_trace(path, true, &n_full);
	unlink(path);
	if (n_full != n || n_dec != n)
		abort();
	printf("  %-44s %8.2f M events/s   decode only %6.2f M events/s   ratio %.2fx the time\n",
	       "replay of a trace file (read, inflate, all)", n / t_full / 1e6, n / t_dec / 1e6,
	       t_full / t_dec);
	printf("  %-44s %llu events, %.1f MiB on disk (%.1f bytes per event), once each\n", "",
	       n, st.st_size / 1048576.0, (double)st.st_size / n);
}

/* The pipeline with 100k and 1M objects alive at once, and its heap. */
static void bench_objects(void)
{
	size_t live_s, end_s, live_l, end_l, live_d, end_d;
	unsigned long kept_s, kept_l, kept_d;
	double dev_s, dev_l;
	double small = many_objects(100000, true, &live_s, &end_s, &kept_s, &dev_s);
	double large = many_objects(1000000, true, &live_l, &end_l, &kept_l, &dev_l);

	/* one alive at a time: what stays is the dead kept */
	many_objects(PIPELINE_DEAD_MAX, false, &live_d, &end_d, &kept_d, NULL);
	printf("  %-44s %8.1f ns per event at 100k objects, %.1f at 1M   ratio %.2fx\n",
	       "objects alive at once (linear: ratio 1)", small, large, large / small);
	printf("  %-44s %8.1f ns per event among 100k living, %.1f among 1M   ratio %.2fx\n",
	       "device lifecycles (10,000)", dev_s, dev_l, dev_l / dev_s);
	printf("  %-44s %8.0f bytes per live object (1M alive), %.0f per dead one kept (%lu kept)\n",
	       "heap", (double)live_l / 1000000, (double)end_d / kept_d, kept_d);
}

static double json_ours(void) { return run_json_ours(devnull); }
static double json_jansson(void) { return run_json_jansson(devnull); }

int main(void)
{
	unsigned long long events = 0;
	double a, b, plain = 0, json = 0;

	devnull = fopen("/dev/null", "w");
	ptrhash_init(false);
	srand(3);
	for (int i = 0; i < NKEYS; i++) /* slab-like: 64-byte steps, shuffled */
		keys[i] = 0xffff888000000000ULL + (uint64_t)i * 64;
	for (int i = NKEYS - 1; i > 0; i--) {
		int j = rand() % (i + 1);
		uint64_t t = keys[i];

		keys[i] = keys[j];
		keys[j] = t;
	}

	printf("host benchmarks (best of %d, ns per operation; lower is better)\n", REPS);
	a = best_min(run_table);
	b = best_min(run_tsearch);
	printf("  %-44s %8.1f ns   tsearch %8.1f ns   ratio %.2fx faster\n",
	       "table (put/get/del, 200k kernel addresses)", a, b, b / a);
	a = best_min(json_ours);
	b = best_min(json_jansson);
	printf("  %-44s %8.1f ns   jansson %8.1f ns   ratio %.2fx faster\n",
	       "JSON event line (build + write)", a, b, b / a);
	for (int i = 0; i < REPS; i++) {
		double v = run_pipeline(false, devnull, &events);

		if (v > plain)
			plain = v;
		v = run_pipeline(true, devnull, &events);
		if (v > json)
			json = v;
	}
	printf("  %-44s %8.0f events/s (%llu events), with --json output %8.0f events/s\n",
	       "pipeline: decode, graph, rules", plain, events, json);
	bench_replay();
	bench_objects();
	fclose(devnull);
	return 0;
}
