/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test harness in the manner of the kernel's test_progs: test_NAME()
 * functions are found by the Makefile, ASSERT_* print what was expected and
 * what came, output is shown only for failing tests.
 */
#ifndef IT_TEST_H
#define IT_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_state {
	const char *name;
	const char *subtest;
	int failed; /* assertions failed in the current test */
	bool skipped;
	char skip_reason[160];
	FILE *log; /* captured output of the current test */
};

extern struct test_state test_state;

bool test__start_subtest(const char *name);
/* The test cannot run here: counted apart, with the reason. */
void test__skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test__fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* the prototypes of every test_NAME(), listed by the Makefile */
#define DEFINE_TEST(name) void test_##name(void);
#include "tests.inc"
#undef DEFINE_TEST

#define tlog(...) fprintf(test_state.log, __VA_ARGS__)

#define ASSERT_TRUE(cond, what)                                                  \
	({                                                                       \
		bool ___ok = (cond);                                             \
		if (!___ok)                                                      \
			test__fail(__FILE__, __LINE__, "%s: expected true: %s", what, #cond); \
		___ok;                                                           \
	})

#define ASSERT_EQ(got, want, what)                                               \
	({                                                                       \
		long long ___g = (long long)(got), ___w = (long long)(want);     \
		bool ___ok = ___g == ___w;                                       \
		if (!___ok)                                                      \
			test__fail(__FILE__, __LINE__, "%s: got %lld, want %lld", what, ___g, ___w); \
		___ok;                                                           \
	})

#define ASSERT_STREQ(got, want, what)                                            \
	({                                                                       \
		const char *___g = (got), *___w = (want);                        \
		bool ___ok = ___g && ___w && !strcmp(___g, ___w);                \
		if (!___ok)                                                      \
			test__fail(__FILE__, __LINE__, "%s: got '%s', want '%s'", what, \
				   ___g ? ___g : "(null)", ___w ? ___w : "(null)"); \
		___ok;                                                           \
	})

#endif
