// SPDX-License-Identifier: GPL-2.0
/* Messages on stderr, prefixed with the program name; -v raises the level. */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "log.h"

int log_level = LOG_INFO;
bool log_syslog_prefix;

/* <N> as in sd-daemon(3): warning, info, debug */
static const char *const prefix[] = { "<4>", "<6>", "<7>", "<7>" };

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if ((int)level > log_level)
		return;
	if (log_syslog_prefix)
		fputs(prefix[level], stderr);
	fputs("iommutrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* libbpf's own messages, one level lower than ours */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int ours = level == LIBBPF_WARN ? LOG_INFO :
		   level == LIBBPF_INFO ? LOG_DEBUG : LOG_LIBBPF_DEBUG;

	if (ours > log_level)
		return 0;
	if (log_syslog_prefix)
		fputs(prefix[ours], stderr);
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

void log_init(int verbosity)
{
	log_level = LOG_INFO + verbosity;
	libbpf_set_print(libbpf_print);
}
