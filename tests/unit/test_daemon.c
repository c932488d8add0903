// SPDX-License-Identifier: GPL-2.0
/* The daemon's configuration file and its NDJSON export file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "cmd/config.h"
#include "kernel/loader.h"
#include "out/export.h"
#include "test.h"

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/iommutrace-conf.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return NULL;
	close(fd);
	return path;
}

void test_config(void)
{
	struct daemon_config c;
	char err[512];
	char *p;

	if (test__start_subtest("file_and_overrides")) {
		config_defaults(&c);
		p = write_tmp("# a comment\n\n  ringbuf_size = 8M  # trailing\nstacks=no\n"
			      "log = stderr\nexport = /var/log/iommutrace/x.ndjson\n"
			      "export_max_size = 4k\nmetrics_listen = [::1]:9477\n");
		ASSERT_EQ(config_load(&c, p, true, err, sizeof(err)), 0, "load");
		unlink(p);
		ASSERT_EQ(c.ringbuf_size, 8 << 20, "size suffix");
		ASSERT_EQ(c.stacks, STACKS_NONE, "no: an older configuration's stacks");
		ASSERT_EQ(c.attach, ATTACH_AUTO, "attach default");
		ASSERT_EQ(c.log, LOG_STDERR, "enum");
		ASSERT_STREQ(c.export_path, "/var/log/iommutrace/x.ndjson", "path");
		ASSERT_EQ(c.export_max_size, 4096, "k suffix");
		ASSERT_STREQ(c.metrics_listen, "[::1]:9477", "loopback v6");
	}
	if (test__start_subtest("stacks_and_attach")) {
		config_defaults(&c);
		ASSERT_EQ(c.stacks, STACKS_PROOF, "default");
		ASSERT_OK(config_set_line(&c, "stacks = all", err, sizeof(err)), "all");
		ASSERT_EQ(c.stacks, STACKS_ALL, "all");
		ASSERT_OK(config_set_line(&c, "stacks = none", err, sizeof(err)), "none");
		ASSERT_EQ(c.stacks, STACKS_NONE, "none");
		ASSERT_OK(config_set_line(&c, "attach = kprobe", err, sizeof(err)), "kprobe");
		ASSERT_EQ(c.attach, ATTACH_ONLY_KPROBE, "kprobe");
		ASSERT_ERR(config_set_line(&c, "attach = uprobe", err, sizeof(err)), "uprobe");
		ASSERT_HAS(err, "attach = 'uprobe' is not valid", "named");
	}
	if (test__start_subtest("errors_name_file_and_line")) {
		struct {
			const char *text, *want;
		} bad[] = {
			{ "stacks = maybe\n", ":1: stacks = 'maybe' is not valid" },
			{ "\n\nnot a setting\n", ":3: expected 'key = value'" },
			{ "colour = blue\n", ":1: unknown setting 'colour'" },
			{ "ringbuf_size = 5000\n", ":1: ringbuf_size = 5000: give a power of two" },
			{ "ringbuf_size = 2G\n", "give a size from 4096 to 1073741824 bytes" },
			{ "export = relative.ndjson\n", "give an absolute path" },
			{ "metrics_listen = 0.0.0.0:9477\n", "loopback" },
			{ "metrics_listen = 127.foo:9477\n", "give a loopback ADDRESS:PORT" },
			{ "long_wait_ms = -5\n", "give a whole number from 1 to 3600000" },
			{ "long_wait_ms = 010x\n", "give a whole number from 1 to 3600000" },
			{ "export_backups = 99999999999999999999999\n", "give a whole number from 0 to 1000" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			config_defaults(&c);
			p = write_tmp(bad[i].text);
			err[0] = '\0';
			ASSERT_EQ(config_load(&c, p, true, err, sizeof(err)), -EINVAL, bad[i].text);
			ASSERT_TRUE(strstr(err, bad[i].want) && strstr(err, p), bad[i].want);
			ASSERT_EQ(c.ringbuf_size, 4 << 20, "nothing applied from a bad file");
			unlink(p);
		}
	}
	if (test__start_subtest("set_as_in_the_file")) {
		/* --set takes what the file takes, the same way */
		config_defaults(&c);
		ASSERT_EQ(config_set_line(&c, " long_wait_ms =  250 ", err, sizeof(err)), 0, err);
		ASSERT_EQ(c.long_wait_ms, 250, "trimmed");
		ASSERT_EQ(config_set_line(&c, "long_wait_ms = 300 # ms", err, sizeof(err)), 0, err);
		ASSERT_EQ(c.long_wait_ms, 300, "a comment dropped");
		ASSERT_EQ(config_set_line(&c, "export = /var/log/a#b", err, sizeof(err)), 0, err);
		ASSERT_STREQ(c.export_path, "/var/log/a#b", "a '#' inside a value kept");
		p = write_tmp("export = /var/log/a#b  # the export\n");
		ASSERT_EQ(config_load(&c, p, true, err, sizeof(err)), 0, err);
		unlink(p);
		ASSERT_STREQ(c.export_path, "/var/log/a#b", "the file the same");
		ASSERT_EQ(config_set_line(&c, "long_wait_ms", err, sizeof(err)), -EINVAL, "no '='");
		ASSERT_HAS(err, "expected 'key = value'", err);
	}
	if (test__start_subtest("missing_file")) {
		config_defaults(&c);
		ASSERT_EQ(config_load(&c, "/nonexistent/iommutrace.conf", false, err, sizeof(err)), 0,
			  "the default file may be absent");
		ASSERT_EQ(config_load(&c, "/nonexistent/iommutrace.conf", true, err, sizeof(err)),
			  -ENOENT, "a file given on purpose may not");
	}
}

static char *slurp(const char *path, size_t *len)
{
	gzFile z = gzopen(path, "rb"); /* reads plain files too */
	char *buf = NULL;
	size_t cap = 0;
	int n;

	*len = 0;
	if (!z)
		return NULL;
	do {
		if (*len + 4096 > cap)
			buf = realloc(buf, cap = cap * 2 + 8192);
		n = gzread(z, buf + *len, 4096);
		if (n > 0)
			*len += n;
	} while (n > 0);
	gzclose(z);
	return buf;
}

/* every line whole and numbered in order: "{"n":N,...}" */
static int check_lines(const char *buf, size_t len, int *next, const char *what)
{
	int lines = 0;

	if (!ASSERT_TRUE(len == 0 || buf[len - 1] == '\n', what))
		return -1;
	for (const char *p = buf; p < buf + len;) {
		const char *nl = memchr(p, '\n', buf + len - p);
		int n = -1;

		if (sscanf(p, "{\"n\":%d,", &n) != 1 || n != *next ||
		    nl[-1] != '}') {
			test__fail(__FILE__, __LINE__, "%s: line %d is not whole or in order", what,
				   lines);
			return -1;
		}
		(*next)++;
		lines++;
		p = nl + 1;
	}
	return lines;
}

void test_export(void)
{
	char dir[] = "/tmp/iommutrace-export.XXXXXX", path[128], name[160];
	struct export_opts o = { .max_size = 4096, .backups = 3, .compress = true };
	struct export *x;
	struct stat st;
	mode_t old = umask(077);
	FILE *f;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "temporary directory"))
		return;
	snprintf(path, sizeof(path), "%s/out.ndjson", dir);

	if (test__start_subtest("created_0640_whole_lines")) {
		x = export_open(path, &o);
		if (!ASSERT_OK_PTR(x, "open"))
			return;
		f = export_stream(x);
		fprintf(f, "{\"n\":0,\"x\":\"a\"}\n{\"n\":1,");
		ASSERT_EQ(export_flush(x), 0, "flush");
		ASSERT_EQ(stat(path, &st), 0, "stat");
		ASSERT_EQ(st.st_mode & 0777, 0640, "0640 whatever the umask");
		ASSERT_EQ(st.st_size, 16, "only the whole line reached the file");
		fprintf(f, "\"x\":\"b\"}\n");
		ASSERT_EQ(export_close(x), 0, "close");
		ASSERT_EQ(stat(path, &st), 0, "stat");
		ASSERT_EQ(st.st_size, 32, "the rest at close");
	}
	if (test__start_subtest("unfinished_line_cut_at_open")) {
		int fd = open(path, O_WRONLY | O_APPEND);

		ASSERT_EQ(write(fd, "{\"n\":2,\"x\":", 11), 11, "a kill mid-line");
		close(fd);
		x = export_open(path, &o);
		if (!ASSERT_OK_PTR(x, "reopen"))
			return;
		ASSERT_EQ(export_repaired(x), 11, "cut off");
		fprintf(export_stream(x), "{\"n\":2,\"x\":\"c\"}\n");
		ASSERT_EQ(export_close(x), 0, "close");
		size_t len;
		char *buf = slurp(path, &len);
		int next = 0;

		ASSERT_EQ(check_lines(buf, len, &next, "after repair"), 3, "three whole lines");
		free(buf);
	}
	if (test__start_subtest("rotation_keeps_lines_whole")) {
		char pad[200];
		int first, next, total = 0;

		unlink(path);
		memset(pad, 'p', sizeof(pad) - 1);
		pad[sizeof(pad) - 1] = '\0';
		x = export_open(path, &o);
		for (int n = 0; n < 200; n++) {
			fprintf(export_stream(x), "{\"n\":%d,\"pad\":\"%.*s\"}\n", n, n % 150, pad);
			if (n % 7 == 0)
				ASSERT_EQ(export_flush(x), 0, "flush");
		}
		ASSERT_EQ(export_close(x), 0, "close");
		/* the oldest survivor is in .3.gz; read oldest to newest */
		for (int i = 3; i >= 0; i--) {
			size_t len;
			char *buf;

			if (i)
				snprintf(name, sizeof(name), "%s.%d.gz", path, i);
			else
				snprintf(name, sizeof(name), "%s", path);
			ASSERT_EQ(stat(name, &st), 0, name);
			ASSERT_EQ(st.st_mode & 0777, 0640, "rotated files 0640 too");
			buf = slurp(name, &len);
			ASSERT_TRUE(len <= o.max_size, "no file past max_size");
			if (i == 3) {
				sscanf(buf, "{\"n\":%d,", &first);
				next = first;
			}
			total += check_lines(buf, len, &next, name);
			free(buf);
			snprintf(name, sizeof(name), "%s.%d", path, i);
			ASSERT_TRUE(i == 0 || access(name, F_OK), "no uncompressed copy left");
		}
		ASSERT_EQ(next, 200, "the newest lines all there, in order");
		ASSERT_EQ(total, 200 - first, "nothing lost between the kept files");
		snprintf(name, sizeof(name), "%s.4.gz", path);
		ASSERT_TRUE(access(name, F_OK) != 0, "only 3 backups kept");
	}
	umask(old);
	snprintf(name, sizeof(name), "rm -rf %s", dir);
	if (system(name))
		tlog("can't remove %s\n", dir);
}
