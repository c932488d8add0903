// SPDX-License-Identifier: GPL-2.0
/* iommutrace: trace iommufd object lifetimes. Entry point and command table. */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "cmd/cli.h"
#include "iommutrace.h"

#define IOMMUTRACE_VERSION "0.1.0"

static const struct cmd *const cmds[] = {
	&cmd_live_def,
	&cmd_check_def,
	&cmd_record_def,
	&cmd_replay_def,
	&cmd_graph_def,
	&cmd_daemon_def,
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: iommutrace [COMMAND] [OPTIONS]\n\n"
		   "Watch the lifetimes of iommufd objects (devices, vDEVICEs, vIOMMUs,\n"
		   "HWPTs, IOASes) on the running kernel through kprobes and BPF.\n\n"
		   "COMMANDS\n");
	for (size_t i = 0; i < N_CMDS; i++)
		fprintf(f, "  %-8s %.*s\n", cmds[i]->name,
			(int)strcspn(cmds[i]->summary, "\n:"), cmds[i]->summary);
	fprintf(f, "  %-8s %s\n", "help", "this help, or a command's: iommutrace help live");
	fprintf(f, "  %-8s %s\n", "version", "print the version");
	fprintf(f, "\nWithout a command, iommutrace runs 'live'.\n"
		   "\nEXAMPLES\n  iommutrace check\n  iommutrace live --json\n"
		   "\nEXIT STATUS\n  0 ok, 1 violations found, 2 usage or environment error\n");
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < N_CMDS; i++)
		if (!strcmp(cmds[i]->name, name)) /* exact names, no prefixes */
			return cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage(stdout);
			return EXIT_OK;
		}
		if (argc >= 2 && !strcmp(argv[1], "--version"))
			goto version;
		/* the default command: live, with these options */
		return cmd_live(argc, argv);
	}
	if (!strcmp(argv[1], "help")) {
		if (argc > 2) {
			c = find_cmd(argv[2]);
			if (!c) {
				fprintf(stderr, "iommutrace: no command '%s'\n", argv[2]);
				return EXIT_USAGE;
			}
			cmd_help(c, true);
			return EXIT_OK;
		}
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "version")) {
version:
		printf("iommutrace %s (record ABI %d, JSON schema %d)\n", IOMMUTRACE_VERSION,
		       IT_ABI_VERSION, JSON_SCHEMA_VERSION);
		return EXIT_OK;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "iommutrace: no command '%s'; try 'iommutrace --help'\n", argv[1]);
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
