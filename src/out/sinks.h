/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outputs of the pipeline: text for a terminal, NDJSON, the journal
 * (or stderr with <N> prefixes). Each is a struct sink (model/sink.h)
 * with its own state behind it; sink_free() ends any of them.
 */
#ifndef IT_OUT_SINKS_H
#define IT_OUT_SINKS_H

#include <stdbool.h>
#include <stdio.h>
#include "base/json.h"
#include "model/sink.h"

struct sink *sink_tty_new(FILE *out);
/* wall_time: a "time" (UTC, RFC 3339) on every line */
struct sink *sink_json_new(FILE *out, bool wall_time);
/* to_journal false: one line each on fallback, with a <N> prefix */
struct sink *sink_journal_new(FILE *fallback, bool to_journal);
void sink_journal_use(struct sink *s, bool to_journal);
bool sink_journal_uses(const struct sink *s);
/* journald's socket is there to write to */
bool journal_available(void);
/* sink_fini() and free; NULL is nothing */
void sink_free(struct sink *s);

/* real_ns as UTC, RFC 3339 with microseconds */
void json_wall_time(char *buf, size_t len, long long real_ns);
/* "rules": { name: { violations, uncertain, degraded } } */
void json_rules(struct json *j, const struct rules *r);
const char *remove_flags_str(unsigned int flags, char *buf, size_t len);

#endif
