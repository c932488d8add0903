// SPDX-License-Identifier: GPL-2.0
/* The hook tables agree with each other and with the BPF object. */
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/libbpf.h>

#include "kernel/features.h"
#include "kernel/ksyms.h"
#include "format/hooks.h"
#include "model/rules.h"
#include "iommutrace.h"
#include "iommutrace.skel.h"
#include "test.h"

void test_hook_names(void)
{
	for (unsigned int h = 1; h < IT_HOOK_MAX; h++) {
		ASSERT_TRUE(hook_func(h) != NULL, "every hook has a function");
		ASSERT_TRUE(hook_label(h) != NULL, "every hook has a label");
	}
	ASSERT_TRUE(hook_func(0) == NULL && hook_func(IT_HOOK_MAX) == NULL, "bounds");
	ASSERT_STREQ(obj_type_name(IT_OBJ_VDEVICE), "vdevice", "type name");
	ASSERT_EQ(obj_type_from_name("viommu"), IT_OBJ_VIOMMU, "type from name");
	ASSERT_EQ(obj_type_from_name("nope"), -1, "unknown type");
	ASSERT_TRUE(n_probe_defs <= (int)(sizeof(((struct features *)0)->targets) /
					  sizeof(struct probe_target)), "targets fit");
}

/* The program of one form, and that its section says that form. */
static void expect_prog(struct iommutrace_bpf *skel, const char *prefix, const char *base,
			const char *section)
{
	char name[64];
	struct bpf_program *p;

	snprintf(name, sizeof(name), "%s%s", prefix, base);
	p = bpf_object__find_program_by_name(skel->obj, name);
	if (!ASSERT_OK_PTR(p, name))
		return;
	ASSERT_STREQ(bpf_program__section_name(p), section, name);
}

/*
 * Every probe of probe_defs has its programs (kprobe and kretprobe, fentry
 * and fexit: "fe_"/"fx_" before the name; an entry, a return or both) in
 * the right sections, and every program is one of them.
 */
void test_probe_programs(void)
{
	struct iommutrace_bpf *skel = iommutrace_bpf__open();
	struct bpf_program *prog;

	if (!ASSERT_OK_PTR(skel, "open the BPF object"))
		return;
	for (int i = 0; i < n_probe_defs; i++) {
		const struct probe_def *d = &probe_defs[i];

		ASSERT_TRUE(d->entry_prog || d->ret_prog, d->func);
		if (d->entry_prog) {
			expect_prog(skel, "", d->entry_prog, "kprobe");
			expect_prog(skel, "fe_", d->entry_prog, "fentry");
		}
		if (d->ret_prog) {
			expect_prog(skel, "", d->ret_prog, "kretprobe");
			expect_prog(skel, "fx_", d->ret_prog, "fexit");
		}
	}
	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		bool named = !strcmp(name, "layout_probe"); /* not a hook */

		if (!strncmp(name, "fe_", 3) || !strncmp(name, "fx_", 3))
			name += 3;
		for (int i = 0; i < n_probe_defs; i++)
			named |= (probe_defs[i].entry_prog && !strcmp(name, probe_defs[i].entry_prog)) ||
				 (probe_defs[i].ret_prog && !strcmp(name, probe_defs[i].ret_prog));
		ASSERT_TRUE(named, bpf_program__name(prog));
	}
	iommutrace_bpf__destroy(skel);
}

void test_kallsyms(void)
{
	char path[] = "/tmp/iommutrace-kallsyms.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct features feat = {};
	int remove = -1, dec_alloc = -1, vdev_abort = -1, release = -1;

	fputs("0000000000000000 T _iommufd_object_alloc\n"
	      "0000000000000000 t iommufd_object_remove.isra.0\n"
	      "0000000000000000 d iommufd_vdevice_abort\n"
	      "0000000000000000 t iommufd_fops_release\t[iommufd]\n"
	      "0000000000000000 t iommufd_fops_open\t[iommufd]\n"
	      "0000000000000000 T iommufd_object_finalize.cold\n", f);
	fclose(f);
	ASSERT_EQ(features_parse_kallsyms(&feat, path), 0, "parse");
	unlink(path);
	for (int i = 0; i < n_probe_defs; i++) {
		if (!strcmp(probe_defs[i].func, "iommufd_object_remove"))
			remove = i;
		if (!strcmp(probe_defs[i].func, "_iommufd_object_alloc"))
			dec_alloc = i;
		if (!strcmp(probe_defs[i].func, "iommufd_vdevice_abort"))
			vdev_abort = i;
		if (!strcmp(probe_defs[i].func, "iommufd_fops_release"))
			release = i;
	}
	ASSERT_TRUE(feat.targets[dec_alloc].present, "exact symbol");
	ASSERT_TRUE(!feat.targets[remove].present, "clone is not the function");
	ASSERT_STREQ(feat.targets[remove].clone, "iommufd_object_remove.isra.0", "clone found");
	ASSERT_TRUE(!feat.targets[vdev_abort].present, "data symbol ignored");
	ASSERT_STREQ(feat.targets[release].module, "iommufd", "module noted");
	ASSERT_TRUE(feat.iommufd, "iommufd present");
	ASSERT_TRUE(!feat.iommufd_builtin, "in a module");
	ASSERT_STREQ(feat.iommufd_module, "iommufd", "the module");
}

/* A kernel's configuration, plain or gzipped, as check reads it when iommufd is absent. */
/* Write text to a new temporary file; its path in path (a mkstemp template). */
static bool write_tmp(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f)
		return false;
	fputs(text, f);
	fclose(f);
	return true;
}

/*
 * Stacks leave out generated code: what kallsyms marks as BPF or
 * trampolines, and what lies past the kernel's text or past the extent of
 * the module below it (iommutrace's programs are loaded after kallsyms is
 * read, in the modules' address range).
 */
void test_ksyms_generated(void)
{
	char ks[] = "/tmp/iommutrace-ksyms.XXXXXX", mods[] = "/tmp/iommutrace-mods.XXXXXX";
	unsigned long long ips[] = {
		0xffffffffc0201010ULL, /* ftrace_trampoline: generated */
		0xffffffffc0400105ULL, /* iommufd_object_remove+0x105 */
		0xffffffffc0423000ULL, /* past iommufd's 0x20000 bytes: a BPF program */
		0xffffffffc0500010ULL, /* bpf_prog_x: generated */
		0xffffffff81000040ULL, /* do_syscall_64+0x40 */
		0xffffffff81e00010ULL, /* past _etext */
		0,
	};
	struct ksyms *k;
	char **frames = NULL;
	int n;

	if (!ASSERT_TRUE(write_tmp(ks, "ffffffff81000000 T do_syscall_64\n"
				       "ffffffff80ff0000 T _stext\n"
				       "ffffffff81e00000 T _etext\n"
				       "ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]\n"
				       "ffffffffc0400000 t iommufd_object_remove\t[iommufd]\n"
				       "ffffffffc0410000 t iommufd_fops_ioctl\t[iommufd]\n"
				       "ffffffffc0500000 t bpf_prog_0123456789abcdef_x\t[bpf]\n"),
			 "kallsyms") ||
	    !ASSERT_TRUE(write_tmp(mods, "iommufd 131072 0 - Live 0xffffffffc0400000\n"
					 "vfio 65536 1 iommufd, Live 0xffffffffc0600000 (E)\n"),
			 "modules"))
		return;
	k = ksyms_load(ks);
	if (!ASSERT_OK_PTR(k, "load"))
		goto out;
	ASSERT_OK(ksyms_add_modules(k, mods), "modules");
	n = ksyms_frames(k, ips, 7, &frames);
	ASSERT_EQ(n, 2, "frames kept");
	if (n == 2) {
		ASSERT_STREQ(frames[0], "iommufd_object_remove+0x105", "module frame");
		ASSERT_STREQ(frames[1], "do_syscall_64+0x40", "kernel frame");
	}
	for (int i = 0; frames && frames[i]; i++)
		free(frames[i]);
	free(frames);
	/* without the modules' extents, a module's frames all stay */
	ksyms_free(k);
	k = ksyms_load(ks);
	if (ASSERT_OK_PTR(k, "load again")) {
		ASSERT_TRUE(!ksyms_is_generated(k, 0xffffffffc0423000ULL), "extent unknown");
		ASSERT_TRUE(ksyms_is_generated(k, 0xffffffffc0201010ULL), "trampoline");
	}
	ksyms_free(k);
out:
	unlink(ks);
	unlink(mods);
}

void test_kernel_config(void)
{
	char plain[] = "/tmp/iommutrace-config.XXXXXX", gz[] = "/tmp/iommutrace-config.XXXXXX";
	const char *text = "#\n# Automatically generated file; DO NOT EDIT.\n"
			   "CONFIG_IOMMUFD_DRIVER_CORE=y\n"
			   "# CONFIG_IOMMUFD is not set\n"
			   "CONFIG_VFIO=m\n"
			   "CONFIG_VFIO_PCI=m\n"
			   "CONFIG_LOCALVERSION=\"\"\n";
	int fd = mkstemp(plain);
	gzFile z;

	ASSERT_TRUE(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
	close(fd);
	fd = mkstemp(gz);
	z = gzdopen(fd, "wb");
	gzputs(z, "CONFIG_IOMMUFD=m\nCONFIG_VFIO_DEVICE_CDEV=y\n# CONFIG_KPROBES is not set");
	gzclose(z);

	ASSERT_EQ(features_kernel_config(plain, "CONFIG_IOMMUFD"), 'n', "not set");
	ASSERT_EQ(features_kernel_config(plain, "CONFIG_VFIO"), 'm', "module, not its prefix");
	ASSERT_EQ(features_kernel_config(plain, "CONFIG_IOMMUFD_DRIVER_CORE"), 'y', "built in");
	ASSERT_EQ(features_kernel_config(plain, "CONFIG_LOCALVERSION"), 'n', "a value other than y or m");
	ASSERT_EQ(features_kernel_config(plain, "CONFIG_VFIO_DEVICE_CDEV"), 0, "not named");
	ASSERT_EQ(features_kernel_config(plain, "CONFIG_IOMMU"), 0, "a prefix is not the option");
	ASSERT_EQ(features_kernel_config(gz, "CONFIG_IOMMUFD"), 'm', "gzipped: module");
	ASSERT_EQ(features_kernel_config(gz, "CONFIG_VFIO_DEVICE_CDEV"), 'y', "gzipped: built in");
	ASSERT_EQ(features_kernel_config(gz, "CONFIG_KPROBES"), 'n', "not set, last line, no newline");
	ASSERT_EQ(features_kernel_config("/nonexistent/config", "CONFIG_IOMMUFD"), 0, "no file");
	{
		const char *const opts[] = { "CONFIG_VFIO", "CONFIG_IOMMUFD", "CONFIG_KPROBES",
					     "CONFIG_IOMMU" };
		char v[4];

		ASSERT_EQ(features_kernel_configs(plain, opts, v, 4), 2, "two of four named");
		ASSERT_EQ(v[0], 'm', "in one read: module");
		ASSERT_EQ(v[1], 'n', "in one read: not set");
		ASSERT_EQ(v[2], 0, "in one read: not named");
		ASSERT_EQ(v[3], 0, "in one read: a prefix is not the option");
		ASSERT_EQ(features_kernel_configs(gz, opts, v, 4), 2, "gzipped: two named");
		ASSERT_EQ(v[2], 'n', "gzipped, in one read: not set, last line");
		ASSERT_EQ(features_kernel_configs("/nonexistent/config", opts, v, 4), -1, "no file");
	}
	unlink(plain);
	unlink(gz);
}

/* ftrace's jmp bit and an odd kprobe handler: refused */
static bool has_problem(const struct features *f, const char *text)
{
	struct problem p[8];
	int n = features_problems(f, p, 8);

	for (int i = 0; i < n && i < 8; i++)
		if (strstr(p[i].what, text))
			return true;
	return false;
}

void test_ftrace_reregister_refusal(void)
{
	char path[] = "/tmp/iommutrace-kallsyms.XXXXXX";
	const char *kallsyms = "ffffffff81042f17 T kprobe_ftrace_handler\n"
			       "ffffffff81042f20 T iommufd_fops_open\n";
	struct features f;
	int fd = mkstemp(path);

	ASSERT_TRUE(fd >= 0 && write(fd, kallsyms, strlen(kallsyms)) == (ssize_t)strlen(kallsyms),
		    "write");
	close(fd);
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(features_parse_kallsyms(&f, path), 0, "parse");
	unlink(path);
	ASSERT_EQ(f.kprobe_handler_addr, 0xffffffff81042f17ULL, "the handler's address, from kallsyms");
	f.kprobes = f.btf_vmlinux = f.kallsyms_readable = f.iommufd = f.privileged = true;
	ASSERT_TRUE(!has_problem(&f, "kprobe_ftrace_handler"), "no configuration: not refused");
	f.config_kprobes_on_ftrace = 'y';
	f.config_ftrace_with_jmp = 'y';
	ASSERT_TRUE(features_ftrace_reregister_crash(&f), "jmp bit, odd handler");
	ASSERT_TRUE(has_problem(&f, "DYNAMIC_FTRACE_WITH_JMP"), "refused, naming the cause");
	f.kprobe_handler_addr = 0xffffffff81042de6ULL;
	ASSERT_TRUE(!has_problem(&f, "kprobe_ftrace_handler"), "an even handler: attaches");
	f.kprobe_handler_addr = 0;
	ASSERT_TRUE(!has_problem(&f, "kprobe_ftrace_handler"), "address hidden: attaches");
	f.kprobe_handler_addr = 0xffffffff81042f17ULL;
	f.config_ftrace_with_jmp = 'n';
	ASSERT_TRUE(!has_problem(&f, "kprobe_ftrace_handler"), "no jmp bit (6.12): attaches");
	f.config_ftrace_with_jmp = 'y';
	f.config_kprobes_on_ftrace = 'n';
	ASSERT_TRUE(!has_problem(&f, "kprobe_ftrace_handler"), "breakpoint kprobes: attaches");
}

/* The hook table agrees with the functions probed and with itself. */
void test_hook_table(void)
{
	bool used[64] = { 0 };

	for (unsigned int h = 1; h < IT_HOOK_MAX; h++) {
		const struct hook_def *d = &hook_defs[h];
		int p = -1;

		for (int i = 0; i < n_probe_defs; i++)
			if (!strcmp(probe_defs[i].func, d->func))
				p = i;
		if (!ASSERT_TRUE(p >= 0, d->label))
			continue;
		used[p] = true;
		/* a return hook needs the function's return program */
		ASSERT_TRUE(!d->ret || probe_defs[p].ret_prog, d->label);
		/* a destroy or abort names the type it ends, and only those do */
		ASSERT_EQ(d->ends_type != 0, d->action == HA_DESTROY || d->action == HA_ABORT,
			  d->label);
	}
	for (int i = 0; i < n_probe_defs; i++)
		ASSERT_TRUE(used[i], probe_defs[i].func);
	/* every object type the kernel can destroy has a destroy hook */
	for (unsigned int t = 1; t < IT_OBJ_MAX; t++) {
		if (t == IT_OBJ_CTX || t == IT_OBJ_DEVICE_STRUCT)
			continue;
		ASSERT_TRUE(hooks_ending(t) != 0, obj_type_name(t));
	}
	ASSERT_EQ(hooks_ending(IT_OBJ_HWPT_PAGING),
		  (1ULL << IT_HOOK_HWPT_PAGING_DESTROY) | (1ULL << IT_HOOK_HW_PAGETABLE_DESTROY),
		  "both generations of the paging HWPT's destroy");
}

/* README's count of metric series labels matches the tables. */
void test_readme_counts(void)
{
	char path[512], want[160], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int hooks = 0, types = 0;

	snprintf(path, sizeof(path), "%s/README.md", IT_SRC_DIR);
	f = fopen(path, "r");
	if (!ASSERT_OK_PTR(f, "README.md"))
		return;
	getdelim(&buf, &len, '\0', f);
	fclose(f);
	for (unsigned int h = 1; h < IT_HOOK_MAX; h++)
		hooks += hook_label(h) != NULL;
	for (unsigned int t = 1; t < IT_OBJ_MAX; t++)
		types += t != IT_OBJ_CTX && t != IT_OBJ_DEVICE_STRUCT;
	snprintf(want, sizeof(want), "%d hooks, %d rules, %d object types, %d functions", hooks,
		 n_rules, types, n_probe_defs);
	ASSERT_HAS(buf, want, "README's metrics paragraph");
	free(buf);
}
