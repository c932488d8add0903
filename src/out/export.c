// SPDX-License-Identifier: GPL-2.0
/* The NDJSON export file (see export.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "base/io.h"
#include "out/export.h"
#include "base/log.h"

#define EXPORT_MODE 0640

struct export {
	char path[PATH_MAX];
	struct export_opts o;
	int fd;
	unsigned long long size; /* of the current file */
	FILE *stream;
	char *pending; /* written to the stream, not yet a whole line */
	size_t n_pending, cap_pending;
	unsigned long long repaired, dropped;
	pthread_t zthread;
	bool zrunning;
	char zpath[PATH_MAX + 16]; /* the file the thread compresses */
	int zerr;
	int err;
};

/* Cut an unfinished last line (a kill in the middle of a write). */
static int repair_tail(struct export *x)
{
	char buf[4096];
	off_t end = x->size, pos = end;

	while (pos > 0) {
		size_t n = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		ssize_t r = pread(x->fd, buf, n, pos - n);

		if (r != (ssize_t)n)
			return r < 0 ? -errno : -EIO;
		for (size_t i = n; i > 0; i--) {
			if (buf[i - 1] != '\n')
				continue;
			pos = pos - n + i;
			goto found;
		}
		pos -= n;
	}
found:
	if (pos == end)
		return 0;
	if (ftruncate(x->fd, pos))
		return -errno;
	x->repaired += end - pos;
	x->size = pos;
	pr_warn("%s ended in an unfinished line (%lld bytes, from a crash or kill): cut off\n",
		x->path, (long long)(end - pos));
	return 0;
}

static int open_file(struct export *x)
{
	struct stat st;
	int err;

	x->fd = open(x->path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, EXPORT_MODE);
	if (x->fd >= 0) {
		/* whatever the umask: readable by the group of log shippers */
		if (fchmod(x->fd, EXPORT_MODE))
			pr_warn("can't set the mode of %s: %s\n", x->path, strerror(errno));
	} else if (errno == EEXIST) {
		x->fd = open(x->path, O_RDWR | O_APPEND | O_CLOEXEC);
	}
	if (x->fd < 0)
		return -errno;
	if (fstat(x->fd, &st)) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto fail;
	}
	x->size = st.st_size;
	err = repair_tail(x);
	if (err)
		goto fail;
	return 0;
fail:
	close(x->fd);
	x->fd = -1;
	return err;
}

static void *compress_thread(void *arg)
{
	struct export *x = arg;
	char gz[PATH_MAX + 32], tmp[PATH_MAX + 32], buf[1 << 16];
	int in = -1, out = -1, err = 0;
	gzFile z = NULL;
	ssize_t n;

	snprintf(gz, sizeof(gz), "%s.gz", x->zpath);
	snprintf(tmp, sizeof(tmp), "%s.gz.tmp", x->zpath);
	in = open(x->zpath, O_RDONLY | O_CLOEXEC);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, EXPORT_MODE);
	if (in < 0 || out < 0 || fchmod(out, EXPORT_MODE)) {
		err = -errno;
		goto out;
	}
	z = gzdopen(out, "wb6");
	if (!z) {
		err = -ENOMEM;
		goto out;
	}
	out = -1; /* gzclose closes it */
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (gzwrite(z, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	if (gzclose(z) != Z_OK && !err)
		err = -EIO;
	z = NULL;
	if (!err && rename(tmp, gz))
		err = -errno;
	if (!err)
		unlink(x->zpath);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (err)
		unlink(tmp); /* the plain file stays */
	x->zerr = err;
	return NULL;
}

static void wait_compress(struct export *x)
{
	if (!x->zrunning)
		return;
	pthread_join(x->zthread, NULL);
	x->zrunning = false;
	if (x->zerr)
		pr_warn("can't compress %s: %s (left uncompressed)\n", x->zpath, strerror(-x->zerr));
}

static void backup_name(const struct export *x, unsigned int i, bool gz, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%u%s", x->path, i, gz ? ".gz" : "");
}

/* FILE -> FILE.1, FILE.1 -> FILE.2, ..., the oldest dropped; a new FILE. */
static int rotate(struct export *x)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	int err;

	wait_compress(x);
	close(x->fd);
	x->fd = -1;
	if (!x->o.backups) {
		unlink(x->path);
	} else {
		for (int gz = 0; gz < 2; gz++) {
			backup_name(x, x->o.backups, gz, from, sizeof(from));
			unlink(from);
		}
		for (unsigned int i = x->o.backups - 1; i >= 1; i--)
			for (int gz = 0; gz < 2; gz++) {
				backup_name(x, i, gz, from, sizeof(from));
				backup_name(x, i + 1, gz, to, sizeof(to));
				if (rename(from, to) && errno != ENOENT)
					pr_warn("can't rename %s: %s\n", from, strerror(errno));
			}
		backup_name(x, 1, false, to, sizeof(to));
		if (rename(x->path, to)) {
			err = -errno;
			pr_warn("can't rotate %s: %s\n", x->path, strerror(errno));
			return err;
		}
		if (x->o.compress) {
			snprintf(x->zpath, sizeof(x->zpath), "%s", to);
			x->zerr = 0;
			x->zrunning = !pthread_create(&x->zthread, NULL, compress_thread, x);
			if (!x->zrunning)
				pr_warn("can't start compressing %s\n", to);
		}
	}
	return open_file(x);
}

/* p to the file; its size follows (what a failed write left, too) */
static int write_out(struct export *x, const char *p, size_t n)
{
	int err = write_all(x->fd, p, n);
	off_t end;

	if (!err)
		x->size += n;
	else if ((end = lseek(x->fd, 0, SEEK_END)) >= 0)
		x->size = end;
	return err;
}

/* Whole lines only, as few writes as rotation allows. */
static int write_lines(struct export *x, const char *p, size_t n)
{
	while (n) {
		size_t run = 0;
		int err;

		/* the lines that fit; a first line too big for any file goes alone */
		while (run < n) {
			const char *nl = memchr(p + run, '\n', n - run);
			size_t line = nl - (p + run) + 1;

			if (x->size + run + line > x->o.max_size && (run || x->size))
				break;
			run += line;
		}
		if (run) {
			err = write_out(x, p, run);
			if (err)
				return err;
			p += run;
			n -= run;
		}
		if (n) {
			err = rotate(x);
			if (err)
				return err;
		}
	}
	return 0;
}

int export_flush(struct export *x)
{
	char *last;
	size_t whole;
	int err;

	if (fflush(x->stream) && !x->err)
		x->err = -EIO;
	if (x->err)
		return x->err;
	last = x->n_pending ? memrchr(x->pending, '\n', x->n_pending) : NULL;
	if (!last)
		return 0;
	whole = last - x->pending + 1;
	if (x->fd < 0) {
		err = open_file(x);
		if (err)
			return x->err = err;
	}
	err = write_lines(x, x->pending, whole);
	if (err)
		return x->err = err;
	memmove(x->pending, x->pending + whole, x->n_pending - whole);
	x->n_pending -= whole;
	return 0;
}

static ssize_t stream_write(void *cookie, const char *buf, size_t n)
{
	struct export *x = cookie;

	if (x->err) {
		/* the file is broken until reopened: count, do not hoard */
		x->dropped += n;
		return n;
	}
	if (x->n_pending + n > x->cap_pending) {
		size_t cap = x->cap_pending ? x->cap_pending : 1 << 16;
		char *p;

		while (cap < x->n_pending + n)
			cap *= 2;
		p = realloc(x->pending, cap);
		if (!p) {
			x->err = -ENOMEM;
			errno = ENOMEM;
			return -1;
		}
		x->pending = p;
		x->cap_pending = cap;
	}
	memcpy(x->pending + x->n_pending, buf, n);
	x->n_pending += n;
	return n;
}

struct export *export_open(const char *path, const struct export_opts *o)
{
	cookie_io_functions_t io = { .write = stream_write };
	struct export *x = calloc(1, sizeof(*x));
	int err;

	if (!x)
		return NULL;
	snprintf(x->path, sizeof(x->path), "%s", path);
	x->o = *o;
	err = open_file(x);
	if (err) {
		pr_warn("can't open %s for the export: %s\n", path, strerror(-err));
		free(x);
		errno = -err;
		return NULL;
	}
	x->stream = fopencookie(x, "w", io);
	if (!x->stream) {
		close(x->fd);
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	setvbuf(x->stream, NULL, _IOFBF, 1 << 16);
	return x;
}

FILE *export_stream(struct export *x)
{
	return x->stream;
}

unsigned long long export_repaired(const struct export *x)
{
	return x->repaired;
}

int export_close(struct export *x)
{
	int err;

	if (!x)
		return 0;
	err = export_flush(x);
	if (x->dropped)
		pr_warn("%s: %llu bytes of output were dropped after a write failed\n", x->path,
			x->dropped);
	fclose(x->stream);
	wait_compress(x);
	if (x->fd >= 0 && close(x->fd) && !err)
		err = -errno;
	free(x->pending);
	free(x);
	return err;
}
