/* SPDX-License-Identifier: GPL-2.0 */
/* One logging module for the whole program; libbpf's messages go through it. */
#ifndef IT_LOG_H
#define IT_LOG_H

#include <stdbool.h>

enum log_level { LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_LIBBPF_DEBUG };

extern int log_level;
/* start every message with its syslog priority, <N> (the daemon does) */
extern bool log_syslog_prefix;

void log_init(int verbosity);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
