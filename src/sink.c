// SPDX-License-Identifier: GPL-2.0
/* What the sinks share. */
#include <string.h>
#include <time.h>

#include "sink.h"

void sink_init(struct sink *s, const struct sink_ops *ops, FILE *out)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->out = out;
	s->real_offset_ns = realtime_offset_ns();
	json_init(&s->j);
}

void sink_fini(struct sink *s)
{
	json_free(&s->j);
	if (s->out)
		fflush(s->out);
}

long long realtime_offset_ns(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (rt.tv_sec - mono.tv_sec) * 1000000000LL + (rt.tv_nsec - mono.tv_nsec);
}

const char *remove_flags_str(unsigned int flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
		 flags & IT_EVF_REMOVE_WAIT ? "wait" : "",
		 (flags & IT_EVF_REMOVE_WAIT) && (flags & IT_EVF_REMOVE_TOMBSTONE) ? "," : "",
		 flags & IT_EVF_REMOVE_TOMBSTONE ? "tombstone" : "");
	return buf;
}
