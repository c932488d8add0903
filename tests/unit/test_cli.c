// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers and addresses from people: one parser for the command line and
 * the configuration file; decimal only, overflow caught, ranges checked,
 * and every refusal says what is allowed.
 */
#include <arpa/inet.h>

#include "cmd/cli.h"
#include "base/parse.h"
#include "test.h"

void test_parse_numbers(void)
{
	unsigned long long v;
	char why[160];

	ASSERT_EQ(parse_num("4M", true, 4096, 1ULL << 30, &v, why, sizeof(why)), 0, "4M");
	ASSERT_EQ(v, 4ULL << 20, "4M value");
	ASSERT_EQ(parse_num("65536", true, 0, ~0ULL, &v, why, sizeof(why)), 0, "bytes");
	ASSERT_EQ(v, 65536, "bytes value");
	ASSERT_EQ(parse_num("010", false, 0, 100, &v, why, sizeof(why)), 0, "leading zero");
	ASSERT_EQ(v, 10, "decimal, not octal");
	ASSERT_TRUE(parse_num("0x10", false, 0, 100, &v, why, sizeof(why)) != 0, "no hex");
	ASSERT_TRUE(parse_num("4Q", true, 0, ~0ULL, &v, why, sizeof(why)) != 0, "bad suffix");
	ASSERT_TRUE(parse_num("-1", false, 0, ~0ULL, &v, why, sizeof(why)) != 0, "negative");
	ASSERT_TRUE(parse_num("+1", false, 0, ~0ULL, &v, why, sizeof(why)) != 0, "a sign");
	ASSERT_TRUE(parse_num(" 1", false, 0, ~0ULL, &v, why, sizeof(why)) != 0, "a space");
	ASSERT_TRUE(parse_num("", false, 0, ~0ULL, &v, why, sizeof(why)) != 0, "empty");
	ASSERT_TRUE(parse_num("12x", false, 0, ~0ULL, &v, why, sizeof(why)) != 0, "garbage");
	ASSERT_EQ(parse_num("18446744073709551615", false, 0, ~0ULL, &v, why, sizeof(why)), 0,
		  "2^64 - 1");
	ASSERT_TRUE(parse_num("18446744073709551616", false, 0, ~0ULL, &v, why, sizeof(why)) != 0,
		    "2^64 overflows");
	ASSERT_TRUE(parse_num("17179869184G", true, 0, ~0ULL, &v, why, sizeof(why)) != 0,
		    "the suffix overflows");
	ASSERT_TRUE(parse_num("3600001", false, 1, 3600000, &v, why, sizeof(why)) != 0, "range");
	ASSERT_STREQ(why, "a whole number from 1 to 3600000", "the refusal names the range");
	ASSERT_EQ(parse_ringbuf_size("live", "16K", &v), 0, "16K ring buffer");
	ASSERT_TRUE(parse_ringbuf_size("live", "3M", &v) != 0, "not a power of two");
	ASSERT_TRUE(parse_ringbuf_size("live", "2048", &v) != 0, "below 4 KiB");
	ASSERT_TRUE(parse_ringbuf_size("record", "2G", &v) != 0, "above 1 GiB");
	ASSERT_EQ(parse_opt_num("live", "pid", "4194304", 1, 1 << 22, &v), 0, "pid at its max");
	ASSERT_TRUE(parse_opt_num("live", "pid", "0", 1, 1 << 22, &v) != 0, "pid 0");
}

void test_parse_loopback(void)
{
	struct sockaddr_storage ss;
	char why[200];

	ASSERT_EQ(parse_loopback("127.0.0.1:9477", &ss, why, sizeof(why)), 0, "127.0.0.1");
	ASSERT_EQ(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9477, "port");
	ASSERT_EQ(parse_loopback("127.1.2.3:1", &ss, why, sizeof(why)), 0, "127/8");
	ASSERT_EQ(parse_loopback("[::1]:65535", &ss, why, sizeof(why)), 0, "::1");
	ASSERT_EQ(ss.ss_family, AF_INET6, "v6");
	ASSERT_EQ(parse_loopback("localhost:80", &ss, why, sizeof(why)), 0, "localhost");
	/* each passed the old check, and failed only when the daemon started */
	ASSERT_TRUE(parse_loopback("127.foo:9477", &ss, why, sizeof(why)) != 0, "not an address");
	ASSERT_TRUE(parse_loopback("127.0.0.1:99999", &ss, why, sizeof(why)) != 0, "port range");
	ASSERT_TRUE(parse_loopback("127.0.0.1:0", &ss, why, sizeof(why)) != 0, "port 0");
	ASSERT_TRUE(parse_loopback("127.0.0.1:80x", &ss, why, sizeof(why)) != 0, "port garbage");
	ASSERT_TRUE(parse_loopback("10.0.0.1:80", &ss, why, sizeof(why)) != 0, "not loopback");
	ASSERT_TRUE(parse_loopback("[::2]:80", &ss, why, sizeof(why)) != 0, "not ::1");
	ASSERT_HAS(why, "loopback ADDRESS:PORT", why);
}
