/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace files: the raw record stream, versioned, in zlib-compressed
 * blocks with a CRC each, so that a file is readable up to its last
 * complete block even when the recorder was killed.
 *
 *   header  "IOMMUTR\0", u32 version, u32 record ABI, u8[16] handle key,
 *           u64 reserved (0)                                (40 bytes)
 *   block   u32 magic "BLK1", u32 raw length, u32 compressed length,
 *           u32 crc32 of the compressed bytes, u32 records, u32 crc32 of
 *           the 20 bytes before it (version 2; 0 in version 1), then the
 *           compressed records                          (24 bytes + data)
 *
 * The header's checksum tells a block cut short by a kill (its header is
 * whole and right, the file ends inside its data) from a corrupt one.
 * Version 1 files (no header checksum) are read as well.
 */
#ifndef IT_TRACE_FILE_H
#define IT_TRACE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_MAGIC "IOMMUTR"
#define TRACE_VERSION 2
#define TRACE_VERSION_MIN 1 /* the oldest still read */
#define TRACE_KEY_LEN 16
#define TRACE_BLOCK_MAGIC 0x314b4c42u /* "BLK1" */
#define TRACE_BLOCK_MAX (1u << 20) /* raw bytes per block, at most */

struct trace_writer;

/*
 * Writes a new file (0640) beside path, and nothing else yet: path itself
 * must not exist, or with force be a regular file. key: the pointer-hash
 * key of this recording. NULL with errno set (EEXIST,
 * EFTYPE_NOT_REGULAR, or the system's).
 */
struct trace_writer *trace_create(const char *path, const uint8_t key[TRACE_KEY_LEN],
				  bool force);
/*
 * Name the file path, once it is wanted (tracing started): a file at path
 * that appeared meanwhile is replaced only with force. Until then, and if
 * this is never called, trace_close removes the file it made.
 */
int trace_publish(struct trace_writer *w);
/* What trace_create's or trace_publish's errno means, with the fix. */
const char *trace_create_error(int err);
#define EFTYPE_NOT_REGULAR 4096 /* errno of a path that is not a regular file */
int trace_append(struct trace_writer *w, const void *rec, size_t len);
/* Write out the pending block (at least once a second while recording). */
int trace_flush(struct trace_writer *w);
/* Flush, fsync and close; returns the first error seen. */
int trace_close(struct trace_writer *w);

struct trace_info {
	uint32_t version, abi;
	uint8_t key[TRACE_KEY_LEN];
	unsigned long long blocks, records;
	int truncated; /* the file ends inside a block: the recorder was cut short */
	unsigned long long truncated_at; /* offset of that block */
	char why[128]; /* a record callback's reason for -EINVAL */
};

/* -EINVAL: the record is malformed (the callback may say why in info->why) */
typedef int (*trace_record_fn)(void *cookie, const void *rec, size_t len);

/*
 * Reading in steps: open and check the header (info has its version and
 * key, for hashing handles as the recorder did), then the records, then
 * close. On error each returns NULL or -errno (*ret for trace_open) and
 * writes what is wrong and where into err.
 */
struct trace_reader;
struct trace_reader *trace_open(const char *path, struct trace_info *info, char *err,
				size_t errlen, int *ret);
/* Every record in order to fn. */
int trace_read_records(struct trace_reader *r, trace_record_fn fn, void *cookie,
		       struct trace_info *info, char *err, size_t errlen);
void trace_close_reader(struct trace_reader *r);
/* All three. */
int trace_read(const char *path, trace_record_fn fn, void *cookie, struct trace_info *info,
	       char *err, size_t errlen);

#endif
