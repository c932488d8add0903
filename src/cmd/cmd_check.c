// SPDX-License-Identifier: GPL-2.0
/* `iommutrace check`: can this kernel be traced, and with which hooks? */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cmd/cli.h"
#include "kernel/features.h"
#include "kernel/loader.h"
#include "base/log.h"
#include "model/rules.h"
#include "out/check_view.h"

static const struct opt_def check_opts[] = {
	{ "json", 'j', NULL, "one JSON object on stdout" },
	{ "attach", 'a', "KIND", "auto (default), fentry or kprobe: as live would attach",
	  "auto fentry kprobe" },
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
		snprintf(buf, len, "%s%s%s",
			 !d->entry_prog ? "return" : d->ret_prog ? "entry+return" : "entry",
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

/* CO-RE's choices, as the BPF program itself saw them; false if not run */
static bool core_view(const struct loader *l, struct it_layout *lay)
{
	return l && !loader_layout(l, lay) && lay->wait <= 3 && lay->vdev <= 2 && lay->hwpt <= 2;
}

static int ignore_record(void *cookie, const void *data, size_t len)
{
	return 0;
}

/* Probe the kernel, load and attach, and write down what was found. */
static void check_probe(struct check_report *r, struct features *f, struct loader **lp,
			enum attach_mode mode)
{
	struct problem probs[CHECK_MAX_PROBLEMS];
	struct loader *l = NULL;
	struct utsname u;
	int n, n_core_missing = 0;

	memset(r, 0, sizeof(*r));
	features_probe(f);
	n = features_problems(f, probs, CHECK_MAX_PROBLEMS - 1);
	if (n > CHECK_MAX_PROBLEMS - 1)
		n = CHECK_MAX_PROBLEMS - 1;
	if (!n) {
		struct loader_opts lo = { .ringbuf_size = 1 << 16, .layout_probe = true,
					  .attach = mode };

		l = loader_start(f, &lo, ignore_record, NULL);
		if (!l)
			probs[n++] = (struct problem){
				.what = "the BPF programs did not load on this kernel",
				.fix = "run 'iommutrace check -vv' for libbpf's log and report it" };
	}
	for (int i = 0; i < n_probe_defs && i < CHECK_MAX_PROBES; i++) {
		const struct probe_status *st = l ? loader_status(l, i) : NULL;
		struct check_probe *p = &r->probes[r->n_probes++];
		enum probe_state s = st ? st->state :
				     f->targets[i].present ? PROBE_FAILED : PROBE_MISSING;

		p->func = probe_defs[i].func;
		p->core = probe_defs[i].core;
		p->state_json = l || !f->targets[i].present ? probe_state_name(s) : "not tried";
		p->state_text = st ? probe_state_name(st->state) :
				f->targets[i].present ? "not tried" :
				f->targets[i].clone[0] ? "clone only" : "missing";
		state_note(f, i, st, p->note, sizeof(p->note));
		if (st && st->state == PROBE_ATTACHED)
			p->attach = attach_kind_name(st->kind);
		if (st && f->targets[i].present)
			snprintf(p->attach_why, sizeof(p->attach_why), "%s", st->why);
		if (p->core && (!st || st->state != PROBE_ATTACHED))
			n_core_missing++;
	}
	if (l && n_core_missing)
		probs[n++] = (struct problem){
			.what = "core iommufd functions could not be attached",
			.fix = "see the rows marked core above; a kernel with them inlined cannot be traced" };
	for (int i = 0; i < n_rules && i < CHECK_MAX_RULES; i++) {
		struct check_rule *cr = &r->rules[r->n_rules++];

		cr->name = rule_table[i].name;
		cr->severity = severity_name(rule_table[i].severity);
		cr->meaning = rule_table[i].meaning;
		rule_state(&rule_table[i], l, cr->state, sizeof(cr->state));
	}
	for (int i = 0; i < n; i++)
		r->problems[r->n_problems++] = (struct check_problem){ probs[i].what, probs[i].fix };
	uname(&u);
	snprintf(r->kernel, sizeof(r->kernel), "%s", u.release);
	snprintf(r->btf, sizeof(r->btf), "%s", f->btf_source);
	{
		char where[sizeof(r->iommufd)];

		snprintf(r->iommufd, sizeof(r->iommufd), "%s",
			 iommufd_where(f, where, sizeof(where)));
	}
	kprobes_how(f, r->kprobes, sizeof(r->kprobes));
	r->attach_mode = mode == ATTACH_AUTO ? "auto (fentry where the kernel allows it, else kprobes)" :
					       attach_mode_name(mode);
	r->obj_wait_field = f->obj_wait_field;
	r->vdev_layout = f->vdev_layout;
	r->hwpt_layout = f->hwpt_layout;
	r->have_core = core_view(l, &r->core);
	r->n_attached = l ? loader_n_attached(l) : 0;
	*lp = l;
}

int cmd_check(int argc, char **argv)
{
	struct check_report *r;
	struct features f;
	struct loader *l;
	enum attach_mode mode = ATTACH_AUTO;
	bool json = false;
	int verbose = 0, opt, ret;

	while ((opt = cmd_getopt(&cmd_check_def, argc, argv)) != -1) {
		if (opt == -2)
			return EXIT_USAGE;
		switch (check_opts[opt].short_name) {
		case 'j': json = true; break;
		case 'a':
			if (parse_attach("check", optarg, &mode))
				return EXIT_USAGE;
			break;
		case 'v': verbose++; break;
		case 'h': cmd_help(&cmd_check_def, true); return EXIT_OK;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "iommutrace check: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	log_init(verbose);
	r = malloc(sizeof(*r));
	if (!r)
		return EXIT_USAGE;
	check_probe(r, &f, &l, mode);
	if (json)
		check_print_json(r, stdout);
	else
		check_print_text(r, stdout);
	ret = r->n_problems ? EXIT_USAGE : EXIT_OK;
	loader_free(l);
	free(r);
	return ret;
}
