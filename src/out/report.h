/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lifetime report: one self-contained HTML page (report/report.*,
 * built in) with the records it draws embedded as NDJSON.
 */
#ifndef IT_REPORT_H
#define IT_REPORT_H

#include <stddef.h>
#include <stdio.h>

struct report_meta {
	const char *title;
	const char *source; /* the file it was made from */
	const char *generator; /* "iommutrace VERSION" */
	unsigned long long long_wait_ms; /* what the page draws as a long wait */
};

/*
 * The page, with records (NDJSON of the export's schema, one record a
 * line) as its data. 0, or -errno when out failed.
 */
int report_write(FILE *out, const char *records, size_t len, const struct report_meta *m);

#endif
