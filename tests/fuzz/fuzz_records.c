// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: raw records as the ring buffer hands them over (the input cut
 * into records by their own size fields) through the decoder, the graph,
 * the rules and the JSON sink: no crash, valid UTF-8 out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model/pipeline.h"
#include "out/graph_view.h"
#include "out/sinks.h"
#include "base/ptrhash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline_opts o = { .attached = ~0ULL, .long_wait_ns = 100000000 };
	struct pipeline p;
	struct sink *js;
	char *json = NULL;
	size_t jlen = 0, off = 0;
	FILE *jf = open_memstream(&json, &jlen);

	ptrhash_init(false);
	pipeline_init(&p, &o);
	js = sink_json_new(jf, false);
	pipeline_add_sink(&p, js);
	while (off + sizeof(struct it_hdr) <= size) {
		struct it_hdr h;
		size_t len;
		void *rec;

		memcpy(&h, data + off, sizeof(h));
		len = h.size < sizeof(h) ? sizeof(h) : h.size;
		if (len > size - off)
			len = size - off;
		/* a copy of its own, as the ring buffer's records are */
		rec = malloc(len);
		memcpy(rec, data + off, len);
		pipeline_record(&p, rec, len);
		free(rec);
		off += len;
	}
	pipeline_finish(&p, 0, 0, 0, 0, 0);
	graph_print(&p.g, jf, GRAPH_JSON, OWNER_FULL);
	pipeline_fini(&p);
	fclose(jf);
	fuzz_check_utf8(json, jlen);
	js->out = NULL;
	sink_free(js);
	free(json);
	return 0;
}
