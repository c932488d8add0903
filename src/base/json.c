// SPDX-License-Identifier: GPL-2.0
/*
 * JSON writer for the event stream. Kept here rather than taken from a
 * library because it is on the per-event path and needs only objects,
 * arrays, strings and integers; tests/unit/test_json.c covers escaping.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/text.h"

void json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
}

void json_free(struct json *j)
{
	free(j->buf);
	json_init(j);
}

void json_reset(struct json *j)
{
	j->len = 0;
	j->depth = 0;
	j->oom = false;
}

static void put(struct json *j, const char *s, size_t n)
{
	if (j->oom)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;
		char *b;

		while (cap < j->len + n + 1)
			cap *= 2;
		b = realloc(j->buf, cap);
		if (!b) {
			j->oom = true;
			return;
		}
		j->buf = b;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

void json_escape(struct json *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		char esc[7];

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		put(j, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': puts_(j, "\\\""); break;
		case '\\': puts_(j, "\\\\"); break;
		case '\n': puts_(j, "\\n"); break;
		case '\r': puts_(j, "\\r"); break;
		case '\t': puts_(j, "\\t"); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(j, esc, 6);
		}
	}
	put(j, s + run, n - run);
}

/* Bytes that are not valid UTF-8 are written as \u00XX of each byte. */
/* JSON strings are UTF-8: what is not well-formed UTF-8 becomes U+FFFD */
static void escape_utf8(struct json *j, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0;

	while (i < n) {
		size_t len = utf8_len(u + i, n - i);

		if (len) {
			i += len;
			continue;
		}
		json_escape(j, s + start, i - start);
		put(j, "\\ufffd", 6);
		i++;
		start = i;
	}
	json_escape(j, s + start, n - start);
}

static void key(struct json *j, const char *k)
{
	if (j->depth > 0) {
		if (!j->first[j->depth - 1])
			puts_(j, ",");
		j->first[j->depth - 1] = false;
	}
	if (k) {
		puts_(j, "\"");
		escape_utf8(j, k, strlen(k));
		puts_(j, "\":");
	}
}

static void open_(struct json *j, const char *k, const char *c)
{
	key(j, k);
	puts_(j, c);
	if (j->depth < JSON_MAX_DEPTH)
		j->first[j->depth++] = true;
}

void json_obj_begin(struct json *j, const char *k)
{
	open_(j, k, "{");
}

void json_obj_end(struct json *j)
{
	j->depth--;
	puts_(j, "}");
}

void json_arr_begin(struct json *j, const char *k)
{
	open_(j, k, "[");
}

void json_arr_end(struct json *j)
{
	j->depth--;
	puts_(j, "]");
}

void json_strn(struct json *j, const char *k, const char *val, size_t n)
{
	key(j, k);
	puts_(j, "\"");
	escape_utf8(j, val, n);
	puts_(j, "\"");
}

void json_str(struct json *j, const char *k, const char *val)
{
	json_strn(j, k, val, strlen(val));
}

void json_u64(struct json *j, const char *k, unsigned long long val)
{
	char b[24];

	key(j, k);
	put(j, b, snprintf(b, sizeof(b), "%llu", val));
}

void json_i64(struct json *j, const char *k, long long val)
{
	char b[24];

	key(j, k);
	put(j, b, snprintf(b, sizeof(b), "%lld", val));
}

void json_bool(struct json *j, const char *k, bool val)
{
	key(j, k);
	puts_(j, val ? "true" : "false");
}

int json_emit(struct json *j, FILE *out)
{
	if (j->oom)
		return -ENOMEM;
	put(j, "\n", 1);
	if (fwrite(j->buf, 1, j->len, out) != j->len)
		return -EIO;
	return 0;
}

void json_envelope(struct json *j, const char *kind)
{
	json_reset(j);
	json_obj_begin(j, NULL);
	json_u64(j, "schema", JSON_SCHEMA_VERSION);
	json_str(j, "kind", kind);
}
