/* SPDX-License-Identifier: GPL-2.0 */
/* Verdicts into the journal, or stderr with <N> prefixes (s->journal false). */
#ifndef IT_SINK_JOURNAL_H
#define IT_SINK_JOURNAL_H

#include <stdbool.h>
#include "sink.h"

extern const struct sink_ops sink_journal_ops;

/* journald's socket is there to write to */
bool journal_available(void);

#endif
