// SPDX-License-Identifier: GPL-2.0
/* Option values are checked and errors name the option. */
#include "cli.h"
#include "test.h"

void test_parse_numbers(void)
{
	unsigned long long v;

	ASSERT_EQ(parse_size("ringbuf-size", "4M", &v), 0, "4M");
	ASSERT_EQ(v, 4ULL << 20, "4M value");
	ASSERT_EQ(parse_size("ringbuf-size", "65536", &v), 0, "bytes");
	ASSERT_EQ(v, 65536, "bytes value");
	ASSERT_TRUE(parse_size("ringbuf-size", "4Q", &v) != 0, "bad suffix");
	ASSERT_TRUE(parse_size("ringbuf-size", "-1", &v) != 0, "negative");
	ASSERT_EQ(parse_ull("pid", "123", &v), 0, "pid");
	ASSERT_TRUE(parse_ull("pid", "12x", &v) != 0, "trailing garbage");
	ASSERT_TRUE(parse_ull("pid", "", &v) != 0, "empty");
	ASSERT_EQ(parse_ringbuf_size("live", "16K", &v), 0, "16K ring buffer");
	ASSERT_TRUE(parse_ringbuf_size("live", "3M", &v) != 0, "not a power of two");
	ASSERT_TRUE(parse_ringbuf_size("live", "2048", &v) != 0, "below 4 KiB");
	ASSERT_TRUE(parse_ringbuf_size("record", "2G", &v) != 0, "above 1 GiB");
}
