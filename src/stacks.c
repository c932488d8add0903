// SPDX-License-Identifier: GPL-2.0
/* Kernel stack symbolization and storage (see stacks.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stacks.h"

struct ksym {
	unsigned long long addr;
	char *name;
};

struct ksyms {
	struct ksym *v;
	size_t n;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct ksyms *ksyms_load(const char *path)
{
	struct ksyms *k = calloc(1, sizeof(*k));
	FILE *f = fopen(path, "re");
	char line[512];
	size_t cap = 0;

	if (!k || !f) {
		free(k);
		if (f)
			fclose(f);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256];

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if ((type != 't' && type != 'T') || !addr)
			continue;
		if (k->n == cap) {
			struct ksym *v = realloc(k->v, (cap = cap ? cap * 2 : 4096) * sizeof(*v));

			if (!v)
				break;
			k->v = v;
		}
		k->v[k->n].addr = addr;
		k->v[k->n].name = strdup(name);
		if (k->v[k->n].name)
			k->n++;
	}
	fclose(f);
	if (!k->n) { /* kptr_restrict hides the addresses */
		ksyms_free(k);
		errno = EPERM;
		return NULL;
	}
	qsort(k->v, k->n, sizeof(*k->v), cmp_ksym);
	return k;
}

void ksyms_free(struct ksyms *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].name);
	free(k->v);
	free(k);
}

const char *ksyms_name(const struct ksyms *k, unsigned long long addr, char *buf, size_t len)
{
	size_t lo = 0, hi = k ? k->n : 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo) {
		snprintf(buf, len, "?");
		return buf;
	}
	snprintf(buf, len, "%s+0x%llx", k->v[lo - 1].name, addr - k->v[lo - 1].addr);
	return buf;
}

void stacks_init(struct stacks *s)
{
	table_init(&s->by_id);
}

static void kstack_free(struct kstack *k)
{
	if (!k)
		return;
	for (int i = 0; i < k->n; i++)
		free(k->frames[i]);
	free(k->frames);
	free(k);
}

void stacks_fini(struct stacks *s)
{
	struct table_slot *slot;

	table_for_each(&s->by_id, slot)
		kstack_free(slot->val);
	table_fini(&s->by_id);
}

const struct kstack *stacks_get(const struct stacks *s, unsigned int id)
{
	return id ? table_get(&s->by_id, id) : NULL;
}

int stacks_put(struct stacks *s, unsigned int id, char **frames, int n)
{
	struct kstack *k = calloc(1, sizeof(*k));

	if (!k) {
		for (int i = 0; i < n; i++)
			free(frames[i]);
		free(frames);
		return -ENOMEM;
	}
	k->n = n;
	k->frames = frames;
	kstack_free(table_get(&s->by_id, id));
	if (table_put(&s->by_id, id, k)) {
		kstack_free(k);
		return -ENOMEM;
	}
	return 0;
}

int stacks_put_ips(struct stacks *s, const struct ksyms *k, unsigned int id,
		   const unsigned long long *ips, int n)
{
	char **frames = calloc(n + 1, sizeof(*frames)), buf[300];
	int m = 0;

	if (!frames)
		return -ENOMEM;
	for (int i = 0; i < n && ips[i]; i++) {
		frames[m] = strdup(ksyms_name(k, ips[i], buf, sizeof(buf)));
		if (frames[m])
			m++;
	}
	return stacks_put(s, id, frames, m);
}
