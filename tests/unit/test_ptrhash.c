// SPDX-License-Identifier: GPL-2.0
/* Kernel addresses become keyed hashes, stable within a run. */
#include "base/ptrhash.h"
#include "test.h"

void test_ptrhash(void)
{
	char a[PTRHASH_LEN], b[PTRHASH_LEN], c[PTRHASH_LEN];
	unsigned long long p = 0xffff888012345678ULL;

	ASSERT_EQ(ptrhash_init(false), 0, "init");
	ptrhash(p, a);
	ptrhash(p, b);
	ptrhash(p + 64, c);
	ASSERT_STREQ(a, b, "stable");
	ASSERT_TRUE(strcmp(a, c) != 0, "distinct objects differ");
	ASSERT_EQ(strlen(a), 12, "short");
	ASSERT_TRUE(!strstr(a, "12345678") && !strstr(a, "ffff888"), "no address bits");
	ASSERT_STREQ(ptrhash(0, a), "", "null pointer");
	ASSERT_EQ(ptrhash_init(true), 0, "init raw");
	ASSERT_STREQ(ptrhash(p, a), "ffff888012345678", "raw on request");
	ptrhash_init(false);
}
