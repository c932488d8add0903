/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The object graph: per iommufd context, every object seen, its state,
 * birth and death, and its edges (idev <- vdev -> vIOMMU -> HWPT -> IOAS).
 * Built from events in sequence order; the rules read it.
 */
#ifndef IT_GRAPH_H
#define IT_GRAPH_H

#include <stdbool.h>
#include <stdio.h>
#include "iommutrace.h"
#include "model/owner.h"
#include "base/table.h"

enum node_state {
	NS_RESERVED, /* allocated, not yet published */
	NS_LIVE,
	NS_REMOVING, /* iommufd_object_remove() in progress */
	NS_ABORTED, /* freed by iommufd_object_abort() */
	NS_DESTROYED,
	NS_TOMBSTONED, /* destroyed, its id kept reserved (6.17+) */
};

#define CHAIN_LEN 8

/*
 * The tasks that took a short-term reference while a removal waited (the
 * first get of each), and the last of them.
 */
struct holder {
	__u32 tasks; /* 0: none seen */
	__u32 tgid, tid;
	__u32 kstack_id;
	__u64 ts_ns;
	char comm[IT_COMM_LEN];
};

/* One event in an object's history, for the proof of a violation. */
struct chain_ev {
	__u64 seq;
	__u64 ts_ns;
	__u32 tgid;
	__u16 hook;
	__u16 __pad;
	__u32 kstack_id;
};

struct node {
	__u64 addr;
	__u64 ctx;
	__u32 id;
	__u16 type; /* IT_OBJ_* */
	__u8 state;
	bool pre_existing; /* first seen mid-life: no history before that */
	/* events may have been lost while it was known, or, first seen mid-life
	 * after a loss, before */
	bool uncertain;
	bool in_abort_and_destroy;
	bool remove_pending;
	__u16 remove_flags;
	__u64 remove_start_ns;
	__u32 remove_tgid;
	char remove_comm[IT_COMM_LEN];
	struct holder holder; /* of the removal pending */
	__u64 born_ns, died_ns;
	__u64 serial; /* a new number for every node, address reuse included */
	__u32 tgid; /* the task that created it (or first seen with it) */
	char comm[IT_COMM_LEN];
	struct it_objref rel[IT_MAX_RELS];
	__u64 dev_addr; /* struct device of an idev */
	char devname[IT_DEVNAME_LEN];
	__u64 virt_id;
	__u32 n_abort, n_destroy, n_obj_abort;
	/* set when its idev was destroyed while it lived */
	/* the idev it was bound to, destroyed while it lived (a copy, owned) */
	struct node *outlived;
	struct chain_ev chain[CHAIN_LEN];
	__u32 chain_n; /* events recorded in total (ring) */
	struct node *dead_prev, *dead_next; /* the graph's dead list, by time of death */
	bool on_dead_list;
	struct node *ctx_prev, *ctx_next; /* its context's list */
	struct ctx_node *in_ctx; /* the context whose list it is on, or NULL */
};

struct ctx_node {
	__u64 addr;
	__u32 tgid;
	char comm[IT_COMM_LEN];
	__u64 open_seq; /* of its open, 0 when pre-existing */
	struct ctx_owner *owner; /* who opened it, once its record came; owned */
	bool owner_expected; /* the tracer writes owner records */
	bool pre_existing;
	bool uncertain;
	__u64 born_ns;
	struct table ids; /* object id -> newest struct node with it */
	struct node *nodes; /* every node of it, alive or dead, newest first */
};

struct graph {
	struct table nodes; /* object address -> struct node */
	struct table ctxs; /* context address -> struct ctx_node */
	struct table alive; /* object address -> struct node, the living only */
	/* the living vDEVICEs: what a device's destroy looks through */
	struct table alive_vdevs;
	__u64 next_serial;
	/* events were lost: what is first seen mid-life now may have lost its history */
	bool had_gap;
	/* the dead, oldest first, kept for use after destroy and double abort */
	struct node *dead_head, *dead_tail;
	unsigned long long n_dead;
	__u64 dead_keep_ns; /* forgotten this long after death (0: never) */
	unsigned long long dead_max; /* or beyond this many (0: no bound) */
	unsigned long long expired; /* dead objects forgotten so far */
};

void graph_init(struct graph *g);
void graph_fini(struct graph *g);

/*
 * Apply one event. *node is the object it is about (NULL for context
 * events); *prev its state before. Returns -ENOMEM only.
 */
int graph_apply(struct graph *g, const struct it_event *e, struct node **node,
		enum node_state *prev);
/*
 * Forget the dead that died dead_keep_ns before now_ns (the newest event's
 * time) and the oldest dead beyond dead_max, so that a context living for
 * months does not grow the graph without bound; a later use of such an
 * object is no longer recognised as one. Returns how many were forgotten.
 */
unsigned long long graph_expire(struct graph *g, __u64 now_ns);
/* Objects alive, in all and (by_type[IT_OBJ_MAX], when not NULL) per type. */
unsigned long long graph_count_alive(const struct graph *g, unsigned long long *by_type);
/*
 * The module that owned every object went away: forget them all, without a
 * verdict. Returns how many objects were still alive in the graph.
 */
unsigned long long graph_reset(struct graph *g);
/* Sequence numbers were lost: everything known may be missing history. */
void graph_gap(struct graph *g);

struct node *graph_find(struct graph *g, __u64 addr);
struct node *graph_find_id(struct graph *g, __u64 ctx, __u32 id);
struct ctx_node *graph_ctx(struct graph *g, __u64 ctx);
/* Forget a released context and all its nodes. */
void graph_drop_ctx(struct graph *g, __u64 ctx);

bool node_alive(const struct node *n);
const char *node_state_name(enum node_state s);

#endif
