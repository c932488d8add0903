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
	int module; /* index in ksyms.mods, -1 when built in */
	bool generated; /* BPF programs, ftrace and kprobe trampolines */
};

#define KSYMS_MAX_MODS 512

struct ksyms {
	struct ksym *v;
	size_t n, cap;
	bool failed;
	/* the kernel's own text, 0 when its bounds are not in kallsyms */
	unsigned long long stext, etext;
	/* the modules, with their extent once /proc/modules was read */
	int n_mods;
	struct kmod {
		char name[64];
		unsigned long long base, size; /* size 0: not known */
	} mods[KSYMS_MAX_MODS];
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int module_index(struct ksyms *k, const char *name)
{
	/* kallsyms lists a module's symbols together: the last one is likely */
	for (int i = k->n_mods - 1; i >= 0; i--)
		if (!strcmp(k->mods[i].name, name))
			return i;
	if (k->n_mods == KSYMS_MAX_MODS)
		return -1;
	snprintf(k->mods[k->n_mods].name, sizeof(k->mods[0].name), "%s", name);
	return k->n_mods++;
}

static void add_ksym(void *cookie, const struct ksym_line *s)
{
	struct ksyms *k = cookie;

	if (!s->addr || k->failed)
		return;
	if (!s->module[0] && !strcmp(s->name, "_stext"))
		k->stext = s->addr;
	if (!s->module[0] && !strcmp(s->name, "_etext"))
		k->etext = s->addr;
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
	/* "[bpf]", "[__builtin__ftrace]", "[__builtin__kprobes]" */
	k->v[k->n].generated = !strcmp(s->module, "bpf") ||
			       !strncmp(s->module, "__builtin__", 11);
	k->v[k->n].module = -1;
	if (s->module[0] && !k->v[k->n].generated)
		k->v[k->n].module = module_index(k, s->module);
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

int ksyms_add_modules(struct ksyms *k, const char *path)
{
	char line[512];
	FILE *fp = fopen(path, "re");

	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		char name[64];
		unsigned long long size, base;

		/* "iommufd 131072 0 - Live 0xffffffffc0400000" (more fields may follow) */
		if (sscanf(line, "%63s %llu %*s %*s %*s %llx", name, &size, &base) != 3)
			continue;
		for (int i = 0; i < k->n_mods; i++) {
			if (strcmp(k->mods[i].name, name))
				continue;
			k->mods[i].base = base;
			k->mods[i].size = base ? size : 0;
		}
	}
	fclose(fp);
	return 0;
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

/* The symbol at or below addr, NULL if none. */
static const struct ksym *ksym_below(const struct ksyms *k, unsigned long long addr)
{
	size_t lo = 0, hi = k ? k->n : 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &k->v[lo - 1] : NULL;
}

const char *ksyms_name(const struct ksyms *k, unsigned long long addr, char *buf, size_t len)
{
	const struct ksym *s = ksym_below(k, addr);

	if (!s) {
		snprintf(buf, len, "?");
		return buf;
	}
	snprintf(buf, len, "%s+0x%llx", s->name, addr - s->addr);
	return buf;
}

bool ksyms_is_generated(const struct ksyms *k, unsigned long long addr)
{
	const struct ksym *s = ksym_below(k, addr);
	const struct kmod *m;

	if (!s)
		return false;
	if (s->generated)
		return true;
	if (s->module < 0) /* built in: past the kernel's text is not its code */
		return k->etext && s->addr >= k->stext && addr >= k->etext;
	m = &k->mods[s->module];
	return m->size && (addr < m->base || addr >= m->base + m->size);
}

int ksyms_frames(const struct ksyms *k, const unsigned long long *ips, int n, char ***frames)
{
	char buf[300];
	int m = 0;

	*frames = calloc(n + 1, sizeof(**frames));
	if (!*frames)
		return -ENOMEM;
	for (int i = 0; i < n && ips[i]; i++) {
		if (ksyms_is_generated(k, ips[i]))
			continue;
		(*frames)[m] = strdup(ksyms_name(k, ips[i], buf, sizeof(buf)));
		if ((*frames)[m])
			m++;
	}
	return m;
}
