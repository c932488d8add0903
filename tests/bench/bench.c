// SPDX-License-Identifier: GPL-2.0
/*
 * Host benchmarks for the pieces iommutrace writes itself, each measured
 * side by side with the maintained alternative in the same run:
 *  - the open-addressing table against glibc's tsearch tree;
 *  - the JSON writer against jansson building and dumping the same event;
 *  - the whole pipeline (decode, graph, rules) on a synthetic stream.
 * Each figure is the best of 5 repetitions, to damp a noisy machine.
 */
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "format/hooks.h"
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
	fclose(devnull);
	return 0;
}
