/* SPDX-License-Identifier: GPL-2.0 */
/* A small JSON writer: one object per line, strings escaped per RFC 8259. */
#ifndef IT_JSON_H
#define IT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

/* The "schema" of every JSON line (tools/schema/iommutrace-vN.schema.json). */
#define JSON_SCHEMA_VERSION 2

struct json {
	char *buf;
	size_t len, cap;
	int depth;
	bool first[JSON_MAX_DEPTH];
	bool oom;
};

void json_init(struct json *j);
void json_free(struct json *j);
void json_reset(struct json *j);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_strn(struct json *j, const char *key, const char *val, size_t n);
void json_u64(struct json *j, const char *key, unsigned long long val);
void json_i64(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
/* Write the finished value and a newline; -ENOMEM if it could not be built. */
int json_emit(struct json *j, FILE *out);
/* Escape n bytes of s into dst (for tests and callers that need it). */
void json_escape(struct json *j, const char *s, size_t n);

/* Every JSON line begins so (after a reset): the schema version, its kind. */
void json_envelope(struct json *j, const char *kind);

#endif
