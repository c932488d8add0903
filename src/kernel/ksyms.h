/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/kallsyms: one reader for the text symbols, used by the feature
 * probe (which functions exist, built in or in which module) and by stack
 * symbolization (address -> "function+0xoff").
 */
#ifndef IT_KSYMS_H
#define IT_KSYMS_H

#include <stdbool.h>
#include <stddef.h>

/* A text symbol: addr is 0 when kptr_restrict hides the addresses. */
struct ksym_line {
	unsigned long long addr;
	const char *name;
	const char *module; /* "" when built in */
};

/* fn for every text symbol of path, in file order; 0 or -errno */
int kallsyms_each(const char *path, void (*fn)(void *cookie, const struct ksym_line *s),
		  void *cookie);

struct ksyms;

/* The text symbols, sorted; NULL if unreadable or hidden (errno set). */
struct ksyms *ksyms_load(const char *path);
/*
 * Each module's extent from path (/proc/modules), so that code loaded
 * after kallsyms was read (BPF programs and their trampolines, in the same
 * address range as modules) is not named after the module symbol below it.
 * 0 or -errno; without it, only the generated code kallsyms listed is known.
 */
int ksyms_add_modules(struct ksyms *k, const char *path);
void ksyms_free(struct ksyms *k);
/*
 * Whether addr is in code the kernel generates rather than in its text or
 * a module's: a BPF program, a BPF, ftrace or kprobe trampoline ([bpf],
 * [__builtin__*] in kallsyms), or past the end of the kernel's text or of
 * the module whose symbol is below it.
 */
bool ksyms_is_generated(const struct ksyms *k, unsigned long long addr);
/* "name+0xoff" for addr, or "?" when no symbol covers it. */
const char *ksyms_name(const struct ksyms *k, unsigned long long addr, char *buf, size_t len);
/*
 * Symbolize raw instruction pointers (up to n, or to the first 0) into
 * malloc'ed strings, leaving out generated code (iommutrace's own
 * programs, and the trampolines that call them and the functions they
 * trace); *frames (malloc'ed too) gets them. Returns how many, or -ENOMEM.
 */
int ksyms_frames(const struct ksyms *k, const unsigned long long *ips, int n, char ***frames);

#endif
