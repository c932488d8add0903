// SPDX-License-Identifier: GPL-2.0
/* Kernel stacks by id (see stacks.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/stacks.h"

void stacks_init(struct stacks *s)
{
	table_init(&s->by_id);
}

static void kstack_free(struct kstack *k)
{
	if (!k)
		return;
	for (int i = 0; i < k->n; i++)
		free(k->frames[i]);
	free(k->frames);
	free(k);
}

void stacks_fini(struct stacks *s)
{
	struct table_slot *slot;

	table_for_each(&s->by_id, slot)
		kstack_free(slot->val);
	table_fini(&s->by_id);
}

const struct kstack *stacks_get(const struct stacks *s, unsigned int id)
{
	return id ? table_get(&s->by_id, id) : NULL;
}

int stacks_put(struct stacks *s, unsigned int id, char **frames, int n)
{
	struct kstack *k = calloc(1, sizeof(*k));

	if (!k) {
		for (int i = 0; i < n; i++)
			free(frames[i]);
		free(frames);
		return -ENOMEM;
	}
	k->n = n;
	k->frames = frames;
	kstack_free(table_get(&s->by_id, id));
	if (table_put(&s->by_id, id, k)) {
		kstack_free(k);
		return -ENOMEM;
	}
	return 0;
}
