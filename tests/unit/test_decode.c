// SPDX-License-Identifier: GPL-2.0
/* Decode: validation, reordering within the window, gaps made explicit. */
#include <errno.h>
#include <stdlib.h>

#include "model/decode.h"
#include "test.h"

#define MS 1000000ULL

struct seen {
	__u64 seqs[64];
	int n;
	__u64 lost_from[8], lost_count[8];
	int n_lost;
};

static int on_event(void *cookie, const struct it_event *e)
{
	struct seen *s = cookie;

	if (s->n < 64)
		s->seqs[s->n++] = e->hdr.seq;
	return 0;
}

static int on_lost(void *cookie, __u64 from, __u64 count, __u64 ts)
{
	struct seen *s = cookie;

	if (s->n_lost < 8) {
		s->lost_from[s->n_lost] = from;
		s->lost_count[s->n_lost++] = count;
	}
	return 0;
}

static const struct decode_ops ops = { .event = on_event, .lost = on_lost };

static struct it_event ev(__u64 seq, __u64 ts)
{
	struct it_event e = {
		.hdr = { .type = IT_REC_EVENT, .size = sizeof(e), .seq = seq, .ts_ns = ts },
		.hook = IT_HOOK_OBJ_FINALIZE,
		.obj = { .type = IT_OBJ_IOAS, .id = 1 },
	};
	return e;
}

static void feed(struct decoder *d, __u64 seq, __u64 ts)
{
	struct it_event e = ev(seq, ts);

	ASSERT_EQ(decoder_feed(d, &e, sizeof(e)), 0, "feed");
}

void test_decode_order(void)
{
	struct seen s = {};
	struct decoder *d = decoder_new(&ops, &s, 100 * MS);

	if (test__start_subtest("in_order")) {
		feed(d, 0, 1 * MS);
		feed(d, 1, 2 * MS);
		ASSERT_EQ(s.n, 2, "delivered at once");
	}
	if (test__start_subtest("swapped_pair_is_reordered")) {
		feed(d, 3, 3 * MS);
		ASSERT_EQ(s.n, 2, "3 waits for 2");
		feed(d, 2, 3 * MS);
		ASSERT_EQ(s.n, 4, "both delivered");
		ASSERT_EQ(s.seqs[2], 2, "2 first");
		ASSERT_EQ(s.seqs[3], 3, "then 3");
		ASSERT_EQ(s.n_lost, 0, "nothing lost");
	}
	if (test__start_subtest("gap_waits_for_window_then_is_lost")) {
		feed(d, 6, 10 * MS);
		decoder_tick(d, 50 * MS);
		ASSERT_EQ(s.n, 4, "6 still waits within the window");
		ASSERT_EQ(s.n_lost, 0, "not yet lost");
		decoder_tick(d, 111 * MS);
		ASSERT_EQ(s.n_lost, 1, "gap reported");
		ASSERT_EQ(s.lost_from[0], 4, "gap starts at 4");
		ASSERT_EQ(s.lost_count[0], 2, "4 and 5 lost");
		ASSERT_EQ(s.seqs[s.n - 1], 6, "6 delivered after the gap");
	}
	if (test__start_subtest("late_record_is_counted_not_delivered")) {
		feed(d, 5, 12 * MS);
		ASSERT_EQ(decoder_stats(d)->late, 1, "late count");
		ASSERT_EQ(s.seqs[s.n - 1], 6, "nothing delivered out of order");
	}
	if (test__start_subtest("finish_flushes_and_counts_the_tail")) {
		feed(d, 8, 200 * MS);
		decoder_finish(d, 10);
		ASSERT_EQ(s.seqs[s.n - 1], 8, "8 delivered at finish");
		ASSERT_EQ(s.n_lost, 3, "7 and the tail 9 lost");
		ASSERT_EQ(s.lost_from[1], 7, "gap at 7");
		ASSERT_EQ(s.lost_from[2], 9, "tail at 9");
		ASSERT_EQ(decoder_stats(d)->lost, 4, "total lost: 4, 5, 7, 9");
	}
	decoder_free(d);
}

void test_decode_many_cpus(void)
{
	struct seen s = {};
	struct decoder *d = decoder_new(&ops, &s, 100 * MS);
	/* a shuffled window of 40 sequence numbers comes out sorted */
	int order[40];

	for (int i = 0; i < 40; i++)
		order[i] = i;
	srand(7);
	for (int i = 39; i > 0; i--) {
		int j = rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < 40; i++)
		feed(d, order[i], MS);
	decoder_finish(d, 40);
	ASSERT_EQ(s.n, 40, "all delivered");
	for (int i = 0; i < 40 && i < s.n; i++)
		if (!ASSERT_EQ(s.seqs[i], i, "in sequence"))
			break;
	ASSERT_EQ(decoder_stats(d)->lost, 0, "none lost");
	decoder_free(d);
}

void test_decode_reject(void)
{
	struct it_event e = ev(0, 0), out;
	unsigned char big[sizeof(e) + 16] = {};
	const char *why = NULL;

	if (test__start_subtest("short_header"))
		ASSERT_EQ(decode_record(&e, 10, &out, &why), -EINVAL, "rc");
	if (test__start_subtest("size_beyond_data")) {
		e.hdr.size = sizeof(e) + 1;
		ASSERT_EQ(decode_record(&e, sizeof(e), &out, &why), -EINVAL, "rc");
		ASSERT_STREQ(why, "record size field does not match the data", "why");
		e.hdr.size = sizeof(e);
	}
	if (test__start_subtest("event_shorter_than_event")) {
		e.hdr.size = sizeof(struct it_hdr) + 8;
		ASSERT_EQ(decode_record(&e, sizeof(e), &out, &why), -EINVAL, "rc");
		e.hdr.size = sizeof(e);
	}
	if (test__start_subtest("unknown_type_is_skipped")) {
		struct decoder *d;
		struct seen s = {};

		e.hdr.type = 99;
		ASSERT_EQ(decode_record(&e, sizeof(e), &out, &why), -EPROTO, "rc");
		d = decoder_new(&ops, &s, MS);
		ASSERT_EQ(decoder_feed(d, &e, sizeof(e)), 0, "feed skips");
		ASSERT_EQ(decoder_stats(d)->unknown, 1, "counted");
		decoder_free(d);
		e.hdr.type = IT_REC_EVENT;
	}
	if (test__start_subtest("unknown_hook")) {
		e.hook = IT_HOOK_MAX;
		ASSERT_EQ(decode_record(&e, sizeof(e), &out, &why), -EPROTO, "rc");
		e.hook = IT_HOOK_OBJ_FINALIZE;
	}
	if (test__start_subtest("longer_record_from_newer_abi")) {
		memcpy(big, &e, sizeof(e));
		((struct it_hdr *)big)->size = sizeof(big);
		ASSERT_EQ(decode_record(big, sizeof(big), &out, &why), 0, "accepted");
		ASSERT_EQ(out.obj.type, IT_OBJ_IOAS, "known part kept");
	}
	if (test__start_subtest("unterminated_strings")) {
		memset(e.comm, 'a', sizeof(e.comm));
		memset(e.devname, 'b', sizeof(e.devname));
		ASSERT_EQ(decode_record(&e, sizeof(e), &out, &why), 0, "rc");
		ASSERT_EQ(strlen(out.comm), IT_COMM_LEN - 1, "comm terminated");
		ASSERT_EQ(strlen(out.devname), IT_DEVNAME_LEN - 1, "devname terminated");
	}
}

/*
 * A record the decoder cannot use still took its number: it is counted as
 * malformed or unknown, never reported as lost to a full ring buffer; and
 * a number far ahead is corruption, not a loss of 2^64 events.
 */
void test_decode_not_a_loss(void)
{
	struct seen s = {};
	struct decoder *d = decoder_new(&ops, &s, 100 * MS);
	struct it_event e;

	feed(d, 0, 1 * MS);
	e = ev(1, 2 * MS);
	e.hook = IT_HOOK_MAX + 3; /* a hook of a newer iommutrace */
	ASSERT_EQ(decoder_feed(d, &e, sizeof(e)), 0, "unknown hook: skipped");
	e = ev(2, 3 * MS);
	e.obj.type = IT_OBJ_VDEVICE;
	e.rel[0] = (struct it_objref){ .type = IT_OBJ_DEVICE, .addr = 1 };
	e.rel[1] = (struct it_objref){ .type = IT_OBJ_DEVICE, .addr = 2 };
	ASSERT_EQ(decoder_feed(d, &e, sizeof(e)), -EINVAL, "two devices: malformed");
	ASSERT_HAS(decoder_why(d), "two related objects", decoder_why(d));
	e = ev(~0ULL - 4, 4 * MS);
	ASSERT_EQ(decoder_feed(d, &e, sizeof(e)), -EINVAL, "a number near 2^64: malformed");
	ASSERT_HAS(decoder_why(d), "implausibly far ahead", decoder_why(d));
	feed(d, 3, 5 * MS);
	ASSERT_EQ(decoder_finish(d, 4), 0, "finish");
	ASSERT_EQ(s.n, 2, "the two good events");
	ASSERT_EQ(s.seqs[1], 3, "in order");
	ASSERT_EQ(s.n_lost, 0, "nothing lost");
	ASSERT_EQ(decoder_stats(d)->lost, 0, "lost 0");
	ASSERT_EQ(decoder_stats(d)->unknown, 1, "one unknown");
	ASSERT_EQ(decoder_stats(d)->rejected, 2, "two malformed");
	ASSERT_EQ(decoder_stats(d)->late, 0, "none late");
	decoder_free(d);
}

/*
 * Events only as long as they hold (ABI 2): the three lengths read, what
 * is not there reads as zero, another length is refused; an ABI 1 event
 * reads as the same event.
 */
void test_decode_lengths(void)
{
	static const __u16 sizes[] = { IT_EVENT_SIZE_CORE, IT_EVENT_SIZE_RELS, IT_EVENT_SIZE_FULL };
	struct it_event full = ev(1, 10), got;
	struct it_event_v1 old = {};
	const char *why = "";

	full.rel[0] = (struct it_objref){ .addr = 0x1000, .id = 2, .type = IT_OBJ_IOAS };
	full.virt_id = 0x1234;
	strcpy(full.devname, "iommufd_mock0");
	strcpy(full.comm, "qemu");
	for (int i = 0; i < 3; i++) {
		unsigned char raw[sizeof(full)];

		memcpy(raw, &full, sizeof(full));
		((struct it_hdr *)raw)->size = sizes[i];
		if (!ASSERT_OK(decode_record(raw, sizes[i], &got, &why), why))
			continue;
		ASSERT_STREQ(got.comm, "qemu", "the core");
		ASSERT_EQ(got.rel[0].id, sizes[i] >= IT_EVENT_SIZE_RELS ? 2 : 0, "relations");
		ASSERT_EQ(got.virt_id, sizes[i] >= IT_EVENT_SIZE_RELS ? 0x1234 : 0, "virt_id");
		ASSERT_EQ(got.devname[0], sizes[i] == IT_EVENT_SIZE_FULL ? 'i' : 0, "name");
	}
	full.hdr.size = IT_EVENT_SIZE_CORE + 16;
	ASSERT_ERR(decode_record(&full, sizeof(full), &got, &why), "a length of no event");
	ASSERT_HAS(why, "no event's length", "says why");

	/* ABI 1: the same fields, in the old order */
	old.hdr = (struct it_hdr){ .type = IT_REC_EVENT_V1, .size = sizeof(old), .seq = 7 };
	old.hook = IT_HOOK_VDEVICE_DESTROY;
	old.obj = (struct it_objref){ .addr = 0x2000, .id = 9, .type = IT_OBJ_VDEVICE };
	old.rel[1] = (struct it_objref){ .addr = 0x3000, .id = 3, .type = IT_OBJ_DEVICE };
	old.virt_id = 0x55;
	old.users = 2;
	old.kstack_id = 4;
	strcpy(old.comm, "qemu-v1");
	strcpy(old.devname, "0000:00:03.0");
	if (ASSERT_OK(decode_record(&old, sizeof(old), &got, &why), why)) {
		ASSERT_EQ(got.hdr.type, IT_REC_EVENT, "today's type");
		ASSERT_EQ(got.hdr.seq, 7, "seq");
		ASSERT_EQ(got.hook, IT_HOOK_VDEVICE_DESTROY, "hook");
		ASSERT_EQ(got.obj.id, 9, "obj");
		ASSERT_EQ(got.rel[1].id, 3, "rel");
		ASSERT_EQ(got.virt_id, 0x55, "virt_id");
		ASSERT_EQ(got.users, 2, "users");
		ASSERT_EQ(got.kstack_id, 4, "stack");
		ASSERT_STREQ(got.comm, "qemu-v1", "comm");
		ASSERT_STREQ(got.devname, "0000:00:03.0", "devname");
	}
}
