/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An NDJSON file for log shippers: whole lines only (each batch of lines is
 * one write(2), and an unfinished line left by a kill is cut off when the
 * file is opened again), created 0640, rotated by size into FILE.1 ..
 * FILE.N, optionally gzipped (FILE.N.gz) by a thread of its own.
 */
#ifndef IT_EXPORT_H
#define IT_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

struct export_opts {
	unsigned long long max_size; /* rotate before growing past it */
	unsigned int backups; /* rotated files kept; 0: start over */
	bool compress;
};

struct export;

/* Open (or create) path for appending; NULL with errno, after saying why. */
struct export *export_open(const char *path, const struct export_opts *o);
/* A stdio stream into it: lines written there reach the file at flush. */
FILE *export_stream(struct export *x);
/* Hand every complete line to the file; 0 or -errno. */
int export_flush(struct export *x);
/* Flush, close, wait for a compression in progress; 0 or -errno. */
int export_close(struct export *x);
/* Files rotated so far, and bytes of unfinished lines cut off at open. */
unsigned long long export_repaired(const struct export *x);

#endif
