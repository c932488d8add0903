// SPDX-License-Identifier: GPL-2.0
/* Trace files: round trip, a recorder killed mid-block, corruption, foreign files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iommutrace.h"
#include "test.h"
#include "format/trace_file.h"

struct count {
	unsigned long long n;
	__u64 last_seq;
	bool in_order;
};

static int count_rec(void *cookie, const void *rec, size_t len)
{
	struct count *c = cookie;
	const struct it_hdr *h = rec;

	if (c->n && h->seq != c->last_seq + 1)
		c->in_order = false;
	c->last_seq = h->seq;
	c->n++;
	return 0;
}

static void write_trace(const char *path, int blocks, int per_block)
{
	static const uint8_t key[TRACE_KEY_LEN] = { 1, 2, 3 };
	struct trace_writer *w;
	__u64 seq = 0;

	unlink(path); /* a new file, with the recorder's mode */
	w = trace_create(path, key, false);

	if (!ASSERT_OK_PTR(w, "create"))
		return;
	ASSERT_OK(trace_publish(w), "publish");
	for (int b = 0; b < blocks; b++) {
		for (int i = 0; i < per_block; i++) {
			struct it_event e = {
				.hdr = { .type = IT_REC_EVENT, .size = sizeof(e), .seq = seq++ },
				.hook = IT_HOOK_OBJ_FINALIZE,
			};
			ASSERT_EQ(trace_append(w, &e, sizeof(e)), 0, "append");
		}
		ASSERT_EQ(trace_flush(w), 0, "flush");
	}
	ASSERT_EQ(trace_close(w), 0, "close");
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

/* Offset of block n, walking the block headers. */
static long block_offset(const char *path, int n)
{
	int fd = open(path, O_RDONLY);
	long off = 40;
	uint32_t h[6];

	for (int i = 0; i < n; i++) {
		if (pread(fd, h, sizeof(h), off) != sizeof(h))
			break;
		off += sizeof(h) + h[2];
	}
	close(fd);
	return off;
}

void test_trace_file(void)
{
	char path[] = "/tmp/iommutrace-test.XXXXXX";
	int fd = mkstemp(path);
	struct trace_info info;
	struct count c;
	char err[512];
	struct stat st;

	close(fd);
	if (test__start_subtest("round_trip")) {
		write_trace(path, 3, 100);
		ASSERT_TRUE(!stat(path, &st) && (st.st_mode & 0777) == 0640, "created 0640");
		c = (struct count){ .in_order = true };
		ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), 0, "read");
		ASSERT_EQ(c.n, 300, "records");
		ASSERT_TRUE(c.in_order, "in order");
		ASSERT_EQ(info.blocks, 3, "blocks");
		ASSERT_EQ(info.truncated, 0, "complete");
		ASSERT_EQ(info.key[1], 2, "key kept");
	}
	if (test__start_subtest("killed_mid_block")) {
		long size;

		write_trace(path, 3, 100);
		size = file_size(path);
		ASSERT_EQ(truncate(path, size - 10), 0, "cut the last block short");
		c = (struct count){ .in_order = true };
		ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), 0, "read");
		ASSERT_EQ(c.n, 200, "the whole blocks");
		ASSERT_EQ(info.truncated, 1, "truncation noticed");
	}
	if (test__start_subtest("corrupt_block")) {
		unsigned char byte;

		write_trace(path, 2, 50);
		fd = open(path, O_RDWR);
		/* a byte of the first block's compressed data */
		ASSERT_EQ(pread(fd, &byte, 1, 40 + 24 + 5), 1, "read a byte");
		byte ^= 0xff;
		ASSERT_EQ(pwrite(fd, &byte, 1, 40 + 24 + 5), 1, "flip it");
		close(fd);
		c = (struct count){ .in_order = true };
		ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), -EBADMSG, "read");
		ASSERT_HAS(err, "checksum mismatch in block 0 at offset 40", err);
		ASSERT_EQ(c.n, 0, "nothing from the bad block");
	}
	if (test__start_subtest("corrupt_length_not_a_kill")) {
		/*
		 * a bit of block 1's compressed length: +1, +1 MiB (past the
		 * end, within a block's bound: what a kill looks like without
		 * the header checksum) and +2 GiB: never "killed"
		 */
		static const long at[] = { 0, 2, 3 };
		static const unsigned char bit[] = { 0x01, 0x10, 0x80 };

		for (int i = 0; i < 3; i++) {
			unsigned char byte;
			long off;

			write_trace(path, 3, 100);
			off = block_offset(path, 1) + 8 + at[i];
			fd = open(path, O_RDWR);
			ASSERT_EQ(pread(fd, &byte, 1, off), 1, "read a byte");
			byte ^= bit[i];
			ASSERT_EQ(pwrite(fd, &byte, 1, off), 1, "flip a bit");
			close(fd);
			c = (struct count){ .in_order = true };
			ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), -EBADMSG,
				  "corrupt, not cut short");
			ASSERT_TRUE(strstr(err, "corrupt block header at offset") &&
				    strstr(err, "(block 1)"), err);
			ASSERT_EQ(info.truncated, 0, "not taken for a kill");
		}
	}
	if (test__start_subtest("cut_inside_a_header")) {
		write_trace(path, 3, 100);
		ASSERT_EQ(truncate(path, block_offset(path, 2) + 10), 0, "cut block 2's header");
		c = (struct count){ .in_order = true };
		ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), 0, "read");
		ASSERT_EQ(c.n, 200, "the whole blocks");
		ASSERT_EQ(info.truncated, 1, "cut short");
		ASSERT_EQ(info.truncated_at, block_offset(path, 2), "where");
	}
	if (test__start_subtest("header_fields_checked")) {
		unsigned int v;
		unsigned long long r = 1;

		write_trace(path, 1, 1);
		fd = open(path, O_RDWR);
		v = 7;
		ASSERT_EQ(pwrite(fd, &v, sizeof(v), 12), sizeof(v), "a foreign ABI");
		close(fd);
		ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), -EPROTO, "abi");
		ASSERT_HAS(err, "record ABI 7", err);
		write_trace(path, 1, 1);
		fd = open(path, O_RDWR);
		ASSERT_EQ(pwrite(fd, &r, sizeof(r), 32), sizeof(r), "reserved set");
		close(fd);
		ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), -EBADMSG,
			  "reserved");
		ASSERT_HAS(err, "reserved field", err);
	}
	if (test__start_subtest("version_1_read")) {
		/* a version 2 file made version 1: no header checksums */
		unsigned int v = 1, zero = 0;

		write_trace(path, 2, 10);
		fd = open(path, O_RDWR);
		ASSERT_EQ(pwrite(fd, &v, sizeof(v), 8), sizeof(v), "version 1");
		for (int b = 0; b < 2; b++)
			ASSERT_EQ(pwrite(fd, &zero, 4, block_offset(path, b) + 20), 4, "no checksum");
		close(fd);
		c = (struct count){ .in_order = true };
		ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), 0, err);
		ASSERT_EQ(c.n, 20, "every record");
		ASSERT_EQ(info.version, 1, "version 1");
	}
	if (test__start_subtest("foreign_file")) {
		FILE *f = fopen(path, "w");

		fputs("{\"not\": \"a trace\"}\n", f);
		fclose(f);
		ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), -EINVAL, "read");
		ASSERT_HAS(err, "not an iommutrace trace file", err);
	}
	if (test__start_subtest("newer_version")) {
		unsigned int v = 99;

		write_trace(path, 1, 1);
		fd = open(path, O_RDWR);
		ASSERT_EQ(pwrite(fd, &v, sizeof(v), 8), sizeof(v), "write the version");
		close(fd);
		ASSERT_EQ(trace_read(path, count_rec, &c, &info, err, sizeof(err)), -EPROTO, "read");
		ASSERT_HAS(err, "version 99", err);
	}
	if (test__start_subtest("never_destroys")) {
		static const uint8_t key[TRACE_KEY_LEN];
		char dir[] = "/tmp/iommutrace-dir.XXXXXX", p[256], link[256], buf[16];
		struct trace_writer *w;
		FILE *f;

		if (!ASSERT_OK_PTR(mkdtemp(dir), "a directory"))
			return;
		snprintf(p, sizeof(p), "%s/old.itr", dir);
		f = fopen(p, "w");
		if (!ASSERT_OK_PTR(f, "a file in it"))
			return;
		fputs("precious", f);
		fclose(f);
		/* an existing file: refused without force, untouched */
		errno = 0;
		ASSERT_TRUE(trace_create(p, key, false) == NULL && errno == EEXIST, "refused");
		/* with force: nothing happens to it until published */
		w = trace_create(p, key, true);
		if (!ASSERT_OK_PTR(w, "created beside it"))
			return;
		f = fopen(p, "r");
		ASSERT_TRUE(f && fgets(buf, sizeof(buf), f) && !strcmp(buf, "precious"), "still there");
		if (f)
			fclose(f);
		ASSERT_EQ(trace_close(w), 0, "closed unpublished");
		ASSERT_EQ(file_size(p), 8, "untouched after all");
		/* published: replaced whole */
		w = trace_create(p, key, true);
		if (!ASSERT_OK_PTR(w, "created again"))
			return;
		ASSERT_EQ(trace_publish(w), 0, "published");
		ASSERT_EQ(trace_close(w), 0, "closed");
		ASSERT_EQ(trace_read(p, count_rec, &c, &info, err, sizeof(err)), 0, "a trace now");
		/* never through a link, never a directory or a device */
		snprintf(link, sizeof(link), "%s/link.itr", dir);
		ASSERT_EQ(symlink(p, link), 0, "a symlink");
		errno = 0;
		ASSERT_TRUE(trace_create(link, key, true) == NULL && errno == EFTYPE_NOT_REGULAR,
			    "link refused");
		errno = 0;
		ASSERT_TRUE(trace_create(dir, key, true) == NULL && errno == EFTYPE_NOT_REGULAR,
			    "directory refused");
		errno = 0;
		ASSERT_TRUE(trace_create("/dev/null", key, true) == NULL &&
			    errno == EFTYPE_NOT_REGULAR, "device refused");
		/* nothing left behind but the two */
		{
			char cmd[300];

			snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) = 2 && rm -rf %s", dir, dir);
			ASSERT_EQ(system(cmd), 0, "no temporary file left");
		}
	}
	if (test__start_subtest("missing_file")) {
		ASSERT_EQ(trace_read("/nonexistent/x.itr", count_rec, &c, &info, err, sizeof(err)),
			  -ENOENT, "read");
		ASSERT_HAS(err, "can't open", err);
	}
	unlink(path);
}
