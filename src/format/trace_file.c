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
#include "base/io.h"
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

struct trace_reader {
	const char *path;
	FILE *f;
	uint32_t version;
	long offset; /* of the next block */
	unsigned char *comp, *raw;
	/* a record whose place in the block is not aligned, copied to be read */
	uint64_t aligned[(UINT16_MAX + sizeof(uint64_t)) / sizeof(uint64_t)];
};

/* A regular file, opened without blocking (a FIFO is refused, not waited on). */
static FILE *open_regular(const char *path, char *err, size_t errlen, int *ret)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st = { 0 };
	FILE *f;

	if (fd < 0) {
		*ret = -errno;
		snprintf(err, errlen, "can't open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file (%s): give a trace file made by "
			 "'iommutrace record'", path, S_ISDIR(st.st_mode) ? "a directory" :
			 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" :
			 "a device");
		close(fd);
		*ret = -EINVAL;
		return NULL;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		*ret = -errno;
		snprintf(err, errlen, "can't read %s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

/* The file header, every field checked; 0 or -errno with err said. */
static int read_file_header(struct trace_reader *r, struct trace_info *info, char *err,
			    size_t errlen)
{
	struct file_header h;
	const char *path = r->path;

	if (read_full(r->f, &h, sizeof(h)) || memcmp(h.magic, TRACE_MAGIC, sizeof(h.magic))) {
		snprintf(err, errlen, "%s is not an iommutrace trace file (no IOMMUTR header)", path);
		return -EINVAL;
	}
	info->version = r->version = h.version;
	info->abi = h.abi;
	memcpy(info->key, h.key, sizeof(info->key));
	if (h.version < TRACE_VERSION_MIN || h.version > TRACE_VERSION) {
		snprintf(err, errlen, "%s: trace format version %u; this iommutrace reads versions "
			 "%d to %d%s", path, h.version, TRACE_VERSION_MIN, TRACE_VERSION,
			 h.version > TRACE_VERSION ? ": replay it with a newer iommutrace" : "");
		return -EPROTO;
	}
	if (h.abi < 1 || h.abi > IT_ABI_VERSION) {
		snprintf(err, errlen, "%s: record ABI %u; this iommutrace reads ABI 1 to %d%s", path,
			 h.abi, IT_ABI_VERSION,
			 h.abi > IT_ABI_VERSION ? ": replay it with a newer iommutrace" : ": corrupt header?");
		return -EPROTO;
	}
	if (h.reserved) {
		snprintf(err, errlen, "%s: corrupt file header (its reserved field is not 0)", path);
		return -EBADMSG;
	}
	r->offset = sizeof(h);
	return 0;
}

void trace_close_reader(struct trace_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->comp);
	free(r->raw);
	free(r);
}

struct trace_reader *trace_open(const char *path, struct trace_info *info, char *err,
				size_t errlen, int *ret)
{
	struct trace_reader *r = calloc(1, sizeof(*r));

	memset(info, 0, sizeof(*info));
	*ret = -ENOMEM;
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->path = path;
	r->f = open_regular(path, err, errlen, ret);
	if (!r->f || (*ret = read_file_header(r, info, err, errlen)))
		goto fail;
	r->comp = malloc(compressBound(TRACE_BLOCK_MAX));
	r->raw = malloc(TRACE_BLOCK_MAX);
	if (!r->comp || !r->raw) {
		snprintf(err, errlen, "out of memory");
		*ret = -ENOMEM;
		goto fail;
	}
	return r;
fail:
	trace_close_reader(r);
	return NULL;
}

/*
 * A version 2 block header is checked whole; a version 1 header only as far
 * as its fields are consistent: a compressed block is never longer than
 * compressBound() of its raw length, and holds at least one record of at
 * least a header.
 */
static bool block_header_ok(const struct trace_reader *r, const struct block_header *b)
{
	return b->magic == TRACE_BLOCK_MAGIC &&
	       (r->version >= 2 ? b->hdr_crc == header_crc(b) : !b->hdr_crc) &&
	       b->raw_len <= TRACE_BLOCK_MAX && b->comp_len <= compressBound(b->raw_len) &&
	       b->records && b->records <= b->raw_len / sizeof(struct it_hdr);
}

/*
 * The next block, checked and uncompressed into r->raw. 1 with *b filled,
 * 0 at the end (info->truncated set when the file ends inside a block: a
 * recorder cut short), or -errno with err said.
 */
static int read_block(struct trace_reader *r, struct block_header *b, struct trace_info *info,
		      char *err, size_t errlen)
{
	uLongf rlen = TRACE_BLOCK_MAX;
	int e = read_full(r->f, b, sizeof(*b));

	if (e == -ENODATA)
		return 0; /* a clean end */
	if (e == -EPIPE || (!e && block_header_ok(r, b) &&
			    (e = read_full(r->f, r->comp, b->comp_len)) &&
			    (e == -ENODATA || e == -EPIPE))) {
		/* the file ends inside a block header, or inside a right
		 * header's data: only a kill does that */
		info->truncated = 1;
		info->truncated_at = r->offset;
		return 0;
	}
	if (e) {
		snprintf(err, errlen, "%s: read error at offset %ld", r->path, r->offset);
		return e;
	}
	if (!block_header_ok(r, b)) {
		snprintf(err, errlen, "%s: corrupt block header at offset %ld (block %llu)",
			 r->path, r->offset, info->blocks);
		return -EBADMSG;
	}
	if (crc32(0, r->comp, b->comp_len) != b->crc) {
		snprintf(err, errlen, "%s: checksum mismatch in block %llu at offset %ld",
			 r->path, info->blocks, r->offset);
		return -EBADMSG;
	}
	if (uncompress(r->raw, &rlen, r->comp, b->comp_len) != Z_OK || rlen != b->raw_len) {
		snprintf(err, errlen, "%s: block %llu at offset %ld does not decompress",
			 r->path, info->blocks, r->offset);
		return -EBADMSG;
	}
	return 1;
}

/* The records of the block in r->raw, to fn; 0 or -errno with err said. */
static int block_records(struct trace_reader *r, const struct block_header *b,
			 trace_record_fn fn, void *cookie, struct trace_info *info, char *err,
			 size_t errlen)
{
	const char *why = "the block holds more bytes than its records";
	size_t pos = 0;
	int ret = 0;

	for (uint32_t i = 0; i < b->records; i++) {
		struct it_hdr rh;
		const void *rec;
		int e;

		if (pos + sizeof(rh) > b->raw_len) {
			why = "the block ends inside a record header";
			ret = -EBADMSG;
			break;
		}
		memcpy(&rh, r->raw + pos, sizeof(rh));
		if (rh.size < sizeof(rh) || pos + rh.size > b->raw_len) {
			why = "its size field does not fit the block";
			ret = -EBADMSG;
			break;
		}
		info->why[0] = '\0';
		rec = r->raw + pos;
		/* records are read through their structs: never at an odd address */
		if ((uintptr_t)rec % _Alignof(struct it_hdr)) {
			memcpy(r->aligned, rec, rh.size);
			rec = r->aligned;
		}
		e = fn(cookie, rec, rh.size);
		if (e == -EINVAL) {
			why = info->why[0] ? info->why : "rejected by the decoder";
			ret = -EBADMSG;
			break;
		}
		if (e) {
			snprintf(err, errlen, "%s: stopped at record %llu: %s", r->path,
				 info->records, strerror(-e));
			return e;
		}
		pos += rh.size;
		info->records++;
	}
	if (ret || pos != b->raw_len) {
		snprintf(err, errlen,
			 "%s: malformed record %llu (byte %zu of block %llu's data; the block "
			 "at offset %ld): %s", r->path, info->records, pos, info->blocks, r->offset,
			 why);
		return -EBADMSG;
	}
	return 0;
}

int trace_read_records(struct trace_reader *r, trace_record_fn fn, void *cookie,
		       struct trace_info *info, char *err, size_t errlen)
{
	struct block_header b;
	int e;

	while ((e = read_block(r, &b, info, err, errlen)) > 0) {
		e = block_records(r, &b, fn, cookie, info, err, errlen);
		if (e)
			return e;
		info->blocks++;
		r->offset += sizeof(b) + b.comp_len;
	}
	return e;
}

int trace_read(const char *path, trace_record_fn fn, void *cookie, struct trace_info *info,
	       char *err, size_t errlen)
{
	int ret;
	struct trace_reader *r = trace_open(path, info, err, errlen, &ret);

	if (!r)
		return ret;
	ret = trace_read_records(r, fn, cookie, info, err, errlen);
	trace_close_reader(r);
	return ret;
}
