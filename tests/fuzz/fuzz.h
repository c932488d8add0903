/* SPDX-License-Identifier: GPL-2.0 */
/* What every fuzz target checks of its output; a failed check aborts. */
#ifndef IT_FUZZ_H
#define IT_FUZZ_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <wchar.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Well-formed UTF-8 throughout (the JSON and journal forms), by an oracle
 * that is not ours: glibc's decoder.
 */
static inline void fuzz_check_utf8(const char *s, size_t n)
{
	static locale_t utf8;
	locale_t old;
	mbstate_t st = { 0 };

	if (!utf8)
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	old = uselocale(utf8);
	while (n) {
		size_t r = mbrtowc(NULL, s, n, &st);

		if (r == (size_t)-1 || r == (size_t)-2 || !r) /* not UTF-8, or a NUL */
			abort();
		s += r;
		n -= r;
	}
	uselocale(old);
}

/* no control byte but newlines and tabs (what a terminal gets) */
static inline void fuzz_check_printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') || s[i] == 0x7f)
			abort();
}

#endif
