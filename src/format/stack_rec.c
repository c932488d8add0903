// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iommutrace.h"
#include "format/stack_rec.h"

int stack_rec_encode(unsigned int id, char *const *frames, int n, void **rec, size_t *len)
{
	size_t l = sizeof(struct it_stack_rec);
	struct it_stack_rec *s;
	char *p;

	for (int i = 0; i < n; i++)
		l += strlen(frames[i]) + 1;
	l = (l + 7) & ~7UL;
	s = calloc(1, l);
	if (!s)
		return -ENOMEM;
	s->hdr.type = IT_REC_STACK;
	s->hdr.size = l;
	s->stack_id = id;
	s->nframes = n;
	p = (char *)(s + 1);
	for (int i = 0; i < n; i++)
		p = stpcpy(p, frames[i]) + 1;
	*rec = s;
	*len = l;
	return 0;
}

int stack_rec_decode(const void *rec, size_t len, unsigned int *id, char ***frames)
{
	struct it_stack_rec r;
	const char *text = (const char *)rec + sizeof(r), *end = (const char *)rec + len;
	int n = 0;

	memcpy(&r, rec, sizeof(r));
	*id = r.stack_id;
	*frames = calloc(r.nframes + 1, sizeof(**frames));
	if (!*frames)
		return -ENOMEM;
	while (n < r.nframes && text < end) {
		size_t l = strnlen(text, end - text);

		if (text + l >= end) /* not terminated: malformed */
			break;
		(*frames)[n] = strdup(text);
		if (!(*frames)[n])
			break;
		n++;
		text += l + 1;
	}
	return n;
}
