// SPDX-License-Identifier: GPL-2.0
/* Safe strings (see text.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"

size_t utf8_len(const unsigned char *u, size_t n)
{
	unsigned char c = u[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0; /* a continuation byte, C0/C1 (overlong), F5-FF */
	}
	if (len > n || u[1] < lo || u[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if ((u[k] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * Copy s into buf, what is unsafe for the output made safe: for a terminal
 * (tty) control characters and bytes that are not UTF-8 as \xNN, else
 * bytes that are not UTF-8 as U+FFFD. Never cuts inside a unit.
 */
static const char *make_safe(const char *s, char *buf, size_t len, bool tty)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;

	if (!len)
		return "";
	while (i < n) {
		size_t l = utf8_len(u + i, n - i), need;
		/* not UTF-8; or, for a terminal, C0, DEL or U+0080..U+009F */
		bool bad = !l || (tty && (u[i] < 0x20 || u[i] == 0x7f ||
					  (u[i] == 0xc2 && u[i + 1] < 0xa0)));

		if (!l)
			l = 1;
		need = !bad ? l : tty ? 4 * l : 3;
		if (o + need + 1 > len)
			break;
		if (!bad)
			memcpy(buf + o, u + i, l);
		else if (!tty)
			memcpy(buf + o, "\xef\xbf\xbd", 3);
		else
			for (size_t k = 0; k < l; k++)
				snprintf(buf + o + 4 * k, 5, "\\x%02x", u[i + k]);
		o += need;
		i += l;
	}
	buf[o] = '\0';
	return buf;
}

const char *tty_safe(const char *s, char *buf, size_t len)
{
	return make_safe(s, buf, len, true);
}

const char *utf8_safe(const char *s, char *buf, size_t len)
{
	return make_safe(s, buf, len, false);
}
