// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: any bytes as a JSON string, and as a name for a terminal and
 * for the journal: the JSON line is valid UTF-8 and one line, the
 * terminal form has no control byte, the journal form is valid UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "base/json.h"
#include "base/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *out = NULL, *buf;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	struct json j;

	memcpy(s, data, size);
	s[size] = '\0';
	json_init(&j);
	json_obj_begin(&j, NULL);
	json_strn(&j, "raw", (const char *)data, size);
	json_str(&j, s, s);
	json_obj_end(&j);
	json_emit(&j, f);
	json_free(&j);
	fclose(f);
	fuzz_check_utf8(out, olen);
	if (olen && memchr(out, '\n', olen - 1))
		abort(); /* one line */
	buf = malloc(4 * size + 1);
	tty_safe(s, buf, 4 * size + 1);
	fuzz_check_printable(buf, strlen(buf));
	utf8_safe(s, buf, 4 * size + 1);
	fuzz_check_utf8(buf, strlen(buf));
	free(buf);
	free(out);
	free(s);
	return 0;
}
