// SPDX-License-Identifier: GPL-2.0
/* iommutrace: trace iommufd object lifetimes. The entry point (the commands are in cli.c). */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "cmd/cli.h"
#include "iommutrace.h"

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage_main(stdout);
			return EXIT_OK;
		}
		if (argc >= 2 && !strcmp(argv[1], "--version"))
			goto version;
		/* the default command: live, with these options */
		return cmd_live(argc, argv);
	}
	if (!strcmp(argv[1], "help")) {
		if (argc > 2) {
			c = cmd_find(argv[2]);
			if (!c) {
				fprintf(stderr, "iommutrace: no command '%s'\n", argv[2]);
				return EXIT_USAGE;
			}
			cmd_help(c, true);
			return EXIT_OK;
		}
		usage_main(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "version")) {
version:
		printf("iommutrace %s (record ABI %d, JSON schema %d)\n", IOMMUTRACE_VERSION,
		       IT_ABI_VERSION, JSON_SCHEMA_VERSION);
		return EXIT_OK;
	}
	c = cmd_find(argv[1]);
	if (!c) {
		fprintf(stderr, "iommutrace: no command '%s'; try 'iommutrace --help'\n", argv[1]);
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
