// SPDX-License-Identifier: GPL-2.0
/* The JSON writer: structure, commas, escaping. */
#include <locale.h>
#include <stdlib.h>
#include <wchar.h>

#include "base/json.h"
#include "out/sinks.h"
#include "test.h"
#include "base/text.h"

/* The oracle: glibc's UTF-8 decoder takes every byte of s, to the end. */
static bool valid_utf8(const char *s)
{
	mbstate_t st = { 0 };
	size_t n = strlen(s);
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = uselocale(utf8);
	bool ok = true;

	while (n && ok) {
		size_t r = mbrtowc(NULL, s, n, &st);

		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			ok = false;
		} else {
			s += r;
			n -= r;
		}
	}
	uselocale(old);
	freelocale(utf8);
	return ok;
}

static const char *the_string;

static void one_string(struct json *j)
{
	json_obj_begin(j, NULL);
	json_str(j, "s", the_string);
	json_obj_end(j);
}

static char *render(void (*fn)(struct json *))
{
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_init(&j);
	fn(&j);
	json_emit(&j, f);
	fclose(f);
	json_free(&j);
	return buf;
}

static void nested(struct json *j)
{
	json_obj_begin(j, NULL);
	json_u64(j, "a", 1);
	json_obj_begin(j, "o");
	json_i64(j, "n", -2);
	json_bool(j, "t", true);
	json_obj_end(j);
	json_arr_begin(j, "arr");
	json_u64(j, NULL, 3);
	json_str(j, NULL, "x");
	json_arr_end(j);
	json_obj_end(j);
}

static void escapes(struct json *j)
{
	json_obj_begin(j, NULL);
	json_str(j, "s", "q\"b\\n\n\t\x01\x7f");
	json_obj_end(j);
}

static void bad_utf8(struct json *j)
{
	json_obj_begin(j, NULL);
	json_str(j, "s", "ok\xc3\xa9\xff\xc3");
	json_obj_end(j);
}

void test_json(void)
{
	char *s;

	if (test__start_subtest("nested")) {
		s = render(nested);
		ASSERT_STREQ(s, "{\"a\":1,\"o\":{\"n\":-2,\"t\":true},\"arr\":[3,\"x\"]}\n", "out");
		free(s);
	}
	if (test__start_subtest("escapes")) {
		s = render(escapes);
		ASSERT_STREQ(s, "{\"s\":\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\"}\n", "out");
		free(s);
	}
	if (test__start_subtest("utf8_forms")) {
		/* each: the input, and what JSON gets */
		static const char *const cases[][2] = {
			{ "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd" }, /* a surrogate */
			{ "\xc0\xaf", "\\ufffd\\ufffd" }, /* overlong '/' */
			{ "\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd" }, /* overlong, 3 bytes */
			{ "\xf0\x80\x80\xaf", "\\ufffd\\ufffd\\ufffd\\ufffd" }, /* overlong, 4 */
			{ "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd" }, /* above U+10FFFF */
			{ "\xf8\x88\x80\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd" },
			{ "\xe2\x82", "\\ufffd\\ufffd" }, /* cut short */
			{ "\xf0\x9f\x98\x80 \xe2\x82\xac \xed\x9f\xbf \xf4\x8f\xbf\xbf",
			  "\xf0\x9f\x98\x80 \xe2\x82\xac \xed\x9f\xbf \xf4\x8f\xbf\xbf" }, /* all fine */
		};
		char want[128];

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			the_string = cases[i][0];
			s = render(one_string);
			snprintf(want, sizeof(want), "{\"s\":\"%s\"}\n", cases[i][1]);
			ASSERT_STREQ(s, want, "replaced");
			free(s);
		}
	}
	if (test__start_subtest("random_bytes_valid_utf8")) {
		/* 20000 strings of random bytes: every line valid UTF-8 */
		char in[33];
		int bad = 0;

		srand(1);
		for (int n = 0; n < 20000; n++) {
			int l = rand() % 32;

			for (int k = 0; k < l; k++)
				in[k] = (char)(1 + rand() % 255);
			in[l] = '\0';
			the_string = in;
			s = render(one_string);
			bad += !valid_utf8(s);
			free(s);
		}
		ASSERT_EQ(bad, 0, "lines that are not UTF-8");
	}
	if (test__start_subtest("tty_and_journal_forms")) {
		char t[128];

		ASSERT_STREQ(tty_safe("a\x1b[2J\rb\n\xc2\x9b" "1m\xffz\x7f", t, sizeof(t)),
			     "a\\x1b[2J\\x0db\\x0a\\xc2\\x9b1m\\xffz\\x7f",
			     "C0, C1 in UTF-8, a stray byte, DEL");
		ASSERT_STREQ(tty_safe("machine-qemu\\x2d1 \xc3\xa9", t, sizeof(t)),
			     "machine-qemu\\x2d1 \xc3\xa9", "backslashes and UTF-8 kept");
		ASSERT_STREQ(utf8_safe("ok\xc3\xa9\xed\xa0\x80!", t, sizeof(t)),
			     "ok\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!", "journal: U+FFFD");
		ASSERT_STREQ(utf8_safe("\xe2\x82\xac\xe2\x82\xac", t, 5), "\xe2\x82\xac",
			     "cut between sequences");
		ASSERT_STREQ(tty_safe("\x1b\x1b\x1b", t, 9), "\\x1b\\x1b", "cut between escapes");
	}
	if (test__start_subtest("invalid_utf8")) {
		s = render(bad_utf8);
		ASSERT_STREQ(s, "{\"s\":\"ok\xc3\xa9\\ufffd\\ufffd\"}\n", "out");
		free(s);
	}
}

void test_wall_time(void)
{
	char t[48];

	json_wall_time(t, sizeof(t), 1500000000LL);
	ASSERT_STREQ(t, "1970-01-01T00:00:01.500000Z", "after the epoch");
	/* a bad CLOCK_REALTIME offset in a recording: still a time */
	json_wall_time(t, sizeof(t), -1500000000LL);
	ASSERT_STREQ(t, "1969-12-31T23:59:58.500000Z", "before it, floored");
	json_wall_time(t, sizeof(t), -1000LL);
	ASSERT_STREQ(t, "1969-12-31T23:59:59.999999Z", "a microsecond before");
}
