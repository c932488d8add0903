// SPDX-License-Identifier: GPL-2.0
/*
 * graph's tree view says what it does not draw: objects whose parents form
 * a cycle (a corrupt recording) are shown apart, chains deeper than the
 * view goes end in a marker with the count.
 */
#include <stdlib.h>

#include "model/pipeline.h"
#include "out/graph_view.h"
#include "base/ptrhash.h"
#include "test.h"

#define CTX 0xffff888001000000ULL
#define A(n) (0xffff888002000000ULL + (n) * 0x400)

static __u64 seq;

static void born(struct pipeline *p, __u32 id, __u16 type, __u64 parent)
{
	struct it_event e = {
		.hdr = { .type = IT_REC_EVENT, .size = sizeof(e), .seq = seq,
			 .ts_ns = 1000000 * (seq + 1) },
		.hook = IT_HOOK_OBJ_ALLOC, .ctx = CTX, .wait_cnt = ~0u,
		.obj = { .addr = A(id), .type = type, .id = id },
	};

	ASSERT_EQ(pipeline_feed(p, &e, sizeof(e)), 0, "alloc");
	seq++;
	e.hdr.seq = seq++;
	e.hook = IT_HOOK_OBJ_FINALIZE;
	if (parent)
		e.rel[0] = (struct it_objref){ .addr = A(parent), .id = parent,
					       .type = IT_OBJ_HWPT_PAGING };
	ASSERT_EQ(pipeline_feed(p, &e, sizeof(e)), 0, "finalize");
}

static char *tree(void (*build)(struct pipeline *))
{
	struct pipeline_opts o = { .attached = ~0ULL };
	struct pipeline p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	seq = 0;
	pipeline_init(&p, &o);
	build(&p);
	pipeline_finish(&p, seq, 0, 0, 0, 0);
	graph_print(&p.g, f, GRAPH_TREE, OWNER_FULL);
	fclose(f);
	pipeline_fini(&p);
	return buf;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void cycle(struct pipeline *p)
{
	born(p, 1, IT_OBJ_IOAS, 0);
	born(p, 2, IT_OBJ_HWPT_PAGING, 3); /* 2 -> 3 -> 2 */
	born(p, 3, IT_OBJ_HWPT_PAGING, 2);
}

static void deep(struct pipeline *p)
{
	born(p, 1, IT_OBJ_HWPT_PAGING, 0);
	for (__u32 i = 2; i <= 30; i++)
		born(p, i, IT_OBJ_HWPT_PAGING, i - 1);
}

void test_graph_tree_view(void)
{
	char *s;

	ptrhash_init(false);
	if (test__start_subtest("cycle_shown")) {
		s = tree(cycle);
		ASSERT_EQ(count(s, "ioas#1 "), 1, "the root");
		ASSERT_EQ(count(s, "hwpt_paging#2 "), 1, "in the cycle, once");
		ASSERT_EQ(count(s, "hwpt_paging#3 "), 1, "in the cycle, once");
		ASSERT_EQ(count(s, "a cycle of parents"), 1, "said");
		free(s);
	}
	if (test__start_subtest("depth_marked")) {
		s = tree(deep);
		ASSERT_EQ(count(s, "hwpt_paging#17 "), 1, "down to the limit");
		ASSERT_EQ(count(s, "hwpt_paging#18 "), 0, "not past it");
		ASSERT_EQ(count(s, "13 more below, deeper than 16 levels"), 1, "the cut said");
		free(s);
	}
}
