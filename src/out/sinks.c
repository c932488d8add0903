// SPDX-License-Identifier: GPL-2.0
/* What the sinks share. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out/sinks.h"

void sink_free(struct sink *s)
{
	if (!s)
		return;
	sink_fini(s);
	free(s);
}

void json_wall_time(char *buf, size_t len, long long real_ns)
{
	long long ns = ((real_ns % 1000000000LL) + 1000000000LL) % 1000000000LL;
	time_t sec = (real_ns - ns) / 1000000000LL;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06lldZ", ns / 1000);
}

const char *remove_flags_str(unsigned int flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
		 flags & IT_EVF_REMOVE_WAIT ? "wait" : "",
		 (flags & IT_EVF_REMOVE_WAIT) && (flags & IT_EVF_REMOVE_TOMBSTONE) ? "," : "",
		 flags & IT_EVF_REMOVE_TOMBSTONE ? "tombstone" : "");
	return buf;
}
