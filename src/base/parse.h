/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one number parser and the one ADDRESS:PORT parser, for the command
 * line and the configuration file alike: decimal only (no octal "010", no
 * hex), no sign, overflow caught, the range checked, and on refusal a
 * reason that names the allowed values.
 */
#ifndef IT_PARSE_H
#define IT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

/*
 * s as a number from min to max; with size, a K, M or G suffix (powers of
 * 1024) is taken too. 0, or -EINVAL with why (e.g. "a number from 1 to
 * 3600000") filled in.
 */
int parse_num(const char *s, bool size, unsigned long long min, unsigned long long max,
	      unsigned long long *out, char *why, size_t whylen);

/*
 * A loopback ADDRESS:PORT: 127.x.y.z:PORT, [::1]:PORT or localhost:PORT,
 * PORT from 1 to 65535, into *addr (sockaddr_in or sockaddr_in6). 0, or
 * -EINVAL with why filled in.
 */
int parse_loopback(const char *s, struct sockaddr_storage *addr, char *why, size_t whylen);

#endif
