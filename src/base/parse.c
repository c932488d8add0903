// SPDX-License-Identifier: GPL-2.0
/* Numbers and addresses from people (see parse.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/parse.h"

int parse_num(const char *s, bool size, unsigned long long min, unsigned long long max,
	      unsigned long long *out, char *why, size_t whylen)
{
	unsigned long long v = 0;
	const char *p = s;
	int shift = 0;

	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = *p - '0';

		if (v > (~0ULL - d) / 10)
			goto bad;
		v = v * 10 + d;
	}
	if (size && *p) {
		switch (tolower((unsigned char)*p)) {
		case 'k': shift = 10; break;
		case 'm': shift = 20; break;
		case 'g': shift = 30; break;
		default: goto bad;
		}
		p++;
		if (v > (~0ULL >> shift))
			goto bad;
		v <<= shift;
	}
	if (*p || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	if (size)
		snprintf(why, whylen, "a size from %llu to %llu bytes (K, M and G suffixes "
			 "taken: 4M, 262144)", min, max);
	else
		snprintf(why, whylen, "a whole number from %llu to %llu", min, max);
	return -EINVAL;
}

int parse_loopback(const char *s, struct sockaddr_storage *addr, char *why, size_t whylen)
{
	const char *colon = strrchr(s, ':');
	char host[64];
	unsigned long long port;
	char pwhy[96];

	memset(addr, 0, sizeof(*addr));
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		goto bad;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	if (parse_num(colon + 1, false, 1, 65535, &port, pwhy, sizeof(pwhy)))
		goto bad;
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (!strcmp(host, "[::1]")) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		return 0;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)addr;

	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	if (inet_pton(AF_INET, host, &a->sin_addr) == 1 &&
	    (ntohl(a->sin_addr.s_addr) >> 24) == 127)
		return 0;
bad:
	snprintf(why, whylen, "a loopback ADDRESS:PORT such as 127.0.0.1:9477 ([::1]:PORT, "
		 "localhost:PORT; PORT from 1 to 65535): metrics are not served beyond this host");
	return -EINVAL;
}
