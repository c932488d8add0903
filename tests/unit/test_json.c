// SPDX-License-Identifier: GPL-2.0
/* The JSON writer: structure, commas, escaping. */
#include <stdlib.h>

#include "json.h"
#include "test.h"

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
	if (test__start_subtest("invalid_utf8")) {
		s = render(bad_utf8);
		ASSERT_STREQ(s, "{\"s\":\"ok\xc3\xa9\\u00ff\\u00c3\"}\n", "out");
		free(s);
	}
}
