// SPDX-License-Identifier: GPL-2.0
/* Open-addressing u64 -> pointer table (see table.h). */
#include <errno.h>
#include <stdlib.h>

#include "base/table.h"

static size_t slot_of(uint64_t key, size_t cap)
{
	/* kernel addresses share their high bits: mix before masking */
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return key & (cap - 1);
}

void table_init(struct table *t)
{
	t->slots = NULL;
	t->cap = t->n = 0;
}

void table_fini(struct table *t)
{
	free(t->slots);
	table_init(t);
}

void *table_get(const struct table *t, uint64_t key)
{
	if (!t->cap)
		return NULL;
	for (size_t i = slot_of(key, t->cap);; i = (i + 1) & (t->cap - 1)) {
		if (!t->slots[i].val)
			return NULL;
		if (t->slots[i].key == key)
			return t->slots[i].val;
	}
}

static int grow(struct table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct table_slot *old = t->slots, *s = calloc(cap, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		size_t j;

		if (!old[i].val)
			continue;
		for (j = slot_of(old[i].key, cap); s[j].val; j = (j + 1) & (cap - 1))
			;
		s[j] = old[i];
	}
	free(old);
	t->slots = s;
	t->cap = cap;
	return 0;
}

int table_put(struct table *t, uint64_t key, void *val)
{
	size_t i;

	if ((t->n + 1) * 4 > t->cap * 3 && grow(t))
		return -ENOMEM;
	for (i = slot_of(key, t->cap); t->slots[i].val; i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i].key == key) {
			t->slots[i].val = val;
			return 0;
		}
	}
	t->slots[i].key = key;
	t->slots[i].val = val;
	t->n++;
	return 0;
}

void *table_del(struct table *t, uint64_t key)
{
	size_t i, j;
	void *val;

	if (!t->cap)
		return NULL;
	for (i = slot_of(key, t->cap);; i = (i + 1) & (t->cap - 1)) {
		if (!t->slots[i].val)
			return NULL;
		if (t->slots[i].key == key)
			break;
	}
	val = t->slots[i].val;
	t->slots[i].val = NULL;
	t->n--;
	/* shift back the entries that probed past the hole */
	for (j = (i + 1) & (t->cap - 1); t->slots[j].val; j = (j + 1) & (t->cap - 1)) {
		size_t home = slot_of(t->slots[j].key, t->cap);

		/* does home lie cyclically in (i, j]? then it stays */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j].val = NULL;
		i = j;
	}
	return val;
}
