// SPDX-License-Identifier: GPL-2.0
/* Runs the unit tests listed in tests.inc (made by the Makefile). */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "test.h"

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define DEFINE_TEST(name) { #name, test_##name },
#include "tests.inc"
#undef DEFINE_TEST
};

struct test_state test_state;
static int sub_passed, sub_failed;
static int sub_failed_before;
static bool verbose;
/* -t TEST[/SUBTEST]: substrings of the names to run */
static const char *filter;
static char filter_test[128];
static const char *filter_sub;

void test__fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	test_state.failed++;
	fprintf(test_state.log, "%s:%d: %s%s", file, line,
		test_state.subtest ? test_state.subtest : "", test_state.subtest ? ": " : "");
	va_start(ap, fmt);
	vfprintf(test_state.log, fmt, ap);
	va_end(ap);
	fputc('\n', test_state.log);
}

void test__skip(const char *fmt, ...)
{
	va_list ap;

	test_state.skipped = true;
	va_start(ap, fmt);
	vsnprintf(test_state.skip_reason, sizeof(test_state.skip_reason), fmt, ap);
	va_end(ap);
}

static void end_subtest(void)
{
	if (!test_state.subtest)
		return;
	if (test_state.failed > sub_failed_before) {
		sub_failed++;
		fprintf(test_state.log, "  subtest %s: FAIL\n", test_state.subtest);
	} else {
		sub_passed++;
	}
	test_state.subtest = NULL;
}

bool test__start_subtest(const char *name)
{
	end_subtest();
	if (filter_sub && !strstr(name, filter_sub))
		return false;
	test_state.subtest = name;
	sub_failed_before = test_state.failed;
	return true;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			filter = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else {
			fprintf(stderr, "usage: test_unit [-v] [-t TEST[/SUBTEST]] (substrings of "
				"the names)\n");
			return 2;
		}
	}
	if (filter) {
		const char *slash = strchr(filter, '/');

		snprintf(filter_test, sizeof(filter_test), "%.*s",
			 slash ? (int)(slash - filter) : (int)strlen(filter), filter);
		filter_sub = slash ? slash + 1 : NULL;
	}
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		char *buf = NULL;
		size_t len = 0;

		if (filter && !strstr(tests[i].name, filter_test))
			continue;
		/* what the code under test prints on stderr is shown on failure */
		FILE *err = tmpfile();
		int saved = dup(2);

		test_state = (struct test_state){ .name = tests[i].name };
		test_state.log = open_memstream(&buf, &len);
		sub_passed = sub_failed = 0;
		fflush(stderr);
		dup2(fileno(err), 2);
		tests[i].fn();
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		end_subtest();
		fclose(test_state.log);
		if (test_state.skipped && !test_state.failed) {
			printf("#%zu %s: SKIP (%s)\n", i + 1, tests[i].name, test_state.skip_reason);
			skipped++;
		} else if (test_state.failed) {
			char line[512];

			printf("#%zu %s: FAIL\n%s", i + 1, tests[i].name, buf);
			rewind(err);
			while (fgets(line, sizeof(line), err))
				printf("  stderr: %s", line);
			failed++;
		} else {
			printf("#%zu %s: OK", i + 1, tests[i].name);
			if (sub_passed)
				printf(" (%d subtests)", sub_passed);
			printf("\n");
			if (verbose && len)
				fputs(buf, stdout);
			passed++;
		}
		free(buf);
		fclose(err);
	}
	if (skipped)
		printf("unit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	else
		printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
