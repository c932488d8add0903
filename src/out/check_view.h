/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `iommutrace check` found, as data (the command probes and fills it
 * in), and its two renderings: text for a person, one JSON line.
 */
#ifndef IT_CHECK_VIEW_H
#define IT_CHECK_VIEW_H

#include <stdbool.h>
#include <stdio.h>
#include "iommutrace.h"

#define CHECK_MAX_PROBES 64
#define CHECK_MAX_RULES 16
#define CHECK_MAX_PROBLEMS 8

struct check_report {
	char kernel[65]; /* uname -r */
	char btf[128]; /* where BTF came from, "" for none */
	char iommufd[256]; /* where iommufd is, or why not */
	char kprobes[256]; /* how kprobes reach a function */
	const char *attach_mode; /* --attach: auto, fentry, kprobe */
	/* the layouts found in BTF, NULL when not found */
	const char *obj_wait_field, *vdev_layout, *hwpt_layout;
	bool have_core; /* the BPF program's own view, once it ran */
	struct it_layout core;
	int n_probes;
	struct check_probe {
		const char *func;
		const char *state_json; /* attached, failed, missing, not tried, ... */
		const char *state_text;
		bool core; /* tracing needs it */
		const char *attach; /* "fentry", "kprobe", NULL when not attached */
		char attach_why[120]; /* why that kind, or why not fentry */
		char note[256];
	} probes[CHECK_MAX_PROBES];
	int n_rules;
	struct check_rule {
		const char *name, *severity, *meaning;
		char state[128]; /* available, degraded: needs F, not tried */
	} rules[CHECK_MAX_RULES];
	int n_problems;
	struct check_problem {
		const char *what, *fix;
	} problems[CHECK_MAX_PROBLEMS];
	int n_attached; /* functions attached, when tracing is possible */
};

void check_print_text(const struct check_report *r, FILE *f);
void check_print_json(const struct check_report *r, FILE *f);

#endif
