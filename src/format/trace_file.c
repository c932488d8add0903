// SPDX-License-Identifier: GPL-2.0
/* Trace file writer and reader (format in trace_file.h), with zlib. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <sys/stat.h>

#include "iommutrace.h"
#include "format/trace_file.h"

struct file_header {
	char magic[8];
	uint32_t version;
	uint32_t abi;
	uint8_t key[TRACE_KEY_LEN];
	uint64_t reserved;
};
_Static_assert(sizeof(struct file_header) == 40, "trace header size");

struct block_header {
	uint32_t magic;
	uint32_t raw_len;
	uint32_t comp_len;
	uint32_t crc;
	uint32_t records;
	uint32_t hdr_crc; /* crc32 of the fields before it; 0 in version 1 */
};
_Static_assert(sizeof(struct block_header) == 24, "block header size");

static uint32_t header_crc(const struct block_header *b)
{
	return crc32(0, (const unsigned char *)b, offsetof(struct block_header, hdr_crc));
}

struct trace_writer {
	int fd;
	char *path; /* where it goes */
	char *tmp; /* where it is until published; NULL after */
	bool force;
	unsigned char *buf;
	size_t len;
	uint32_t n;
	int err;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= w;
	}
	return 0;
}

/* What may stand at path: nothing, or (with force) a regular file. */
static int check_target(const char *path, bool force)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!force)
		return -EEXIST;
	return S_ISREG(st.st_mode) ? 0 : -EFTYPE_NOT_REGULAR;
}

struct trace_writer *trace_create(const char *path, const uint8_t key[TRACE_KEY_LEN], bool force)
{
	struct trace_writer *w = calloc(1, sizeof(*w));
	struct file_header h = { .magic = TRACE_MAGIC, .version = TRACE_VERSION,
				 .abi = IT_ABI_VERSION };
	int err;

	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->fd = -1;
	w->force = force;
	err = check_target(path, force);
	if (err)
		goto fail;
	w->buf = malloc(TRACE_BLOCK_MAX);
	w->path = strdup(path);
	if (!w->buf || !w->path || asprintf(&w->tmp, "%s.XXXXXX", path) < 0) {
		w->tmp = NULL;
		err = -ENOMEM;
		goto fail;
	}
	/* a new file of our own beside it, named into place once it is wanted */
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
	if (w->fd < 0 || fchmod(w->fd, 0640)) {
		err = -errno;
		goto fail;
	}
	memcpy(h.key, key, TRACE_KEY_LEN);
	err = write_all(w->fd, &h, sizeof(h));
	if (!err)
		return w;
fail:
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp);
	}
	free(w->tmp);
	free(w->path);
	free(w->buf);
	free(w);
	errno = -err;
	return NULL;
}

/* rename, unless to exists */
static int rename_noreplace(const char *from, const char *to)
{
	struct stat st;

	if (!renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -errno;
	/* a filesystem without the flag (9p, NFS): a hard link refuses too */
	if (!link(from, to))
		return unlink(from) ? -errno : 0;
	if (errno == EEXIST)
		return -EEXIST;
	/* nor hard links (vfat): looked at just before */
	if (!lstat(to, &st))
		return -EEXIST;
	return rename(from, to) ? -errno : 0;
}

int trace_publish(struct trace_writer *w)
{
	int err;

	if (!w->tmp)
		return 0;
	err = check_target(w->path, w->force);
	if (!err)
		err = w->force ? (rename(w->tmp, w->path) ? -errno : 0) :
				 rename_noreplace(w->tmp, w->path);
	if (err)
		return err;
	free(w->tmp);
	w->tmp = NULL;
	return 0;
}

const char *trace_create_error(int err)
{
	switch (err) {
	case EEXIST: return "it exists: give --force to replace it, or another name";
	case EFTYPE_NOT_REGULAR: return "it is not a regular file (a directory, link, device or "
					"FIFO is never replaced): give another name";
	default: return strerror(err);
	}
}

int trace_flush(struct trace_writer *w)
{
	struct block_header b = { .magic = TRACE_BLOCK_MAGIC };
	uLongf clen;
	unsigned char *out;
	int err;

	if (w->err || !w->len)
		return w->err;
	clen = compressBound(w->len);
	out = malloc(sizeof(b) + clen);
	if (!out)
		return w->err = -ENOMEM;
	if (compress2(out + sizeof(b), &clen, w->buf, w->len, Z_DEFAULT_COMPRESSION) != Z_OK) {
		free(out);
		return w->err = -EIO;
	}
	b.raw_len = w->len;
	b.comp_len = clen;
	b.crc = crc32(0, out + sizeof(b), clen);
	b.records = w->n;
	b.hdr_crc = header_crc(&b);
	memcpy(out, &b, sizeof(b));
	/* one write per block: a kill leaves whole blocks and at most one torn */
	err = write_all(w->fd, out, sizeof(b) + clen);
	free(out);
	w->len = 0;
	w->n = 0;
	return w->err = err;
}

int trace_append(struct trace_writer *w, const void *rec, size_t len)
{
	int err;

	if (len > TRACE_BLOCK_MAX)
		return -EINVAL;
	if (w->len + len > TRACE_BLOCK_MAX) {
		err = trace_flush(w);
		if (err)
			return err;
	}
	memcpy(w->buf + w->len, rec, len);
	w->len += len;
	w->n++;
	return w->err;
}

int trace_close(struct trace_writer *w)
{
	int err;

	if (!w)
		return 0;
	err = trace_flush(w);
	if (fsync(w->fd) && !err)
		err = -errno;
	if (close(w->fd) && !err)
		err = -errno;
	/* never published: nobody wanted it, and it is ours alone */
	if (w->tmp)
		unlink(w->tmp);
	free(w->tmp);
	free(w->path);
	free(w->buf);
	free(w);
	return err;
}

static int read_full(FILE *f, void *buf, size_t len)
{
	size_t r = fread(buf, 1, len, f);

	return r == len ? 0 : ferror(f) ? -EIO : (int)r == 0 ? -ENODATA : -EPIPE;
}

int trace_read(const char *path, trace_record_fn fn, void *cookie, struct trace_info *info,
	       char *err, size_t errlen)
{
	struct file_header h;
	unsigned char *comp = NULL, *raw = NULL;
	/* not blocking on a FIFO: it is refused below */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	long offset = sizeof(h);
	struct stat st = { 0 };
	int ret = 0;
	FILE *f;

	memset(info, 0, sizeof(*info));
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "can't open %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file (%s): give a trace file made by "
			 "'iommutrace record'", path, S_ISDIR(st.st_mode) ? "a directory" :
			 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" :
			 "a device");
		close(fd);
		return -EINVAL;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "can't read %s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	if (read_full(f, &h, sizeof(h)) || memcmp(h.magic, TRACE_MAGIC, sizeof(h.magic))) {
		snprintf(err, errlen, "%s is not an iommutrace trace file (no IOMMUTR header)", path);
		ret = -EINVAL;
		goto out;
	}
	info->version = h.version;
	info->abi = h.abi;
	memcpy(info->key, h.key, sizeof(info->key));
	if (h.version < TRACE_VERSION_MIN || h.version > TRACE_VERSION) {
		snprintf(err, errlen, "%s: trace format version %u; this iommutrace reads versions "
			 "%d to %d%s", path, h.version, TRACE_VERSION_MIN, TRACE_VERSION,
			 h.version > TRACE_VERSION ? ": replay it with a newer iommutrace" : "");
		ret = -EPROTO;
		goto out;
	}
	if (h.abi != IT_ABI_VERSION) {
		snprintf(err, errlen, "%s: record ABI %u; this iommutrace reads ABI %d%s", path,
			 h.abi, IT_ABI_VERSION,
			 h.abi > IT_ABI_VERSION ? ": replay it with a newer iommutrace" : ": corrupt header?");
		ret = -EPROTO;
		goto out;
	}
	if (h.reserved) {
		snprintf(err, errlen, "%s: corrupt file header (its reserved field is not 0)", path);
		ret = -EBADMSG;
		goto out;
	}
	comp = malloc(compressBound(TRACE_BLOCK_MAX));
	raw = malloc(TRACE_BLOCK_MAX);
	if (!comp || !raw) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		struct block_header b;
		uLongf rlen = TRACE_BLOCK_MAX;
		size_t pos = 0;
		int r = read_full(f, &b, sizeof(b));

		if (r == -ENODATA)
			break; /* a clean end */
		if (r == -EPIPE) {
			/* the file ends inside a block header: only a kill does that */
			info->truncated = 1;
			info->truncated_at = offset;
			break;
		}
		if (r) {
			snprintf(err, errlen, "%s: read error at offset %ld", path, offset);
			ret = r;
			goto out;
		}
		/*
		 * A version 2 header is checked whole; a version 1 header only
		 * as far as its fields are consistent: a compressed block is
		 * never longer than compressBound() of its raw length, and
		 * holds at least one record of at least a header.
		 */
		if (b.magic != TRACE_BLOCK_MAGIC ||
		    (h.version >= 2 && b.hdr_crc != header_crc(&b)) ||
		    (h.version < 2 && b.hdr_crc) || b.raw_len > TRACE_BLOCK_MAX ||
		    b.comp_len > compressBound(b.raw_len) || !b.records ||
		    b.records > b.raw_len / sizeof(struct it_hdr)) {
			snprintf(err, errlen, "%s: corrupt block header at offset %ld (block %llu)",
				 path, offset, info->blocks);
			ret = -EBADMSG;
			goto out;
		}
		r = read_full(f, comp, b.comp_len);
		if (r == -ENODATA || r == -EPIPE) {
			/* a right header, and the file ends inside its data: a kill */
			info->truncated = 1;
			info->truncated_at = offset;
			break;
		}
		if (r) {
			ret = r;
			snprintf(err, errlen, "%s: read error at offset %ld", path, offset);
			goto out;
		}
		if (crc32(0, comp, b.comp_len) != b.crc) {
			snprintf(err, errlen, "%s: checksum mismatch in block %llu at offset %ld",
				 path, info->blocks, offset);
			ret = -EBADMSG;
			goto out;
		}
		if (uncompress(raw, &rlen, comp, b.comp_len) != Z_OK || rlen != b.raw_len) {
			snprintf(err, errlen, "%s: block %llu at offset %ld does not decompress",
				 path, info->blocks, offset);
			ret = -EBADMSG;
			goto out;
		}
		const char *why = "the block holds more bytes than its records";

		for (uint32_t i = 0; i < b.records; i++) {
			struct it_hdr rh;

			if (pos + sizeof(rh) > rlen) {
				why = "the block ends inside a record header";
				ret = -EBADMSG;
				break;
			}
			memcpy(&rh, raw + pos, sizeof(rh));
			if (rh.size < sizeof(rh) || pos + rh.size > rlen) {
				why = "its size field does not fit the block";
				ret = -EBADMSG;
				break;
			}
			info->why[0] = '\0';
			r = fn(cookie, raw + pos, rh.size);
			if (r == -EINVAL) {
				why = info->why[0] ? info->why : "rejected by the decoder";
				ret = -EBADMSG;
				break;
			}
			if (r) {
				ret = r;
				snprintf(err, errlen, "%s: stopped at record %llu: %s", path,
					 info->records, strerror(-r));
				goto out;
			}
			pos += rh.size;
			info->records++;
		}
		if (ret || pos != rlen) {
			snprintf(err, errlen,
				 "%s: malformed record %llu (byte %zu of block %llu's data; the block "
				 "at offset %ld): %s", path, info->records, pos, info->blocks, offset,
				 why);
			ret = -EBADMSG;
			goto out;
		}
		info->blocks++;
		offset += sizeof(b) + b.comp_len;
	}
out:
	free(comp);
	free(raw);
	fclose(f);
	return ret;
}
