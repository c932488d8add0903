/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The invariants: a table of rules, each with a stable name, a severity,
 * a one-line meaning and one check function run on every event after the
 * graph has taken it. Adding a rule touches rules.c only.
 */
#ifndef IT_RULES_H
#define IT_RULES_H

#include "model/graph.h"

enum severity { SEV_WARNING, SEV_ERROR };

#define VIOL_MAX_OBJS 8
#define VIOL_MAX_CHAIN 16

struct viol_obj {
	const char *role; /* "vdevice", "idevice", "leaked", ... */
	__u16 type;
	__u32 id;
	__u64 addr;
	__u64 ctx;
	char devname[IT_DEVNAME_LEN];
};

struct kstack;

struct violation {
	const struct rule *rule;
	bool certain; /* false: events were lost that could change the verdict */
	__u64 seq; /* of the event that proved it */
	__u64 ts_ns;
	__u32 cpu;
	__u32 tgid; /* the offending task */
	char comm[IT_COMM_LEN];
	__u16 hook;
	__s32 ret; /* of the offending call, for a return */
	__u32 kstack_id; /* the offending call's stack */
	/* a waiting removal: the tasks that took a reference meanwhile */
	struct holder holder;
	const struct kstack *holder_stack; /* resolved by the pipeline, or NULL */
	char detail[192];
	const struct ctx_owner *owner; /* of its objects' context, NULL if unknown */
	int n_objs;
	struct viol_obj objs[VIOL_MAX_OBJS];
	int n_chain;
	struct chain_ev chain[VIOL_MAX_CHAIN];
	__u8 chain_obj[VIOL_MAX_CHAIN]; /* index into objs */
};

struct rules;

struct rule {
	const char *name;
	enum severity severity;
	const char *meaning;
	void (*check)(struct rules *r, const struct rule *self, const struct it_event *e,
		      struct node *n, enum node_state prev);
	/* hooks without which the rule cannot be right (bit per IT_HOOK_*) */
	__u64 needs;
	/*
	 * the hooks whose event it may report on (the offending call, whose
	 * stack is the proof) or whose stack a report shows (a holder's), and
	 * those it reports on only when the call failed (ret != 0): --stacks
	 * proof takes stacks on these alone
	 */
	__u64 reports, reports_failed;
	/* the journal's MESSAGE_ID of its reports: fixed forever, 32 hex digits */
	const char *message_id;
};

extern const struct rule rule_table[];
extern const int n_rules;

struct rules_config {
	__u64 long_wait_ns; /* default 100 ms */
	__u64 attached; /* hooks attached (bit per IT_HOOK_*), ~0 if unknown */
};

typedef int (*report_fn)(void *cookie, const struct violation *v);

struct rules {
	struct graph *g;
	struct rules_config cfg;
	report_fn report;
	void *cookie;
	bool degraded[32]; /* per rule: a needed hook is missing */
	unsigned long long count[32];
	unsigned long long uncertain[32];
	/* verdicts on an event outside their rule's reports: a bug (tests) */
	unsigned long long beyond_proof;
	int err;
};

void rules_init(struct rules *r, struct graph *g, const struct rules_config *cfg,
		report_fn report, void *cookie);
/* Re-evaluate which rules are degraded (after the attached set changed). */
void rules_set_attached(struct rules *r, __u64 attached);
int rules_check(struct rules *r, const struct it_event *e, struct node *n,
		enum node_state prev);
const char *severity_name(enum severity s);
unsigned long long rules_total(const struct rules *r, bool certain);
/*
 * The hooks whose events some rule may report on: a stack on those events
 * (on *failed's only when the call failed) is all the proof any report
 * shows (--stacks proof).
 */
__u64 rules_proof_hooks(__u64 *failed);

#endif
