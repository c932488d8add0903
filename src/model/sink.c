// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "base/clock.h"
#include "model/sink.h"

void sink_init(struct sink *s, const struct sink_ops *ops, FILE *out)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->out = out;
	s->real_offset_ns = realtime_offset_ns();
}

void sink_fini(struct sink *s)
{
	if (s->ops->fini)
		s->ops->fini(s);
	if (s->out)
		fflush(s->out);
}
