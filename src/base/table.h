/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An open-addressing hash table from a 64-bit key to a pointer: linear
 * probing, deletion by backward shift (no tombstones). On the per-event
 * path of the graph; tests/unit/test_table.c checks it against a list.
 */
#ifndef IT_TABLE_H
#define IT_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct table {
	struct table_slot {
		uint64_t key;
		void *val; /* NULL: empty */
	} *slots;
	size_t cap; /* power of two */
	size_t n;
};

void table_init(struct table *t);
void table_fini(struct table *t);
void *table_get(const struct table *t, uint64_t key);
/* Insert or replace; val must not be NULL. Returns 0 or -ENOMEM. */
int table_put(struct table *t, uint64_t key, void *val);
/* Returns the removed value, or NULL. */
void *table_del(struct table *t, uint64_t key);

#define table_for_each(t, slot)                                                \
	for ((slot) = (t)->slots; (t)->slots && (slot) < (t)->slots + (t)->cap; (slot)++) \
		if ((slot)->val)

#endif
