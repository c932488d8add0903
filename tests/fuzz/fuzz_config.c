// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the daemon's configuration file, and each of its lines as
 * --set: no crash; a file either applies whole or not at all; an error
 * always says something; --print-config of what was applied reads back
 * to the same settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64], printed[64];
	struct daemon_config c, before, again;
	char err[512] = "";
	FILE *f;
	int ret;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/iommutrace-fuzz-%d.conf", getpid());
		snprintf(printed, sizeof(printed), "/tmp/iommutrace-fuzz-%d.printed", getpid());
	}
	f = fopen(path, "w");
	fwrite(data, 1, size, f);
	fclose(f);
	config_defaults(&c);
	before = c;
	ret = config_load(&c, path, true, err, sizeof(err));
	if (ret) {
		if (!err[0] || memcmp(&c, &before, sizeof(c)))
			abort(); /* silent, or half applied */
	} else {
		/* what is applied prints as a file that gives it back */
		f = fopen(printed, "w");
		config_print(&c, f);
		fclose(f);
		config_defaults(&again);
		if (config_load(&again, printed, true, err, sizeof(err)) ||
		    memcmp(&c, &again, sizeof(c)))
			abort();
	}
	/* the input's first line as --set */
	{
		char line[1100];
		size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;

		memcpy(line, data, n);
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		config_defaults(&c);
		err[0] = '\0';
		if (config_set_line(&c, line, err, sizeof(err)) && !err[0])
			abort();
	}
	return 0;
}
