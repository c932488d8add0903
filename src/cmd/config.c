// SPDX-License-Identifier: GPL-2.0
/* The daemon's configuration file (see config.h). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/config.h"
#include "kernel/loader.h"
#include "model/owner.h"
#include "base/parse.h"

enum kind { K_BOOL, K_SIZE, K_UINT, K_PATH, K_LOG, K_LISTEN, K_OWNER, K_ATTACH, K_STACKS };

struct key {
	const char *name;
	enum kind kind;
	size_t off, len;
	unsigned long long min, max; /* K_SIZE, K_UINT */
	bool pow2; /* K_SIZE: a power of two */
	const char *help;
};

#define F(field) offsetof(struct daemon_config, field), sizeof(((struct daemon_config *)0)->field)

static const struct key keys[] = {
	{ "ringbuf_size", K_SIZE, F(ringbuf_size), 4096, 1ULL << 30, true,
	  "BPF ring buffer, a power of two from 4K to 1G (a restart applies it)" },
	{ "stacks", K_STACKS, F(stacks), 0, 0, false,
	  "kernel stacks: proof (on the events a report can show, the default), all, or none "
	  "(a restart applies it)" },
	{ "attach", K_ATTACH, F(attach), 0, 0, false,
	  "how to attach: auto (fentry where the kernel allows it, else kprobes), fentry "
	  "or kprobe (a restart applies it)" },
	{ "long_wait_ms", K_UINT, F(long_wait_ms), 1, 3600000, false,
	  "a removal that waits longer is a long_wait violation" },
	{ "log", K_LOG, F(log), 0, 0, false,
	  "where violations go: journal, stderr (with <N> priority prefixes) or auto" },
	{ "export", K_PATH, F(export_path), 0, 0, false,
	  "NDJSON file for dashboards (violations, snapshots); empty: none" },
	{ "export_events", K_BOOL, F(export_events), 0, 0, false, "every event into the export too" },
	{ "export_max_size", K_SIZE, F(export_max_size), 4096, 1ULL << 40, false,
	  "rotate the export when it would grow past this" },
	{ "export_backups", K_UINT, F(export_backups), 0, 1000, false,
	  "rotated exports kept (FILE.1 newest)" },
	{ "export_compress", K_BOOL, F(export_compress), 0, 0, false, "gzip rotated exports (FILE.N.gz)" },
	{ "snapshot_interval", K_UINT, F(snapshot_interval_s), 0, 86400, false,
	  "seconds between snapshots of graph and counters in the export; 0: none" },
	{ "metrics_file", K_PATH, F(metrics_file), 0, 0, false,
	  "Prometheus text file, replaced atomically (node_exporter's textfile collector)" },
	{ "metrics_interval", K_UINT, F(metrics_interval_s), 1, 86400, false,
	  "seconds between rewrites of metrics_file" },
	{ "metrics_listen", K_LISTEN, F(metrics_listen), 0, 0, false,
	  "serve /metrics over HTTP on this loopback address:port; empty: none" },
	{ "raw_pointers", K_BOOL, F(raw_pointers), 0, 0, false,
	  "export kernel addresses instead of keyed hashes" },
	{ "owner", K_OWNER, F(owner), 0, 0, false,
	  "context owners' VM names and cgroup paths in the journal and the export: full, "
	  "hash (keyed, stable until a restart) or omit" },
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

int stacks_mode_parse(const char *s, enum stacks_mode *mode)
{
	if (!strcmp(s, "proof") || !strcmp(s, "yes"))
		*mode = STACKS_PROOF;
	else if (!strcmp(s, "all"))
		*mode = STACKS_ALL;
	else if (!strcmp(s, "none") || !strcmp(s, "no"))
		*mode = STACKS_NONE;
	else
		return -1;
	return 0;
}

const char *stacks_mode_name(enum stacks_mode mode)
{
	return mode == STACKS_ALL ? "all" : mode == STACKS_NONE ? "none" : "proof";
}

/* The value of a K_STACKS or K_ATTACH key; -1 if it is none of its names. */
static int set_mode(enum kind kind, int *field, const char *v)
{
	enum stacks_mode s;
	enum attach_mode a;

	if (kind == K_STACKS && !stacks_mode_parse(v, &s))
		*field = s;
	else if (kind == K_ATTACH && !attach_mode_parse(v, &a))
		*field = a;
	else
		return -1;
	return 0;
}

void config_defaults(struct daemon_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ringbuf_size = 4 << 20;
	c->stacks = STACKS_PROOF;
	c->long_wait_ms = 100;
	c->log = LOG_AUTO;
	c->export_max_size = 64 << 20;
	c->export_backups = 5;
	c->export_compress = true;
	c->snapshot_interval_s = 60;
	c->metrics_interval_s = 15;
}

/* A number in its range (and a power of two where the key asks one). */
static int set_number(const struct key *k, char *field, const char *v, char *err,
		      size_t errlen)
{
	unsigned long long n;
	char why[192];

	if (parse_num(v, k->kind == K_SIZE, k->min, k->max, &n, why, sizeof(why))) {
		snprintf(err, errlen, "%s = %s: give %s", k->name, v, why);
		return -EINVAL;
	}
	if (k->pow2 && (n & (n - 1))) {
		snprintf(err, errlen, "%s = %s: give a power of two (4K, 1M, 4M, ...)", k->name, v);
		return -EINVAL;
	}
	*(unsigned long long *)field = n;
	return 0;
}

int config_set(struct daemon_config *c, const char *name, const char *v, char *err,
	       size_t errlen)
{
	const struct key *k = NULL;
	char *field;

	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(keys[i].name, name))
			k = &keys[i];
	if (!k) {
		snprintf(err, errlen, "unknown setting '%s' ('iommutrace daemon --print-config' "
			 "lists them)", name);
		return -EINVAL;
	}
	field = (char *)c + k->off;
	switch (k->kind) {
	case K_BOOL:
		if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
			*(bool *)field = true;
		else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
			*(bool *)field = false;
		else
			goto bad;
		return 0;
	case K_SIZE:
	case K_UINT:
		return set_number(k, field, v, err, errlen);
	case K_PATH:
		if (*v && *v != '/') {
			snprintf(err, errlen, "%s = %s: give an absolute path (or nothing)", name, v);
			return -EINVAL;
		}
		if (strlen(v) >= k->len)
			goto bad;
		strncpy(field, v, k->len); /* the rest zeroed: one value, one form */
		return 0;
	case K_LOG:
		if (!strcmp(v, "auto"))
			*(int *)field = LOG_AUTO;
		else if (!strcmp(v, "journal"))
			*(int *)field = LOG_JOURNAL;
		else if (!strcmp(v, "stderr"))
			*(int *)field = LOG_STDERR;
		else
			goto bad;
		return 0;
	case K_STACKS:
	case K_ATTACH:
		if (set_mode(k->kind, (int *)field, v))
			goto bad;
		return 0;
	case K_OWNER: {
		enum owner_mode m;

		if (owner_mode_parse(v, &m))
			goto bad;
		*(int *)field = m;
		return 0;
	}
	case K_LISTEN: {
		struct sockaddr_storage ss;
		char why[192];

		if (*v && parse_loopback(v, &ss, why, sizeof(why))) {
			snprintf(err, errlen, "%s = %s: give %s", name, v, why);
			return -EINVAL;
		}
		if (strlen(v) >= k->len)
			goto bad;
		strncpy(field, v, k->len); /* the rest zeroed: one value, one form */
		return 0;
	}
	}
bad:
	snprintf(err, errlen, "%s = '%s' is not valid: %s", name, v, k->help);
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int config_set_line(struct daemon_config *c, const char *line, char *err, size_t errlen)
{
	char buf[1024], *s, *eq;

	if (strlen(line) >= sizeof(buf)) {
		snprintf(err, errlen, "longer than %zu bytes", sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, line);
	/* a comment: from a '#' that starts the line or follows a space */
	for (char *h = buf; (h = strchr(h, '#')); h++)
		if (h == buf || isspace((unsigned char)h[-1])) {
			*h = '\0';
			break;
		}
	s = trim(buf);
	eq = strchr(s, '=');
	if (!eq) {
		snprintf(err, errlen, "expected 'key = value', got '%s'", s);
		return -EINVAL;
	}
	*eq = '\0';
	return config_set(c, trim(s), trim(eq + 1), err, errlen);
}

int config_load(struct daemon_config *c, const char *path, bool must_exist, char *err,
		size_t errlen)
{
	struct daemon_config tmp = *c;
	char line[1024], why[384];
	int lineno = 0, ret = 0;
	FILE *fp = fopen(path, "re");

	if (!fp) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "can't read %s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *s;

		lineno++;
		if (!strchr(line, '\n') && !feof(fp)) {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			ret = -EINVAL;
			break;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (config_set_line(&tmp, s, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			ret = -EINVAL;
			break;
		}
	}
	if (!ret && ferror(fp)) {
		snprintf(err, errlen, "reading %s failed", path);
		ret = -EIO;
	}
	fclose(fp);
	if (!ret)
		*c = tmp; /* all or nothing */
	return ret;
}

bool config_needs_restart(const struct daemon_config *a, const struct daemon_config *b)
{
	return a->ringbuf_size != b->ringbuf_size || a->stacks != b->stacks ||
	       a->attach != b->attach ||
	       a->raw_pointers != b->raw_pointers;
}

size_t config_n_keys(void)
{
	return N_KEYS;
}

const char *config_key_name(size_t i)
{
	return i < N_KEYS ? keys[i].name : NULL;
}

const char *config_key_help(size_t i)
{
	return i < N_KEYS ? keys[i].help : NULL;
}

const char *config_key_values(size_t i)
{
	static const char *const words[] = {
		[K_BOOL] = "yes no", [K_LOG] = "auto journal stderr", [K_OWNER] = "full hash omit",
		[K_ATTACH] = "auto fentry kprobe", [K_STACKS] = "proof all none",
	};

	return i < N_KEYS ? words[keys[i].kind] : NULL;
}

bool config_key_is_size(size_t i)
{
	return i < N_KEYS && keys[i].kind == K_SIZE;
}

void config_key_value(const struct daemon_config *c, size_t i, char *buf, size_t len)
{
	static const char *const log_names[] = { "auto", "journal", "stderr" };
	const struct key *k = &keys[i];
	const char *field = (const char *)c + k->off;

	switch (k->kind) {
	case K_BOOL: snprintf(buf, len, "%s", *(const bool *)field ? "yes" : "no"); break;
	case K_SIZE:
	case K_UINT: snprintf(buf, len, "%llu", *(const unsigned long long *)field); break;
	case K_PATH:
	case K_LISTEN: snprintf(buf, len, "%s", field); break;
	case K_OWNER: snprintf(buf, len, "%s", owner_mode_name(*(const int *)field)); break;
	case K_STACKS: snprintf(buf, len, "%s", stacks_mode_name(*(const int *)field)); break;
	case K_ATTACH: snprintf(buf, len, "%s", attach_mode_name(*(const int *)field)); break;
	case K_LOG: snprintf(buf, len, "%s", log_names[*(const int *)field]); break;
	}
}

void config_print(const struct daemon_config *c, FILE *out)
{
	char v[CONFIG_PATH_LEN];

	for (size_t i = 0; i < N_KEYS; i++) {
		config_key_value(c, i, v, sizeof(v));
		fprintf(out, "# %s\n%s = %s\n", keys[i].help, keys[i].name, v);
	}
}
