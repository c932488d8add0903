// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: a trace file, whatever its bytes, through trace_read and the
 * whole pipeline with the text and JSON sinks: no crash, no sanitizer
 * report, and every JSON line valid UTF-8.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "model/pipeline.h"
#include "out/graph_view.h"
#include "out/sinks.h"
#include "base/ptrhash.h"
#include "format/trace_file.h"

static int feed(void *cookie, const void *rec, size_t len)
{
	int err = pipeline_feed(cookie, rec, len);

	return err == -EINVAL ? -EINVAL : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct pipeline_opts o = { .attached = ~0ULL, .long_wait_ns = 100000000 };
	struct trace_info info;
	struct pipeline p;
	struct sink *tty, *js;
	char err[512], *text = NULL, *json = NULL;
	size_t tlen = 0, jlen = 0;
	FILE *tf = open_memstream(&text, &tlen), *jf = open_memstream(&json, &jlen);
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/iommutrace-fuzz-%d.itr", getpid());
	f = fopen(path, "w");
	fwrite(data, 1, size, f);
	fclose(f);
	ptrhash_init(false);
	pipeline_init(&p, &o);
	tty = sink_tty_new(tf);
	js = sink_json_new(jf, false);
	pipeline_add_sink(&p, tty);
	pipeline_add_sink(&p, js);
	if (!trace_read(path, feed, &p, &info, err, sizeof(err)))
		pipeline_finish(&p, 0, 0, 0, 0, 0);
	graph_print(&p.g, tf, GRAPH_TREE, OWNER_FULL);
	graph_print(&p.g, jf, GRAPH_JSON, OWNER_HASH);
	graph_print(&p.g, tf, GRAPH_DOT, OWNER_FULL);
	pipeline_fini(&p);
	fclose(tf);
	fclose(jf);
	fuzz_check_utf8(json, jlen);
	fuzz_check_printable(text, tlen);
	tty->out = js->out = NULL;
	sink_free(tty);
	sink_free(js);
	free(text);
	free(json);
	return 0;
}
