// SPDX-License-Identifier: GPL-2.0
/* The hash table against a plain array, through growth and deletions. */
#include <stdlib.h>

#include "base/table.h"
#include "test.h"

#define N 5000

void test_table(void)
{
	static uint64_t keys[N];
	static bool present[N];
	struct table t;
	int live = 0, mismatches = 0;

	table_init(&t);
	srand(1);
	for (int i = 0; i < N; i++) /* clustered like kernel addresses */
		keys[i] = 0xffff888000000000ULL + (uint64_t)i * 64 + (rand() % 2) * 0x100000;
	for (int round = 0; round < 20000; round++) {
		int i = rand() % N;

		if (rand() % 3) {
			if (!present[i])
				live++;
			present[i] = true;
			table_put(&t, keys[i], &keys[i]);
		} else {
			void *v = table_del(&t, keys[i]);

			if ((v != NULL) != present[i])
				mismatches++;
			if (present[i])
				live--;
			present[i] = false;
		}
	}
	for (int i = 0; i < N; i++)
		if ((table_get(&t, keys[i]) == &keys[i]) != present[i])
			mismatches++;
	ASSERT_EQ(mismatches, 0, "agrees with the reference");
	ASSERT_EQ(t.n, live, "count");
	ASSERT_TRUE(table_get(&t, 42) == NULL, "absent key");
	table_fini(&t);
}
