/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's configuration: `key = value` lines, `#` comments, read from
 * a file and overridden from the command line, one table for both.
 */
#ifndef IT_CONFIG_H
#define IT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONFIG_DEFAULT_PATH "/etc/iommutrace/iommutrace.conf"
#define CONFIG_PATH_LEN 512

enum log_target { LOG_AUTO, LOG_JOURNAL, LOG_STDERR };

/* --stacks: which events get a kernel stack */
enum stacks_mode {
	STACKS_PROOF, /* those the rules can report on: every stack a report shows */
	STACKS_ALL,
	STACKS_NONE,
};
/* "proof", "all", "none" (and, as in older configurations, "yes", "no") */
int stacks_mode_parse(const char *s, enum stacks_mode *mode);
const char *stacks_mode_name(enum stacks_mode mode);

struct daemon_config {
	unsigned long long ringbuf_size;
	int stacks; /* enum stacks_mode */
	int attach; /* enum attach_mode */
	unsigned long long long_wait_ms;
	int log; /* enum log_target */
	char export_path[CONFIG_PATH_LEN];
	bool export_events;
	unsigned long long export_max_size;
	unsigned long long export_backups;
	bool export_compress;
	unsigned long long snapshot_interval_s;
	char metrics_file[CONFIG_PATH_LEN];
	unsigned long long metrics_interval_s;
	char metrics_listen[64];
	bool raw_pointers;
	int owner; /* enum owner_mode */
};

void config_defaults(struct daemon_config *c);
/* One setting; on error -EINVAL with the reason in err. */
int config_set(struct daemon_config *c, const char *key, const char *value, char *err,
	       size_t errlen);
/*
 * One "key = value" line, as in the file (and --set): spaces around both
 * trimmed, a comment from a '#' at the start or after a space dropped (a
 * value may hold '#' elsewhere: /var/log/a#b).
 */
int config_set_line(struct daemon_config *c, const char *line, char *err, size_t errlen);
/*
 * Read a file over *c. A missing file is an error only when must_exist;
 * errors name the file and line.
 */
int config_load(struct daemon_config *c, const char *path, bool must_exist, char *err,
		size_t errlen);
/* Whether a change needs a restart (what is fixed once the BPF side is loaded). */
bool config_needs_restart(const struct daemon_config *a, const struct daemon_config *b);
/* The settings, in the table's order: names, meanings, values as the file writes them. */
size_t config_n_keys(void);
const char *config_key_name(size_t i);
const char *config_key_help(size_t i);
/* the words a setting may be, space-separated (NULL: a number, path or address) */
const char *config_key_values(size_t i);
/* whether it is a size (4M, 64M) */
bool config_key_is_size(size_t i);
void config_key_value(const struct daemon_config *c, size_t i, char *buf, size_t len);
/* The settings and what they mean, as a commented file. */
void config_print(const struct daemon_config *c, FILE *out);

#endif
