/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace files: the raw record stream, versioned, in zlib-compressed
 * blocks with a CRC each, so that a file is readable up to its last
 * complete block even when the recorder was killed.
 *
 *   header  "IOMMUTR\0", u32 version, u32 record ABI, u8[16] handle key,
 *           u64 reserved                                    (40 bytes)
 *   block   u32 magic "BLK1", u32 raw length, u32 compressed length,
 *           u32 crc32 of the compressed bytes, u32 records, u32 reserved,
 *           then the compressed records                  (24 bytes + data)
 */
#ifndef IT_TRACE_FILE_H
#define IT_TRACE_FILE_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_MAGIC "IOMMUTR"
#define TRACE_VERSION 1
#define TRACE_KEY_LEN 16
#define TRACE_BLOCK_MAGIC 0x314b4c42u /* "BLK1" */
#define TRACE_BLOCK_MAX (1u << 20) /* raw bytes per block, at most */

struct trace_writer;

/* Creates path (0640); key: the pointer-hash key of this recording. */
struct trace_writer *trace_create(const char *path, const uint8_t key[TRACE_KEY_LEN]);
int trace_append(struct trace_writer *w, const void *rec, size_t len);
/* Write out the pending block (at least once a second while recording). */
int trace_flush(struct trace_writer *w);
/* Flush, fsync and close; returns the first error seen. */
int trace_close(struct trace_writer *w);
unsigned long long trace_records(const struct trace_writer *w);

struct trace_info {
	uint32_t version, abi;
	uint8_t key[TRACE_KEY_LEN];
	unsigned long long blocks, records;
	int truncated; /* the file ends inside a block: the recorder was cut short */
};

typedef int (*trace_record_fn)(void *cookie, const void *rec, size_t len);

/*
 * Read every record of path in order and hand it to fn. On error returns
 * -errno and writes what is wrong and where into err.
 */
int trace_read(const char *path, trace_record_fn fn, void *cookie, struct trace_info *info,
	       char *err, size_t errlen);

#endif
