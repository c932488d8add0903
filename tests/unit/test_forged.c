// SPDX-License-Identifier: GPL-2.0
/*
 * Names that processes give themselves (comm, PR_SET_NAME), device names
 * and owners' names, forged to fake a line, take over a terminal or break
 * a strict JSON parser, through the pipeline into every sink: the
 * terminal gets no control byte, JSON and the journal's stderr form get
 * one line per record, JSON is valid UTF-8.
 */
#include <locale.h>
#include <stdlib.h>
#include <wchar.h>

#include "model/pipeline.h"
#include "out/sinks.h"
#include "base/ptrhash.h"
#include "test.h"

#define CTX 0xffff888001000000ULL
#define EVIL "\x1b]0;x\x07\x1b[2J\r\nFAKE \xed\xa0\x80\xff"

static struct it_event fev(__u16 hook, __u64 seq, __u64 addr, __u16 type, __u32 id)
{
	struct it_event e = {
		.hdr = { .type = IT_REC_EVENT, .size = sizeof(e), .seq = seq,
			 .ts_ns = 1000000000ULL + seq * 1000000 },
		.hook = hook, .tgid = 300, .tid = 301, .ctx = CTX, .wait_cnt = ~0u,
		.obj = { .addr = addr, .type = type, .id = id },
	};

	memcpy(e.comm, EVIL, sizeof(e.comm) - 1);
	snprintf(e.devname, sizeof(e.devname), "%s", EVIL);
	if (hook == IT_HOOK_FOPS_OPEN)
		e.flags = IT_EVF_HAS_RET;
	return e;
}

/* every line of out: no control byte but its newline; none starts "FAKE" */
static void clean_lines(const char *out, const char *what, bool json, int min_lines)
{
	int lines = 0, ctl = 0, fake = 0, bad_utf8 = 0;
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = uselocale(utf8);
	mbstate_t st = { 0 };

	for (const char *p = out; *p; p++) {
		if (p == out || p[-1] == '\n') {
			lines++;
			fake += !strncmp(p, "FAKE", 4);
		}
		ctl += ((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f;
	}
	for (size_t n = strlen(out), r; json && n; out += r, n -= r) {
		r = mbrtowc(NULL, out, n, &st);
		if (r == (size_t)-1 || r == (size_t)-2 || !r) {
			bad_utf8++;
			break;
		}
	}
	uselocale(old);
	freelocale(utf8);
	ASSERT_TRUE(lines >= min_lines, what);
	ASSERT_EQ(ctl, 0, what);
	ASSERT_EQ(fake, 0, what);
	ASSERT_EQ(bad_utf8, 0, what);
}

enum kind { TTY, JSON, JOURNAL };

static char *run(enum kind kind)
{
	struct pipeline_opts o = { .attached = ~0ULL, .long_wait_ns = 100000000 };
	struct it_meta_rec m = { .hdr = { .type = IT_REC_META, .size = sizeof(m) },
				 .attached_hooks = ~0ULL };
	struct it_owner_rec r = {
		.hdr = { .type = IT_REC_OWNER, .size = sizeof(r), .seq = 0 },
		.ctx = CTX, .tgid = 300, .tid = 301, .cgroup_id = 9,
	};
	struct pipeline p;
	struct sink *s;
	struct it_event e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	static const char argv[] = "qemu\0-name\0guest=" EVIL "\0";
	static const char cg[] = "x" EVIL "\0machine.slice\0";

	memcpy(r.comm, EVIL, sizeof(r.comm) - 1);
	memcpy(r.data, cg, sizeof(cg) - 1);
	r.cgroup_len = sizeof(cg) - 1;
	memcpy(r.data + r.cgroup_len, argv, sizeof(argv));
	r.argv_len = sizeof(argv);
	r.hdr.size = IT_OWNER_FIXED + r.cgroup_len + r.argv_len;
	pipeline_init(&p, &o);
	/* the journal sink in its stderr form */
	s = kind == TTY ? sink_tty_new(f) : kind == JSON ? sink_json_new(f, false) :
	    sink_journal_new(f, false);
	if (!ASSERT_OK_PTR(s, "a sink"))
		return NULL;
	pipeline_add_sink(&p, s);
	pipeline_feed(&p, &m, sizeof(m));
	e = fev(IT_HOOK_FOPS_OPEN, 0, CTX, IT_OBJ_CTX, 0);
	pipeline_feed(&p, &e, sizeof(e));
	pipeline_feed(&p, &r, sizeof(r));
	e = fev(IT_HOOK_OBJ_ALLOC, 1, 0xffff888002000000ULL, IT_OBJ_DEVICE, 3);
	pipeline_feed(&p, &e, sizeof(e));
	/* destroyed twice: a violation, whose detail holds the device name */
	e = fev(IT_HOOK_DEVICE_DESTROY, 2, 0xffff888002000000ULL, IT_OBJ_DEVICE, 3);
	pipeline_feed(&p, &e, sizeof(e));
	e = fev(IT_HOOK_DEVICE_DESTROY, 3, 0xffff888002000000ULL, IT_OBJ_DEVICE, 3);
	pipeline_feed(&p, &e, sizeof(e));
	pipeline_finish(&p, 4, 0, 0, 0, 0);
	ASSERT_EQ(pipeline_violations(&p), 1, "a violation to report");
	pipeline_fini(&p);
	fclose(f);
	s->out = NULL;
	sink_free(s);
	return buf;
}

void test_forged_names(void)
{
	char *out;

	ptrhash_init(false);
	if (test__start_subtest("terminal")) {
		out = run(TTY);
		clean_lines(out, "tty", false, 6);
		ASSERT_HAS(out, "\\x1b[2J\\x0d\\x0aFAKE", "shown escaped");
		free(out);
	}
	if (test__start_subtest("json")) {
		out = run(JSON);
		clean_lines(out, "json", true, 6);
		free(out);
	}
	if (test__start_subtest("journal_stderr")) {
		out = run(JOURNAL);
		clean_lines(out, "journal on stderr", false, 2);
		for (const char *p = out; *p; p = strchr(p, '\n') + 1)
			ASSERT_TRUE(*p == '<', "every line has its priority");
		free(out);
	}
}
