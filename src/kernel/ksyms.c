// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/ksyms.h"

int kallsyms_each(const char *path, void (*fn)(void *cookie, const struct ksym_line *s),
		  void *cookie)
{
	char line[512];
	FILE *fp = fopen(path, "re");

	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		char type, name[256], module[64] = "";
		unsigned long long addr;
		int n = sscanf(line, "%llx %c %255s [%63[^]]]", &addr, &type, name, module);

		if (n < 3 || (type != 't' && type != 'T'))
			continue;
		fn(cookie, &(struct ksym_line){ .addr = addr, .name = name, .module = module });
	}
	fclose(fp);
	return 0;
}

struct ksym {
	unsigned long long addr;
	char *name;
};

struct ksyms {
	struct ksym *v;
	size_t n, cap;
	bool failed;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void add_ksym(void *cookie, const struct ksym_line *s)
{
	struct ksyms *k = cookie;

	if (!s->addr || k->failed)
		return;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4096;
		struct ksym *v = realloc(k->v, cap * sizeof(*v));

		if (!v) {
			k->failed = true;
			return;
		}
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n].addr = s->addr;
	k->v[k->n].name = strdup(s->name);
	if (k->v[k->n].name)
		k->n++;
}

struct ksyms *ksyms_load(const char *path)
{
	struct ksyms *k = calloc(1, sizeof(*k));
	int err;

	if (!k)
		return NULL;
	err = kallsyms_each(path, add_ksym, k);
	if (err || !k->n) { /* no file, or kptr_restrict hides the addresses */
		ksyms_free(k);
		errno = err ? -err : EPERM;
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

int ksyms_frames(const struct ksyms *k, const unsigned long long *ips, int n, char ***frames)
{
	char buf[300];
	int m = 0;

	*frames = calloc(n + 1, sizeof(**frames));
	if (!*frames)
		return -ENOMEM;
	for (int i = 0; i < n && ips[i]; i++) {
		(*frames)[m] = strdup(ksyms_name(k, ips[i], buf, sizeof(buf)));
		if ((*frames)[m])
			m++;
	}
	return m;
}
