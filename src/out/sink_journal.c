// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts for the system log: structured journal entries through
 * libsystemd (a MESSAGE_ID per rule, the rule, objects, device, pid), or,
 * without a journal, one line each on stderr with a <N> priority prefix,
 * which systemd and syslog daemons understand.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "format/hooks.h"
#include "base/ptrhash.h"
#include "out/sinks.h"
#include "base/text.h"

#define MSGID_LOST "631cef60ced44d6dbcbf638bdf090d6d"
#define MSGID_MODULE "50b9d6db8af8437288e93d3f00db7f5f"
#define MSGID_SUMMARY "a52bb45a6c47462dbfa8395462daae0b"

#define MAX_FIELDS 48

struct journal_sink {
	struct sink s;
	bool journal; /* the journal, not out */
};

struct fields {
	struct iovec iov[MAX_FIELDS];
	int n;
};

static void field(struct fields *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void field(struct fields *f, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL, *safe;
	int n;

	if (f->n >= MAX_FIELDS)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* names come from the kernel and from processes: valid UTF-8 only */
	safe = malloc(3 * (size_t)n + 1);
	if (!safe) {
		free(s);
		return;
	}
	n = strlen(utf8_safe(s, safe, 3 * (size_t)n + 1));
	free(s);
	s = safe;
	f->iov[f->n].iov_base = s;
	f->iov[f->n].iov_len = n;
	f->n++;
}

/* The journal, or stderr with a priority prefix; frees the fields. */
static int send(struct sink *s, struct fields *f, int prio, const char *message)
{
	int err = 0;

	if (((struct journal_sink *)s)->journal) {
		field(f, "PRIORITY=%d", prio);
		field(f, "SYSLOG_IDENTIFIER=iommutrace");
		field(f, "MESSAGE=%s", message);
		err = sd_journal_sendv(f->iov, f->n);
	} else {
		/* one line each, whatever a name holds: its <N> prefix is its level */
		char *safe = malloc(4 * strlen(message) + 1);

		fprintf(s->out, "<%d>iommutrace: %s\n", prio,
			safe ? tty_safe(message, safe, 4 * strlen(message) + 1) : "(out of memory)");
		free(safe);
		fflush(s->out);
		err = ferror(s->out) ? -EIO : 0;
	}
	for (int i = 0; i < f->n; i++)
		free(f->iov[i].iov_base);
	f->n = 0;
	return err;
}

static void upper(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? src[i] - 'a' + 'A' :
			 (src[i] >= 'A' && src[i] <= 'Z') || (src[i] >= '0' && src[i] <= '9') ?
			 src[i] : '_';
	dst[i] = '\0';
}

/* A stack as one field's value: a frame a line. */
static void stack_text(const struct kstack *k, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < k->n && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? "\n" : "", k->frames[i]);
}

static int journal_violation(struct sink *s, const struct violation *v, const struct kstack *k)
{
	struct fields f = {};
	char msg[512], objs[256] = "", h[PTRHASH_LEN], role[32];
	char vmb[OWNER_VM_LEN + 8], cgb[32];
	const char *dev = "";
	size_t o = 0;
	/* an uncertain verdict is a notice: events were lost around it */
	int prio = !v->certain ? 5 : v->rule->severity == SEV_ERROR ? 3 : 4;

	for (int i = 0; i < v->n_objs; i++) {
		const struct viol_obj *ob = &v->objs[i];

		o += snprintf(objs + o, o < sizeof(objs) ? sizeof(objs) - o : 0, "%s%s#%u",
			      i ? " " : "", obj_type_name(ob->type), ob->id);
		upper(role, ob->role, sizeof(role));
		field(&f, "IOMMUTRACE_%s_ID=%u", role, ob->id);
		field(&f, "IOMMUTRACE_%s_HANDLE=%s", role, ptrhash(ob->addr, h));
		if (ob->devname[0] && !dev[0])
			dev = ob->devname;
	}
	const char *vm = v->owner ? owner_show(s->owner_mode, v->owner->vm, vmb, sizeof(vmb)) : NULL;
	const char *cg = v->owner ? owner_show(s->owner_mode, v->owner->cgroup, cgb, sizeof(cgb)) :
				    NULL;

	snprintf(msg, sizeof(msg), "%s%s: %s (%s; %s[%u] in %s%s%s)", v->rule->name,
		 v->certain ? "" : " (uncertain: events were lost)", v->detail, objs, v->comm,
		 v->tgid, hook_func(v->hook), vm ? "; vm " : "", vm ? vm : "");
	field(&f, "MESSAGE_ID=%s", v->rule->message_id);
	field(&f, "IOMMUTRACE_RULE=%s", v->rule->name);
	field(&f, "IOMMUTRACE_SEVERITY=%s", severity_name(v->rule->severity));
	field(&f, "IOMMUTRACE_CERTAIN=%s", v->certain ? "yes" : "no");
	field(&f, "IOMMUTRACE_OBJECTS=%s", objs);
	if (dev[0])
		field(&f, "IOMMUTRACE_DEVICE=%s", dev);
	if (v->n_objs)
		field(&f, "IOMMUTRACE_CTX=%s", ptrhash(v->objs[0].ctx, h));
	/* the offending process: journald adds its OBJECT_* metadata */
	field(&f, "OBJECT_PID=%u", v->tgid);
	field(&f, "IOMMUTRACE_COMM=%s", v->comm);
	/* who opened the context: the VMM, its VM and its cgroup */
	if (v->owner) {
		field(&f, "IOMMUTRACE_OWNER_PID=%u", v->owner->tgid);
		field(&f, "IOMMUTRACE_OWNER_COMM=%s", v->owner->comm);
		if (vm)
			field(&f, "IOMMUTRACE_VM=%s", vm);
		if (cg)
			field(&f, "IOMMUTRACE_CGROUP=%s", cg);
	}
	field(&f, "IOMMUTRACE_FUNCTION=%s", hook_func(v->hook));
	field(&f, "IOMMUTRACE_SEQ=%llu", (unsigned long long)v->seq);
	if (k && k->n) {
		char stack[1024];

		stack_text(k, stack, sizeof(stack));
		field(&f, "IOMMUTRACE_STACK=%s", stack);
	}
	if (v->holder.tasks) {
		field(&f, "IOMMUTRACE_HOLDER_PID=%u", v->holder.tgid);
		field(&f, "IOMMUTRACE_HOLDER_TID=%u", v->holder.tid);
		field(&f, "IOMMUTRACE_HOLDER_COMM=%.*s", (int)sizeof(v->holder.comm), v->holder.comm);
	}
	if (v->holder_stack && v->holder_stack->n) {
		char stack[1024];

		stack_text(v->holder_stack, stack, sizeof(stack));
		field(&f, "IOMMUTRACE_HOLDER_STACK=%s", stack);
	}
	return send(s, &f, prio, msg);
}

static int journal_lost(struct sink *s, __u64 from, __u64 count, __u64 ts_ns)
{
	struct fields f = {};
	char msg[256];

	snprintf(msg, sizeof(msg), "lost %llu event(s) (seq %llu..%llu): the ring buffer was "
		 "full; verdicts on the objects alive then are uncertain; raise ringbuf_size",
		 (unsigned long long)count, (unsigned long long)from,
		 (unsigned long long)(from + count - 1));
	field(&f, "MESSAGE_ID=%s", MSGID_LOST);
	field(&f, "IOMMUTRACE_LOST=%llu", (unsigned long long)count);
	return send(s, &f, 4, msg);
}

static int journal_module(struct sink *s, const struct it_module_rec *m,
			  unsigned long long forgotten)
{
	struct fields f = {};
	char msg[256];

	if (m->state == IT_MODULE_GONE)
		snprintf(msg, sizeof(msg), "module %s unloaded: %llu object(s) forgotten; "
			 "waiting for it to be loaded again", m->name, forgotten);
	else
		snprintf(msg, sizeof(msg), "module %s loaded again: tracing it", m->name);
	field(&f, "MESSAGE_ID=%s", MSGID_MODULE);
	field(&f, "IOMMUTRACE_MODULE=%s", m->name);
	field(&f, "IOMMUTRACE_MODULE_STATE=%s", m->state == IT_MODULE_GONE ? "unloaded" : "loaded");
	return send(s, &f, 6, msg);
}

static int journal_summary(struct sink *s, const struct summary *sum)
{
	struct fields f = {};
	char msg[256];
	unsigned long long viol = sum->rules ? rules_total(sum->rules, true) : 0;
	unsigned long long unc = sum->rules ? rules_total(sum->rules, false) : 0;

	snprintf(msg, sizeof(msg), "stopped after %.0f s: %llu events, %llu lost, %llu "
		 "violation(s), %llu uncertain", sum->duration_ns / 1e9, sum->dec->records,
		 sum->dec->lost, viol, unc);
	field(&f, "MESSAGE_ID=%s", MSGID_SUMMARY);
	field(&f, "IOMMUTRACE_EVENTS=%llu", sum->dec->records);
	field(&f, "IOMMUTRACE_LOST=%llu", sum->dec->lost);
	field(&f, "IOMMUTRACE_VIOLATIONS=%llu", viol);
	return send(s, &f, 6, msg);
}

static const struct sink_ops journal_ops = {
	.violation = journal_violation,
	.lost = journal_lost,
	.module = journal_module,
	.summary = journal_summary,
};

struct sink *sink_journal_new(FILE *fallback, bool to_journal)
{
	struct journal_sink *js = calloc(1, sizeof(*js));

	if (!js)
		return NULL;
	sink_init(&js->s, &journal_ops, fallback);
	js->journal = to_journal;
	return &js->s;
}

void sink_journal_use(struct sink *s, bool to_journal)
{
	((struct journal_sink *)s)->journal = to_journal;
}

bool sink_journal_uses(const struct sink *s)
{
	return ((const struct journal_sink *)s)->journal;
}

bool journal_available(void)
{
	return !access("/run/systemd/journal/socket", W_OK);
}
