/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel stacks by id, symbolized ("function+0xoff"): from the BPF stack
 * map and /proc/kallsyms when live, from a trace file's stack records in
 * replay. Symbol names only: no address leaves this module.
 */
#ifndef IT_STACKS_H
#define IT_STACKS_H

#include <stddef.h>
#include "table.h"

struct kstack {
	int n;
	char **frames;
};

struct ksyms;

/* /proc/kallsyms, text symbols sorted; NULL if unreadable (errno set). */
struct ksyms *ksyms_load(const char *path);
void ksyms_free(struct ksyms *k);
/* "name+0xoff" for addr, or "0x?" when no symbol covers it. */
const char *ksyms_name(const struct ksyms *k, unsigned long long addr, char *buf, size_t len);

struct stacks {
	struct table by_id; /* kstack id -> struct kstack */
};

void stacks_init(struct stacks *s);
void stacks_fini(struct stacks *s);
const struct kstack *stacks_get(const struct stacks *s, unsigned int id);
/* Takes ownership of frames[0..n) (each malloc'ed) and frames itself. */
int stacks_put(struct stacks *s, unsigned int id, char **frames, int n);
/* Symbolize raw instruction pointers (0-terminated or n) and store them. */
int stacks_put_ips(struct stacks *s, const struct ksyms *k, unsigned int id,
		   const unsigned long long *ips, int n);

#endif
