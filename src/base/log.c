// SPDX-License-Identifier: GPL-2.0
/* Messages on stderr, prefixed with the program name; -v raises the level. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "base/log.h"

int log_level = LOG_INFO;
bool log_syslog_prefix;

/* <N> as in sd-daemon(3): warning, info, debug */
static const char *const prefix[] = { "<4>", "<6>", "<7>", "<7>" };

/*
 * With prefixes, every line of a message carries its own: journald and
 * syslog take each line on its own, and a "  fix: ..." line must keep the
 * level of its message.
 */
static void put_lines(const char *pfx, const char *who, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		fprintf(stderr, "%s%s%.*s\n", pfx, p == text ? who : "", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;

	if ((int)level > log_level)
		return;
	va_start(ap, fmt);
	if (!log_syslog_prefix) {
		fputs("iommutrace: ", stderr);
		vfprintf(stderr, fmt, ap);
	} else if (vasprintf(&text, fmt, ap) >= 0) {
		put_lines(prefix[level], "iommutrace: ", text);
		free(text);
	}
	va_end(ap);
}

/* libbpf's own messages, one level lower than ours */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int ours = level == LIBBPF_WARN ? LOG_INFO :
		   level == LIBBPF_INFO ? LOG_DEBUG : LOG_LIBBPF_DEBUG;

	char *text = NULL;

	if (ours > log_level)
		return 0;
	if (!log_syslog_prefix) {
		fputs("libbpf: ", stderr);
		return vfprintf(stderr, fmt, ap);
	}
	if (vasprintf(&text, fmt, ap) < 0)
		return 0;
	put_lines(prefix[ours], "libbpf: ", text);
	free(text);
	return 0;
}

void log_init(int verbosity)
{
	log_level = LOG_INFO + verbosity;
	libbpf_set_print(libbpf_print);
}
