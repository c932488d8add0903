// SPDX-License-Identifier: GPL-2.0
/* iommutrace report: a trace file or the daemon's export as a lifetime timeline page. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/log.h"
#include "base/ptrhash.h"
#include "cmd/cli.h"
#include "model/pipeline.h"
#include "out/report.h"
#include "out/sinks.h"

static const struct opt_def report_opts[] = {
	{ "output", 'o', "FILE", "the HTML page to write (required; - for stdout)" },
	{ "from-export", 'e', "FILE", "read the daemon's NDJSON export (export_events = yes;\n"
	  "                               a rotated FILE.N.gz too) instead of a trace file" },
	{ "title", 'T', "TEXT", "the page's title (default: the input's name)" },
	{ "long-wait", 'w', "MS", "long_wait threshold in milliseconds (default 100)" },
	OWNER_OPT_DEF,
	RAW_POINTERS_OPT_DEF,
	{ "verbose", 'v', NULL, "more detail" },
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};

const struct cmd cmd_report_def = {
	.name = "report",
	.fn = cmd_report,
	.summary = "Draw the object lifetimes of a trace file (or of the daemon's export) as\n"
		   "one self-contained HTML page: per context, a bar per object from birth\n"
		   "to end, idevs linked to their vDEVICEs, removal waits, lost events, and\n"
		   "every violation with its proof; zoom, filters and links to a view. The\n"
		   "page needs no network and no server.",
	.usage = "[OPTIONS] -o HTML FILE | -o HTML --from-export EXPORT",
	.opts = report_opts,
	.examples = "  iommutrace report -o vm42.html vm42.itr\n"
		    "  iommutrace report -o fleet.html --from-export /var/log/iommutrace/iommutrace.ndjson\n"
		    "  iommutrace report -o - --owner hash vm42.itr > shared.html\n",
	.exit_status = "0 the page was written, 2 usage or input error",
};

/*
 * The export's records, each line checked to be one (a JSON object with a
 * kind): the records go into out as they are. gzopen reads plain files
 * too, so a rotated FILE.N.gz reads the same. 0, or EXIT_USAGE after
 * saying why.
 */
static int read_export(const char *path, FILE *out, unsigned long long *events)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 16, len = 0;
	char *line = malloc(cap);
	unsigned long long lineno = 0, records = 0;
	bool whole;
	int ret = 0;

	if (!gz || !line) {
		fprintf(stderr, "iommutrace report: can't read %s: %s\n", path,
			errno ? strerror(errno) : "out of memory");
		ret = EXIT_USAGE;
		goto out;
	}
	for (;;) {
		if (!gzgets(gz, line + len, (int)(cap - len))) {
			if (!len)
				break;
		} else {
			len += strlen(line + len);
			if (line[len - 1] != '\n' && !gzeof(gz)) { /* a longer line */
				char *bigger = cap < (1u << 30) ? realloc(line, cap * 2) : NULL;

				if (!bigger) {
					fprintf(stderr, "iommutrace report: %s:%llu: a line longer than "
						"%zu bytes\n", path, lineno + 1, cap);
					ret = EXIT_USAGE;
					goto out;
				}
				line = bigger;
				cap *= 2;
				continue;
			}
		}
		lineno++;
		whole = len && line[len - 1] == '\n';
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len && !whole && (line[0] != '{' || line[len - 1] != '}')) {
			fprintf(stderr, "iommutrace report: %s:%llu: the file ends inside a record "
				"(cut short, or a truncated .gz)\n", path, lineno);
			ret = EXIT_USAGE;
			goto out;
		}
		if (len && (line[0] != '{' || line[len - 1] != '}' || !strstr(line, "\"kind\":\""))) {
			fprintf(stderr, "iommutrace report: %s:%llu: not an iommutrace record (a JSON "
				"object with a kind): is it the export of 'iommutrace daemon'?\n",
				path, lineno);
			ret = EXIT_USAGE;
			goto out;
		}
		if (len) {
			records++;
			*events += !!strstr(line, "\"kind\":\"event\"");
			fwrite(line, 1, len, out);
			fputc('\n', out);
		}
		len = 0;
	}
	{
		int zerr;
		const char *why = gzerror(gz, &zerr);

		if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
			fprintf(stderr, "iommutrace report: %s: %s (a truncated or corrupt .gz?)\n",
				path, why);
			ret = EXIT_USAGE;
		} else if (!records) {
			fprintf(stderr, "iommutrace report: %s has no records\n", path);
			ret = EXIT_USAGE;
		}
	}
out:
	if (gz)
		gzclose(gz);
	free(line);
	return ret;
}

/* The trace file's records, as `replay --json` prints them. */
static int read_trace(const char *path, FILE *out, const struct view_opts *vo)
{
	struct pipeline_opts po = { .attached = ~0ULL };
	struct pipeline p;
	struct sink *sink;
	int ret;

	view_pipeline_opts(vo, &po);
	if (pipeline_init(&p, &po))
		return EXIT_USAGE;
	sink = sink_json_new(out, false);
	if (!sink) {
		pipeline_fini(&p);
		return EXIT_USAGE;
	}
	sink->owner_mode = vo->owner;
	pipeline_add_sink(&p, sink);
	ret = replay_file("report", path, &p, vo->raw);
	pipeline_fini(&p);
	sink_free(sink);
	return ret;
}

/* The page into path, whole or not at all (a temporary file renamed). */
static int write_page(const char *path, const char *records, size_t len,
		      const struct report_meta *m)
{
	char tmp[4096];
	FILE *f;
	int err;

	if (!strcmp(path, "-"))
		return report_write(stdout, records, len, m) || fflush(stdout) ? EXIT_USAGE : 0;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		fprintf(stderr, "iommutrace report: the path %s is too long\n", path);
		return EXIT_USAGE;
	}
	f = fopen(tmp, "we");
	if (!f) {
		fprintf(stderr, "iommutrace report: can't write %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	err = report_write(f, records, len, m);
	if (fclose(f) || err || rename(tmp, path)) {
		fprintf(stderr, "iommutrace report: writing %s failed: %s\n", path,
			strerror(errno ? errno : EIO));
		unlink(tmp);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct view_opts vo = VIEW_OPTS_DEFAULT;
	const char *output = NULL, *export = NULL, *title = NULL, *input;
	unsigned long long events = 0;
	char *records = NULL;
	size_t len = 0;
	FILE *mem;
	int opt, ret;

	while ((opt = cmd_getopt(&cmd_report_def, argc, argv)) != -1) {
		if (opt == -2)
			return EXIT_USAGE;
		switch (report_opts[opt].short_name) {
		case 'o': output = optarg; break;
		case 'e': export = optarg; break;
		case 'T': title = optarg; break;
		case 'h': cmd_help(&cmd_report_def, true); return EXIT_OK;
		default:
			if (view_opt("report", report_opts[opt].short_name, optarg, &vo) < 0)
				return EXIT_USAGE;
		}
	}
	if (!output) {
		fprintf(stderr, "iommutrace report: give the page to write with -o FILE (see --help)\n");
		return EXIT_USAGE;
	}
	if (export ? optind != argc : optind + 1 != argc) {
		fprintf(stderr, "iommutrace report: give one trace file, or --from-export EXPORT "
			"(see --help)\n");
		return EXIT_USAGE;
	}
	input = export ? export : argv[optind];
	log_init(vo.verbose);
	mem = open_memstream(&records, &len);
	if (!mem)
		return EXIT_USAGE;
	if (export) {
		/* the daemon named the owners and hashed the pointers as it was told */
		if (vo.raw || vo.owner != OWNER_FULL)
			pr_warn("--owner and --raw-pointers apply to trace files; an export is "
				"drawn as the daemon wrote it (its owner and raw_pointers settings)\n");
		ptrhash_init(vo.raw);
		ret = read_export(export, mem, &events);
		if (!ret && !events)
			pr_warn("%s has no events (the daemon exports them with export_events = yes): "
				"the page shows its violations and losses only\n", export);
	} else {
		ret = read_trace(input, mem, &vo);
	}
	if (fclose(mem) && !ret) {
		fprintf(stderr, "iommutrace report: out of memory\n");
		ret = EXIT_USAGE;
	}
	if (!ret) {
		struct report_meta m = {
			.title = title ? title : input,
			.source = input,
			.generator = "iommutrace " IOMMUTRACE_VERSION,
			.long_wait_ms = vo.wait_ms,
		};

		ret = write_page(output, records, len, &m);
	}
	free(records);
	return ret;
}
