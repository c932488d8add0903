/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test harness in the manner of the kernel's test_progs: test_NAME()
 * functions are found by the Makefile, ASSERT_* print what was expected and
 * what came, output is shown only for failing tests.
 */
#ifndef IT_TEST_H
#define IT_TEST_H

#include <errno.h>
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

/* false when -t names other subtests: skip this one */
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

/* 0 expected; a negative errno is shown by name */
#define ASSERT_OK(got, what)                                                     \
	({                                                                       \
		long long ___g = (long long)(got);                               \
		bool ___ok = ___g == 0;                                          \
		if (!___ok)                                                      \
			test__fail(__FILE__, __LINE__, "%s: got %lld (%s), want 0", what, \
				   ___g, ___g < 0 ? strerror((int)-___g) : "not an errno"); \
		___ok;                                                           \
	})

/* a negative errno expected */
#define ASSERT_ERR(got, what)                                                    \
	({                                                                       \
		long long ___g = (long long)(got);                               \
		bool ___ok = ___g < 0;                                           \
		if (!___ok)                                                      \
			test__fail(__FILE__, __LINE__, "%s: got %lld, want an error", what, ___g); \
		___ok;                                                           \
	})

/* a pointer expected: use it only when this is true */
#define ASSERT_OK_PTR(ptr, what)                                                 \
	({                                                                       \
		const void *___p = (ptr);                                        \
		bool ___ok = ___p != NULL;                                       \
		if (!___ok)                                                      \
			test__fail(__FILE__, __LINE__, "%s: got NULL (errno %d, %s)", what, \
				   errno, strerror(errno));                      \
		___ok;                                                           \
	})

/* text expected to contain a part */
#define ASSERT_HAS(text, part, what)                                             \
	({                                                                       \
		const char *___t = (text), *___s = (part);                       \
		bool ___ok = ___t && strstr(___t, ___s);                         \
		if (!___ok)                                                      \
			test__fail(__FILE__, __LINE__, "%s: no '%s' in '%s'", what, ___s, \
				   ___t ? ___t : "(null)");                      \
		___ok;                                                           \
	})

#endif
