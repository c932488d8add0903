// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF side takes a sequence number before it reserves ring buffer
 * space, so records from different CPUs can arrive slightly out of order
 * and a failed reservation leaves a hole. A min-heap on the sequence number
 * holds records until their predecessors came or a window of event time
 * has passed; then the hole is reported as lost, never guessed over.
 */
#include <errno.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "model/decode.h"
#include "model/owner.h"

struct decoder {
	const struct decode_ops *ops;
	void *cookie;
	__u64 window_ns;
	__u64 next_seq;
	__u64 now_ns;
	struct it_event *heap;
	size_t n, cap;
	struct decode_stats stats;
	const char *why; /* of the last record rejected */
};

/*
 * A gap this wide is no ring buffer's: at a million events a second it
 * would take 12 days. A record that far ahead is corrupt, not a loss.
 */
#define SEQ_MAX_JUMP (1ULL << 40)

struct decoder *decoder_new(const struct decode_ops *ops, void *cookie, __u64 window_ns)
{
	struct decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->ops = ops;
	d->cookie = cookie;
	d->window_ns = window_ns;
	return d;
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	free(d->heap);
	free(d);
}

const struct decode_stats *decoder_stats(const struct decoder *d)
{
	return &d->stats;
}

const char *decoder_why(const struct decoder *d)
{
	return d->why ? d->why : "";
}

bool is_event_record(unsigned int type)
{
	return type == IT_REC_EVENT || type == IT_REC_EVENT_V1;
}

/* An ABI 1 event, field by field into today's. */
static void event_from_v1(struct it_event *e, const void *data)
{
	struct it_event_v1 o;

	memcpy(&o, data, sizeof(o));
	memset(e, 0, sizeof(*e));
	e->hdr = o.hdr;
	e->hdr.type = IT_REC_EVENT;
	e->hdr.size = sizeof(*e);
	e->hook = o.hook;
	e->flags = o.flags;
	e->tgid = o.tgid;
	e->tid = o.tid;
	e->ret = o.ret;
	e->dur_ns = o.dur_ns;
	e->ctx = o.ctx;
	e->obj = o.obj;
	e->users = o.users;
	e->wait_cnt = o.wait_cnt;
	e->kstack_id = o.kstack_id;
	memcpy(e->comm, o.comm, sizeof(e->comm));
	memcpy(e->rel, o.rel, sizeof(e->rel));
	e->virt_id = o.virt_id;
	memcpy(e->devname, o.devname, sizeof(e->devname));
}

int decode_record(const void *data, size_t len, struct it_event *e, const char **why)
{
	struct it_hdr h;

	if (len < sizeof(h)) {
		*why = "record shorter than its header";
		return -EINVAL;
	}
	memcpy(&h, data, sizeof(h));
	if (h.size < sizeof(h) || h.size > len) {
		*why = "record size field does not match the data";
		return -EINVAL;
	}
	if (h.type == IT_REC_EVENT_V1) {
		if (h.size < sizeof(struct it_event_v1)) {
			*why = "event record shorter than an event";
			return -EINVAL;
		}
		event_from_v1(e, data);
	} else if (h.type == IT_REC_EVENT) {
		/* as long as what it holds; a newer ABI may append fields */
		if (h.size != IT_EVENT_SIZE_CORE && h.size != IT_EVENT_SIZE_RELS &&
		    h.size < IT_EVENT_SIZE_FULL) {
			*why = "event record of no event's length";
			return -EINVAL;
		}
		memset(e, 0, sizeof(*e));
		memcpy(e, data, h.size < sizeof(*e) ? h.size : sizeof(*e));
	} else {
		*why = "unknown record type";
		return -EPROTO;
	}
	if (e->hook == 0 || e->hook >= IT_HOOK_MAX) {
		*why = "event of an unknown hook";
		return -EPROTO;
	}
	if (e->obj.type >= IT_OBJ_MAX || e->rel[0].type >= IT_OBJ_MAX ||
	    e->rel[1].type >= IT_OBJ_MAX) {
		*why = "event of an unknown object type";
		return -EPROTO;
	}
	/* the BPF side never relates an object to two of one type */
	if (e->rel[0].type && e->rel[0].type == e->rel[1].type) {
		*why = "event with two related objects of one type";
		return -EINVAL;
	}
	/* strings from the kernel are bounded but not always terminated */
	e->comm[IT_COMM_LEN - 1] = '\0';
	e->devname[IT_DEVNAME_LEN - 1] = '\0';
	return 0;
}

int decode_aux(const void *data, size_t len, const char **why, struct ctx_owner *owner)
{
	struct it_hdr h;
	size_t min;

	if (len < sizeof(h)) {
		*why = "record shorter than its header";
		return -EINVAL;
	}
	memcpy(&h, data, sizeof(h));
	if (h.size < sizeof(h) || h.size > len) {
		*why = "record size field does not match the data";
		return -EINVAL;
	}
	switch (h.type) {
	case IT_REC_STACK: min = sizeof(struct it_stack_rec); break;
	case IT_REC_META: min = sizeof(struct it_meta_rec); break;
	case IT_REC_END: min = sizeof(struct it_end_rec); break;
	case IT_REC_MODULE: min = sizeof(struct it_module_rec); break;
	case IT_REC_OWNER: min = IT_OWNER_FIXED; break; /* data[] as long as it is filled */
	default:
		*why = "unknown record type";
		return -EPROTO;
	}
	if (h.size < min) {
		*why = "record shorter than its type";
		return -EINVAL;
	}
	if (h.type == IT_REC_OWNER) {
		struct ctx_owner o;

		if (owner_parse(data, len, owner ? owner : &o)) {
			*why = "owner record with lengths beyond its buffers or an unterminated name";
			return -EINVAL;
		}
	}
	return 0;
}

static void heap_swap(struct it_event *a, struct it_event *b)
{
	struct it_event t = *a;

	*a = *b;
	*b = t;
}

static int heap_push(struct decoder *d, const struct it_event *e)
{
	size_t i;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct it_event *h = realloc(d->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		d->heap = h;
		d->cap = cap;
	}
	i = d->n++;
	d->heap[i] = *e;
	while (i && d->heap[(i - 1) / 2].hdr.seq > d->heap[i].hdr.seq) {
		heap_swap(&d->heap[(i - 1) / 2], &d->heap[i]);
		i = (i - 1) / 2;
	}
	return 0;
}

static void heap_pop(struct decoder *d)
{
	size_t i = 0;

	d->heap[0] = d->heap[--d->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < d->n && d->heap[l].hdr.seq < d->heap[m].hdr.seq)
			m = l;
		if (r < d->n && d->heap[r].hdr.seq < d->heap[m].hdr.seq)
			m = r;
		if (m == i)
			break;
		heap_swap(&d->heap[i], &d->heap[m]);
		i = m;
	}
}

static int declare_lost(struct decoder *d, __u64 upto, __u64 ts_ns)
{
	__u64 count = upto - d->next_seq;
	int err = 0;

	if (!count)
		return 0;
	d->stats.lost += count;
	if (d->ops->lost)
		err = d->ops->lost(d->cookie, d->next_seq, count, ts_ns);
	d->next_seq = upto;
	return err;
}

/* Release records in order; with force, no record waits for a hole. */
static int release(struct decoder *d, bool force)
{
	int err;

	while (d->n) {
		struct it_event *top = &d->heap[0];

		if (top->hdr.seq < d->next_seq) {
			if (top->hook) /* not a placeholder */
				d->stats.late++;
			heap_pop(d);
			continue;
		}
		if (top->hdr.seq > d->next_seq) {
			if (!force && d->now_ns < top->hdr.ts_ns + d->window_ns)
				break;
			err = declare_lost(d, top->hdr.seq, top->hdr.ts_ns);
			if (err)
				return err;
		}
		struct it_event e = *top;

		heap_pop(d);
		d->next_seq = e.hdr.seq + 1;
		if (!e.hook) /* a record counted as malformed or unknown: its number came */
			continue;
		err = d->ops->event(d->cookie, &e);
		if (err)
			return err;
	}
	return 0;
}

/* A record's type, read without assuming where the record lies. */
static __u16 rec_type(const void *data)
{
	__u16 type;

	memcpy(&type, (const char *)data + offsetof(struct it_hdr, type), sizeof(type));
	return type;
}

int decoder_feed(struct decoder *d, const void *data, size_t len)
{
	bool aux = len >= sizeof(struct it_hdr) && !is_event_record(rec_type(data));
	struct it_event e;
	struct ctx_owner o;
	const char *why = NULL;
	int err = aux ? decode_aux(data, len, &why, &o) : decode_record(data, len, &e, &why);

	if (!err && !aux && e.hdr.seq >= d->next_seq + SEQ_MAX_JUMP) {
		why = "sequence number implausibly far ahead (corrupt)";
		err = -EINVAL;
	}
	if (err) {
		if (err == -EPROTO)
			d->stats.unknown++;
		else
			d->stats.rejected++;
		d->why = why;
		/*
		 * An event whose number is readable took that number: it came,
		 * it is not a loss of the ring buffer. A placeholder keeps its
		 * place in the order.
		 */
		if (!aux && len >= sizeof(struct it_hdr)) {
			struct it_hdr h;

			memcpy(&h, data, sizeof(h));
			if (h.size >= sizeof(h) && h.size <= len && is_event_record(h.type) &&
			    h.seq >= d->next_seq && h.seq < d->next_seq + SEQ_MAX_JUMP) {
				struct it_event t = { .hdr = h };
				int e2 = heap_push(d, &t);

				if (e2)
					return e2;
			}
		}
		return err == -EPROTO ? 0 : err;
	}
	if (aux && rec_type(data) == IT_REC_MODULE) {
		struct it_module_rec m;

		/*
		 * Everything the old module's probes took a number for was
		 * written before this record: release it all first, and what
		 * never came is lost.
		 */
		memcpy(&m, data, sizeof(m));
		err = decoder_finish(d, m.next_seq);
		if (err)
			return err;
	}
	if (aux && rec_type(data) == IT_REC_OWNER)
		return d->ops->owner ? d->ops->owner(d->cookie, &o) : 0;
	if (aux)
		return d->ops->aux ? d->ops->aux(d->cookie, data, data, len) : 0;
	d->stats.records++;
	d->stats.per_hook[e.hook]++;
	if (e.hdr.ts_ns > d->now_ns)
		d->now_ns = e.hdr.ts_ns;
	err = heap_push(d, &e);
	return err ? err : release(d, false);
}

int decoder_tick(struct decoder *d, __u64 now_ns)
{
	if (now_ns > d->now_ns)
		d->now_ns = now_ns;
	return release(d, false);
}

int decoder_finish(struct decoder *d, __u64 end_seq)
{
	int err = release(d, true);

	if (err)
		return err;
	if (end_seq > d->next_seq)
		return declare_lost(d, end_seq, d->now_ns);
	return 0;
}
