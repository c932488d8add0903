// SPDX-License-Identifier: GPL-2.0
/*
 * The lifetime report (see report.h): the template's placeholders filled
 * with the page's facts, the hook table and the records.
 */
#include <errno.h>
#include <string.h>

#include "base/json.h"
#include "format/hooks.h"
#include "out/report.h"
#include "report_assets.h" /* report_html, report_css, report_js: made from report/ */

/* what each hook does to an object, as the page's model reads it */
static const char *const action_names[] = {
	[HA_NONE] = "none",
	[HA_OPEN] = "open",
	[HA_RELEASE] = "release",
	[HA_RELEASE_RET] = "release_ret",
	[HA_ALLOC] = "alloc",
	[HA_FINALIZE] = "finalize",
	[HA_OBJ_ABORT] = "obj_abort",
	[HA_ABORT_AND_DESTROY] = "abort_and_destroy",
	[HA_REMOVE] = "remove",
	[HA_REMOVE_RET] = "remove_ret",
	[HA_DEREF_RET] = "deref_ret",
	[HA_DESTROY] = "destroy",
	[HA_ABORT] = "abort",
	[HA_USE] = "use",
	[HA_HOLD] = "hold",
};

/*
 * Text inside a <script> element: '<' as \u003c, which JSON reads back
 * inside its strings (the only place one can be), so that no "</script>"
 * or "<!--" in a record can end the element.
 */
static void script_text(FILE *out, const char *s, size_t n)
{
	for (const char *e = s + n, *lt; s < e; s = lt + 1) {
		lt = memchr(s, '<', (size_t)(e - s));
		if (!lt) {
			fwrite(s, 1, (size_t)(e - s), out);
			return;
		}
		fwrite(s, 1, (size_t)(lt - s), out);
		fputs("\\u003c", out);
	}
}

/* HTML text: the title, the generator */
static void html_text(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
}

static void write_json(FILE *out, struct json *j)
{
	if (!j->oom)
		script_text(out, j->buf, j->len);
	else
		fputs("{}", out); /* the page says what it lacks */
}

static void write_meta(FILE *out, const struct report_meta *m)
{
	struct json j;

	json_init(&j);
	json_obj_begin(&j, NULL);
	json_str(&j, "title", m->title);
	json_str(&j, "source", m->source);
	json_u64(&j, "long_wait_ms", m->long_wait_ms);
	json_obj_end(&j);
	write_json(out, &j);
	json_free(&j);
}

static void write_hooks(FILE *out)
{
	struct json j;

	json_init(&j);
	json_obj_begin(&j, NULL);
	for (unsigned int h = 1; h < IT_HOOK_MAX; h++)
		if (hook_defs[h].label)
			json_str(&j, hook_defs[h].label, action_names[hook_defs[h].action]);
	json_obj_end(&j);
	write_json(out, &j);
	json_free(&j);
}

int report_write(FILE *out, const char *records, size_t len, const struct report_meta *m)
{
	const char *t = report_html;

	while (*t) {
		const char *at = strchr(t, '@');
		size_t n;

		if (!at) {
			fputs(t, out);
			break;
		}
		fwrite(t, 1, (size_t)(at - t), out);
		n = strcspn(at + 1, "@\n");
		if (at[1 + n] != '@') { /* an @ that starts no placeholder */
			fputc('@', out);
			t = at + 1;
			continue;
		}
#define IS(name) (n == sizeof(name) - 1 && !memcmp(at + 1, name, n))
		if (IS("TITLE"))
			html_text(out, m->title);
		else if (IS("GENERATOR"))
			html_text(out, m->generator);
		else if (IS("STYLE"))
			fputs(report_css, out);
		else if (IS("SCRIPT"))
			fputs(report_js, out);
		else if (IS("META"))
			write_meta(out, m);
		else if (IS("HOOKS"))
			write_hooks(out);
		else if (IS("RECORDS"))
			script_text(out, records, len);
		else
			fwrite(at, 1, n + 2, out);
#undef IS
		t = at + n + 2;
	}
	return ferror(out) ? -EIO : 0;
}
