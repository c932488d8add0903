/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel stacks by id, symbolized ("function+0xoff"): from the BPF stack
 * map and /proc/kallsyms when live (kernel/ksyms.h), from a trace file's
 * stack records in replay. Symbol names only: no address is kept.
 */
#ifndef IT_STACKS_H
#define IT_STACKS_H

#include <stddef.h>
#include "base/table.h"

struct kstack {
	int n;
	char **frames;
};

struct stacks {
	struct table by_id; /* kstack id -> struct kstack */
};

void stacks_init(struct stacks *s);
void stacks_fini(struct stacks *s);
const struct kstack *stacks_get(const struct stacks *s, unsigned int id);
/* Takes ownership of frames[0..n) (each malloc'ed) and frames itself. */
int stacks_put(struct stacks *s, unsigned int id, char **frames, int n);

#endif
