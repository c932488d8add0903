// SPDX-License-Identifier: GPL-2.0
/* Safe strings (see text.h). */
#include <stdio.h>

#include "text.h"

const char *tty_safe(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return "";
	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			o += snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}
