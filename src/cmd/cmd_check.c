// SPDX-License-Identifier: GPL-2.0
/* `iommutrace check`: can this kernel be traced, and with which hooks? */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cmd/cli.h"
#include "kernel/features.h"
#include "base/json.h"
#include "kernel/loader.h"
#include "base/log.h"
#include "model/rules.h"

static const struct opt_def check_opts[] = {
	{ "json", 'j', NULL, "one JSON object on stdout" },
	{ "verbose", 'v', NULL, "more detail (libbpf's messages with -vv)" },
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};

const struct cmd cmd_check_def = {
	.name = "check",
	.fn = cmd_check,
	.summary = "Tell whether iommutrace can trace this kernel: one row per kernel\n"
		   "function it probes (attached, missing on this kernel, or why not),\n"
		   "the structure layouts CO-RE will use, and where BTF came from.",
	.usage = "[OPTIONS]",
	.opts = check_opts,
	.examples = "  iommutrace check\n"
		    "  iommutrace check --json | jq '.probes[] | select(.state != \"attached\")'\n",
};

/* where iommufd is, or why not: what the kernel's configuration says of it */
static const char *iommufd_where(const struct features *f, char *buf, size_t len)
{
	if (f->iommufd && f->iommufd_builtin)
		return "built in";
	if (f->iommufd) {
		snprintf(buf, len, "module %s", f->iommufd_module);
		return buf;
	}
	if (f->iommufd_module_on_disk)
		return "module iommufd, not loaded";
	if (!f->config_iommufd)
		return "absent";
	snprintf(buf, len, "absent (CONFIG_IOMMUFD%s in %s)",
		 f->config_iommufd == 'n' ? " is not set" :
		 f->config_iommufd == 'm' ? "=m, no iommufd.ko installed" : "=y",
		 f->config_path);
	return buf;
}

/* how kprobes reach a function here, as the configuration and kallsyms say */
static const char *kprobes_how(const struct features *f, char *buf, size_t len)
{
	if (!f->config_path[0])
		return "no kernel configuration to tell whether through ftrace or breakpoints";
	if (f->config_kprobes_on_ftrace != 'y') /* not set, or not even offered */
		snprintf(buf, len, "breakpoints (no CONFIG_KPROBES_ON_FTRACE in %s)",
			 f->config_path);
	else if (f->config_ftrace_with_jmp != 'y')
		snprintf(buf, len, "through ftrace (%s)", f->config_path);
	else if (!f->kprobe_handler_addr)
		snprintf(buf, len, "through ftrace with DYNAMIC_FTRACE_WITH_JMP (%s); "
			 "kprobe_ftrace_handler's address is hidden, its alignment unknown",
			 f->config_path);
	else
		snprintf(buf, len, "through ftrace with DYNAMIC_FTRACE_WITH_JMP (%s); "
			 "kprobe_ftrace_handler at an %s address%s", f->config_path,
			 f->kprobe_handler_addr & 1 ? "odd" : "even",
			 f->kprobe_handler_addr & 1 ? ": unsafe" : "");
	return buf;
}

static const char *state_note(const struct features *f, int i, const struct probe_status *st,
			      char *buf, size_t len)
{
	const struct probe_def *d = &probe_defs[i];
	const struct probe_target *t = &f->targets[i];

	switch (st ? st->state : (t->present ? PROBE_ATTACHED : PROBE_MISSING)) {
	case PROBE_MISSING:
		snprintf(buf, len, "not in kallsyms (kernel %s only)", d->since);
		break;
	case PROBE_CLONE_ONLY:
		snprintf(buf, len, "only %s: its arguments may differ, not used", t->clone);
		break;
	case PROBE_FAILED:
		snprintf(buf, len, "attach failed: %s", strerror(-st->err));
		break;
	case PROBE_ATTACHED:
		snprintf(buf, len, "%s%s%s", d->ret_prog ? "entry+return" : "entry",
			 t->module[0] ? ", module " : "", t->module);
		break;
	}
	return buf;
}

/* "available", or "degraded: needs F" naming the first missing function */
static const char *rule_state(const struct rule *r, const struct loader *l, char *buf,
			      size_t len)
{
	__u64 have = l ? loader_attached_hooks(l) : 0;

	if (!l) {
		snprintf(buf, len, "not tried");
		return buf;
	}
	for (unsigned int h = 1; h < IT_HOOK_MAX; h++) {
		if ((r->needs & (1ULL << h)) && !(have & (1ULL << h))) {
			snprintf(buf, len, "degraded: needs %s", hook_func(h));
			return buf;
		}
	}
	snprintf(buf, len, "available");
	return buf;
}

static const char *const wait_names[] = { "none", "destroy_rwsem", "shortterm_users", "wait_cnt" };
static const char *const vdev_names[] = { "none", "dev, id", "idev, virt_id" };
static const char *const hwpt_names[] = { "none", "hw_pagetable", "hwpt_paging, hwpt_nested" };

/* CO-RE's choices, as the BPF program itself saw them; false if not run */
static bool core_view(const struct loader *l, struct it_layout *lay)
{
	return l && !loader_layout(l, lay) && lay->wait <= 3 && lay->vdev <= 2 && lay->hwpt <= 2;
}

static int ignore_record(void *cookie, const void *data, size_t len)
{
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct problem probs[8];
	struct features f;
	struct loader *l = NULL;
	bool json = false;
	int verbose = 0, n, opt, n_core_missing = 0;
	struct it_layout lay;
	struct utsname u;

	while ((opt = cmd_getopt(&cmd_check_def, argc, argv)) != -1) {
		if (opt == -2)
			return EXIT_USAGE;
		switch (check_opts[opt].short_name) {
		case 'j': json = true; break;
		case 'v': verbose++; break;
		case 'h': cmd_help(&cmd_check_def, true); return EXIT_OK;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "iommutrace check: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	log_init(verbose);
	features_probe(&f);
	n = features_problems(&f, probs, 8);
	if (!n) {
		struct loader_opts lo = { .ringbuf_size = 1 << 16, .layout_probe = true };

		l = loader_start(&f, &lo, ignore_record, NULL);
		if (!l) {
			probs[n++] = (struct problem){
				.what = "the BPF programs did not load on this kernel",
				.fix = "run 'iommutrace check -vv' for libbpf's log and report it" };
		}
	}
	for (int i = 0; i < n_probe_defs; i++) {
		const struct probe_status *st = l ? loader_status(l, i) : NULL;

		if (probe_defs[i].core && (!st || st->state != PROBE_ATTACHED))
			n_core_missing++;
	}
	if (l && n_core_missing)
		probs[n++] = (struct problem){
			.what = "core iommufd functions could not be attached",
			.fix = "see the rows marked core above; a kernel with them inlined cannot be traced" };

	uname(&u);
	if (json) {
		struct json j;
		char note[256];

		json_init(&j);
		json_obj_begin(&j, NULL);
		json_u64(&j, "schema", JSON_SCHEMA_VERSION);
		json_str(&j, "kind", "check");
		json_str(&j, "kernel", u.release);
		json_bool(&j, "ok", n == 0);
		json_str(&j, "btf", f.btf_source);
		json_str(&j, "iommufd", iommufd_where(&f, note, sizeof(note)));
		json_obj_begin(&j, "layouts");
		if (f.obj_wait_field)
			json_str(&j, "iommufd_object", f.obj_wait_field);
		if (f.vdev_layout)
			json_str(&j, "iommufd_vdevice", f.vdev_layout);
		if (f.hwpt_layout)
			json_str(&j, "hwpt", f.hwpt_layout);
		json_obj_end(&j);
		if (core_view(l, &lay)) {
			json_obj_begin(&j, "core");
			json_str(&j, "iommufd_object", wait_names[lay.wait]);
			json_str(&j, "iommufd_vdevice", vdev_names[lay.vdev]);
			json_str(&j, "hwpt", hwpt_names[lay.hwpt]);
			json_obj_begin(&j, "types");
			for (int k = 1; k < IT_LAYOUT_TYPES; k++) {
				char key[8];

				if (!lay.type_of[k])
					continue;
				snprintf(key, sizeof(key), "%d", k);
				json_str(&j, key, obj_type_name(lay.type_of[k]));
			}
			json_obj_end(&j);
			json_obj_end(&j);
		}
		json_arr_begin(&j, "probes");
		for (int i = 0; i < n_probe_defs; i++) {
			const struct probe_status *st = l ? loader_status(l, i) : NULL;
			enum probe_state s = st ? st->state :
					     f.targets[i].present ? PROBE_FAILED : PROBE_MISSING;

			json_obj_begin(&j, NULL);
			json_str(&j, "func", probe_defs[i].func);
			json_str(&j, "state", l || !f.targets[i].present ?
					      probe_state_name(s) : "not tried");
			json_bool(&j, "core", probe_defs[i].core);
			json_str(&j, "note", state_note(&f, i, st, note, sizeof(note)));
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_arr_begin(&j, "rules");
		for (int i = 0; i < n_rules; i++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "name", rule_table[i].name);
			json_str(&j, "severity", severity_name(rule_table[i].severity));
			json_str(&j, "meaning", rule_table[i].meaning);
			json_str(&j, "state", rule_state(&rule_table[i], l, note, sizeof(note)));
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_arr_begin(&j, "problems");
		for (int i = 0; i < n && i < 8; i++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "what", probs[i].what);
			json_str(&j, "fix", probs[i].fix);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		json_emit(&j, stdout);
		json_free(&j);
	} else {
		char note[256];

		printf("kernel:   %s\n", u.release);
		printf("BTF:      %s\n", f.btf_source[0] ? f.btf_source : "none");
		printf("iommufd:  %s\n", iommufd_where(&f, note, sizeof(note)));
		printf("kprobes:  %s\n", kprobes_how(&f, note, sizeof(note)));
		printf("layouts:  iommufd_object.%s; iommufd_vdevice {%s}; hwpt: %s\n",
		       f.obj_wait_field ? f.obj_wait_field : "?",
		       f.vdev_layout ? f.vdev_layout : "absent",
		       f.hwpt_layout ? f.hwpt_layout : "?");
		if (core_view(l, &lay)) {
			printf("CO-RE:    iommufd_object.%s; iommufd_vdevice {%s}; hwpt: %s; types",
			       wait_names[lay.wait], vdev_names[lay.vdev], hwpt_names[lay.hwpt]);
			for (int k = 1; k < IT_LAYOUT_TYPES; k++)
				if (lay.type_of[k])
					printf(" %d=%s", k, obj_type_name(lay.type_of[k]));
			printf("\n");
		}
		printf("\n%-36s %-10s %s\n", "FUNCTION", "STATE", "NOTE");
		for (int i = 0; i < n_probe_defs; i++) {
			const struct probe_status *st = l ? loader_status(l, i) : NULL;
			const char *state = st ? probe_state_name(st->state) :
					    f.targets[i].present ? "not tried" :
					    f.targets[i].clone[0] ? "clone only" : "missing";

			printf("%-36s %-10s %s%s\n", probe_defs[i].func, state,
			       state_note(&f, i, st, note, sizeof(note)),
			       probe_defs[i].core ? " [core]" : "");
		}
		printf("\n%-20s %-8s %s\n", "RULE", "SEVERITY", "STATE");
		for (int i = 0; i < n_rules; i++)
			printf("%-20s %-8s %s\n", rule_table[i].name,
			       severity_name(rule_table[i].severity),
			       rule_state(&rule_table[i], l, note, sizeof(note)));
		if (n) {
			printf("\ntracing is not possible here:\n");
			for (int i = 0; i < n && i < 8; i++)
				printf("  - %s\n    fix: %s\n", probs[i].what, probs[i].fix);
		} else {
			printf("\ntracing is possible: %d of %d functions attached\n",
			       loader_n_attached(l), n_probe_defs);
		}
	}
	loader_free(l);
	return n ? EXIT_USAGE : EXIT_OK;
}
